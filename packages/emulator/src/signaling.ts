import { randomUUID } from 'node:crypto';
import type { ServiceError } from '@kvs-sig/core';
import type { WebSocket } from 'ws';
import { awsError, rawMessage } from './aws-errors';
import type { Channel } from './channels';
import type { Clock, Log } from './state';
import type { ConnectionFilter, ConnectionInfo, EmulatorLimits } from './types';
import { parseClientFrame, recvFrame, statusResponseFrame, type ClientFrame } from './wire';

type Role = 'MASTER' | 'VIEWER';

/** Close codes the emulator uses (documented in the README). @internal */
export const CloseCodes = {
  /** A newer connection of the same master / viewer id took this one's place. */
  REPLACED: 1000,
  /** Idle timeout, maximum duration, end of the GO_AWAY grace, channel deleted (close() terminates: 1006). */
  GOING_AWAY: 1001,
} as const;

/** One live WebSocket. @internal */
export interface Peer {
  readonly connectionId: string;
  readonly ws: WebSocket;
  readonly channel: Channel;
  readonly role: Role;
  readonly clientId: string | undefined;
  readonly connectedAt: number;
  idleTimer: NodeJS.Timeout | undefined;
  maxTimer: NodeJS.Timeout | undefined;
  goAwayTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** performance.now() of recent accepted sends, per kind, for the per-connection message quotas. */
  sent: { sdp: number[]; ice: number[] };
}

interface PendingMessage {
  action: ClientFrame['action'];
  /** `MASTER` or the viewer's id: an undelivered offer/answer is replaced only by one between the same two clients. */
  sender: string;
  text: string;
  /** performance.now() deadline: held messages expire on the real clock, not the skewable one. */
  expiresAt: number;
}

interface ChannelPeers {
  master: Peer | undefined;
  viewers: Map<string, Peer>;
  /** Undelivered messages by recipient key (`MASTER` or `V:<clientId>`). */
  pending: Map<string, PendingMessage[]>;
  pendingCount: number;
  connects: Record<Role, number[]>;
}

/** Bounds that keep undelivered messages from growing without limit. */
const MAX_PENDING_PER_RECIPIENT = 256;
const MAX_PENDING_PER_CHANNEL = 2048;

interface AlexaWaiter {
  resolve: (payload: string | undefined) => void;
}

/** Dependencies of the hub. @internal */
export interface HubDeps {
  limits: EmulatorLimits;
  clock: Clock;
  log: Log;
  logger: (line: string) => void;
}

/**
 * The WebSocket side of the emulator: who is connected where, relay rules,
 * held messages, limits and socket faults.
 * @internal
 */
export class SignalingHub {
  private readonly channels = new Map<string, ChannelPeers>();
  private readonly peers = new Set<Peer>();
  /** SendAlexaOfferToMaster calls waiting for the master's answer, by channel ARN + sender id. */
  private readonly alexaWaiters = new Map<string, AlexaWaiter>();

  constructor(private readonly deps: HubDeps) {}

  private slot(arn: string): ChannelPeers {
    let s = this.channels.get(arn);
    if (!s) {
      s = { master: undefined, viewers: new Map(), pending: new Map(), pendingCount: 0, connects: { MASTER: [], VIEWER: [] } };
      this.channels.set(arn, s);
    }
    return s;
  }

  /**
   * Applies the connect limits (rate per role, viewer count) and records the
   * attempt. Must run synchronously right before the upgrade completes.
   */
  admit(channel: Channel, role: Role, clientId: string | undefined): ServiceError | undefined {
    const s = this.slot(channel.arn);
    const now = performance.now();
    const recent = s.connects[role].filter((t) => now - t < 1000);
    s.connects[role] = recent;
    if (recent.length >= this.deps.limits.connectsPerSecondPerChannel) {
      return awsError(
        'ClientLimitExceededException',
        `Connect${role === 'MASTER' ? 'AsMaster' : 'AsViewer'} is limited to ${this.deps.limits.connectsPerSecondPerChannel} calls per second per channel`,
      );
    }
    if (role === 'VIEWER' && clientId !== undefined && !s.viewers.has(clientId) && s.viewers.size >= this.deps.limits.maxViewersPerChannel) {
      return awsError(
        'ClientLimitExceededException',
        `The channel already has the maximum number of viewers connected (${this.deps.limits.maxViewersPerChannel})`,
      );
    }
    recent.push(now);
    return undefined;
  }

  /** Registers an upgraded socket and wires its events. */
  attach(ws: WebSocket, channel: Channel, role: Role, clientId: string | undefined): Peer {
    const s = this.slot(channel.arn);
    const peer: Peer = {
      connectionId: randomUUID(),
      ws,
      channel,
      role,
      clientId,
      connectedAt: this.deps.clock.now(),
      idleTimer: undefined,
      maxTimer: undefined,
      goAwayTimer: undefined,
      closed: false,
      sent: { sdp: [], ice: [] },
    };
    const previous = role === 'MASTER' ? s.master : s.viewers.get(clientId ?? '');
    if (previous) {
      this.deps.logger(`${describe(previous)} replaced by a newer connection`);
      this.detach(previous);
      previous.ws.close(CloseCodes.REPLACED, 'Replaced by a newer connection');
    }
    if (role === 'MASTER') s.master = peer;
    else s.viewers.set(clientId ?? '', peer);
    this.peers.add(peer);

    peer.maxTimer = setTimeout(() => this.expire(peer, 'Maximum connection duration reached'), this.deps.limits.maxConnectionMs);
    this.touch(peer);
    ws.on('message', (data, isBinary) => {
      this.touch(peer);
      this.onFrame(peer, data as Buffer | ArrayBuffer | Buffer[], isBinary);
    });
    ws.on('ping', () => this.touch(peer));
    ws.on('pong', () => this.touch(peer));
    ws.on('close', () => this.detach(peer));
    ws.on('error', (err) => {
      this.deps.logger(`${describe(peer)} socket error: ${err.message}`);
    });
    this.flush(peer);
    return peer;
  }

  private touch(peer: Peer): void {
    if (peer.closed) return;
    if (peer.idleTimer) clearTimeout(peer.idleTimer);
    peer.idleTimer = setTimeout(() => this.expire(peer, 'Idle timeout'), this.deps.limits.idleTimeoutMs);
  }

  private expire(peer: Peer, reason: string): void {
    if (peer.closed) return;
    this.deps.logger(`${describe(peer)} closed: ${reason}`);
    this.detach(peer);
    peer.ws.close(CloseCodes.GOING_AWAY, reason);
  }

  /** Forgets a peer and its timers (the socket itself is closed by the caller). */
  private detach(peer: Peer): void {
    if (peer.closed) return;
    peer.closed = true;
    clearTimeout(peer.idleTimer);
    clearTimeout(peer.maxTimer);
    clearTimeout(peer.goAwayTimer);
    this.peers.delete(peer);
    const s = this.channels.get(peer.channel.arn);
    if (!s) return;
    if (peer.role === 'MASTER' && s.master === peer) s.master = undefined;
    if (peer.role === 'VIEWER' && s.viewers.get(peer.clientId ?? '') === peer) s.viewers.delete(peer.clientId ?? '');
    if (!s.master && s.viewers.size === 0 && s.pendingCount === 0 && s.connects.MASTER.length === 0 && s.connects.VIEWER.length === 0) {
      this.channels.delete(peer.channel.arn);
    }
  }

  private send(peer: Peer, text: string): void {
    if (peer.closed || peer.ws.readyState !== peer.ws.OPEN) return;
    this.deps.log.addFrame({
      direction: 'out',
      channelArn: peer.channel.arn,
      role: peer.role,
      ...(peer.clientId !== undefined ? { clientId: peer.clientId } : {}),
      text,
      time: this.deps.clock.now(),
    });
    peer.ws.send(text);
  }

  private onFrame(peer: Peer, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const text = isBinary ? `<binary ${buffer.length} bytes>` : buffer.toString('utf8');
    this.deps.log.addFrame({
      direction: 'in',
      channelArn: peer.channel.arn,
      role: peer.role,
      ...(peer.clientId !== undefined ? { clientId: peer.clientId } : {}),
      text,
      time: this.deps.clock.now(),
    });
    if (isBinary) {
      this.refuseFrame(peer, 'binary frames are not supported');
      return;
    }
    const parsed = parseClientFrame(text, this.deps.limits.maxPayloadLength);
    if (!parsed.ok) {
      if (parsed.correlationId !== undefined) {
        this.statusResponse(peer, parsed.correlationId, parsed.error);
      } else if (parsed.routable) {
        this.deps.logger(`${describe(peer)} frame refused without correlationId: ${parsed.error.message}`);
      } else {
        this.refuseFrame(peer, parsed.error.message);
      }
      return;
    }
    this.route(peer, parsed.frame);
  }

  /**
   * A frame the service cannot route (not JSON, no known `action`, binary).
   * The service's WebSocket front end answers those with a
   * `{"message":"Forbidden","connectionId","requestId"}` frame.
   */
  private refuseFrame(peer: Peer, why: string): void {
    this.deps.logger(`${describe(peer)} unroutable frame: ${why}`);
    this.send(peer, JSON.stringify({ message: 'Forbidden', connectionId: peer.connectionId, requestId: randomUUID() }));
  }

  private statusResponse(peer: Peer, correlationId: string, error: ServiceError): void {
    this.send(peer, statusResponseFrame(correlationId, error, rawMessage(error)));
  }

  /** Applies the per-connection message quotas (SendSdpOffer/Answer, SendIceCandidate). */
  private overQuota(peer: Peer, frame: ClientFrame): ServiceError | undefined {
    const kind = frame.action === 'ICE_CANDIDATE' ? 'ice' : 'sdp';
    const limit = kind === 'ice' ? this.deps.limits.iceCandidatesPerSecondPerConnection : this.deps.limits.sdpMessagesPerSecondPerConnection;
    if (limit === Number.POSITIVE_INFINITY) return undefined;
    const now = performance.now();
    const recent = peer.sent[kind].filter((t) => now - t < 1000);
    peer.sent[kind] = recent;
    if (recent.length >= limit) {
      return awsError('ClientLimitExceededException', `${frame.action} is limited to ${limit} messages per second per connection`);
    }
    recent.push(now);
    return undefined;
  }

  private route(peer: Peer, frame: ClientFrame): void {
    const throttled = this.overQuota(peer, frame);
    if (throttled) {
      if (frame.correlationId !== undefined) this.statusResponse(peer, frame.correlationId, throttled);
      else this.deps.logger(`${describe(peer)} ${frame.action} throttled (no correlationId): ${rawMessage(throttled)}`);
      return;
    }
    const s = this.slot(peer.channel.arn);
    if (peer.role === 'VIEWER') {
      // A viewer can only reach the master; any recipient it names is ignored.
      const text = recvFrame({ messageType: frame.action, senderClientId: peer.clientId, messagePayload: frame.messagePayload });
      this.deliver(s, peer.channel, 'MASTER', peer.clientId ?? '', frame.action, text, s.master);
      return;
    }
    if (frame.recipientClientId === undefined) {
      const err = awsError('InvalidArgumentException', 'A message from the master must name its recipientClientId');
      if (frame.correlationId !== undefined) this.statusResponse(peer, frame.correlationId, err);
      else this.deps.logger(`${describe(peer)} message without recipientClientId refused (no correlationId)`);
      return;
    }
    const waiter = frame.action === 'SDP_ANSWER' ? this.alexaWaiters.get(`${peer.channel.arn} ${frame.recipientClientId}`) : undefined;
    if (waiter) {
      waiter.resolve(frame.messagePayload);
      return;
    }
    const text = recvFrame({ messageType: frame.action, messagePayload: frame.messagePayload });
    const target = s.viewers.get(frame.recipientClientId);
    this.deliver(s, peer.channel, `V:${frame.recipientClientId}`, 'MASTER', frame.action, text, target);
  }

  /** Sends now, or holds for the channel's MessageTtlSeconds until the recipient connects. */
  private deliver(
    s: ChannelPeers,
    channel: Channel,
    key: string,
    sender: string,
    action: ClientFrame['action'],
    text: string,
    target: Peer | undefined,
  ): void {
    if (target && !target.closed) {
      this.send(target, text);
      return;
    }
    const now = performance.now();
    let queue = (s.pending.get(key) ?? []).filter((m) => m.expiresAt > now);
    if (action !== 'ICE_CANDIDATE') {
      // A newer undelivered offer or answer replaces the older one between the same two clients.
      queue = queue.filter((m) => m.action !== action || m.sender !== sender);
    }
    queue.push({ action, sender, text, expiresAt: now + channel.messageTtlSeconds * 1000 });
    if (queue.length > MAX_PENDING_PER_RECIPIENT) {
      const dropped = queue.splice(0, queue.length - MAX_PENDING_PER_RECIPIENT);
      this.deps.logger(`channel ${channel.name}: ${dropped.length} held message(s) for ${key} dropped (over ${MAX_PENDING_PER_RECIPIENT})`);
    }
    s.pending.set(key, queue);
    s.pendingCount = [...s.pending.values()].reduce((n, q) => n + q.length, 0);
    if (s.pendingCount > MAX_PENDING_PER_CHANNEL) this.trimChannel(s, channel);
  }

  private trimChannel(s: ChannelPeers, channel: Channel): void {
    const now = performance.now();
    for (const [key, q] of s.pending) {
      const live = q.filter((m) => m.expiresAt > now);
      if (live.length === 0) s.pending.delete(key);
      else s.pending.set(key, live);
    }
    let count = [...s.pending.values()].reduce((n, q) => n + q.length, 0);
    while (count > MAX_PENDING_PER_CHANNEL) {
      const [key, q] = s.pending.entries().next().value as [string, PendingMessage[]];
      count -= q.length;
      s.pending.delete(key);
      this.deps.logger(`channel ${channel.name}: ${q.length} held message(s) for ${key} dropped (channel over ${MAX_PENDING_PER_CHANNEL})`);
    }
    s.pendingCount = count;
  }

  private flush(peer: Peer): void {
    const s = this.slot(peer.channel.arn);
    const key = peer.role === 'MASTER' ? 'MASTER' : `V:${peer.clientId}`;
    const queue = s.pending.get(key);
    if (!queue) return;
    s.pending.delete(key);
    s.pendingCount -= queue.length;
    const now = performance.now();
    for (const m of queue) if (m.expiresAt > now) this.send(peer, m.text);
  }

  /** Live connections matching `filter`. */
  match(filter: ConnectionFilter = {}): Peer[] {
    return [...this.peers].filter(
      (p) =>
        (filter.channelArn === undefined || p.channel.arn === filter.channelArn) &&
        (filter.channelName === undefined || p.channel.name === filter.channelName) &&
        (filter.role === undefined || p.role === filter.role) &&
        (filter.clientId === undefined || p.clientId === filter.clientId),
    );
  }

  connections(filter?: ConnectionFilter): ConnectionInfo[] {
    return this.match(filter).map((p) => ({
      channelArn: p.channel.arn,
      channelName: p.channel.name,
      role: p.role,
      ...(p.clientId !== undefined ? { clientId: p.clientId } : {}),
      connectedAt: p.connectedAt,
    }));
  }

  master(channel: Channel): Peer | undefined {
    return this.channels.get(channel.arn)?.master;
  }

  viewer(channel: Channel, clientId: string): Peer | undefined {
    return this.channels.get(channel.arn)?.viewers.get(clientId);
  }

  /** Sends a service-originated frame (storage-session offers, Alexa offers). */
  sendServiceFrame(peer: Peer, text: string): void {
    this.send(peer, text);
  }

  /** Delivers an Alexa offer to the master and waits (bounded) for its answer to `senderClientId`. */
  async alexaOffer(channel: Channel, senderClientId: string, payload: string): Promise<string | undefined> {
    const master = this.master(channel);
    if (!master) return undefined;
    const key = `${channel.arn} ${senderClientId}`;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<string | undefined>((resolve) => {
      this.alexaWaiters.set(key, { resolve });
      timer = setTimeout(() => resolve(undefined), this.deps.limits.alexaAnswerTimeoutMs);
    });
    this.send(master, recvFrame({ messageType: 'SDP_OFFER', senderClientId, messagePayload: payload }));
    try {
      return await answer;
    } finally {
      clearTimeout(timer);
      this.alexaWaiters.delete(key);
    }
  }

  dropConnections(filter?: ConnectionFilter): number {
    const victims = this.match(filter);
    for (const p of victims) {
      this.deps.logger(`${describe(p)} dropped (fault)`);
      this.detach(p);
      p.ws.terminate();
    }
    return victims.length;
  }

  goAway(filter?: ConnectionFilter): number {
    const targets = this.match(filter).filter((p) => p.goAwayTimer === undefined);
    for (const p of targets) {
      this.send(p, recvFrame({ messageType: 'GO_AWAY' }));
      p.goAwayTimer = setTimeout(() => this.expire(p, 'GO_AWAY grace period over'), this.deps.limits.goAwayGraceMs);
    }
    return targets.length;
  }

  reconnectIceServer(filter?: ConnectionFilter): number {
    const targets = this.match(filter);
    const rotated = new Set<Channel>();
    for (const p of targets) {
      if (!rotated.has(p.channel)) {
        p.channel.iceEpoch++;
        rotated.add(p.channel);
      }
      this.send(p, recvFrame({ messageType: 'RECONNECT_ICE_SERVER' }));
    }
    return targets.length;
  }

  /** Closes every socket of a deleted channel and forgets its held messages. */
  closeChannel(channel: Channel): void {
    for (const p of this.match({ channelArn: channel.arn })) {
      this.detach(p);
      p.ws.close(CloseCodes.GOING_AWAY, 'Channel deleted');
    }
    this.channels.delete(channel.arn);
  }

  /** Closes everything (emulator shutdown). */
  closeAll(): void {
    for (const p of [...this.peers]) {
      this.detach(p);
      p.ws.terminate();
    }
    for (const w of this.alexaWaiters.values()) w.resolve(undefined);
    this.channels.clear();
  }
}

function describe(p: Peer): string {
  return `${p.role}${p.clientId !== undefined ? ` ${p.clientId}` : ''} on ${p.channel.name}`;
}
