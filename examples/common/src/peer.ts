/**
 * A werift WebRTC peer wired to a signaling client: one data channel per peer,
 * offer/answer/candidates over signaling, remote candidates queued until the
 * remote description is set. Shared by the demo, the Node master and the viewer.
 * @packageDocumentation
 */
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import type { IceCandidate, IceServer, PeerSignaling, SessionDescription } from './signaling';

/** Options of a peer. @public */
export interface PeerOptions {
  /** ICE servers; when absent they come from `client.getIceServers()`. */
  iceServers?: IceServer[];
  /** `relay` forces every path through TURN. */
  iceTransportPolicy?: 'all' | 'relay';
  /** Label of the data channel the viewer opens (default `kvs-sig`). */
  label?: string;
  /** Keeps only the ICE servers this returns true for (e.g. drop TURN servers known to be unreachable). */
  iceServerFilter?: (server: IceServer) => boolean;
  /** Where diagnostics go (default: nowhere). */
  log?: (line: string) => void;
}

/** The ICE servers a peer uses: the given ones or the client's, filtered. @internal */
async function iceServersFor(client: PeerSignaling, options: PeerOptions): Promise<IceServer[]> {
  const servers = options.iceServers ?? (await client.getIceServers());
  return options.iceServerFilter ? servers.filter(options.iceServerFilter) : servers;
}

/** Moments of a peer's life, as `performance.now()` values. @public */
export interface PeerTimeline {
  created: number;
  offer?: number;
  answer?: number;
  channelOpen?: number;
  firstMessage?: number;
}

type Listener<T> = (value: T) => void;

/**
 * Holds remote ICE candidates until the remote description is set: werift (and
 * browsers) reject `addIceCandidate` before it, and the other side trickles
 * candidates as soon as it has them, often before its SDP is applied here.
 * @public
 */
export class RemoteCandidateQueue {
  private pending: IceCandidate[] = [];
  private ready = false;

  constructor(private readonly add: (candidate: IceCandidate) => Promise<void>, private readonly onError: (error: unknown) => void) {}

  /** Applies the candidate now if the remote description is set, else keeps it. */
  push(candidate: IceCandidate): void {
    if (this.ready) this.add(candidate).catch(this.onError);
    else this.pending.push(candidate);
  }

  /** Marks the remote description as set and applies what was held, in order. */
  release(): void {
    this.ready = true;
    const held = this.pending;
    this.pending = [];
    for (const candidate of held) this.add(candidate).catch(this.onError);
  }

  /** Number of candidates still held. */
  get size(): number {
    return this.pending.length;
  }
}

/**
 * One WebRTC peer connection with one data channel. Text messages only.
 * @public
 */
export class DataChannelPeer {
  /** The underlying werift connection. */
  readonly pc: RTCPeerConnection;
  /** Timestamps of this peer's phases. */
  readonly timeline: PeerTimeline = { created: performance.now() };
  /** Resolves when the data channel is open; rejects if the peer fails or closes first. */
  readonly opened: Promise<void>;

  private channel: RTCDataChannel | undefined;
  private readonly messageListeners = new Set<Listener<string>>();
  private readonly closeListeners = new Set<Listener<void>>();
  /** Messages nobody has read yet (kept only while no `onMessage` listener exists). */
  private readonly inbox: string[] = [];
  private readonly waiters: Array<(text: string) => void> = [];
  private closed = false;
  private settleOpen!: { resolve: () => void; reject: (e: Error) => void };
  private readonly cleanups: Array<() => void> = [];

  /** @param remoteClientId the viewer's id on the master side; undefined on the viewer side. */
  constructor(
    readonly remoteClientId: string | undefined,
    iceServers: IceServer[],
    options: PeerOptions = {},
  ) {
    this.pc = new RTCPeerConnection({
      iceServers: iceServers.map((s) => ({ ...s })),
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    });
    this.opened = new Promise<void>((resolve, reject) => {
      this.settleOpen = { resolve, reject };
    });
    // A rejection nobody awaits yet must not crash the process.
    this.opened.catch(() => undefined);
    const sub = this.pc.connectionStateChange.subscribe((state) => {
      options.log?.(`peer ${this.remoteClientId ?? 'master'}: ${state}`);
      if (state === 'failed') {
        this.fail(new Error(`WebRTC connection to ${this.describe()} failed`));
        void this.close();
      }
    });
    this.cleanups.push(() => sub.unSubscribe());
  }

  /** Attaches the data channel (created locally or announced by the remote). */
  attach(channel: RTCDataChannel): void {
    this.channel = channel;
    const onState = channel.stateChanged.subscribe((state) => {
      if (state === 'open') {
        this.timeline.channelOpen ??= performance.now();
        this.settleOpen.resolve();
      } else if (state === 'closed') {
        this.fail(new Error(`data channel to ${this.describe()} closed`));
        // The remote hung up: release the connection too (its sockets and timers).
        void this.close();
      }
    });
    const onMessage = channel.onMessage.subscribe((data) => {
      const text = typeof data === 'string' ? data : data.toString('utf8');
      this.timeline.firstMessage ??= performance.now();
      this.deliver(text);
    });
    this.cleanups.push(() => onState.unSubscribe(), () => onMessage.unSubscribe());
    if (channel.readyState === 'open') {
      this.timeline.channelOpen ??= performance.now();
      this.settleOpen.resolve();
    }
  }

  /** Sends a text message over the open data channel. */
  send(text: string): void {
    if (!this.channel || this.channel.readyState !== 'open') {
      throw new Error(`data channel to ${this.describe()} is not open`);
    }
    this.channel.send(text);
  }

  /** Calls `fn` for every message; messages that arrived before any listener are replayed. Returns an unsubscribe function. */
  onMessage(fn: Listener<string>): () => void {
    this.messageListeners.add(fn);
    for (const text of this.inbox.splice(0)) fn(text);
    return () => this.messageListeners.delete(fn);
  }

  /** Calls `fn` once when the data channel or connection closes. */
  onClose(fn: Listener<void>): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  /**
   * Resolves with the next message not yet read. Concurrent calls get
   * successive messages, in order.
   */
  nextMessage(signal?: AbortSignal): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<string>((resolve, reject) => {
      const waiter = (text: string) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(text);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      this.waiters.push(waiter);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private deliver(text: string): void {
    for (const fn of this.messageListeners) fn(text);
    const waiter = this.waiters.shift();
    if (waiter) waiter(text);
    else if (this.messageListeners.size === 0) this.inbox.push(text);
  }

  /** Closes the data channel and the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error(`peer ${this.describe()} closed before its data channel opened`));
    for (const fn of this.cleanups.splice(0)) fn();
    try {
      this.channel?.close();
    } catch {
      // Already closed by the remote: nothing left to release.
    }
    await this.pc.close();
    this.emitClose();
  }

  private fail(error: Error): void {
    this.settleOpen.reject(error);
  }

  private emitClose(): void {
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const fn of listeners) fn();
  }

  private describe(): string {
    return this.remoteClientId ? `viewer ${this.remoteClientId}` : 'master';
  }
}

function toCandidate(c: { toJSON(): { candidate?: string; sdpMid?: string; sdpMLineIndex?: number } }): IceCandidate | undefined {
  const json = c.toJSON();
  if (!json.candidate) return undefined;
  return { candidate: json.candidate, sdpMid: json.sdpMid ?? null, sdpMLineIndex: json.sdpMLineIndex ?? null };
}

function report(log: PeerOptions['log'], what: string): (error: unknown) => void {
  return (error) => log?.(`${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Viewer side: creates the peer, opens the data channel, sends the offer to the
 * master and applies its answer and candidates. Resolves once the offer is sent;
 * await `peer.opened` for the data channel.
 * @public
 */
export async function connectViewerPeer(client: PeerSignaling, options: PeerOptions = {}): Promise<DataChannelPeer> {
  const peer = new DataChannelPeer(undefined, await iceServersFor(client, options), options);
  const { pc } = peer;
  const onError = report(options.log, 'viewer');
  const queue = new RemoteCandidateQueue((c) => pc.addIceCandidate(c), onError);
  let answered = false;

  const offAnswer = client.on('sdpAnswer', ({ payload }) => {
    if (answered) return;
    answered = true;
    peer.timeline.answer = performance.now();
    pc.setRemoteDescription({ type: 'answer', sdp: payload.sdp ?? '' })
      .then(() => queue.release())
      .catch(onError);
  });
  // A viewer only hears from its master, so every candidate is for this peer.
  const offCandidate = client.on('iceCandidate', ({ payload }) => queue.push(payload));
  peer.onClose(() => {
    offAnswer();
    offCandidate();
  });

  const ice = pc.onIceCandidate.subscribe((c) => {
    const candidate = c && toCandidate(c);
    if (candidate) Promise.resolve(client.sendIceCandidate(candidate)).catch(onError);
  });
  peer.onClose(() => ice.unSubscribe());

  peer.attach(pc.createDataChannel(options.label ?? 'kvs-sig'));
  const offer = await pc.createOffer();
  // werift resolves setLocalDescription only when gathering ends (seconds when a
  // TURN server is slow); the offer is complete without it, so send it at once.
  const applied = pc.setLocalDescription(offer);
  applied.catch(onError);
  peer.timeline.offer = performance.now();
  await client.sendSdpOffer({ type: 'offer', sdp: offer.sdp });
  return peer;
}

/** Options of {@link MasterPeers}. @public */
export interface MasterPeersOptions extends PeerOptions {
  /** At most this many viewers at once; offers beyond it are ignored with a log line (default 10, the service's limit). */
  maxViewers?: number;
}

/**
 * Master side: answers every viewer's offer with its own peer connection, so
 * many viewers are served at once. A new offer from a viewer replaces its old peer.
 * @public
 */
export class MasterPeers {
  /** Open peers by viewer client id. */
  readonly peers = new Map<string, DataChannelPeer>();
  private readonly queues = new Map<string, RemoteCandidateQueue>();
  private readonly peerListeners = new Set<Listener<DataChannelPeer>>();
  private readonly offs: Array<() => void>;
  private iceServers: Promise<IceServer[]> | undefined;
  private closed = false;

  constructor(private readonly client: PeerSignaling, private readonly options: MasterPeersOptions = {}) {
    this.offs = [
      client.on('sdpOffer', ({ payload, senderClientId }) => {
        if (!senderClientId) {
          options.log?.('master: offer without a sender id ignored');
          return;
        }
        this.answer(senderClientId, payload).catch(report(options.log, `master: viewer ${senderClientId}`));
      }),
      client.on('iceCandidate', ({ payload, senderClientId }) => {
        if (!senderClientId) return;
        this.queueFor(senderClientId).push(payload);
      }),
    ];
  }

  /** Calls `fn` for every new viewer peer (before its data channel opens). Returns an unsubscribe function. */
  onPeer(fn: Listener<DataChannelPeer>): () => void {
    this.peerListeners.add(fn);
    return () => this.peerListeners.delete(fn);
  }

  /** Sends a text message to every viewer whose data channel is open; returns how many got it. */
  broadcast(text: string): number {
    let sent = 0;
    for (const peer of this.peers.values()) {
      try {
        peer.send(text);
        sent++;
      } catch {
        // Not open yet or already gone: that viewer simply does not get this one.
      }
    }
    return sent;
  }

  /** Stops answering and closes every peer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs) off();
    const peers = [...this.peers.values()];
    this.peers.clear();
    this.queues.clear();
    await Promise.all(peers.map((p) => p.close()));
  }

  private queueFor(viewerId: string): RemoteCandidateQueue {
    let queue = this.queues.get(viewerId);
    if (!queue) {
      // Candidates may come before the offer (the client normally holds them, but
      // a peer that is being replaced still needs its own queue).
      queue = new RemoteCandidateQueue(
        async (c) => {
          const peer = this.peers.get(viewerId);
          if (peer) await peer.pc.addIceCandidate(c);
        },
        report(this.options.log, `master: candidate from ${viewerId}`),
      );
      this.queues.set(viewerId, queue);
    }
    return queue;
  }

  private async answer(viewerId: string, offer: SessionDescription): Promise<void> {
    if (this.closed) return;
    const previous = this.peers.get(viewerId);
    if (previous) {
      this.peers.delete(viewerId);
      this.queues.delete(viewerId);
      await previous.close();
    } else if (this.peers.size >= (this.options.maxViewers ?? 10)) {
      this.options.log?.(`master: viewer ${viewerId} refused, ${this.peers.size} viewers already`);
      return;
    }
    this.iceServers ??= iceServersFor(this.client, this.options);
    let servers: IceServer[];
    try {
      servers = await this.iceServers;
    } catch (error) {
      // Do not keep a failed lookup: the next viewer tries again.
      this.iceServers = undefined;
      throw error;
    }
    if (this.closed) return;
    const peer = new DataChannelPeer(viewerId, servers, this.options);
    peer.timeline.offer = performance.now();
    this.peers.set(viewerId, peer);
    const queue = this.queueFor(viewerId);
    const { pc } = peer;
    const dc = pc.onDataChannel.subscribe((channel) => peer.attach(channel));
    const ice = pc.onIceCandidate.subscribe((c) => {
      const candidate = c && toCandidate(c);
      if (candidate) Promise.resolve(this.client.sendIceCandidate(candidate, viewerId)).catch(report(this.options.log, `master: candidate to ${viewerId}`));
    });
    peer.onClose(() => {
      dc.unSubscribe();
      ice.unSubscribe();
      if (this.peers.get(viewerId) === peer) {
        this.peers.delete(viewerId);
        this.queues.delete(viewerId);
      }
    });
    for (const fn of this.peerListeners) fn(peer);

    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp ?? '' });
    queue.release();
    const answer = await pc.createAnswer();
    // See connectViewerPeer: do not wait for gathering before answering.
    pc.setLocalDescription(answer).catch(report(this.options.log, `master: viewer ${viewerId}`));
    peer.timeline.answer = performance.now();
    await this.client.sendSdpAnswer({ type: 'answer', sdp: answer.sdp }, viewerId);
  }
}
