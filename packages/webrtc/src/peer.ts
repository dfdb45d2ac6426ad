/**
 * One RTCPeerConnection wired to one remote over KVS signaling: perfect
 * negotiation, candidates held until the remote description, offers re-sent
 * when unanswered, ICE restart with fresh servers, metrics and quality.
 * Both sessions are built on it.
 * @packageDocumentation
 */
import { backoffDelay, TypedEmitter } from '@kvs-sig/client/internal';
import { SessionError } from './errors';
import { classify, readStats } from './quality';
import type {
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
  RestartOptions,
  TrackInput,
  TrackLike,
} from './types';

/** How a link reaches its remote. @internal */
export interface LinkSignaling {
  sendOffer(description: { type: 'offer'; sdp: string }): Promise<unknown>;
  sendAnswer(description: { type: 'answer'; sdp: string }): Promise<unknown>;
  sendCandidate(candidate: IceCandidateInit): Promise<unknown>;
  /** Fresh ICE servers (the client keeps them fresher than their TTL). */
  iceServers(): Promise<IceServerLike[]>;
}

/** @internal */
export interface LinkOptions {
  RTCPeerConnection: PeerConnectionConstructor;
  configuration: ConfigurationLike;
  signaling: LinkSignaling;
  /** The viewer is polite, the master impolite. */
  polite: boolean;
  /** The offering side restarts ICE (the viewer); the other waits `failedPeerTimeoutMs`. */
  restartsIce: boolean;
  answerTimeoutMs: number;
  restart: Required<RestartOptions>;
  qualityIntervalMs: number;
  /** A failure before the first `connected`, or an answer from a restarted remote, asks the owner for a new peer instead of an ICE restart. */
  freshPeerUntilConnected?: boolean;
  /** The remote always offers (a storage session's media server): this side never offers, not even to renegotiate. */
  answerOnly?: boolean;
  /** Who the remote is, for messages. */
  remote: string;
  clientId?: string;
}

type Timer = ReturnType<typeof setTimeout>;

function unref(t: Timer): Timer {
  (t as { unref?: () => void }).unref?.();
  return t;
}

export function ufrag(sdp: string | undefined): string | undefined {
  return sdp ? /^a=ice-ufrag:(.+)$/m.exec(sdp)?.[1]?.trim() : undefined;
}

/** The DTLS fingerprint (one per RTCPeerConnection in browsers; werift shares one across a process). @internal */
export function fingerprint(sdp: string | undefined): string | undefined {
  return sdp ? /^a=fingerprint:(.+)$/m.exec(sdp)?.[1]?.trim().toLowerCase() : undefined;
}

/** What tells one remote peer connection from another. @internal */
export interface RemoteIdentity {
  fingerprint?: string;
  sessionId?: string;
  ufrag?: string;
}

/** @internal */
export function identityOf(sdp: string | undefined): RemoteIdentity {
  return { fingerprint: fingerprint(sdp), sessionId: sdp ? /^o=\S+ (\S+) /m.exec(sdp)?.[1] : undefined, ufrag: ufrag(sdp) };
}

/**
 * Whether an offer comes from the same peer connection as an earlier description:
 * the same certificate, and the same SDP session (RFC 3264: kept across
 * renegotiations and ICE restarts) or, for stacks that draw a new session id per
 * offer, the same ICE credentials. A new peer connection changes both.
 * @internal
 */
export function samePeer(a: RemoteIdentity | undefined, b: RemoteIdentity): boolean {
  if (!a || a.fingerprint !== b.fingerprint) return false;
  return (a.sessionId !== undefined && a.sessionId === b.sessionId) || (a.ufrag !== undefined && a.ufrag === b.ufrag);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the link reads of an `RTCRtpTransceiver` (`getTransceivers()` is not in {@link PeerConnectionLike}: optional here). */
interface TransceiverView {
  readonly mid: string | null;
  readonly sender: unknown;
  readonly currentDirection?: string | null;
  readonly stopped?: boolean;
}

/** An m-section of an SDP: its kind, port (0: rejected), mid and direction (RFC 8866: `sendrecv` when absent). */
interface MediaSection {
  kind: string;
  port: number;
  mid: string | undefined;
  direction: string;
}

/** @internal */
export function mediaSections(sdp: string): MediaSection[] {
  return sdp
    .split(/\r?\n(?=m=)/)
    .filter((section) => section.startsWith('m='))
    .map((section) => {
      const m = /^m=(\S+) (\d+)/.exec(section);
      return {
        kind: m?.[1] ?? '',
        port: Number(m?.[2] ?? 0),
        mid: /^a=mid:(\S+)/m.exec(section)?.[1],
        direction: /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv',
      };
    });
}

/** What the link reads and writes of an `RTCRtpSender` beyond {@link SenderLike}: optional, as stacks differ. */
interface RtpParametersView {
  encodings?: { active?: boolean }[];
}
interface RtpSenderView {
  readonly track?: { readonly kind?: string } | null;
  getParameters?(): RtpParametersView;
  setParameters?(parameters: RtpParametersView): Promise<void>;
}

function sends(direction: string | null | undefined): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

function trackOf(input: TrackInput): { track: TrackLike; streams: object[] } {
  return 'kind' in input ? { track: input, streams: [] } : { track: input.track, streams: input.streams ?? [] };
}

/** @internal */
export class PeerLink extends TypedEmitter<PeerEvents> {
  readonly pc: PeerConnectionLike;
  state: PeerState = 'new';
  readonly metricsData: PeerMetrics;
  /** The remote peer connection's identity, once known (master: tells a renegotiation from a new viewer pc). */
  remoteIdentity: RemoteIdentity | undefined;

  private chain: Promise<void> = Promise.resolve();
  private held: IceCandidateInit[] = [];
  private closed = false;
  private answerTimer: Timer | undefined;
  private retryTimer: Timer | undefined;
  private graceTimer: Timer | undefined;
  private failedTimer: Timer | undefined;
  private connectTimer: Timer | undefined;
  private qualityTimer: Timer | undefined;
  private offerAttempts = 0;
  private restartsInARow = 0;
  private negotiatedOnce = false;
  private lastOfferSdp: string | undefined;
  /**
   * A track or channel was added or removed and is not in a completed negotiation
   * yet: set by the change, cleared by an offer, and settled again from the
   * connection after every completed negotiation (see `settleLocalChange`).
   */
  private localChange = false;
  /** Senders whose track was removed here, until a completed negotiation shows they no longer send. */
  private readonly unsent = new Set<unknown>();
  private lastStats: PeerStats | undefined;
  private readonly senders = new Map<TrackLike, unknown>();
  private readonly offs: Array<() => void> = [];
  private readonly channels = new Set<DataChannelLike>();

  private constructor(pc: PeerConnectionLike, private readonly o: LinkOptions) {
    super();
    this.pc = pc;
    this.metricsData = {
      timeline: { created: Date.now() },
      offersSent: 0,
      answersSent: 0,
      answersIgnored: 0,
      candidatesSent: 0,
      candidatesReceived: 0,
      candidatesRefused: 0,
      iceRestarts: 0,
      offerRetries: 0,
    };
    this.wire();
  }

  /** A new peer connection on `iceServers` (fetched just before, so fresher than their TTL). */
  static open(o: LinkOptions, iceServers: IceServerLike[]): PeerLink {
    const pc = new o.RTCPeerConnection({ ...o.configuration, iceServers: [...(o.configuration.iceServers ?? []), ...iceServers] });
    return new PeerLink(pc, o);
  }

  private listen(target: { addEventListener(t: string, f: (e: any) => void): void; removeEventListener(t: string, f: (e: any) => void): void }, type: string, fn: (e: any) => void): void {
    target.addEventListener(type, fn);
    this.offs.push(() => target.removeEventListener(type, fn));
  }

  private wire(): void {
    const pc = this.pc;
    const tl = this.metricsData.timeline;
    this.listen(pc, 'icecandidate', (e) => {
      const c = e?.candidate;
      // A null or empty candidate is end-of-candidates: KVS has no message for it, and trickle peers do not need one.
      if (!c || !c.candidate) return;
      const init: IceCandidateInit = typeof c.toJSON === 'function' ? c.toJSON() : { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
      tl.firstLocalCandidate ??= Date.now();
      this.metricsData.candidatesSent++;
      this.o.signaling.sendCandidate(init).catch((error) => this.report('SIGNALING_FAILED', `sending a candidate to ${this.o.remote} failed: ${message(error)}`, error));
    });
    this.listen(pc, 'track', (e) => {
      if (!e?.track) return;
      tl.firstTrack ??= Date.now();
      this.emit('track', { track: e.track, streams: [...(e.streams ?? [])] });
    });
    this.listen(pc, 'datachannel', (e) => {
      if (e?.channel) this.adoptChannel(e.channel, false);
    });
    this.listen(pc, 'negotiationneeded', () => {
      // The first offer is made explicitly (viewer) or follows the remote's (master).
      // Some stacks (werift) also fire it on the answering side right after an
      // answer that already carried every local change: only a change still
      // missing from the negotiated session needs an offer. Checked in turn, after
      // the answer being made when the event fired has settled `localChange`.
      if (!this.o.answerOnly) this.negotiate(false, false, true);
    });
    const onState = () => this.onConnectionState();
    this.listen(pc, 'connectionstatechange', onState);
    this.listen(pc, 'iceconnectionstatechange', onState);
  }

  /** Tracks, receive-only transceivers and data channels the link starts with. */
  setup(tracks: TrackInput[] = [], dataChannels: DataChannelSpec[] = [], receive: string[] = []): void {
    for (const t of tracks) this.addTrack(t);
    for (const kind of receive) this.pc.addTransceiver?.(kind, { direction: 'recvonly' });
    for (const d of dataChannels) this.createDataChannel(d.label, d.options);
  }

  addTrack(input: TrackInput): void {
    const { track, streams } = trackOf(input);
    if (this.closed || this.senders.has(track)) return;
    const sender = this.pc.addTrack(track, ...streams);
    // A stack may hand back the sender the track was removed from (werift does).
    this.unsent.delete(sender);
    this.senders.set(track, sender);
    this.changed();
  }

  removeTrack(track: TrackLike): void {
    const sender = this.senders.get(track);
    if (!sender || this.closed) return;
    this.senders.delete(track);
    this.unsent.add(sender);
    this.pc.removeTrack(sender);
    this.changed();
  }

  createDataChannel(label: string, options?: object): DataChannelLike {
    const channel = this.pc.createDataChannel(label, options);
    this.adoptChannel(channel, true);
    this.changed();
    return channel;
  }

  /**
   * A local change: after the first negotiation, an offer for it when its turn
   * comes if it still needs one then. Not left to `negotiationneeded` alone: werift
   * fires it once after an answer and, that one left without an offer, no more
   * until a remote description is set.
   */
  private changed(): void {
    this.localChange = true;
    if (this.negotiatedOnce && !this.o.answerOnly) this.negotiate(false, false, true);
  }

  private adoptChannel(channel: DataChannelLike, local: boolean): void {
    this.channels.add(channel);
    const tl = this.metricsData.timeline;
    const onMessage = () => {
      tl.firstDataMessage ??= Date.now();
      channel.removeEventListener('message', onMessage);
    };
    channel.addEventListener('message', onMessage);
    this.offs.push(() => channel.removeEventListener('message', onMessage));
    this.emit('dataChannel', { channel, local });
  }

  // --- negotiation -------------------------------------------------------------

  /** Runs `op` after every earlier one, so descriptions and candidates apply in order. */
  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(() => (this.closed ? undefined : op())).catch((error) => {
      if (!this.closed) this.report('NEGOTIATION_FAILED', `negotiation with ${this.o.remote} failed: ${message(error)}`, error);
    });
  }

  /**
   * Applies a local description and returns once it is in place. werift resolves
   * `setLocalDescription` only when gathering ends; the description is usable (and
   * trickle candidates flow) as soon as the signaling state shows it.
   */
  private async applyLocal(description: DescriptionLike): Promise<string> {
    const pc = this.pc;
    const target = description.type === 'offer' ? 'have-local-offer' : 'stable';
    // Moving to the target state proves it is applied; a re-offer stays in
    // have-local-offer, so then the new ICE credentials (or SDP) must show.
    const already = pc.signalingState === target;
    const previous = pc.localDescription?.sdp;
    let settled = false;
    const p = Promise.resolve(pc.setLocalDescription(description)).finally(() => {
      settled = true;
    });
    const inPlace = () => {
      if (pc.signalingState !== target || pc.localDescription?.type !== description.type) return false;
      return !already || pc.localDescription?.sdp !== previous;
    };
    await Promise.race([
      p,
      (async () => {
        while (!settled && !this.closed && !inPlace()) await new Promise((r) => setTimeout(r, 2));
      })(),
    ]);
    // A fast failure must surface here; a late one (after gathering) is reported.
    if (settled) await p;
    else p.catch((error) => this.closed || this.report('NEGOTIATION_FAILED', `setLocalDescription failed: ${message(error)}`, error));
    // Send what was applied: some stacks (libdatachannel) rewrite the description.
    return pc.localDescription?.sdp || description.sdp || '';
  }

  /**
   * Makes and sends an offer. `fresh` forces one even with an offer outstanding
   * (a re-offer), with new ICE credentials so receivers never see an exact repeat.
   * `ifChanged` (a `negotiationneeded`) offers only after a first negotiation and
   * with a local change still un-negotiated when its turn comes.
   */
  negotiate(iceRestart: boolean, fresh = false, ifChanged = false): void {
    this.enqueue(async () => {
      const pc = this.pc;
      if (!fresh && pc.signalingState !== 'stable') return;
      if (ifChanged) {
        this.settleLocalChange();
        if (!this.negotiatedOnce || !this.localChange) return;
      }
      if (iceRestart) await this.refreshIceServers();
      if (this.closed) return;
      let offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
      // A re-offer must differ from the last one: the service and receivers drop
      // exact repeats. Many stacks make every offer unique (werift, whose ICE
      // restart does not carry data channels over); where this one is a repeat,
      // new ICE credentials make it fresh.
      if (fresh && !iceRestart && offer.sdp === this.lastOfferSdp) offer = await pc.createOffer({ iceRestart: true });
      this.lastOfferSdp = offer.sdp;
      this.localChange = false;
      const sdp = await this.applyLocal(offer);
      if (this.closed) return;
      this.negotiatedOnce = true;
      this.metricsData.offersSent++;
      this.metricsData.timeline.offerSent ??= Date.now();
      this.o.signaling.sendOffer({ type: 'offer', sdp }).catch((error) => this.report('SIGNALING_FAILED', `sending an offer to ${this.o.remote} failed: ${message(error)}`, error));
      this.armAnswerTimer();
    });
  }

  private armAnswerTimer(): void {
    this.clearTimer('answerTimer');
    this.answerTimer = unref(
      setTimeout(() => {
        this.answerTimer = undefined;
        if (this.closed || this.pc.signalingState !== 'have-local-offer') return;
        this.offerAttempts++;
        if (this.offerAttempts >= this.o.restart.maxOfferAttempts) {
          this.fail(new SessionError('OFFER_UNANSWERED', `${this.o.remote} answered none of ${this.offerAttempts} offers (${this.o.answerTimeoutMs} ms each)`, { clientId: this.o.clientId }));
          return;
        }
        this.metricsData.offerRetries++;
        const delay = backoffDelay(this.offerAttempts - 1, { initialDelayMs: this.o.restart.initialDelayMs, maxDelayMs: this.o.restart.maxDelayMs });
        this.retryTimer = unref(
          setTimeout(() => {
            this.retryTimer = undefined;
            if (!this.closed && this.pc.signalingState === 'have-local-offer') this.negotiate(false, true);
          }, delay),
        );
      }, this.o.answerTimeoutMs),
    );
  }

  /** No `connected` within `connectTimeoutMs` of an answer: treated as a failure, so nothing waits forever. */
  private armConnectTimer(): void {
    if (this.state === 'connected') return;
    this.clearTimer('connectTimer');
    this.connectTimer = unref(
      setTimeout(() => {
        this.connectTimer = undefined;
        if (!this.closed && this.state !== 'connected') this.recover('failed');
      }, this.o.restart.connectTimeoutMs),
    );
  }

  /** Perfect negotiation for a description from the remote. Never throws. */
  handleDescription(description: DescriptionLike): void {
    if (this.closed) return;
    if (description.type === 'answer') this.metricsData.timeline.answerReceived ??= Date.now();
    else this.metricsData.timeline.offerReceived ??= Date.now();
    this.enqueue(async () => {
      const pc = this.pc;
      if (description.type === 'answer') {
        if (pc.signalingState !== 'have-local-offer') {
          // Late or duplicate: the offer it answers is gone. If it is a different
          // answer while not connected, the remote has a newer peer: offer afresh.
          this.metricsData.answersIgnored++;
          // A repeat has the same ICE credentials and is dropped. A different one
          // while not connected means the remote answered a re-offer after we took
          // an older answer (offers crossed): offer afresh so both ends agree.
          const current = pc.remoteDescription?.sdp ?? undefined;
          const differs = ufrag(description.sdp) !== ufrag(current) || fingerprint(description.sdp) !== fingerprint(current);
          if (differs && this.o.restartsIce && this.state !== 'connected' && pc.signalingState === 'stable') this.negotiate(false, true);
          return;
        }
        this.clearTimer('answerTimer');
        this.clearTimer('retryTimer');
        this.offerAttempts = 0;
        const id = identityOf(description.sdp);
        if (this.o.freshPeerUntilConnected && this.remoteIdentity?.fingerprint && id.fingerprint && id.fingerprint !== this.remoteIdentity.fingerprint) {
          // Another certificate: the remote restarted (a new peer connection), and a
          // DTLS session cannot move to it by renegotiation. The owner starts over.
          this.wantsFreshPeer = true;
          this.fail(new SessionError('ICE_FAILED', `${this.o.remote} answered from a new peer connection (it restarted)`, { clientId: this.o.clientId }), true);
          return;
        }
        await pc.setRemoteDescription(description);
        this.remoteIdentity = identityOf(description.sdp);
        this.afterNegotiation();
        this.flushHeld();
        this.armConnectTimer();
        return;
      }
      const collision = pc.signalingState !== 'stable';
      if (collision && !this.o.polite) return; // impolite: ours wins, the remote rolls back
      if (collision) {
        this.clearTimer('answerTimer');
        this.clearTimer('retryTimer');
        await pc.setLocalDescription({ type: 'rollback' });
      }
      await pc.setRemoteDescription(description);
      this.remoteIdentity = identityOf(description.sdp);
      this.flushHeld();
      this.beforeAnswer?.();
      const answer = await pc.createAnswer();
      const sdp = await this.applyLocal(answer);
      if (this.closed) return;
      this.negotiatedOnce = true;
      // The answer carries what was added before it (the master's tracks on the
      // viewer's m-lines): werift's `negotiationneeded` that follows is then empty.
      this.afterNegotiation();
      this.metricsData.answersSent++;
      this.metricsData.timeline.answerSent ??= Date.now();
      this.armConnectTimer();
      this.o.signaling.sendAnswer({ type: 'answer', sdp }).catch((error) => this.report('SIGNALING_FAILED', `sending an answer to ${this.o.remote} failed: ${message(error)}`, error));
    });
  }

  /**
   * After a completed negotiation (stable): `localChange` becomes whether a local
   * change is still missing from it, so an answerer offers only for what its answer
   * could not carry, and a polite peer whose offer was rolled back still offers its
   * change. Left as it is when the stack does not tell.
   */
  private settleLocalChange(): void {
    const pending = this.localPending();
    if (pending !== undefined) this.localChange = pending;
  }

  /** After a completed negotiation: an offer for what it left out, whether or not the stack fires `negotiationneeded`. */
  private afterNegotiation(): void {
    this.settleLocalChange();
    if (this.localChange && !this.o.answerOnly) this.negotiate(false, false, true);
  }

  /**
   * Whether a track or channel added or removed here is missing from the local
   * description of the completed negotiation: a sender whose transceiver has no
   * mid or whose m-section does not send, a removed track's m-section that still
   * sends, data channels without an accepted SCTP m-section. `undefined` when it
   * cannot be told (not stable, no description, no transceiver for a sender).
   */
  private localPending(): boolean | undefined {
    const pc = this.pc;
    const sdp = pc.localDescription?.sdp;
    if (pc.signalingState !== 'stable' || !sdp) return undefined;
    const sections = mediaSections(sdp);
    if (this.channels.size > 0 && !sections.some((s) => s.kind === 'application' && s.port !== 0)) return true;
    if (this.senders.size === 0 && this.unsent.size === 0) return false;
    const transceivers = (pc as { getTransceivers?: () => TransceiverView[] }).getTransceivers?.();
    if (!Array.isArray(transceivers)) return undefined;
    const sectionOf = (t: TransceiverView) => sections.find((s) => t.mid != null && s.mid === t.mid && s.port !== 0);
    let pending = false;
    for (const sender of this.senders.values()) {
      const t = transceivers.find((x) => x.sender === sender);
      if (!t) return undefined;
      // A stopped transceiver has nothing left to negotiate.
      if (t.stopped || t.currentDirection === 'stopped') continue;
      if (!sends(sectionOf(t)?.direction)) pending = true;
    }
    for (const sender of this.unsent) {
      const t = transceivers.find((x) => x.sender === sender);
      if (!t || t.stopped || t.currentDirection === 'stopped' || !sends(sectionOf(t)?.direction)) this.unsent.delete(sender);
      else pending = true;
    }
    return pending;
  }

  /** Called once the remote offer is applied, before the answer (the master adds its tracks here). */
  beforeAnswer: (() => void) | undefined;

  /** A remote candidate: held until a remote description exists, then applied in order. */
  handleCandidate(candidate: IceCandidateInit): void {
    if (this.closed) return;
    this.metricsData.timeline.firstRemoteCandidate ??= Date.now();
    this.metricsData.candidatesReceived++;
    if (!this.pc.remoteDescription) {
      this.held.push(candidate);
      return;
    }
    this.enqueue(() => this.addCandidate(candidate));
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    // Already on the chain: apply now, in order, without waiting for later ops.
    for (const c of held) void this.addCandidate(c);
  }

  private async addCandidate(candidate: IceCandidateInit): Promise<void> {
    try {
      // An empty candidate is the remote's end-of-candidates.
      await this.pc.addIceCandidate(candidate.candidate ? candidate : { ...candidate, candidate: '' });
    } catch {
      // Of an older ICE generation, or unparsable: the remote's problem, never the app's.
      this.metricsData.candidatesRefused++;
    }
  }

  // --- connection state, ICE restart ----------------------------------------------

  private onConnectionState(): void {
    if (this.closed) return;
    const pc = this.pc;
    const ice = pc.iceConnectionState;
    const conn = pc.connectionState ?? (ice === 'completed' ? 'connected' : ice === 'checking' ? 'connecting' : ice);
    const tl = this.metricsData.timeline;
    if (ice === 'connected' || ice === 'completed') tl.iceConnected ??= Date.now();
    if (conn === 'connected') {
      tl.connected ??= Date.now();
      const recovered = this.state === 'reconnecting';
      this.restartsInARow = 0;
      this.clearTimer('graceTimer');
      this.clearTimer('failedTimer');
      this.clearTimer('connectTimer');
      this.setState('connected');
      this.startQuality();
      if (recovered) void this.sendKeyFrames();
    } else if (conn === 'disconnected') {
      if (this.state === 'connected') this.setState('reconnecting');
      if (!this.graceTimer) {
        this.graceTimer = unref(
          setTimeout(() => {
            this.graceTimer = undefined;
            const now = this.pc.connectionState ?? this.pc.iceConnectionState;
            if (now === 'disconnected' || now === 'failed') this.recover('disconnected');
          }, this.o.restart.disconnectedGraceMs),
        );
      }
    } else if (conn === 'failed') {
      this.clearTimer('graceTimer');
      this.recover('failed');
    }
  }

  /**
   * After the connection comes back: a key frame from every video sender. The
   * remote lost the frames sent while the path was down, so it cannot decode what
   * follows until a key frame comes, and Chromium asks for one again only seconds
   * later (BENCHMARKS.md, recovery). The W3C API has no call for a key frame outside
   * encoded transforms; an encoding switched off and on starts again with one. An
   * encoding the app switched off is left alone, and one that cannot be switched on
   * again is reported.
   */
  private async sendKeyFrames(): Promise<void> {
    for (const sender of [...this.senders.values()] as RtpSenderView[]) {
      if (this.closed) return;
      if (sender.track?.kind !== 'video' || typeof sender.getParameters !== 'function' || typeof sender.setParameters !== 'function') continue;
      let off: RtpParametersView;
      try {
        off = sender.getParameters();
        if (!off.encodings?.length || off.encodings.some((e) => e.active === false)) continue;
        for (const e of off.encodings) e.active = false;
        await sender.setParameters(off);
      } catch {
        continue; // Refused before anything changed: the remote's own key-frame request remains.
      }
      try {
        const on = sender.getParameters();
        for (const e of on.encodings ?? []) e.active = true;
        await sender.setParameters(on);
      } catch (error) {
        this.report('SENDER_FAILED', `switching the video encoding to ${this.o.remote} back on failed: ${message(error)}`, error);
      }
    }
  }

  /** The offering side restarts ICE; the other gives the remote `failedPeerTimeoutMs` to do it. */
  private recover(reason: 'failed' | 'disconnected'): void {
    if (this.closed) return;
    if (this.o.restartsIce && this.o.freshPeerUntilConnected && this.metricsData.timeline.connected === undefined) {
      // Never connected: nothing to keep, and an ICE restart inherits whatever went
      // wrong (e.g. an answer meant for an earlier peer). The owner starts a new peer.
      this.wantsFreshPeer = true;
      this.fail(new SessionError('ICE_FAILED', `the peer connection to ${this.o.remote} failed before it ever connected`, { clientId: this.o.clientId }), true);
      return;
    }
    if (this.state !== 'new' && this.state !== 'connecting') this.setState('reconnecting');
    if (this.o.restartsIce) {
      this.restartIce(reason);
    } else if (!this.failedTimer) {
      this.failedTimer = unref(
        setTimeout(() => {
          this.failedTimer = undefined;
          this.fail(new SessionError('ICE_FAILED', `${this.o.remote} did not recover within ${this.o.restart.failedPeerTimeoutMs} ms`, { clientId: this.o.clientId }));
        }, this.o.restart.failedPeerTimeoutMs),
      );
    }
  }

  /** Fresh ICE servers first, then an offer with new ICE credentials. */
  restartIce(reason: PeerEvents['iceRestart']['reason']): void {
    if (this.closed) return;
    this.restartsInARow++;
    if (this.restartsInARow > this.o.restart.maxIceRestarts) {
      this.fail(new SessionError('ICE_FAILED', `${this.o.remote}: ${this.o.restart.maxIceRestarts} ICE restarts in a row did not reconnect`, { clientId: this.o.clientId }));
      return;
    }
    this.metricsData.iceRestarts++;
    this.offerAttempts = 0;
    this.emit('iceRestart', { attempt: this.restartsInARow, reason });
    this.negotiate(true, true);
  }

  /**
   * After a signaling reconnect: connected peers stay as they are (media outlives
   * signaling); a peer that was connected and is not restarts ICE. An offer still
   * waiting for its answer needs nothing more: the client re-sends frames lost
   * with the socket, and the answer timer re-offers.
   */
  afterSignalingReconnect(): void {
    if (this.closed || this.state === 'connected' || this.state === 'failed') return;
    if (this.o.restartsIce && this.metricsData.timeline.connected !== undefined) this.restartIce('signaling-reconnect');
  }

  private async refreshIceServers(): Promise<void> {
    try {
      this.applyIceServers(await this.o.signaling.iceServers());
    } catch (error) {
      this.report('SIGNALING_FAILED', `fresh ICE servers for ${this.o.remote} could not be fetched: ${message(error)}`, error);
    }
  }

  /** Applies new ICE servers (RECONNECT_ICE_SERVER, a restart); used by the next gathering. */
  applyIceServers(iceServers: IceServerLike[]): void {
    if (this.closed || typeof this.pc.setConfiguration !== 'function') return;
    try {
      const current = typeof this.pc.getConfiguration === 'function' ? this.pc.getConfiguration() : {};
      this.pc.setConfiguration({ ...this.o.configuration, ...current, iceServers: [...(this.o.configuration.iceServers ?? []), ...iceServers] });
    } catch (error) {
      this.report('NEGOTIATION_FAILED', `setConfiguration failed: ${message(error)}`, error);
    }
  }

  // --- quality -----------------------------------------------------------------------

  private startQuality(): void {
    if (this.qualityTimer || this.o.qualityIntervalMs <= 0 || this.closed) return;
    const tick = () => {
      this.qualityTimer = undefined;
      this.sample()
        .catch(() => undefined)
        .finally(() => {
          if (!this.closed) this.qualityTimer = unref(setTimeout(tick, this.o.qualityIntervalMs));
        });
    };
    this.qualityTimer = unref(setTimeout(tick, Math.min(1000, this.o.qualityIntervalMs)));
  }

  /** Samples `getStats()` now: the selected pair's type and RTT, and a quality summary. */
  async sample(): Promise<PeerStats | undefined> {
    if (this.closed) return undefined;
    const stats = readStats(await this.pc.getStats());
    if (this.closed) return undefined;
    const quality = classify(stats, this.lastStats);
    this.lastStats = stats;
    this.metricsData.stats = stats;
    this.metricsData.quality = quality;
    if (this.state === 'connected') this.emit('quality', quality);
    return stats;
  }

  // --- state, errors, close ----------------------------------------------------------

  markConnecting(): void {
    if (this.state === 'new') this.setState('connecting');
  }

  private setState(to: PeerState): void {
    const from = this.state;
    if (from === to || from === 'closed' || (from === 'failed' && to !== 'closed')) return;
    this.state = to;
    this.emit('stateChange', { from, to });
  }

  /** The error a failed link ended with. */
  failure: SessionError | undefined;

  /** Set when the link failed before ever connecting and a new peer connection should replace it. */
  wantsFreshPeer = false;

  private fail(error: SessionError, silent = false): void {
    if (this.closed || this.state === 'failed') return;
    this.failure = error;
    this.clearAllTimers();
    this.setState('failed');
    if (!silent) this.emit('error', error);
  }

  private report(code: SessionError['code'], text: string, cause: unknown): void {
    if (this.closed) return;
    this.emit('error', new SessionError(code, text, { cause, clientId: this.o.clientId }));
  }

  private clearTimer(name: 'answerTimer' | 'retryTimer' | 'graceTimer' | 'failedTimer' | 'qualityTimer' | 'connectTimer'): void {
    const t = this[name];
    if (t !== undefined) clearTimeout(t);
    this[name] = undefined;
  }

  private clearAllTimers(): void {
    for (const n of ['answerTimer', 'retryTimer', 'graceTimer', 'failedTimer', 'qualityTimer', 'connectTimer'] as const) this.clearTimer(n);
  }

  /** Closes the connection, every channel, timer and listener. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.setState('closed');
    this.closed = true;
    this.clearAllTimers();
    this.held = [];
    for (const off of this.offs.splice(0)) off();
    for (const ch of this.channels) {
      try {
        ch.close();
      } catch {
        // Already closed by the remote.
      }
    }
    this.channels.clear();
    this.senders.clear();
    this.removeAllListeners();
    try {
      // werift closes asynchronously (SCTP abort, DTLS, ICE); do not let a stuck one hold close() forever.
      let timer: Timer | undefined;
      await Promise.race([Promise.resolve(this.pc.close()), new Promise((r) => (timer = unref(setTimeout(r, 2000))))]);
      if (timer) clearTimeout(timer);
    } catch {
      // Closing a closed connection: nothing left to release.
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  metrics(): PeerMetrics {
    return { ...this.metricsData, timeline: { ...this.metricsData.timeline } };
  }
}
