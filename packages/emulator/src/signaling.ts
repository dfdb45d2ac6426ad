import { randomUUID } from 'node:crypto';
import type { ServiceError } from '@kvs-sig/core';
import type { WebSocket } from 'ws';
import { awsError, rawMessage } from './aws-errors';
import type { Channel } from './channels';
import type { Clock, Log } from './state';
import type { ConnectionFilter, ConnectionInfo, EmulatorLimits, UndeliveredReason } from './types';
import type { MediaServer } from './media-server';
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
  /** The sending viewer's id (undefined: the master), for the undelivered log. */
  senderClientId: string | undefined;
  messagePayload: string;
  correlationId: string | undefined;
  text: string;
  /** performance.now() deadline: held messages expire on the real clock, not the skewable one. */
  expiresAt: number;
}

interface ChannelPeers {
  channel: Channel;
  master: Peer | undefined;
  viewers: Map<string, Peer>;
  /** Undelivered messages by recipient key (`MASTER` or `V:<clientId>`). */
  pending: Map<string, PendingMessage[]>;
  pendingCount: number;
  /** Fires at the earliest held deadline, so expiries are recorded when they happen, not when traffic next looks. */
  expiryTimer: NodeJS.Timeout | undefined;
  /** performance.now() the timer is set for (Infinity: none). */
  expiryAt: number;
  connects: Record<Role, number[]>;
}

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
  /** Storage sessions: the master's frames to the media server end there, not at a viewer. */
  mediaServer: MediaServer | undefined;

  constructor(private readonly deps: HubDeps) {}

  private slot(channel: Channel): ChannelPeers {
    let s = this.channels.get(channel.arn);
    if (!s) {
      s = {
        channel,
        master: undefined,
        viewers: new Map(),
        pending: new Map(),
        pendingCount: 0,
        expiryTimer: undefined,
        expiryAt: Number.POSITIVE_INFINITY,
        connects: { MASTER: [], VIEWER: [] },
      };
      this.channels.set(channel.arn, s);
    }
    return s;
  }

  /**
   * Applies the connect limits (rate per role, viewer count) and records the
   * attempt. Must run synchronously right before the upgrade completes.
   */
  admit(channel: Channel, role: Role, clientId: string | undefined): ServiceError | undefined {
    const s = this.slot(channel);
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
    const s = this.slot(channel);
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
    this.forgetIfIdle(s);
  }

  /** Drops a channel's slot once nothing is connected, held or rate-counted on it. */
  private forgetIfIdle(s: ChannelPeers): void {
    if (!s.master && s.viewers.size === 0 && s.pendingCount === 0 && s.connects.MASTER.length === 0 && s.connects.VIEWER.length === 0) {
      clearTimeout(s.expiryTimer);
      if (this.channels.get(s.channel.arn) === s) this.channels.delete(s.channel.arn);
    }
  }

  /** True when a frame written to `peer` now can reach it. */
  private isOpen(peer: Peer): boolean {
    return !peer.closed && peer.ws.readyState === peer.ws.OPEN;
  }

  /** Writes a frame; false when the socket is no longer open (nothing written). */
  private send(peer: Peer, text: string): boolean {
    if (!this.isOpen(peer)) return false;
    this.deps.log.addFrame({
      direction: 'out',
      channelArn: peer.channel.arn,
      role: peer.role,
      ...(peer.clientId !== undefined ? { clientId: peer.clientId } : {}),
      text,
      time: this.deps.clock.now(),
    });
    peer.ws.send(text);
    return true;
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

  private statusResponse(peer: Peer, correlationId: string, error: ServiceError): boolean {
    return this.send(peer, statusResponseFrame(correlationId, error, rawMessage(error)));
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
    const s = this.slot(peer.channel);
    if (peer.role === 'VIEWER') {
      // A viewer can only reach the master; any recipient it names is ignored.
      const text = recvFrame({ messageType: frame.action, senderClientId: peer.clientId, messagePayload: frame.messagePayload });
      this.deliver(s, peer, frame, 'MASTER', text, s.master);
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
    if (this.mediaServer?.owns(peer.channel.arn, frame.recipientClientId)) {
      this.mediaServer.receive(peer.channel.arn, frame.action, decodeJsonPayload(frame.messagePayload));
      return;
    }
    const text = recvFrame({ messageType: frame.action, messagePayload: frame.messagePayload });
    const target = s.viewers.get(frame.recipientClientId);
    this.deliver(s, peer, frame, `V:${frame.recipientClientId}`, text, target);
  }

  /**
   * Sends now, or holds for the channel's MessageTtlSeconds until the recipient
   * connects (also while its socket is closing: a frame written then would be
   * lost). A message that cannot be held is refused, never dropped unseen: the
   * sender hears of it when it gave a correlationId, and the log always does.
   */
  private deliver(s: ChannelPeers, from: Peer, frame: ClientFrame, key: string, text: string, target: Peer | undefined): void {
    if (target && this.send(target, text)) return;
    const channel = from.channel;
    const now = performance.now();
    if (s.expiryAt <= now) this.expireHeld(s);
    const sender = from.role === 'MASTER' ? 'MASTER' : (from.clientId ?? '');
    const message: PendingMessage = {
      action: frame.action,
      sender,
      senderClientId: from.role === 'VIEWER' ? from.clientId : undefined,
      messagePayload: frame.messagePayload,
      correlationId: frame.correlationId,
      text,
      expiresAt: now + channel.messageTtlSeconds * 1000,
    };
    let queue = s.pending.get(key) ?? [];
    // A newer undelivered offer or answer replaces the older one between the same two clients.
    const replaced = frame.action === 'ICE_CANDIDATE' ? [] : queue.filter((m) => m.action === frame.action && m.sender === sender);
    if (replaced.length === 0) {
      const { maxHeldMessagesPerRecipient, maxHeldMessagesPerChannel } = this.deps.limits;
      if (queue.length >= maxHeldMessagesPerRecipient) {
        this.refuseHold(from, key, message, 'RECIPIENT_HOLD_FULL', `${maxHeldMessagesPerRecipient} undelivered messages are already held for ${recipientName(key)}`);
        return;
      }
      if (s.pendingCount >= maxHeldMessagesPerChannel) {
        this.refuseHold(from, key, message, 'CHANNEL_HOLD_FULL', `${maxHeldMessagesPerChannel} undelivered messages are already held on the channel`);
        return;
      }
    } else {
      queue = queue.filter((m) => !replaced.includes(m));
      for (const m of replaced) this.recordUndelivered(channel, key, m, 'REPLACED', false);
    }
    queue.push(message);
    s.pending.set(key, queue);
    s.pendingCount += 1 - replaced.length;
    if (message.expiresAt < s.expiryAt) this.scheduleExpiry(s, message.expiresAt);
  }

  /** A message the hold bounds leave no room for: refused, reported to its sender when correlated, and logged. */
  private refuseHold(from: Peer, key: string, m: PendingMessage, reason: UndeliveredReason, why: string): void {
    const error = awsError('ClientLimitExceededException', `${why}; this ${m.action} was not held`);
    const told = m.correlationId !== undefined && this.statusResponse(from, m.correlationId, error);
    this.recordUndelivered(from.channel, key, m, reason, told);
    this.deps.logger(
      `${describe(from)} ${m.action} for ${recipientName(key)} refused (${why}): ${told ? `STATUS_RESPONSE sent for ${m.correlationId}` : 'sender not told (no correlationId)'}`,
    );
  }

  private recordUndelivered(channel: Channel, key: string, m: PendingMessage, reason: UndeliveredReason, statusResponseSent: boolean): void {
    this.deps.log.addUndelivered({
      reason,
      channelArn: channel.arn,
      action: m.action,
      ...(m.senderClientId !== undefined ? { senderClientId: m.senderClientId } : {}),
      ...(key !== 'MASTER' ? { recipientClientId: key.slice(2) } : {}),
      ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
      messagePayload: m.messagePayload,
      statusResponseSent,
      time: this.deps.clock.now(),
    });
  }

  private scheduleExpiry(s: ChannelPeers, at: number): void {
    clearTimeout(s.expiryTimer);
    s.expiryAt = at;
    s.expiryTimer = setTimeout(() => this.expireHeld(s), Math.max(1, Math.ceil(at - performance.now())));
    s.expiryTimer.unref();
  }

  /**
   * Removes and records every held message past its deadline, then sets the
   * timer for the next one. The service's docs say only that undelivered
   * messages are kept for MessageTtlSeconds; no STATUS_RESPONSE is sent for an
   * expiry (see the README).
   */
  private expireHeld(s: ChannelPeers): void {
    const channel = s.channel;
    clearTimeout(s.expiryTimer);
    s.expiryTimer = undefined;
    s.expiryAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    let expired = 0;
    for (const [key, queue] of s.pending) {
      const live: PendingMessage[] = [];
      for (const m of queue) {
        if (m.expiresAt > now) {
          live.push(m);
          next = Math.min(next, m.expiresAt);
        } else {
          this.recordUndelivered(channel, key, m, 'EXPIRED', false);
          expired++;
        }
      }
      if (live.length === queue.length) continue;
      if (live.length === 0) s.pending.delete(key);
      else s.pending.set(key, live);
    }
    s.pendingCount -= expired;
    if (expired > 0) this.deps.logger(`channel ${channel.name}: ${expired} held message(s) expired undelivered after MessageTtlSeconds`);
    if (next !== Number.POSITIVE_INFINITY) this.scheduleExpiry(s, next);
    else this.forgetIfIdle(s);
  }

  /** Forgets every message held on a channel, recording each as `reason`. */
  private discardHeld(s: ChannelPeers, reason: UndeliveredReason): void {
    const channel = s.channel;
    clearTimeout(s.expiryTimer);
    s.expiryTimer = undefined;
    s.expiryAt = Number.POSITIVE_INFINITY;
    for (const [key, queue] of s.pending) for (const m of queue) this.recordUndelivered(channel, key, m, reason, false);
    if (s.pendingCount > 0) this.deps.logger(`channel ${channel.name}: ${s.pendingCount} held message(s) discarded (${reason})`);
    s.pending.clear();
    s.pendingCount = 0;
  }

  private flush(peer: Peer): void {
    const s = this.slot(peer.channel);
    if (s.expiryAt <= performance.now()) this.expireHeld(s);
    const key = peer.role === 'MASTER' ? 'MASTER' : `V:${peer.clientId}`;
    const queue = s.pending.get(key);
    if (!queue) return;
    let sent = 0;
    while (sent < queue.length && this.send(peer, queue[sent]!.text)) sent++;
    // The socket can only be closing already if it died at once: what was not written stays held.
    if (sent === queue.length) s.pending.delete(key);
    else s.pending.set(key, queue.slice(sent));
    s.pendingCount -= sent;
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

  /** Sends the channel's master a frame from a service peer (the storage media server); false when no master is connected. */
  sendToMaster(channelArn: string, messageType: 'SDP_OFFER' | 'ICE_CANDIDATE', senderClientId: string, payload: unknown): boolean {
    const master = this.channels.get(channelArn)?.master;
    if (!master) return false;
    const messagePayload = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
    return this.send(master, recvFrame({ messageType, senderClientId, messagePayload }));
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

  /** Closes every socket of a deleted channel and forgets (recording them) its held messages. */
  closeChannel(channel: Channel): void {
    for (const p of this.match({ channelArn: channel.arn })) {
      this.detach(p);
      p.ws.close(CloseCodes.GOING_AWAY, 'Channel deleted');
    }
    const s = this.channels.get(channel.arn);
    if (s) this.discardHeld(s, 'CHANNEL_DELETED');
    this.channels.delete(channel.arn);
    void this.mediaServer?.end(channel.arn);
  }

  /** Closes everything (emulator shutdown); messages still held are recorded as `EMULATOR_CLOSED`. */
  closeAll(): void {
    for (const p of [...this.peers]) {
      this.detach(p);
      p.ws.terminate();
    }
    for (const w of this.alexaWaiters.values()) w.resolve(undefined);
    for (const s of this.channels.values()) this.discardHeld(s, 'EMULATOR_CLOSED');
    this.channels.clear();
  }
}

/** A relayed payload (base64 of JSON) as a value; undefined when it is not one. */
function decodeJsonPayload(payload: string): unknown {
  try {
    return JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function describe(p: Peer): string {
  return `${p.role}${p.clientId !== undefined ? ` ${p.clientId}` : ''} on ${p.channel.name}`;
}

function recipientName(key: string): string {
  return key === 'MASTER' ? 'the master' : `viewer ${key.slice(2)}`;
}
