/**
 * The client's public types: connection state, events, messages, metrics and options.
 * @packageDocumentation
 */

import type { IceCandidateInit, Role, RtcIceServer, SdpPayload, SignalingChannelEndpoints, SignalingError, StatusResponse } from '@kvs-sig/core';
import type { EndpointCache } from './cache';
import type { ConnectionOptions } from './connection-options';
import type { ReconnectOptions } from './reconnect-options';
import type { QueueOptions } from './queue';
import type { WebSocketConstructor } from './transport';

/** Connection state. @public */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** A peer message as the iterator yields it. @public */
export type SignalingMessage =
  | { type: 'sdpOffer'; payload: SdpPayload; senderClientId: string | undefined }
  | { type: 'sdpAnswer'; payload: SdpPayload; senderClientId: string | undefined }
  | { type: 'iceCandidate'; payload: IceCandidateInit; senderClientId: string | undefined };

/** Events and their payloads. @public */
export interface SignalingClientEvents {
  /** Every state change. */
  stateChange: { from: ClientState; to: ClientState };
  /** A connection opened; `reconnected` is true for every open after the first. */
  open: { reconnected: boolean };
  /** A connection closed; `willReconnect` says whether the client is healing it. */
  close: { code: number; reason: string; willReconnect: boolean };
  /** The client waits `delayMs` before connection attempt `attempt`. */
  reconnecting: { attempt: number; delayMs: number; reason: string; error?: SignalingError };
  /** A failure worth knowing about (the client may already be recovering). */
  error: SignalingError;
  sdpOffer: { payload: SdpPayload; senderClientId: string | undefined };
  sdpAnswer: { payload: SdpPayload; senderClientId: string | undefined };
  iceCandidate: { payload: IceCandidateInit; senderClientId: string | undefined };
  /** A STATUS_RESPONSE: the service's report on a message sent with a correlationId. */
  statusResponse: StatusResponse;
  /** The service will close this connection soon; the client is already replacing it. */
  goAway: Record<string, never>;
  /** The service asked to refresh ICE servers; `iceServersChanged` follows. */
  reconnectIceServer: Record<string, never>;
  iceServersChanged: { iceServers: RtcIceServer[] };
  /** A frame that is not a known message, or that could not be parsed. */
  unknownMessage: { raw: string; error?: SignalingError };
}

/** Send options. @public */
export interface SendOptions {
  /** 1–256 of `[a-zA-Z0-9_.-]`; a delivery failure then comes back as `statusResponse` (and an `error` with `DELIVERY_FAILED`). */
  correlationId?: string;
}

/** Per-phase timings and counters. @public */
export interface ClientMetrics {
  /** Duration of the latest call of each phase, in milliseconds. */
  phases: { describeMs?: number; createMs?: number; endpointMs?: number; iceMs?: number; connectMs?: number };
  /** Sequential exchanges (HTTP calls + the handshake) of the attempt that opened the current connection. */
  exchangesBeforeOpen: number;
  /** Time from `connect()` (or from the drop) to `open` of the latest connection. */
  timeToOpenMs?: number;
  messagesSent: number;
  messagesReceived: number;
  /** Connections opened after the first one. */
  reconnects: number;
  /** Connection attempts made in total. */
  attempts: number;
  /** `error` events emitted. */
  errors: number;
  /** Inbound SDP/ICE messages dropped as duplicates (see `dedupeWindowMs`). */
  duplicatesDropped: number;
  /** Frames waiting in the outbound queue. */
  queued: number;
  /** Epoch ms at which the current connection opened. */
  connectedAt?: number;
}

/** Options of {@link SignalingClient}. @public */
export interface SignalingClientOptions extends ConnectionOptions {
  /** `MASTER` (one per channel) or `VIEWER`. */
  role: Role;
  /** The channel's name (described, or created with `createChannelIfMissing`). Give this or `channelArn`. */
  channelName?: string;
  /** The channel's ARN (skips DescribeSignalingChannel). Give this or `channelName`. */
  channelArn?: string;
  /** Required for a viewer (1–256 of `[a-zA-Z0-9_.-]`, not starting with `AWS_`); must be absent for a master. */
  clientId?: string;
  /** Create the channel when Describe says it does not exist (Describe 404 → Create → Describe). @default false */
  createChannelIfMissing?: boolean;
  /** Where ARNs and endpoints are cached. @default a MemoryCache per client */
  cache?: EndpointCache;
  /**
   * Known signaling endpoints: skips GetSignalingChannelEndpoint (needs `channelArn`).
   * Required with a `requestSigner` that cannot sign requests.
   */
  signalingEndpoints?: SignalingChannelEndpoints;
  /** Reconnect policy, or `false` to never reconnect. @default {} (on, with the defaults) */
  reconnect?: false | ReconnectOptions;
  /** Ping interval where the runtime can ping (ws in Node); a missing pong within it closes the socket. @default 30000 */
  keepaliveIntervalMs?: number;
  /** Outbound queue bounds. */
  queue?: QueueOptions;
  /** `WebSocket` constructor to use. @default `ws` (Node entry), `globalThis.WebSocket` (browser entry) */
  WebSocket?: WebSocketConstructor;
  /**
   * Hold ICE candidates that arrive before their sender's SDP: `true` releases
   * them right after the SDP event; `'manual'` keeps them until
   * {@link SignalingClient.drainPendingIceCandidates}; `false` passes them on at once.
   * @default true
   */
  iceBuffering?: boolean | 'manual';
  /** Call JoinStorageSession after every (re)connect (master with media storage). @default false */
  joinStorageSession?: boolean;
  /**
   * Paces sends under the service's per-connection quotas (SendSdpOffer/Answer 5/s,
   * SendIceCandidate 20/s), which drop what exceeds them. `false` turns pacing off.
   * @default { sdpPerSecond: 5, icePerSecond: 20 }
   */
  sendRate?: false | { sdpPerSecond?: number; icePerSecond?: number };
  /**
   * Drops an SDP or ICE message identical to one from the same sender within this
   * window. Sends are at least once (a frame lost with its socket is sent again), so a
   * frame the service did read before the socket died can arrive twice. `0` turns it off.
   * @default 30000
   */
  dedupeWindowMs?: number;
}
