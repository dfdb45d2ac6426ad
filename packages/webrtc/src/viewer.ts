/**
 * The viewer session: one peer connection to the master that connects, re-offers
 * when unanswered, restarts ICE and stays connected.
 * @packageDocumentation
 */
import { TypedEmitter } from '@kvs-sig/client/internal';
import { invalid, isSessionError, SessionError } from './errors';
import { resolveOptions, type Resolved, type SessionOptions, type SessionSignaling } from './options';
import { PeerLink, type LinkOptions } from './peer';
import type { DataChannelLike, PeerConnectionLike, PeerEvents, PeerMetrics, PeerState, PeerStats, TrackInput, TrackLike } from './types';

/** Options of {@link createViewerSession}. @public */
export interface ViewerSessionOptions extends SessionOptions {
  /** Media kinds to receive without sending (a receive-only transceiver each), e.g. `['video', 'audio']`. */
  receive?: Array<'audio' | 'video'>;
}

/** Events of a {@link ViewerSession}. @public */
export type ViewerSessionEvents = PeerEvents;

/**
 * A viewer's peer session. Create with {@link createViewerSession}.
 * @public
 */
export interface ViewerSession {
  /** Connects signaling if idle, offers, and resolves once the peer connection is connected. Again after a failure: starts over. */
  connect(): Promise<void>;
  /** Closes the peer connection, every timer and listener (not the signaling client). */
  close(): Promise<void>;
  /** The current peer connection (a new one after `connect()` starts over); undefined before `connect()`. */
  readonly pc: PeerConnectionLike | undefined;
  readonly state: PeerState;
  on<K extends keyof ViewerSessionEvents>(event: K, listener: (payload: ViewerSessionEvents[K]) => void): () => void;
  once<K extends keyof ViewerSessionEvents>(event: K, listener: (payload: ViewerSessionEvents[K]) => void): () => void;
  off<K extends keyof ViewerSessionEvents>(event: K, listener: (payload: ViewerSessionEvents[K]) => void): void;
  /** Opens a data channel now (renegotiating if needed); `dataChannel` reports it too. */
  createDataChannel(label: string, options?: object): DataChannelLike;
  /** Sends one more track (renegotiates). */
  addTrack(track: TrackInput): void;
  removeTrack(track: TrackLike): void;
  /** Restarts ICE now, with fresh ICE servers. */
  restartIce(): void;
  /** Timeline, counters and the latest stats sample. */
  metrics(): PeerMetrics;
  /** Samples `getStats()` now (candidate pair type, RTT). */
  sampleStats(): Promise<PeerStats | undefined>;
}

class Viewer extends TypedEmitter<ViewerSessionEvents> implements ViewerSession {
  private readonly r: Resolved;
  private readonly signaling: SessionSignaling;
  private readonly receive: string[];
  private link: PeerLink | undefined;
  private stateValue: PeerState = 'new';
  private closed = false;
  private connecting: Promise<void> | undefined;
  private signalingOffs: Array<() => void> = [];
  private linkOffs: Array<() => void> = [];
  private signalingOpenAt: number | undefined;
  private readonly extraChannels: Array<{ label: string; options?: object }> = [];
  private rejectPending: ((error: SessionError) => void) | undefined;

  constructor(options: ViewerSessionOptions) {
    super();
    this.r = resolveOptions(options);
    this.signaling = options.signaling;
    if (options.receive !== undefined && (!Array.isArray(options.receive) || options.receive.some((k) => k !== 'audio' && k !== 'video'))) {
      throw invalid('receive', "must be an array of 'audio' | 'video'");
    }
    this.receive = [...(options.receive ?? [])];
  }

  get pc(): PeerConnectionLike | undefined {
    return this.link?.pc;
  }

  get state(): PeerState {
    return this.stateValue;
  }

  private setState(to: PeerState): void {
    const from = this.stateValue;
    if (from === to) return;
    this.stateValue = to;
    this.emit('stateChange', { from, to });
  }

  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new SessionError('SESSION_CLOSED', 'connect() after close()'));
    if (this.stateValue === 'connected' || this.stateValue === 'reconnecting') return Promise.resolve();
    this.connecting ??= this.run(false).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** A connected session whose remote restarted: a new peer connection, reported as `reconnecting`. */
  private startOver(): void {
    if (this.closed || this.connecting) return;
    this.connecting = this.run(true)
      .catch(() => undefined)
      .finally(() => {
        this.connecting = undefined;
      });
  }

  private async run(reconnecting: boolean): Promise<void> {
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    this.listenSignaling();
    try {
      if (this.signaling.state === 'idle') await this.signaling.connect();
      else if (this.signaling.state === 'closed' || this.signaling.state === 'closing') throw new Error(`the signaling client is ${this.signaling.state}`);
      this.signalingOpenAt ??= Date.now();
      if (this.closed) throw new SessionError('SESSION_CLOSED', 'closed while connecting');
    } catch (error) {
      throw this.failWith(isSessionError(error) ? error : new SessionError('SIGNALING_FAILED', `signaling did not connect: ${(error as Error)?.message ?? error}`, { cause: error }));
    }
    // Starting over: a fresh peer connection, fresh ICE servers, fresh offer count.
    // A peer that fails before it ever connected is replaced by a new one (bounded).
    for (let attempt = 0; ; attempt++) {
      const { link, settled } = await this.attempt(reconnecting);
      try {
        await settled;
        return;
      } catch (error) {
        if (this.closed) throw new SessionError('SESSION_CLOSED', 'closed while connecting');
        if (this.link === link && link.wantsFreshPeer && attempt < this.r.restart.maxIceRestarts) continue;
        if (this.link === link) this.setState('failed');
        if (link.wantsFreshPeer) this.emit('error', error as SessionError);
        throw error;
      } finally {
        this.rejectPending = undefined;
      }
    }
  }

  private async attempt(reconnecting: boolean): Promise<{ link: PeerLink; settled: Promise<void> }> {
    await this.dropLink();
    let iceServers;
    try {
      iceServers = await this.signaling.getIceServers();
    } catch (error) {
      throw this.failWith(new SessionError('SIGNALING_FAILED', `no ICE servers: ${(error as Error)?.message ?? error}`, { cause: error }));
    }
    if (this.closed) throw new SessionError('SESSION_CLOSED', 'closed while connecting');
    const link = PeerLink.open(this.linkOptions(), iceServers);
    this.link = link;
    if (this.signalingOpenAt) link.metricsData.timeline.signalingOpen = this.signalingOpenAt;
    const settled = new Promise<void>((resolve, reject) => {
      this.rejectPending = reject;
      this.linkOffs.push(
        link.on('stateChange', ({ to }) => {
          if (to === 'connected') resolve();
          else if (to === 'failed') reject(link.failure ?? new SessionError('ICE_FAILED', 'the peer connection failed'));
          else if (to === 'closed') reject(new SessionError('SESSION_CLOSED', 'closed while connecting'));
          if (to === 'failed' && link.wantsFreshPeer) {
            // Outside connect() (the session was connected): start over by itself.
            if (!this.connecting && this.link === link) this.startOver();
            return;
          }
          if (to !== 'new' && to !== 'closed') this.setState(to === 'connecting' && reconnecting ? 'reconnecting' : to);
        }),
      );
    });
    settled.catch(() => undefined);
    const forward = <K extends 'track' | 'dataChannel' | 'iceRestart' | 'quality' | 'error'>(event: K) => {
      this.linkOffs.push(link.on(event, (payload) => this.emit(event, payload)));
    };
    for (const event of ['track', 'dataChannel', 'iceRestart', 'quality', 'error'] as const) forward(event);
    try {
      link.setup(this.r.tracks, [...this.r.dataChannels, ...this.extraChannels], this.receive);
    } catch (error) {
      throw this.failWith(new SessionError('NEGOTIATION_FAILED', `setting up the peer connection failed: ${(error as Error)?.message ?? error}`, { cause: error }));
    }
    link.markConnecting();
    // Forced: some stacks (node-datachannel's polyfill) apply an offer on their own
    // when a channel is created, so the state is no longer stable here.
    link.negotiate(false, true);
    return { link, settled };
  }

  private failWith(error: SessionError): SessionError {
    if (!this.closed) {
      this.setState('failed');
      this.emit('error', error);
    }
    return error;
  }

  private linkOptions(): LinkOptions {
    const s = this.signaling;
    return {
      RTCPeerConnection: this.r.RTCPeerConnection,
      configuration: this.r.configuration,
      polite: true,
      restartsIce: true,
      answerTimeoutMs: this.r.answerTimeoutMs,
      restart: this.r.restart,
      qualityIntervalMs: this.r.qualityIntervalMs,
      remote: 'the master',
      freshPeerUntilConnected: true,
      signaling: {
        // A viewer never names a recipient: everything goes to the master.
        sendOffer: (d) => s.sendSdpOffer(d),
        sendAnswer: (d) => s.sendSdpAnswer(d),
        sendCandidate: (c) => s.sendIceCandidate(c),
        iceServers: () => s.getIceServers(),
      },
    };
  }

  private listenSignaling(): void {
    if (this.signalingOffs.length) return;
    const s = this.signaling;
    this.signalingOffs.push(
      s.on('sdpAnswer', ({ payload }) => this.link?.handleDescription({ type: 'answer', sdp: payload.sdp ?? '' })),
      // The master renegotiating (a track or channel it added): we are polite.
      s.on('sdpOffer', ({ payload }) => this.link?.handleDescription({ type: 'offer', sdp: payload.sdp ?? '' })),
      s.on('iceCandidate', ({ payload }) => this.link?.handleCandidate(payload)),
      s.on('open', ({ reconnected }) => {
        this.signalingOpenAt ??= Date.now();
        if (reconnected) this.link?.afterSignalingReconnect();
      }),
      s.on('iceServersChanged', ({ iceServers }) => this.link?.applyIceServers(iceServers)),
      s.on('stateChange', ({ to }) => {
        if (to === 'closed' && !this.closed && this.stateValue !== 'closed') {
          this.emit('error', new SessionError('SIGNALING_FAILED', 'the signaling client closed: the session can no longer renegotiate or restart ICE'));
        }
      }),
    );
  }

  private async dropLink(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    for (const off of this.linkOffs.splice(0)) off();
    await link?.close();
  }

  createDataChannel(label: string, options?: object): DataChannelLike {
    if (typeof label !== 'string') throw invalid('label', 'must be a string');
    if (!this.link || this.link.isClosed) throw new SessionError('NOT_CONNECTED', 'createDataChannel() needs connect() first');
    this.extraChannels.push({ label, ...(options ? { options } : {}) });
    return this.link.createDataChannel(label, options);
  }

  addTrack(track: TrackInput): void {
    this.r.tracks.push(track);
    this.link?.addTrack(track);
  }

  removeTrack(track: TrackLike): void {
    const i = this.r.tracks.findIndex((t) => t === track || ('track' in t && t.track === track));
    if (i >= 0) this.r.tracks.splice(i, 1);
    this.link?.removeTrack(track);
  }

  restartIce(): void {
    this.link?.restartIce('manual');
  }

  metrics(): PeerMetrics {
    return this.link?.metrics() ?? { timeline: { created: Date.now() }, offersSent: 0, answersSent: 0, answersIgnored: 0, candidatesSent: 0, candidatesReceived: 0, candidatesRefused: 0, iceRestarts: 0, offerRetries: 0 };
  }

  sampleStats(): Promise<PeerStats | undefined> {
    return this.link ? this.link.sample() : Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectPending?.(new SessionError('SESSION_CLOSED', 'closed while connecting'));
    for (const off of this.signalingOffs.splice(0)) off();
    await this.dropLink();
    this.setState('closed');
    this.removeAllListeners();
  }
}

/**
 * A viewer's peer session over a `SignalingClient` (role `VIEWER`).
 * @throws SessionError `INVALID_OPTIONS` naming the field, `NO_PEER_CONNECTION`.
 * @public
 */
export function createViewerSession(options: ViewerSessionOptions): ViewerSession {
  return new Viewer(options);
}
