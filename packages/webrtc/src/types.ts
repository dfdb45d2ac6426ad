/**
 * The W3C shapes the sessions rely on. They are structural, so browsers,
 * werift, node-datachannel's polyfill, @roamhq/wrtc and react-native-webrtc all
 * fit without this package importing the DOM library.
 * @packageDocumentation
 */

import type { IceCandidateInit } from '@kvs-sig/client';

/** The candidate the sessions send and take: `@kvs-sig/client`'s (the W3C `RTCIceCandidateInit`). */
export type { IceCandidateInit };
/** An ICE server as `RTCIceServer`. @public */
export interface IceServerLike {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The subset of `RTCConfiguration` the sessions set; anything else is passed through. @public */
export interface ConfigurationLike {
  iceServers?: IceServerLike[];
  iceTransportPolicy?: 'all' | 'relay';
  [key: string]: unknown;
}

/** `RTCSessionDescriptionInit`. @public */
export interface DescriptionLike {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** A media track (`MediaStreamTrack`). @public */
export interface TrackLike {
  readonly kind: string;
  readonly id: string;
}

/** A media stream (`MediaStream`). @public */
export type StreamLike = object;

/** An `RTCRtpSender`. @public */
export interface SenderLike {
  readonly track: TrackLike | null;
}

/** An `RTCDataChannel` (only what the sessions touch). @public */
export interface DataChannelLike {
  readonly label: string;
  readonly readyState: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(): void;
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}

/** A stats report (`RTCStatsReport`): a map-like of stats objects. @public */
export interface StatsReportLike {
  forEach(callback: (value: any, key: string) => void): void;
}

/** An `RTCPeerConnection` as the sessions use it. @public */
export interface PeerConnectionLike {
  readonly signalingState: string;
  readonly connectionState?: string;
  readonly iceConnectionState: string;
  readonly localDescription: DescriptionLike | null;
  readonly remoteDescription: DescriptionLike | null;
  createOffer(options?: { iceRestart?: boolean }): Promise<DescriptionLike>;
  createAnswer(): Promise<DescriptionLike>;
  setLocalDescription(description?: DescriptionLike): Promise<unknown>;
  setRemoteDescription(description: DescriptionLike): Promise<unknown>;
  addIceCandidate(candidate?: IceCandidateInit): Promise<unknown>;
  createDataChannel(label: string, options?: object): DataChannelLike;
  addTrack(track: any, ...streams: any[]): SenderLike;
  removeTrack(sender: any): void;
  addTransceiver?(kind: string, init?: { direction?: string }): unknown;
  getSenders(): SenderLike[];
  getStats(): Promise<StatsReportLike>;
  setConfiguration?(configuration: any): void;
  getConfiguration?(): any;
  close(): unknown;
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}

/** A constructor of {@link PeerConnectionLike}. @public */
export type PeerConnectionConstructor = new (configuration?: any) => PeerConnectionLike;

/** A track to send: the track alone, or with its streams. @public */
export type TrackInput = TrackLike | { track: TrackLike; streams?: StreamLike[] };

/** A data channel a session opens on every peer connection. @public */
export interface DataChannelSpec {
  label: string;
  /** `RTCDataChannelInit`. */
  options?: object;
}

/** State of a session or of one viewer's peer. @public */
export type PeerState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** Quality levels of the periodic summary. @public */
export type QualityLevel = 'good' | 'fair' | 'poor';

/** What the selected candidate pair and the inbound streams say. @public */
export interface PeerStats {
  /** Type of the local candidate of the selected pair (`host`, `srflx`, `prflx`, `relay`). */
  localCandidateType?: string;
  /** Type of the remote candidate of the selected pair. */
  remoteCandidateType?: string;
  /** `relay` when either end relays, else the local type. */
  candidatePairType?: string;
  /** Current round-trip time of the selected pair, in ms. */
  rttMs?: number;
  /** Inbound RTP packets received and lost (all streams). */
  packetsReceived?: number;
  packetsLost?: number;
  /** Epoch ms of the sample. */
  sampledAt: number;
}

/** A periodic quality summary. @public */
export interface QualityReport {
  level: QualityLevel;
  /** Why it is not `good`: `rtt`, `packet-loss`, `relay`, `no-pair`. */
  reasons: string[];
  stats: PeerStats;
}

/** Moments of one peer's life, epoch ms. @public */
export interface PeerTimeline {
  created: number;
  signalingOpen?: number;
  offerSent?: number;
  offerReceived?: number;
  answerSent?: number;
  answerReceived?: number;
  firstLocalCandidate?: number;
  firstRemoteCandidate?: number;
  iceConnected?: number;
  connected?: number;
  firstDataMessage?: number;
  firstTrack?: number;
}

/** Timeline, counters and the latest stats of one peer. @public */
export interface PeerMetrics {
  timeline: PeerTimeline;
  offersSent: number;
  answersSent: number;
  answersIgnored: number;
  candidatesSent: number;
  candidatesReceived: number;
  /** Remote candidates the peer connection refused (e.g. of an old ICE generation); never thrown. */
  candidatesRefused: number;
  iceRestarts: number;
  /** Offers sent again because no answer came in time. */
  offerRetries: number;
  stats?: PeerStats;
  quality?: QualityReport;
}

/** When and how a session recovers. @public */
export interface RestartOptions {
  /** Offers sent for one negotiation before giving up (`OFFER_UNANSWERED`). @default 4 */
  maxOfferAttempts?: number;
  /** Backoff before a re-offer: first wait upper bound (full jitter). @default 500 */
  initialDelayMs?: number;
  /** Backoff cap. @default 5000 */
  maxDelayMs?: number;
  /** How long `disconnected` may last before an ICE restart. @default 3000 */
  disconnectedGraceMs?: number;
  /** A peer not connected this long after its offer was answered counts as failed (restart, or a new peer). @default 15000 */
  connectTimeoutMs?: number;
  /** ICE restarts in a row without reaching `connected` before the session fails (`ICE_FAILED`). @default 5 */
  maxIceRestarts?: number;
  /** Master: a peer failed or disconnected this long is closed and removed. @default 20000 */
  failedPeerTimeoutMs?: number;
}

/** Events of one peer (a viewer session re-emits them). @public */
export interface PeerEvents {
  stateChange: { from: PeerState; to: PeerState };
  track: { track: TrackLike; streams: StreamLike[] };
  /** Every channel of the peer: `local` ones it opened, and the remote side's. */
  dataChannel: { channel: DataChannelLike; local: boolean };
  iceRestart: { attempt: number; reason: 'failed' | 'disconnected' | 'signaling-reconnect' | 'manual' };
  quality: QualityReport;
  error: import('./errors').SessionError;
}
