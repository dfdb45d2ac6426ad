/**
 * `@kvs-sig/webrtc`: peer sessions on KVS signaling (a viewer, and a master
 * serving many viewers) for any W3C `RTCPeerConnection`. See the README.
 * @packageDocumentation
 */
export { createViewerSession, type ViewerSession, type ViewerSessionEvents, type ViewerSessionOptions } from './viewer';
export {
  createMasterSession,
  type MasterSession,
  type MasterSessionEvents,
  type MasterSessionOptions,
  type ViewerLeftReason,
  type ViewerPeer,
} from './master';
export type { StorageEvent, StorageOptions, StorageSignaling, StorageState, StorageStatus } from './storage';
export { SessionError, SessionErrorCodes, isSessionError, type SessionErrorCode, type SessionErrorOptions } from './errors';
export type { SessionOptions, SessionSignaling } from './options';
export type { QualityThresholds } from './quality';
export type {
  IceCandidateInit,
  ConfigurationLike,
  DataChannelLike,
  DataChannelSpec,
  DescriptionLike,
  IceServerLike,
  PeerConnectionConstructor,
  PeerConnectionLike,
  PeerEvents,
  PeerMetrics,
  PeerState,
  PeerStats,
  PeerTimeline,
  QualityLevel,
  QualityReport,
  RestartOptions,
  SenderLike,
  StatsReportLike,
  StreamLike,
  TrackInput,
  TrackLike,
} from './types';
