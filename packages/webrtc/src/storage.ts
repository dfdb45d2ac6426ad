/**
 * The storage-session lifecycle (WebRTC ingestion) of a master: checks that the
 * set-up can work, calls JoinStorageSession after every signaling open, waits
 * for the media server's offer, joins again with backoff when none comes, and
 * keeps the one peer connection to the media server apart from the viewers.
 * Only the master imports this module, so a viewer-only page never carries it.
 * @packageDocumentation
 */
import { backoffDelay } from '@kvs-sig/client/internal';
import { invalid, isSessionError, SessionError } from './errors';
import type { Resolved, SessionSignaling } from './options';
import { identityOf, PeerLink, samePeer, type LinkOptions } from './peer';
import type { IceCandidateInit, DescriptionLike, IceServerLike, PeerConnectionLike, PeerMetrics, TrackInput } from './types';

/** Options of a master's storage session (`storage: true` takes every default). @public */
export interface StorageOptions {
  /** How long to wait for the media server's offer after each JoinStorageSession. @default 6000 (the official samples' wait) */
  offerTimeoutMs?: number;
  /**
   * JoinStorageSession calls of one cycle (after one signaling open) before giving up
   * with `STORAGE_NO_OFFER`; also the media-server peers that may fail in a row
   * without connecting. @default 5
   */
  maxJoinAttempts?: number;
}

/**
 * Where the storage session is: `joining` (JoinStorageSession in flight),
 * `waiting` (for the media server's offer), `connecting` (answered, ICE under
 * way), `connected` (media flows to the media server), `failed` (set-up cannot
 * work, or every attempt of a cycle failed: the next signaling open tries again),
 * `closed`. @public
 */
export type StorageState = 'idle' | 'joining' | 'waiting' | 'connecting' | 'connected' | 'failed' | 'closed';

/** The `storage` event of a master session. @public */
export interface StorageEvent {
  state: StorageState;
  /** JoinStorageSession calls made so far. */
  joins: number;
  /** The media server's sender client id, once it offered. */
  mediaServerClientId?: string;
  /** Why the state is `failed`. */
  error?: SessionError;
}

/** The storage session as `MasterSession.storage` shows it. @public */
export interface StorageStatus {
  readonly state: StorageState;
  readonly joins: number;
  readonly mediaServerClientId: string | undefined;
  /** The peer connection to the media server (not a viewer: never in `peers`, never counted against `maxViewers`). */
  readonly pc: PeerConnectionLike | undefined;
  /** Its timeline and counters. */
  metrics(): PeerMetrics | undefined;
}

/**
 * What a storage session needs of the signaling client beyond {@link SessionSignaling}:
 * a `SignalingClient`'s `channelArn`, `endpoints` and `channels` (a `ChannelManager`).
 * @public
 */
export interface StorageSignaling {
  readonly channelArn?: string | undefined;
  readonly endpoints?: { webrtc?: string | undefined } | undefined;
  readonly channels?: {
    joinStorageSession(input: { channelArn: string; webrtcEndpoint?: string }): Promise<void>;
    describeMediaStorageConfiguration(ref: { channelArn: string }): Promise<{ status?: string | undefined; streamArn?: string | null | undefined }>;
  };
}

/** What the lifecycle needs from the master. @internal */
export interface StorageHost {
  resolved: Resolved;
  linkOptions(clientId: string | undefined): LinkOptions;
  emit(event: StorageEvent): void;
  error(error: SessionError): void;
}

type Timer = ReturnType<typeof setTimeout>;

/** @internal */
export interface ResolvedStorage {
  offerTimeoutMs: number;
  maxJoinAttempts: number;
}

/** @internal */
export function resolveStorage(value: boolean | StorageOptions | undefined, signaling: SessionSignaling): ResolvedStorage | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) throw invalid('storage', 'must be true or { offerTimeoutMs?, maxJoinAttempts? }');
  const o: StorageOptions = value === true ? {} : value;
  const offerTimeoutMs = o.offerTimeoutMs ?? 6000;
  if (typeof offerTimeoutMs !== 'number' || !Number.isFinite(offerTimeoutMs) || offerTimeoutMs <= 0) {
    throw invalid('storage.offerTimeoutMs', `must be a positive number of milliseconds, got ${String(o.offerTimeoutMs)}`);
  }
  const maxJoinAttempts = o.maxJoinAttempts ?? 5;
  if (!Number.isInteger(maxJoinAttempts) || maxJoinAttempts < 1) throw invalid('storage.maxJoinAttempts', `must be a positive integer, got ${String(o.maxJoinAttempts)}`);
  const channels = (signaling as StorageSignaling).channels;
  if (!channels || typeof channels.joinStorageSession !== 'function' || typeof channels.describeMediaStorageConfiguration !== 'function') {
    throw invalid('signaling', 'a storage session needs a SignalingClient from @kvs-sig/client (its channels.joinStorageSession)');
  }
  return { offerTimeoutMs, maxJoinAttempts };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function kindOf(input: TrackInput): string {
  return 'kind' in input ? input.kind : input.track.kind;
}

/** `H.264 video`, `Opus audio`: what an answer does not send (RFC 8866 media sections). @internal */
export function missingStorageMedia(sdp: string): string[] {
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  const sends = (kind: string, codec: RegExp): boolean =>
    sections.some((s) => s.startsWith(`m=${kind} `) && !/^m=\S+ 0 /.test(s) && codec.test(s) && !/^a=(recvonly|inactive)\s*$/m.test(s));
  const missing: string[] = [];
  if (!sends('video', /^a=rtpmap:\d+ H264\/90000/im)) missing.push('H.264 video');
  if (!sends('audio', /^a=rtpmap:\d+ opus\/48000/im)) missing.push('Opus audio');
  return missing;
}

/** Whether an ICE server list has a TURN server (`turn:` or `turns:`). @internal */
export function hasTurn(servers: IceServerLike[]): boolean {
  return servers.some((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => typeof u === 'string' && /^turns?:/i.test(u)));
}

/**
 * Whether a JoinStorageSession failure may pass with time (the official sample's
 * rule): throttling (but not a full session), the network, a timeout, a 5xx.
 */
function retryable(error: unknown): boolean {
  const e = error as { retryable?: unknown; errorType?: unknown; httpStatus?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.errorType === 'ClientLimitExceededException') return !/maximum number of viewers/i.test(String(e.message ?? ''));
  return e.retryable === true || (typeof e.httpStatus === 'number' && e.httpStatus >= 500);
}

/** @internal */
export class StorageLifecycle implements StorageStatus {
  state: StorageState = 'idle';
  joins = 0;
  mediaServerClientId: string | undefined;
  private link: PeerLink | undefined;
  /** Bumped by every new cycle and by close(): a stale cycle stops at its next step. */
  private cycleId = 0;
  private begun = false;
  private closed = false;
  /** The cycle whose wait an offer ended. */
  private offeredIn = -1;
  private wakeOffer: (() => void) | undefined;
  private readonly sleeps = new Map<Timer, () => void>();
  /** Media-server peers that failed in a row without connecting. */
  private failuresInARow = 0;
  /** Candidates of a media server whose offer is not here yet (bounded). */
  private held: { clientId: string | undefined; candidate: IceCandidateInit }[] = [];

  constructor(
    private readonly signaling: SessionSignaling & StorageSignaling,
    private readonly o: ResolvedStorage,
    private readonly host: StorageHost,
  ) {}

  get pc(): PeerConnectionLike | undefined {
    return this.link?.pc;
  }

  metrics(): PeerMetrics | undefined {
    return this.link?.metrics();
  }

  /** Whether a sender is the media server: KVS reserves `AWS_` ids, and the service may send no id at all. */
  owns(clientId: string | undefined): boolean {
    return clientId === undefined || clientId.startsWith('AWS_');
  }

  /** Before signaling: the master must send video and audio. */
  checkTracks(): void {
    const kinds = new Set(this.host.resolved.tracks.map(kindOf));
    const missing = [kinds.has('video') ? '' : 'a video track (H.264)', kinds.has('audio') ? '' : 'an audio track (Opus)'].filter(Boolean);
    if (missing.length) {
      throw new SessionError('STORAGE_TRACKS', `tracks: a storage session needs ${missing.join(' and ')} from the master`, { field: 'tracks' });
    }
  }

  /**
   * After the first signaling open: media storage enabled, a TURN server, then the
   * first JoinStorageSession. Resolves once a join succeeded; rejects with what
   * cannot work (also reported as `error` and a `failed` state). After a failure,
   * `connect()` calling it again starts over.
   */
  async begin(): Promise<void> {
    if (this.closed || (this.begun && this.state !== 'failed')) return;
    this.begun = true;
    try {
      await this.preflight();
    } catch (error) {
      const e = isSessionError(error) ? error : new SessionError('STORAGE_JOIN_FAILED', text(error), { cause: error });
      this.begun = false;
      this.failWith(e);
      throw e;
    }
    try {
      await this.startCycle();
    } catch (error) {
      this.begun = false;
      throw error;
    }
  }

  private async preflight(): Promise<void> {
    const arn = this.signaling.channelArn;
    const channels = this.signaling.channels!;
    if (!arn) throw new SessionError('STORAGE_JOIN_FAILED', 'the signaling client has no channel ARN after connecting');
    let config: { status?: string | undefined };
    try {
      config = await channels.describeMediaStorageConfiguration({ channelArn: arn });
    } catch (error) {
      throw new SessionError('STORAGE_JOIN_FAILED', `DescribeMediaStorageConfiguration failed: ${text(error)}`, { cause: error });
    }
    if (config.status !== 'ENABLED') {
      throw new SessionError('STORAGE_NOT_ENABLED', `the channel's media storage is ${config.status ?? 'not configured'}: enable it (UpdateMediaStorageConfiguration with a stream ARN) or drop the storage option`);
    }
    let servers: IceServerLike[];
    try {
      servers = [...(this.host.resolved.configuration.iceServers ?? []), ...(await this.signaling.getIceServers())];
    } catch (error) {
      throw new SessionError('SIGNALING_FAILED', `the ICE servers could not be fetched: ${text(error)}`, { cause: error });
    }
    if (!hasTurn(servers)) {
      throw new SessionError('STORAGE_NO_TURN', 'a storage session needs a TURN server (the media server is reached through TURN), and neither the channel nor configuration.iceServers lists one', {
        field: 'configuration.iceServers',
      });
    }
  }

  /** A signaling reconnect (GO_AWAY, a drop, the 1 h limit): the service wants a new join. */
  rejoin(): void {
    if (!this.begun || this.closed) return;
    this.startCycle().catch(() => undefined);
  }

  /**
   * A new cycle (the older one stops at its next step). The promise settles with
   * the first JoinStorageSession call: resolved once one succeeded, rejected
   * with the error that ended the cycle before that.
   */
  private startCycle(): Promise<void> {
    const id = ++this.cycleId;
    this.cancelWaits();
    return new Promise<void>((resolve, reject) => void this.run(id, resolve, reject));
  }

  /**
   * One cycle: join, wait `offerTimeoutMs` for the offer, join again after a
   * full-jitter backoff (`restart.initialDelayMs` doubling up to
   * `restart.maxDelayMs`), at most `maxJoinAttempts` joins.
   */
  private async run(id: number, joined: () => void, refused: (e: SessionError) => void): Promise<void> {
    const { offerTimeoutMs, maxJoinAttempts } = this.o;
    const { initialDelayMs, maxDelayMs } = this.host.resolved.restart;
    const backoff = (attempt: number) => this.sleep(backoffDelay(attempt - 1, { initialDelayMs, maxDelayMs }));
    for (let attempt = 1; ; attempt++) {
      if (id !== this.cycleId) return joined();
      this.setState('joining');
      this.joins++;
      try {
        const webrtc = this.signaling.endpoints?.webrtc;
        await this.signaling.channels!.joinStorageSession({ channelArn: this.signaling.channelArn!, ...(webrtc ? { webrtcEndpoint: webrtc } : {}) });
      } catch (error) {
        if (id !== this.cycleId) return joined();
        if (!retryable(error) || attempt >= maxJoinAttempts) {
          const code = /media storage/i.test(text(error)) ? 'STORAGE_NOT_ENABLED' : 'STORAGE_JOIN_FAILED';
          const e = new SessionError(code, `JoinStorageSession failed (attempt ${attempt} of ${maxJoinAttempts}): ${text(error)}`, { cause: error });
          this.failWith(e);
          return refused(e);
        }
        await backoff(attempt);
        continue;
      }
      joined();
      // The offer may have come before the join's reply did.
      if (id !== this.cycleId || this.offeredIn === id) return;
      this.setState('waiting');
      if (await this.awaitOffer(id, offerTimeoutMs)) return;
      if (id !== this.cycleId) return;
      if (attempt >= maxJoinAttempts) {
        this.failWith(
          new SessionError('STORAGE_NO_OFFER', `the media server sent no offer after ${attempt} JoinStorageSession calls (${offerTimeoutMs} ms each); the next signaling open tries again`),
        );
        return;
      }
      await backoff(attempt);
    }
  }

  /** True when an offer ends the wait, false on timeout or a newer cycle. */
  private awaitOffer(id: number, ms: number): Promise<boolean> {
    if (this.offeredIn === id) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      (timer as { unref?: () => void }).unref?.();
      const done = (offered: boolean) => {
        clearTimeout(timer);
        if (this.wakeOffer === wake) this.wakeOffer = undefined;
        resolve(offered && this.offeredIn === id);
      };
      const wake = () => done(true);
      this.wakeOffer = wake;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeps.delete(timer);
        resolve();
      }, ms);
      (timer as { unref?: () => void }).unref?.();
      this.sleeps.set(timer, resolve);
    });
  }

  /** Ends every wait of the current cycle (its loop then sees a newer id and stops). */
  private cancelWaits(): void {
    for (const [timer, resolve] of this.sleeps) {
      clearTimeout(timer);
      resolve();
    }
    this.sleeps.clear();
    const wake = this.wakeOffer;
    this.wakeOffer = undefined;
    wake?.();
  }

  // --- the media server's peer -------------------------------------------------------

  onDescription(clientId: string | undefined, description: DescriptionLike): void {
    if (this.closed || !this.begun) return;
    if (description.type !== 'offer') {
      // The media server offers and the master answers; an answer can only be late.
      if (this.link && clientId === this.mediaServerClientId) this.link.handleDescription(description);
      return;
    }
    const current = this.link;
    if (current && !current.isClosed && clientId === this.mediaServerClientId && samePeer(current.remoteIdentity, identityOf(description.sdp))) {
      current.handleDescription(description);
      return;
    }
    // A new storage session: it ends this cycle's wait.
    this.offeredIn = this.cycleId;
    const wake = this.wakeOffer;
    this.wakeOffer = undefined;
    wake?.();
    void this.openPeer(clientId, description);
  }

  onCandidate(clientId: string | undefined, candidate: IceCandidateInit): void {
    if (this.closed || !this.begun) return;
    if (this.link && !this.link.isClosed && clientId === this.mediaServerClientId) {
      this.link.handleCandidate(candidate);
      return;
    }
    if (this.held.length >= 100) this.held.shift();
    this.held.push({ clientId, candidate });
  }

  applyIceServers(servers: IceServerLike[]): void {
    this.link?.applyIceServers(servers);
  }

  private async openPeer(clientId: string | undefined, offer: DescriptionLike): Promise<void> {
    const old = this.link;
    this.link = undefined;
    this.mediaServerClientId = clientId;
    const pending = old?.close();
    let iceServers: IceServerLike[];
    try {
      iceServers = await this.signaling.getIceServers();
    } catch (error) {
      if (!this.closed) this.host.error(new SessionError('SIGNALING_FAILED', `ICE servers for the media server could not be fetched: ${text(error)}`, { cause: error }));
      return;
    }
    await pending;
    if (this.closed || this.mediaServerClientId !== clientId || this.link) return;
    const base = this.host.linkOptions(clientId);
    let checked = false;
    const link = PeerLink.open(
      {
        ...base,
        answerOnly: true,
        signaling: {
          ...base.signaling,
          sendAnswer: (d) => {
            // The media server records only H.264 video and Opus audio: a stack that did not negotiate them cannot ingest.
            const missing = checked ? [] : missingStorageMedia(d.sdp);
            checked = true;
            if (missing.length) {
              this.failWith(new SessionError('STORAGE_TRACKS', `the answer to the media server does not send ${missing.join(' or ')}: the RTCPeerConnection did not negotiate them`, { field: 'tracks' }));
              return Promise.resolve();
            }
            return base.signaling.sendAnswer(d);
          },
        },
      },
      iceServers,
    );
    this.link = link;
    link.beforeAnswer = () => {
      if (link.beforeAnswer === undefined) return;
      link.beforeAnswer = undefined;
      // No data channels: the media server takes media only.
      link.setup(this.host.resolved.tracks, []);
    };
    link.on('error', (e) => this.host.error(e));
    link.on('stateChange', ({ to }) => {
      if (this.link !== link) return;
      if (to === 'connected') {
        this.failuresInARow = 0;
        this.setState('connected');
      } else if (to === 'failed') {
        void this.peerFailed(link);
      }
    });
    link.markConnecting();
    this.setState('connecting');
    link.handleDescription(offer);
    const held = this.held.filter((h) => h.clientId === clientId);
    this.held = [];
    for (const h of held) link.handleCandidate(h.candidate);
  }

  /** The media server's peer failed: join again (a new session), unless it keeps failing. */
  private async peerFailed(link: PeerLink): Promise<void> {
    const error = link.failure;
    this.link = undefined;
    await link.close();
    if (this.closed || this.state === 'failed') return;
    this.failuresInARow++;
    if (this.failuresInARow >= this.o.maxJoinAttempts) {
      this.failWith(new SessionError('ICE_FAILED', `the peer connection to the media server failed ${this.failuresInARow} times in a row`, { cause: error }));
      return;
    }
    if (this.signaling.state === 'open') this.startCycle().catch(() => undefined);
  }

  private failWith(error: SessionError): void {
    if (this.closed) return;
    this.cycleId++;
    this.cancelWaits();
    this.setState('failed', error);
    this.host.error(error);
    const link = this.link;
    this.link = undefined;
    void link?.close();
  }

  private setState(state: StorageState, error?: SessionError): void {
    if (this.state === state && !error) return;
    this.state = state;
    this.host.emit({ state, joins: this.joins, ...(this.mediaServerClientId !== undefined ? { mediaServerClientId: this.mediaServerClientId } : {}), ...(error ? { error } : {}) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.cycleId++;
    this.cancelWaits();
    this.setState('closed');
    this.closed = true;
    this.held = [];
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }
}
