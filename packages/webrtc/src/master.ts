/**
 * The master session: one peer connection per viewer, replaced when the viewer
 * starts over, removed when it fails, refused beyond `maxViewers`.
 * @packageDocumentation
 */
import { TypedEmitter } from '@kvs-sig/client/internal';
import { invalid, isSessionError, SessionError } from './errors';
import { resolveOptions, type Resolved, type SessionOptions, type SessionSignaling } from './options';
import { identityOf, PeerLink, samePeer, type LinkOptions, type RemoteIdentity } from './peer';
import { resolveStorage, StorageLifecycle, type StorageEvent, type StorageOptions, type StorageSignaling, type StorageStatus } from './storage';
import type { IceCandidateInit, DataChannelLike, DescriptionLike, PeerConnectionLike, PeerEvents, PeerMetrics, PeerState, PeerStats, StreamLike, TrackInput, TrackLike } from './types';

/** Options of {@link createMasterSession}. @public */
export interface MasterSessionOptions extends SessionOptions {
  /** Viewers served at once; further ones are refused (`viewerLeft` with `limit`). @default 10 (the service's limit) */
  maxViewers?: number;
  /**
   * WebRTC ingestion: after every signaling open, JoinStorageSession and answer the
   * media server's offer (see the README). `true` takes the defaults. The signaling
   * client must be a `SignalingClient` (its `channels` make the calls); leave its
   * own `joinStorageSession` option off.
   */
  storage?: boolean | StorageOptions;
}

/** Why a viewer left. @public */
export type ViewerLeftReason = 'closed' | 'failed' | 'replaced' | 'limit';

/** Events of a {@link MasterSession}. @public */
export interface MasterSessionEvents {
  viewerJoined: { clientId: string; peer: ViewerPeer };
  /** `limit`: refused (never joined). `replaced`: a new offer from the same viewer replaced its peer (a `viewerJoined` follows). */
  viewerLeft: { clientId: string; reason: ViewerLeftReason; error?: SessionError };
  track: { clientId: string; track: TrackLike; streams: StreamLike[] };
  dataChannel: { clientId: string; channel: DataChannelLike; local: boolean };
  /** The storage session's state changed (`storage` option only). */
  storage: StorageEvent;
  error: SessionError;
}

/** One viewer's peer on the master. @public */
export interface ViewerPeer {
  readonly clientId: string;
  readonly pc: PeerConnectionLike;
  readonly state: PeerState;
  on<K extends keyof PeerEvents>(event: K, listener: (payload: PeerEvents[K]) => void): () => void;
  off<K extends keyof PeerEvents>(event: K, listener: (payload: PeerEvents[K]) => void): void;
  /** Opens a data channel to this viewer (renegotiating if needed). */
  createDataChannel(label: string, options?: object): DataChannelLike;
  metrics(): PeerMetrics;
  sampleStats(): Promise<PeerStats | undefined>;
  /** Closes this viewer's peer (`viewerLeft` with `closed`). */
  close(): Promise<void>;
}

/** A master's peer session. Create with {@link createMasterSession}. @public */
export interface MasterSession {
  /** Connects signaling if idle and starts answering viewers. */
  connect(): Promise<void>;
  /** Closes every viewer's peer, timer and listener (not the signaling client). */
  close(): Promise<void>;
  /** Live viewers by client id. */
  readonly peers: ReadonlyMap<string, ViewerPeer>;
  /** The storage session (`storage` option), apart from the viewers; `undefined` without it. */
  readonly storage: StorageStatus | undefined;
  on<K extends keyof MasterSessionEvents>(event: K, listener: (payload: MasterSessionEvents[K]) => void): () => void;
  once<K extends keyof MasterSessionEvents>(event: K, listener: (payload: MasterSessionEvents[K]) => void): () => void;
  off<K extends keyof MasterSessionEvents>(event: K, listener: (payload: MasterSessionEvents[K]) => void): void;
  /** Sends a track to every viewer, present and future (renegotiates each). */
  addTrack(track: TrackInput): void;
  /** Stops sending a track to every viewer. */
  removeTrack(track: TrackLike): void;
}

class Peer implements ViewerPeer {
  constructor(
    readonly clientId: string,
    readonly link: PeerLink,
    private readonly remove: (peer: Peer, reason: ViewerLeftReason, error?: SessionError) => Promise<void>,
  ) {}
  get pc(): PeerConnectionLike {
    return this.link.pc;
  }
  get state(): PeerState {
    return this.link.state;
  }
  on<K extends keyof PeerEvents>(event: K, listener: (payload: PeerEvents[K]) => void): () => void {
    return this.link.on(event, listener);
  }
  off<K extends keyof PeerEvents>(event: K, listener: (payload: PeerEvents[K]) => void): void {
    this.link.off(event, listener);
  }
  createDataChannel(label: string, options?: object): DataChannelLike {
    if (typeof label !== 'string') throw invalid('label', 'must be a string');
    if (this.link.isClosed) throw new SessionError('NOT_CONNECTED', `the peer of viewer ${this.clientId} is closed`, { clientId: this.clientId });
    return this.link.createDataChannel(label, options);
  }
  metrics(): PeerMetrics {
    return this.link.metrics();
  }
  sampleStats(): Promise<PeerStats | undefined> {
    return this.link.sample();
  }
  close(): Promise<void> {
    return this.remove(this, 'closed');
  }
}

/** Candidates held for a viewer whose peer is not there yet (bounded: a refused viewer keeps trickling). */
const MAX_EARLY_CANDIDATES = 200;

class Master extends TypedEmitter<MasterSessionEvents> implements MasterSession {
  private readonly r: Resolved;
  private readonly signaling: SessionSignaling;
  private readonly maxViewers: number;
  private readonly map = new Map<string, Peer>();
  /** Per viewer: the offer being turned into a peer (serialised, so two offers never race). */
  private readonly creating = new Map<string, Promise<void>>();
  private readonly early = new Map<string, IceCandidateInit[]>();
  private readonly offs: Array<() => void> = [];
  private closed = false;
  private signalingOpenAt: number | undefined;
  private readonly store: StorageLifecycle | undefined;

  constructor(options: MasterSessionOptions) {
    super();
    this.r = resolveOptions(options);
    this.signaling = options.signaling;
    const max = options.maxViewers ?? 10;
    if (!Number.isInteger(max) || max < 1) throw invalid('maxViewers', `must be a positive integer, got ${String(options.maxViewers)}`);
    this.maxViewers = max;
    const storage = resolveStorage(options.storage, options.signaling);
    if (storage) {
      this.store = new StorageLifecycle(options.signaling as SessionSignaling & StorageSignaling, storage, {
        resolved: this.r,
        linkOptions: (clientId) => this.linkOptions(clientId),
        emit: (event) => this.emit('storage', event),
        error: (error) => this.emit('error', error),
      });
    }
  }

  get peers(): ReadonlyMap<string, ViewerPeer> {
    return this.map;
  }

  get storage(): StorageStatus | undefined {
    return this.store;
  }

  async connect(): Promise<void> {
    if (this.closed) throw new SessionError('SESSION_CLOSED', 'connect() after close()');
    // Checked before anything goes on the wire: without both the media server cannot record.
    this.store?.checkTracks();
    this.listen();
    try {
      if (this.signaling.state === 'idle') await this.signaling.connect();
      else if (this.signaling.state === 'closed' || this.signaling.state === 'closing') throw new Error(`the signaling client is ${this.signaling.state}`);
      this.signalingOpenAt ??= Date.now();
    } catch (error) {
      const e = isSessionError(error) ? error : new SessionError('SIGNALING_FAILED', `signaling did not connect: ${(error as Error)?.message ?? error}`, { cause: error });
      this.emit('error', e);
      throw e;
    }
    // Reported (error event, `failed` state) by the lifecycle itself.
    await this.store?.begin();
  }

  private listen(): void {
    if (this.offs.length) return;
    const s = this.signaling;
    this.offs.push(
      s.on('sdpOffer', ({ payload, senderClientId }) => this.onDescription(senderClientId, { type: 'offer', sdp: payload.sdp ?? '' })),
      s.on('sdpAnswer', ({ payload, senderClientId }) => this.onDescription(senderClientId, { type: 'answer', sdp: payload.sdp ?? '' })),
      s.on('iceCandidate', ({ payload, senderClientId }) => this.onCandidate(senderClientId, payload)),
      s.on('open', ({ reconnected }) => {
        this.signalingOpenAt ??= Date.now();
        if (reconnected) for (const p of this.map.values()) p.link.afterSignalingReconnect();
        // Every open, the 1 h limit's replacement included, ends the service's storage session.
        if (reconnected) this.store?.rejoin();
      }),
      s.on('iceServersChanged', ({ iceServers }) => {
        for (const p of this.map.values()) p.link.applyIceServers(iceServers);
        this.store?.applyIceServers(iceServers);
      }),
    );
  }

  private onDescription(clientId: string | undefined, description: DescriptionLike): void {
    if (this.closed) return;
    if (this.store?.owns(clientId)) return this.store.onDescription(clientId, description);
    if (!clientId) {
      // Only a storage session's media server sends a master an SDP without a sender id.
      this.emit('error', new SessionError('NEGOTIATION_FAILED', `an SDP ${description.type} without a sender client id (a storage session's media server?) is not handled by this session`));
      return;
    }
    const existing = this.map.get(clientId);
    if (description.type === 'answer') {
      // Answers only make sense for an offer we sent to that viewer's current peer.
      if (existing && !this.creating.has(clientId)) existing.link.handleDescription(description);
      return;
    }
    const fp = identityOf(description.sdp);
    if (existing && !this.creating.has(clientId) && this.usable(existing) && samePeer(existing.link.remoteIdentity, fp)) {
      // The same viewer peer connection renegotiating or restarting ICE.
      existing.link.handleDescription(description);
      return;
    }
    const before = this.creating.get(clientId) ?? Promise.resolve();
    const job = before
      .then(() => this.admit(clientId, description, fp))
      .catch((error) => {
        if (!this.closed) this.emit('error', isSessionError(error) ? error : new SessionError('NEGOTIATION_FAILED', `viewer ${clientId}: ${(error as Error)?.message ?? error}`, { cause: error, clientId }));
      })
      .finally(() => {
        if (this.creating.get(clientId) === job) this.creating.delete(clientId);
        // Whatever trickled in while the peer was being made goes to it now.
        const peer = this.map.get(clientId);
        const held = this.early.get(clientId);
        if (peer && held && !this.creating.has(clientId)) {
          this.early.delete(clientId);
          for (const c of held) peer.link.handleCandidate(c);
        }
      });
    this.creating.set(clientId, job);
  }

  private async admit(clientId: string, offer: DescriptionLike, fp: RemoteIdentity): Promise<void> {
    if (this.closed) return;
    const existing = this.map.get(clientId);
    if (existing && this.usable(existing) && samePeer(existing.link.remoteIdentity, fp)) {
      existing.link.handleDescription(offer);
      return;
    }
    if (!existing && this.map.size >= this.maxViewers) {
      this.early.delete(clientId);
      const error = new SessionError('VIEWER_LIMIT', `viewer ${clientId} refused: ${this.map.size} of ${this.maxViewers} viewers already connected`, { clientId });
      this.emit('viewerLeft', { clientId, reason: 'limit', error });
      return;
    }
    // A fresh list for every new peer connection (the client keeps it fresher than its TTL).
    const iceServers = await this.signaling.getIceServers();
    if (this.closed) return;
    if (existing) await this.remove(existing, 'replaced');
    const link = PeerLink.open(this.linkOptions(clientId), iceServers);
    if (this.signalingOpenAt) link.metricsData.timeline.signalingOpen = this.signalingOpenAt;
    const peer = new Peer(clientId, link, (p, reason, error) => this.remove(p, reason, error));
    this.map.set(clientId, peer);
    link.on('track', ({ track, streams }) => this.emit('track', { clientId, track, streams }));
    link.on('dataChannel', ({ channel, local }) => this.emit('dataChannel', { clientId, channel, local }));
    link.on('error', (error) => this.emit('error', error));
    link.on('stateChange', ({ to }) => {
      if (to === 'failed') void this.remove(peer, 'failed', link.failure);
    });
    let setUp = false;
    // Tracks go in after the offer is applied, so they take the viewer's receive-only
    // transceivers and need no second round; channels renegotiate only if the offer had none.
    link.beforeAnswer = () => {
      if (setUp) return;
      setUp = true;
      link.setup(this.r.tracks, this.r.dataChannels);
    };
    link.markConnecting();
    this.emit('viewerJoined', { clientId, peer });
    link.handleDescription(offer);
  }

  /** A peer that can still renegotiate (its connection was not closed under it). */
  private usable(peer: Peer): boolean {
    return !peer.link.isClosed && peer.link.pc.signalingState !== 'closed';
  }

  private linkOptions(clientId: string | undefined): LinkOptions {
    const s = this.signaling;
    return {
      RTCPeerConnection: this.r.RTCPeerConnection,
      configuration: this.r.configuration,
      polite: false,
      restartsIce: false,
      answerTimeoutMs: this.r.answerTimeoutMs,
      restart: this.r.restart,
      qualityIntervalMs: this.r.qualityIntervalMs,
      remote: this.store?.owns(clientId) ? 'the media server' : `viewer ${clientId}`,
      ...(clientId !== undefined ? { clientId } : {}),
      signaling: {
        sendOffer: (d) => s.sendSdpOffer(d, clientId),
        sendAnswer: (d) => s.sendSdpAnswer(d, clientId),
        sendCandidate: (c) => s.sendIceCandidate(c, clientId),
        iceServers: () => s.getIceServers(),
      },
    };
  }

  private onCandidate(clientId: string | undefined, candidate: IceCandidateInit): void {
    if (this.closed) return;
    if (this.store?.owns(clientId)) return this.store.onCandidate(clientId, candidate);
    if (!clientId) return;
    const peer = this.map.get(clientId);
    if (peer && !this.creating.has(clientId)) {
      peer.link.handleCandidate(candidate);
      return;
    }
    // Bounded per viewer and in viewers: ids that never offer must not grow the map.
    if (!this.early.has(clientId) && this.early.size >= 4 * this.maxViewers) this.early.delete(this.early.keys().next().value!);
    const list = this.early.get(clientId) ?? [];
    if (list.length >= MAX_EARLY_CANDIDATES) list.shift();
    list.push(candidate);
    this.early.set(clientId, list);
  }

  private async remove(peer: Peer, reason: ViewerLeftReason, error?: SessionError): Promise<void> {
    if (this.map.get(peer.clientId) !== peer) return;
    this.map.delete(peer.clientId);
    if (reason !== 'replaced') this.early.delete(peer.clientId);
    await peer.link.close();
    this.emit('viewerLeft', { clientId: peer.clientId, reason, ...(error ? { error } : {}) });
  }

  addTrack(track: TrackInput): void {
    this.r.tracks.push(track);
    for (const p of this.map.values()) p.link.addTrack(track);
  }

  removeTrack(track: TrackLike): void {
    const i = this.r.tracks.findIndex((t) => t === track || ('track' in t && t.track === track));
    if (i >= 0) this.r.tracks.splice(i, 1);
    for (const p of this.map.values()) p.link.removeTrack(track);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
    this.early.clear();
    await this.store?.close();
    await Promise.all([...this.map.values()].map((p) => this.remove(p, 'closed')));
    this.creating.clear();
    this.removeAllListeners();
  }
}

/**
 * A master's peer session over a `SignalingClient` (role `MASTER`).
 * @throws SessionError `INVALID_OPTIONS` naming the field, `NO_PEER_CONNECTION`.
 * @public
 */
export function createMasterSession(options: MasterSessionOptions): MasterSession {
  return new Master(options);
}
