/**
 * Options shared by both sessions, their defaults and their validation.
 * @packageDocumentation
 */
import type { SignalingClientEvents } from '@kvs-sig/client';
import { invalid, SessionError } from './errors';
import type { ConfigurationLike, DataChannelSpec, IceServerLike, PeerConnectionConstructor, RestartOptions, TrackInput } from './types';

/**
 * What a session needs of a `SignalingClient` (from `@kvs-sig/client`, Node or
 * browser build). Structural, so either build (or a test double) fits.
 * @public
 */
export interface SessionSignaling {
  readonly state: string;
  connect(options?: { signal?: AbortSignal }): Promise<void>;
  on<K extends keyof SignalingClientEvents>(event: K, listener: (payload: SignalingClientEvents[K]) => void): () => void;
  getIceServers(options?: { signal?: AbortSignal }): Promise<IceServerLike[]>;
  sendSdpOffer(offer: { type: 'offer'; sdp: string }, recipientClientId?: string): Promise<void>;
  sendSdpAnswer(answer: { type: 'answer'; sdp: string }, recipientClientId?: string): Promise<void>;
  sendIceCandidate(candidate: { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null }, recipientClientId?: string): Promise<void>;
}

/** Options both sessions take. @public */
export interface SessionOptions {
  /** A `SignalingClient` of the right role; the session connects it if it is idle, and never closes it (you own it). */
  signaling: SessionSignaling;
  /** Any W3C `RTCPeerConnection` constructor. @default globalThis.RTCPeerConnection */
  RTCPeerConnection?: PeerConnectionConstructor;
  /** `RTCConfiguration` for every peer connection; the signaling channel's ICE servers are added to `iceServers`. */
  configuration?: ConfigurationLike;
  /** Tracks sent on every peer connection. */
  tracks?: TrackInput[];
  /** Data channels opened on every peer connection (the `dataChannel` event reports them). */
  dataChannels?: DataChannelSpec[];
  /** Time to wait for an answer to each offer. @default 10000 */
  answerTimeoutMs?: number;
  /** Re-offer, ICE restart and failed-peer policy. */
  restart?: RestartOptions;
  /** Period of the `getStats` sample behind `quality` and `metrics().stats`; `0` turns it off. @default 5000 */
  qualityIntervalMs?: number;
}

/** @internal */
export const RESTART_DEFAULTS: Required<RestartOptions> = {
  maxOfferAttempts: 4,
  initialDelayMs: 500,
  maxDelayMs: 5000,
  disconnectedGraceMs: 3000,
  connectTimeoutMs: 15_000,
  maxIceRestarts: 5,
  failedPeerTimeoutMs: 20_000,
};

/** @internal */
export interface Resolved {
  RTCPeerConnection: PeerConnectionConstructor;
  configuration: ConfigurationLike;
  tracks: TrackInput[];
  dataChannels: DataChannelSpec[];
  answerTimeoutMs: number;
  restart: Required<RestartOptions>;
  qualityIntervalMs: number;
}

function positive(field: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(field, `must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds or a count, got ${String(value)}`);
  }
  return value;
}

/** @internal */
export function resolveOptions(o: SessionOptions): Resolved {
  if (!o || typeof o !== 'object') throw invalid('options', 'must be an object');
  const s = o.signaling as Partial<SessionSignaling> | undefined;
  if (!s || typeof s.on !== 'function' || typeof s.sendSdpOffer !== 'function' || typeof s.getIceServers !== 'function') {
    throw invalid('signaling', 'must be a SignalingClient from @kvs-sig/client');
  }
  const Ctor = o.RTCPeerConnection ?? (globalThis as { RTCPeerConnection?: PeerConnectionConstructor }).RTCPeerConnection;
  if (typeof Ctor !== 'function') {
    throw new SessionError('NO_PEER_CONNECTION', 'RTCPeerConnection: none in this runtime; pass one (werift, node-datachannel/polyfill, @roamhq/wrtc, react-native-webrtc)', { field: 'RTCPeerConnection' });
  }
  if (o.tracks !== undefined && !Array.isArray(o.tracks)) throw invalid('tracks', 'must be an array of tracks or { track, streams }');
  if (o.dataChannels !== undefined) {
    if (!Array.isArray(o.dataChannels)) throw invalid('dataChannels', 'must be an array of { label, options? }');
    o.dataChannels.forEach((d, i) => {
      if (!d || typeof d.label !== 'string') throw invalid(`dataChannels[${i}].label`, 'must be a string');
    });
  }
  const r = o.restart ?? {};
  const restart: Required<RestartOptions> = {
    maxOfferAttempts: positive('restart.maxOfferAttempts', r.maxOfferAttempts, RESTART_DEFAULTS.maxOfferAttempts),
    initialDelayMs: positive('restart.initialDelayMs', r.initialDelayMs, RESTART_DEFAULTS.initialDelayMs, true),
    maxDelayMs: positive('restart.maxDelayMs', r.maxDelayMs, RESTART_DEFAULTS.maxDelayMs, true),
    disconnectedGraceMs: positive('restart.disconnectedGraceMs', r.disconnectedGraceMs, RESTART_DEFAULTS.disconnectedGraceMs, true),
    connectTimeoutMs: positive('restart.connectTimeoutMs', r.connectTimeoutMs, RESTART_DEFAULTS.connectTimeoutMs),
    maxIceRestarts: positive('restart.maxIceRestarts', r.maxIceRestarts, RESTART_DEFAULTS.maxIceRestarts, true),
    failedPeerTimeoutMs: positive('restart.failedPeerTimeoutMs', r.failedPeerTimeoutMs, RESTART_DEFAULTS.failedPeerTimeoutMs, true),
  };
  return {
    RTCPeerConnection: Ctor,
    configuration: { ...(o.configuration ?? {}) },
    tracks: [...(o.tracks ?? [])],
    dataChannels: [...(o.dataChannels ?? [])],
    answerTimeoutMs: positive('answerTimeoutMs', o.answerTimeoutMs, 10_000),
    restart,
    qualityIntervalMs: positive('qualityIntervalMs', o.qualityIntervalMs, 5000, true),
  };
}
