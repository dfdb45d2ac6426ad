/**
 * Public types of the emulator: options, the running-emulator handle, faults and logs.
 * @packageDocumentation
 */

/** Static AWS credentials the emulator accepts (and the only ones). @public */
export interface EmulatorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /**
   * From this time (emulator clock) on, requests signed with these keys get 403
   * `ExpiredTokenException` (handshakes: 403 `AccessDeniedException`). Absent: never.
   */
  expiration?: Date;
}

/** A PEM certificate and key to serve instead of the generated ones. @public */
export interface EmulatorTlsMaterial {
  cert: string;
  key: string;
  /** The CA that issued `cert`, reported as {@link Emulator.ca}. */
  ca?: string;
}

/** Service limits; every value can be shortened so tests do not wait. @public */
export interface EmulatorLimits {
  /** Concurrent viewers per channel (service default 10, soft). */
  maxViewersPerChannel: number;
  /** ConnectAsMaster / ConnectAsViewer calls per second per channel, counted per role (service: 3). */
  connectsPerSecondPerChannel: number;
  /** A socket with no inbound frame (data, ping or pong) for this long is closed (service: 10 min). */
  idleTimeoutMs: number;
  /** A socket is closed after this long whatever it does (service: 1 h). */
  maxConnectionMs: number;
  /** After GO_AWAY the socket is closed after this grace period (service: 1 min). */
  goAwayGraceMs: number;
  /** TTL of the ICE server credentials returned by GetIceServerConfig (service: 300 s). */
  iceServerTtlSeconds: number;
  /** Largest accepted `messagePayload`, in characters of base64 (service: 10K). */
  maxPayloadLength: number;
  /** Largest difference between the signature date and the emulator clock (service: 5 min). */
  maxClockSkewMs: number;
  /** Channels per account (service default 10,000 in us-west-2). */
  maxChannels: number;
  /** How long SendAlexaOfferToMaster waits for the master's SDP_ANSWER. */
  alexaAnswerTimeoutMs: number;
  /** Entries kept by each of the request and frame logs (oldest dropped first). */
  maxLogRecords: number;
  /**
   * SDP offers + answers accepted per second per connection. The service's hard
   * quota is 5; the default is `Infinity` (off) so existing traffic is never throttled
   * by surprise. Over it: `ClientLimitExceededException`, reported like any failure.
   */
  sdpMessagesPerSecondPerConnection: number;
  /** ICE candidates accepted per second per connection (service quota 20; default `Infinity`, off). */
  iceCandidatesPerSecondPerConnection: number;
  /**
   * Undelivered messages held for one absent recipient (default 256; the service's
   * bound is not published). When it is reached a further message is refused, not
   * held: its sender gets a `STATUS_RESPONSE` (`ClientLimitExceededException`) if the
   * frame carried a correlationId, and the refusal is always in {@link EmulatorLog.undelivered}.
   */
  maxHeldMessagesPerRecipient: number;
  /** Undelivered messages held per channel, all recipients together (default 2048); refused the same way. */
  maxHeldMessagesPerChannel: number;
}

/** Every operation the emulator serves, with the service's own names. @public */
export type Operation =
  | 'CreateSignalingChannel'
  | 'DescribeSignalingChannel'
  | 'ListSignalingChannels'
  | 'UpdateSignalingChannel'
  | 'DeleteSignalingChannel'
  | 'GetSignalingChannelEndpoint'
  | 'DescribeMediaStorageConfiguration'
  | 'UpdateMediaStorageConfiguration'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource'
  | 'CreateStream'
  | 'DescribeStream'
  | 'DeleteStream'
  | 'ListStreams'
  | 'GetIceServerConfig'
  | 'SendAlexaOfferToMaster'
  | 'JoinStorageSession'
  | 'JoinStorageSessionAsViewer'
  | 'ConnectAsMaster'
  | 'ConnectAsViewer';

/** Fault settings that can be given at start. @public */
export interface FaultSettings {
  /** Delay added before answering every HTTP request and WebSocket handshake. */
  latencyMs: number;
  /** Offset added to the emulator's clock (Date header, signature checks, TTLs). */
  clockOffsetMs: number;
}

/** Selects live WebSocket connections; every given field must match. @public */
export interface ConnectionFilter {
  channelArn?: string;
  channelName?: string;
  role?: 'MASTER' | 'VIEWER';
  clientId?: string;
}

/** An error reply to inject. @public */
export interface InjectedError {
  /** HTTP status; default 500. */
  status?: number;
  /** Exception name sent in `x-amzn-ErrorType`; default `InternalFailure`. */
  errorType?: string;
  message?: string;
}

/** Fault injection, usable while the emulator runs. @public */
export interface EmulatorFaults {
  /** Delay before answering each HTTP request / WS handshake; with `operations`, only for those. */
  setLatency(ms: number, operations?: Operation[]): void;
  /** The next `count` calls of `operation` fail (default 500 `InternalFailure`). */
  failNext(operation: Operation, count: number, error?: InjectedError): void;
  /** The next `count` calls of `operation` get `ClientLimitExceededException` (400). */
  throttleNext(operation: Operation, count: number): void;
  /** The next `count` WebSocket handshakes (optionally of one role) are refused (default 500 `InternalFailure`). */
  refuseHandshake(count: number, options?: { status?: number; errorType?: string; role?: 'MASTER' | 'VIEWER' }): void;
  /** Terminates matching sockets abruptly (no close frame); returns how many. */
  dropConnections(filter?: ConnectionFilter): number;
  /** Sends GO_AWAY to matching sockets and closes them after `goAwayGraceMs`; returns how many. */
  goAway(filter?: ConnectionFilter): number;
  /** Sends RECONNECT_ICE_SERVER to matching sockets and rotates their channels' ICE credentials; returns how many. */
  reconnectIceServer(filter?: ConnectionFilter): number;
  /**
   * The next `count` JoinStorageSession calls succeed but their media server never
   * offers (as when the service's asynchronous session set-up fails after its 200).
   */
  dropStorageOffers(count: number): void;
  /** Moves the emulator's clock by `ms` (positive = the emulator is ahead of the caller). */
  setClockOffset(ms: number): void;
  /** Clears every fault (latency, pending failures, refusals, dropped storage offers, clock offset). */
  reset(): void;
}

/** One HTTP request or WebSocket handshake the emulator answered. @public */
export interface RequestRecord {
  /** The operation, or `'Unknown'` for a path that is not one. */
  operation: Operation | 'Unknown';
  /** Emulator-clock epoch milliseconds at arrival. */
  time: number;
  /** HTTP status sent (101 for an accepted handshake; 0 when the caller hung up before a reply, errorType `CallerAborted`). */
  status: number;
  errorType?: string;
  durationMs: number;
  channelArn?: string;
  requestId: string;
}

/**
 * One CORS preflight (`OPTIONS`) the emulator answered. Preflights are not
 * service operations: they are kept apart from {@link RequestRecord}s, so a
 * browser's extra round trips can be counted without changing `count()`.
 * @public
 */
export interface PreflightRecord {
  /** The path it asked about, e.g. `/describeSignalingChannel`. */
  path: string;
  /** Emulator-clock epoch milliseconds at arrival. */
  time: number;
  /** The `Origin` header, when sent. */
  origin?: string;
  /** `Access-Control-Request-Method`, when sent. */
  requestMethod?: string;
  /** `Access-Control-Request-Headers`, when sent (as sent: lower-case, comma-separated). */
  requestHeaders?: string;
}

/** One WebSocket text frame received from or sent to a client. @public */
export interface FrameRecord {
  direction: 'in' | 'out';
  channelArn: string;
  role: 'MASTER' | 'VIEWER';
  clientId?: string;
  /** The frame text (binary frames are logged as `<binary N bytes>`). */
  text: string;
  time: number;
}

/**
 * Why a message the emulator accepted for relay never reached its recipient:
 * - `RECIPIENT_HOLD_FULL`: the recipient was absent and already had
 *   `maxHeldMessagesPerRecipient` messages held; this one was refused.
 * - `CHANNEL_HOLD_FULL`: the same for `maxHeldMessagesPerChannel`.
 * - `EXPIRED`: held for the channel's `MessageTtlSeconds`; the recipient did not connect in time.
 * - `REPLACED`: a held offer (or answer) superseded by a newer one between the same two clients.
 * - `CHANNEL_DELETED`: still held when the channel was deleted.
 * - `EMULATOR_CLOSED`: still held when the emulator was closed.
 * @public
 */
export type UndeliveredReason = 'RECIPIENT_HOLD_FULL' | 'CHANNEL_HOLD_FULL' | 'EXPIRED' | 'REPLACED' | 'CHANNEL_DELETED' | 'EMULATOR_CLOSED';

/** A relayed message that was never delivered, and why. @public */
export interface UndeliveredRecord {
  reason: UndeliveredReason;
  channelArn: string;
  action: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE';
  /** The sending viewer's ClientId; absent when the master sent it. */
  senderClientId?: string;
  /** The recipient viewer's ClientId; absent when it was meant for the master. */
  recipientClientId?: string;
  /** The sender's correlationId, when its frame carried one. */
  correlationId?: string;
  messagePayload: string;
  /** True when the sender was told with a `STATUS_RESPONSE` (refusals of a correlated frame only). */
  statusResponseSent: boolean;
  /** Emulator-clock epoch milliseconds at which the emulator gave up on the message. */
  time: number;
}

/** What the emulator received and sent. @public */
export interface EmulatorLog {
  /** HTTP requests and handshakes, in arrival order. */
  requests(): RequestRecord[];
  /** WebSocket frames, in order. */
  frames(): FrameRecord[];
  /** Relayed messages that were never delivered (refused, expired, replaced, discarded), in order. */
  undelivered(): UndeliveredRecord[];
  /** CORS preflights (`OPTIONS`) answered, in order; not in `requests()` nor `count()`. */
  preflights(): PreflightRecord[];
  /** Number of requests (of one operation, or all). */
  count(operation?: Operation): number;
  /** Number of undelivered messages (for one reason, or all); exact even when the list is trimmed. */
  undeliveredCount(reason?: UndeliveredReason): number;
  clear(): void;
}

/** A live WebSocket connection. @public */
export interface ConnectionInfo {
  channelArn: string;
  channelName: string;
  role: 'MASTER' | 'VIEWER';
  /** The viewer's ClientId; absent for the master. */
  clientId?: string;
  /** Emulator-clock epoch milliseconds. */
  connectedAt: number;
}

/** A TURN server that issues TURN REST API credentials (e.g. a local coturn with `use-auth-secret`). @public */
export interface TurnRestConfig {
  /** `turn:` / `turns:` URIs returned as `Uris`. */
  urls: string[];
  /** The shared secret (coturn `static-auth-secret`). */
  secret: string;
}

/** Options of {@link startEmulator}. @public */
export interface EmulatorOptions {
  /** Address to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** `true` (default): generate an EC P-256 CA and server certificate (in process, no openssl). `false`: plain http/ws. */
  tls?: boolean | EmulatorTlsMaterial;
  /** Region of the signatures and ARNs; default `us-west-2`. */
  region?: string;
  /** Accepted credentials; default: random ones generated at start. */
  credentials?: EmulatorCredentials;
  /** 12-digit account id used in ARNs; default random. */
  accountId?: string;
  limits?: Partial<EmulatorLimits>;
  /** Initial faults. */
  faults?: Partial<FaultSettings>;
  /** Point GetIceServerConfig at a real TURN server with REST credentials. */
  turn?: TurnRestConfig;
  /**
   * How many servers GetIceServerConfig lists (a non-negative integer; default 2,
   * or 1 with `turn`), e.g. more than the C SDK's 5 to test a client's handling.
   * With `turn` each entry carries its URIs with its own credentials.
   */
  iceServerCount?: number;
  /** Receives one line per request, handshake and notable event. */
  logger?: (line: string) => void;
  /**
   * Origins GetSignalingChannelEndpoint returns instead of the emulator's own,
   * e.g. proxies in front of it, so the HTTPS and WSS endpoints are different
   * hosts as in AWS (`r-….kinesisvideo…`, `v-…`). Each is an origin
   * (`https://host:port`, `wss://host:port`; `http:`/`ws:` without TLS) with no
   * path; whatever it points at must reach this emulator. Default: the
   * emulator's own origin for every protocol.
   */
  advertisedEndpoints?: AdvertisedEndpoints;
  /**
   * How the storage media server answers JoinStorageSession: `webrtc`, a real
   * peer (werift, an optional dependency) that receives the master's media;
   * `offer-only`, a well-formed offer with nothing behind it; `auto` (default),
   * `webrtc` when werift is installed. JoinStorageSessionAsViewer always gets
   * the offer only.
   */
  mediaServer?: MediaServerMode;
}

/** Origins to advertise per protocol in GetSignalingChannelEndpoint; any left out stays the emulator's own. @public */
export interface AdvertisedEndpoints {
  /** The `HTTPS` endpoint (GetIceServerConfig, SendAlexaOfferToMaster). */
  https?: string;
  /** The `WSS` endpoint (ConnectAsMaster, ConnectAsViewer). */
  wss?: string;
  /** The `WEBRTC` endpoint (JoinStorageSession…). */
  webrtc?: string;
}

/** How the emulator plays the storage media server (see {@link EmulatorOptions.mediaServer}). @public */
export type MediaServerMode = 'auto' | 'webrtc' | 'offer-only';

/** The RTP one track of a storage session carried to the media server. @public */
export interface StorageTrackStats {
  kind: 'audio' | 'video';
  /** Negotiated codec, e.g. `video/H264`, `audio/opus`. */
  codec: string;
  /** RTP packets received. */
  packets: number;
  /** RTP payload bytes received. */
  bytes: number;
  /** Epoch milliseconds of the first packet. */
  firstPacketAt?: number;
}

/**
 * A storage session (WebRTC ingestion): the media server's side of one master's
 * JoinStorageSession. The newest join of a channel replaces its session.
 * @public
 */
export interface StorageSessionInfo {
  channelArn: string;
  /** The `senderClientId` of the media server's offer and candidates; the master answers to it. */
  mediaServerClientId: string;
  /** `offered` until ICE starts; `connected` once media can flow; `offered` for ever without a WebRTC stack. */
  state: 'offered' | 'connecting' | 'connected' | 'failed' | 'closed';
  /** Epoch milliseconds of the join. */
  joinedAt: number;
  /** Whether the master's answer arrived. */
  answered: boolean;
  /** Tracks the media server receives, with what arrived on each. */
  tracks: StorageTrackStats[];
  /** Why the session cannot work as the service requires, e.g. an answer that sends no H.264 video. */
  problem?: string;
}

/** A running emulator. @public */
export interface Emulator {
  /** Control-plane endpoint, e.g. `https://127.0.0.1:PORT`. */
  controlPlaneEndpoint: string;
  region: string;
  credentials: EmulatorCredentials;
  accountId: string;
  /** PEM of the CA that signed the server certificate (undefined without TLS). */
  ca: string | undefined;
  /** {@link Emulator.ca} written to a file (for `NODE_EXTRA_CA_CERTS` and CLIs). */
  caPath: string | undefined;
  faults: EmulatorFaults;
  log: EmulatorLog;
  /** Live WebSocket connections, optionally filtered. */
  connections(filter?: ConnectionFilter): ConnectionInfo[];
  /** Live storage sessions (WebRTC ingestion), with the media the media server received. */
  storageSessions(): StorageSessionInfo[];
  /**
   * Replaces the accepted credentials, e.g. to test rotation: `[fresh, { ...old, expiration }]`.
   * {@link Emulator.credentials} then reports the first. Live sockets are not affected.
   */
  setCredentials(credentials: EmulatorCredentials | EmulatorCredentials[]): void;
  /** Closes every socket and timer and removes temporary files. Safe to call twice. */
  close(): Promise<void>;
}
