/**
 * `@kvs-sig/emulator`: a strict local Amazon KVS WebRTC signaling service
 * (control plane, HTTPS signaling, WEBRTC storage endpoint and WebSocket
 * relay on one port) with SigV4 verification and fault injection.
 * @packageDocumentation
 */
export { DEFAULT_LIMITS } from './options';
export { startEmulator } from './server';
export { generateCertificates, type GeneratedCertificates } from './tls';
export type {
  AdvertisedEndpoints,
  ConnectionFilter,
  ConnectionInfo,
  Emulator,
  EmulatorCredentials,
  EmulatorFaults,
  EmulatorLimits,
  EmulatorLog,
  EmulatorOptions,
  EmulatorTlsMaterial,
  FaultSettings,
  FrameRecord,
  InjectedError,
  MediaServerMode,
  Operation,
  PreflightRecord,
  RequestRecord,
  StorageSessionInfo,
  StorageTrackStats,
  TurnRestConfig,
  UndeliveredReason,
  UndeliveredRecord,
} from './types';
