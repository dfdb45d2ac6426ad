/**
 * The outbound path: builds frames from the caller's SDP/ICE, writes them at
 * once when nothing waits, holds them in the bounded queue otherwise, paces
 * them under the service's per-connection quotas, and settles each send once
 * the service confirmed reading it (the pong of the ping that follows it,
 * where the runtime can ping). Frames lost with a socket go back to the queue
 * and are sent again on the next connection.
 * @packageDocumentation
 */

import {
  SignalingError,
  ValidationError,
  checkSignalingPayload,
  constructWssMessage,
  type Role,
  type SdpPayload,
  type WssAction,
  type WssMessageInput,
} from '@kvs-sig/core';
import { OutboundQueue, type QueueEntry, type QueueOptions } from './queue';
import type { Socket } from './transport';
import type { IceCandidateInit } from '@kvs-sig/core';
import type { ClientMetrics, SendOptions } from './types';

/** The service's quota window (1 s) plus a margin for arrival jitter. */
const RATE_WINDOW_MS = 1100;

/**
 * Frames written before one ping; the pong proves the service read them (TCP and WebSocket keep order).
 * At most one ping is out per socket: frames written while it is out wait in
 * {@link OutboundLink.unpinged} and its pong sends the next ping for all of them. A
 * stalled server thus never finds a pile of pings to answer when it resumes (a `ws`
 * server terminates a socket with more than 60 pongs pending), and a stall only
 * costs the connection when that one ping goes unanswered for the keepalive interval.
 */
interface PingBatch {
  entries: QueueEntry[];
  sentAt: number;
}

/** Frames per second allowed per kind (`Infinity`: no pacing). @internal */
export interface SendRate {
  sdp: number;
  ice: number;
}

/** The outbound state of one connection. @internal */
export interface OutboundLink {
  socket: Socket;
  /** The ping in flight, if any: never more than one (a keepalive ping carries the frames not pinged for yet, usually none). */
  batches: PingBatch[];
  /** Frames written since the last ping; the next ping (at the end of the tick, or when the ping in flight is answered) covers them. */
  unpinged: PingBatch | undefined;
  /** A microtask will ping for {@link OutboundLink.unpinged}. */
  pingQueued: boolean;
  /** Called when no written frame waits for its pong any more, or the connection ends. */
  drained: Array<() => void>;
  dead: boolean;
  /** Write times in the current rate window, per kind (the service counts per connection). */
  sent: { sdp: number[]; ice: number[] };
  paceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Last frame in or out (the service's idle clock). */
  lastActivity: number;
  /**
   * Pings still out when the connection was retired (replaced, but still read until the
   * service closes it): a late pong proves the service read their frames, which are then
   * confirmed even though they were queued again for the next connection.
   */
  late: QueueEntry[][];
}

/** What the outbox needs from the client. @internal */
export interface OutboxHost {
  /** The connection frames go to now, if any. */
  current(): OutboundLink | undefined;
  /** True while the client closes (or is closed): unconfirmed frames are then rejected, not sent again. */
  isClosing(): boolean;
  /** The client's live counters (`messagesSent`). */
  readonly metrics: ClientMetrics;
}

/** The outbound state of a connection that just opened. @internal */
export function newOutboundLink(socket: Socket): OutboundLink {
  return {
    socket,
    batches: [],
    unpinged: undefined,
    pingQueued: false,
    drained: [],
    dead: false,
    sent: { sdp: [], ice: [] },
    paceTimer: undefined,
    lastActivity: Date.now(),
    late: [],
  };
}

/**
 * Validates one send and builds its frame: the recipient for the role, then the
 * payload (core's checkSignalingPayload: `type` matching the method, a non-empty
 * `sdp` or a string `candidate`, no lone surrogate).
 * @throws ValidationError naming the recipient or payload field that is wrong.
 * @internal
 */
export function buildFrame(
  role: Role,
  action: WssAction,
  payload: SdpPayload | IceCandidateInit,
  recipient: string | undefined,
  options: SendOptions | undefined,
): string {
  if (role === 'MASTER' && (recipient === undefined || recipient === '')) {
    throw new ValidationError('recipientClientId', 'is required when the master sends (the viewer to send to)');
  }
  if (role === 'VIEWER' && recipient !== undefined) {
    throw new ValidationError('recipientClientId', 'must be absent when a viewer sends (messages always go to the master)');
  }
  // Everything checked before anything is built or queued: a malformed SDP never leaves the process.
  const value = typeof payload === 'object' && payload !== null ? plain(payload) : payload;
  checkSignalingPayload(action, value, action === 'SDP_OFFER' ? 'offer' : action === 'SDP_ANSWER' ? 'answer' : 'candidate');
  const input: WssMessageInput = { action, payload: value };
  if (recipient !== undefined) input.recipientClientId = recipient;
  const correlationId = options?.correlationId;
  if (correlationId !== undefined) input.correlationId = correlationId;
  return constructWssMessage(input);
}

/**
 * The bounded queue plus pacing and delivery confirmation.
 * @internal
 */
export class Outbox {
  private readonly queue: OutboundQueue;
  private readonly userQueueAge: number | undefined;

  constructor(
    queueOptions: QueueOptions,
    private readonly rate: SendRate,
    private readonly host: OutboxHost,
  ) {
    this.userQueueAge = queueOptions.maxAgeMs;
    this.queue = new OutboundQueue(queueOptions);
  }

  /** Frames waiting in the queue. */
  get size(): number {
    return this.queue.size;
  }

  /** Writes a built frame at once if it can, queues it otherwise. @returns a promise that settles with the send. */
  send(frame: string, label: string): Promise<void> {
    const conn = this.host.current();
    if (
      conn !== undefined &&
      this.queue.size === 0 &&
      conn.paceTimer === undefined &&
      conn.socket.isOpen &&
      this.paceWait(conn, label === 'ICE_CANDIDATE' ? 'ice' : 'sdp') === 0
    ) {
      // Nothing waits ahead of it and the quota allows it: the queue (and its expiry timer) is skipped.
      return new Promise<void>((resolve, reject) => this.write(conn, this.queue.entry(frame, label, resolve, reject)));
    }
    const promise = this.queue.enqueue(frame, label);
    this.flush();
    return promise;
  }

  /** The channel's message TTL is known: queued frames expire with it (unless the caller set `queue.maxAgeMs`). */
  applyChannelTtl(seconds: number): void {
    if (this.userQueueAge === undefined) this.queue.setMaxAge(seconds * 1000);
  }

  /** Rejects every queued frame with `error`. */
  rejectAll(error: SignalingError): void {
    this.queue.rejectAll(error);
  }

  /** How long a queued frame may wait (the channel's message TTL unless the caller set `queue.maxAgeMs`). */
  get maxAgeMs(): number {
    return this.queue.maxAgeMs;
  }

  /** Stops the queue's expiry timer. */
  dispose(): void {
    this.queue.dispose();
  }

  /** Writes every queued frame the pacing allows to the current socket. */
  flush(): void {
    const conn = this.host.current();
    if (!conn || this.queue.size === 0 || conn.paceTimer !== undefined || !conn.socket.isOpen) return;
    for (let head = this.queue.peek(); head; head = this.queue.peek()) {
      const wait = this.paceWait(conn, head.label === 'ICE_CANDIDATE' ? 'ice' : 'sdp');
      if (wait > 0) {
        conn.paceTimer = setTimeout(() => {
          conn.paceTimer = undefined;
          this.flush();
        }, wait);
        break;
      }
      this.write(conn, this.queue.take()!);
    }
  }

  /** When the oldest unanswered ping on `conn` was sent, if one is out. */
  oldestPingSentAt(conn: OutboundLink): number | undefined {
    return conn.batches[0]?.sentAt;
  }

  /**
   * Sends a keepalive ping on `conn` (it also covers frames not pinged for yet), unless one is
   * already out (that one's pong proves the same). @returns false where the runtime cannot ping.
   */
  ping(conn: OutboundLink): boolean {
    if (conn.batches.length > 0) return conn.socket.canPing;
    if (!conn.socket.ping()) return false;
    const batch = conn.unpinged ?? { entries: [], sentAt: 0 };
    conn.unpinged = undefined;
    batch.sentAt = Date.now();
    conn.batches.push(batch);
    return true;
  }

  /** Stops pacing on a connection that ended. */
  stopPacing(conn: OutboundLink): void {
    clearTimeout(conn.paceTimer);
    conn.paceTimer = undefined;
  }

  /**
   * Milliseconds until one more frame of `kind` fits the service's per-second quota on
   * `conn` (0: now, and the send is counted). The window is widened a little because the
   * service counts arrival times, which network jitter can bring closer together.
   */
  private paceWait(conn: OutboundLink, kind: 'sdp' | 'ice'): number {
    const limit = this.rate[kind];
    if (limit === Infinity) return 0;
    const now = Date.now();
    const recent = conn.sent[kind].filter((t) => now - t < RATE_WINDOW_MS);
    conn.sent[kind] = recent;
    if (recent.length < limit) {
      recent.push(now);
      return 0;
    }
    return Math.max(1, recent[0]! + RATE_WINDOW_MS - now);
  }

  /**
   * Writes one frame. Where the runtime can ping (ws), the frame joins the
   * frames written since the last ping, and one ping, sent in a microtask after
   * them all (or, if a ping is still out, when its pong arrives), confirms the
   * lot: each send resolves on its pong, proof that the service read it. If the connection dies first, the frames go back to the queue and
   * are sent again on the next connection (at least once). Without ping
   * (browsers) a send resolves once written.
   */
  private write(conn: OutboundLink, entry: QueueEntry): void {
    conn.lastActivity = Date.now();
    entry.written = true;
    const socket = conn.socket;
    if (!socket.canPing) {
      socket.send(entry.frame, (error) => {
        if (error) {
          // Later, not from inside a flush: the entry waits for the next connection.
          queueMicrotask(() => this.retry([entry]));
          return;
        }
        this.host.metrics.messagesSent += 1;
        entry.resolve();
      });
      return;
    }
    let batch = conn.unpinged;
    if (batch === undefined) conn.unpinged = batch = { entries: [], sentAt: 0 };
    batch.entries.push(entry);
    if (!conn.pingQueued) {
      conn.pingQueued = true;
      queueMicrotask(() => this.pingWritten(conn));
    }
    const written = batch;
    socket.send(entry.frame, (error) => {
      if (!error) {
        this.host.metrics.messagesSent += 1;
        return;
      }
      // The socket died under the write: unless its pong came or releaseUnconfirmed
      // already took it back, the entry waits for the next connection.
      const i = written.entries.indexOf(entry);
      if (i < 0) return;
      written.entries.splice(i, 1);
      queueMicrotask(() => this.retry([entry]));
    });
  }

  /** One ping for every frame written on `conn` since the last one, unless a ping is out (its pong sends this one). */
  private pingWritten(conn: OutboundLink): void {
    conn.pingQueued = false;
    const batch = conn.unpinged;
    if (batch === undefined || conn.dead || conn.batches.length > 0) return;
    if (batch.entries.length === 0) {
      conn.unpinged = undefined;
      return;
    }
    // No ping: the socket is going; its close hands these frames to releaseUnconfirmed.
    if (!conn.socket.ping()) return;
    conn.unpinged = undefined;
    batch.sentAt = Date.now();
    conn.batches.push(batch);
  }

  /** Puts unconfirmed entries back in the queue, in order, and writes them if it can; rejects them if the client is closing. */
  private retry(entries: QueueEntry[]): void {
    // A late pong (on a retired socket) confirmed these: never sent again.
    entries = entries.filter((e) => !e.confirmed);
    if (entries.length === 0) return;
    if (this.host.isClosing()) {
      for (const entry of entries) {
        entry.reject(
          new SignalingError('CLIENT_CLOSED', `${entry.label}: the client was closed before the service confirmed reading it (it may or may not have been delivered)`),
        );
      }
      return;
    }
    for (const entry of entries) this.queue.requeue(entry);
    this.flush();
  }

  /** A pong arrived on `conn`: the frames of its oldest ping are confirmed. */
  onPong(conn: OutboundLink): void {
    if (conn.dead) {
      this.onLatePong(conn);
      return;
    }
    const batch = conn.batches.shift();
    if (batch) {
      const entries = batch.entries;
      // A late write error must not send a confirmed frame again.
      batch.entries = [];
      for (const entry of entries) {
        entry.confirmed = true;
        entry.resolve();
      }
    }
    // The frames written while that ping was out get the next one.
    if (!conn.pingQueued) this.pingWritten(conn);
    if (!hasUnconfirmed(conn)) this.wakeDrained(conn);
  }

  private wakeDrained(conn: OutboundLink): void {
    for (const wake of conn.drained.splice(0)) wake();
  }

  /** Waits (at most `ms`) until every frame written to `conn` is confirmed. */
  drain(conn: OutboundLink, ms: number): Promise<void> {
    if (conn.dead || !hasUnconfirmed(conn)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      conn.drained.push(done);
    });
  }

  /**
   * A pong on a retired connection: the service read the frames of that ping after all. They
   * are confirmed (their sends resolve) and taken out of the queue if they still wait there;
   * one already written again on the next connection arrives twice, and the receiver's
   * duplicate check drops it.
   */
  private onLatePong(conn: OutboundLink): void {
    const entries = conn.late.shift();
    if (entries === undefined) return;
    for (const entry of entries) {
      if (entry.confirmed) continue;
      entry.confirmed = true;
      this.queue.remove(entry);
      entry.resolve();
    }
  }

  /**
   * A connection ended: its unconfirmed frames, pinged for or not yet, are sent again on the next one.
   * @param retired the socket stays open and read (the service may still answer it): one last
   *   ping covers the frames not pinged for yet, and the pongs that still come confirm them.
   */
  releaseUnconfirmed(conn: OutboundLink, retired = false): void {
    if (retired && !conn.dead && conn.unpinged !== undefined && conn.unpinged.entries.length > 0 && conn.socket.ping()) {
      conn.batches.push(conn.unpinged);
      conn.unpinged = undefined;
    }
    conn.dead = true;
    if (retired) conn.late = conn.batches.map((b) => [...b.entries]);
    const entries: QueueEntry[] = [];
    for (const b of conn.batches) {
      for (const e of b.entries) entries.push(e);
      b.entries = [];
    }
    conn.batches = [];
    if (conn.unpinged) {
      for (const e of conn.unpinged.entries) entries.push(e);
      conn.unpinged.entries = [];
      conn.unpinged = undefined;
    }
    this.wakeDrained(conn);
    this.retry(entries);
  }
}

/** True while a frame written to `conn` waits for its pong. */
function hasUnconfirmed(conn: OutboundLink): boolean {
  if (conn.unpinged !== undefined && conn.unpinged.entries.length > 0) return true;
  for (const b of conn.batches) if (b.entries.length > 0) return true;
  return false;
}

function plain(payload: object): Record<string, unknown> {
  // RTCSessionDescription / RTCIceCandidate instances serialise through toJSON().
  const withJson = payload as { toJSON?: () => unknown };
  const value = typeof withJson.toJSON === 'function' ? withJson.toJSON() : payload;
  return { ...(value as Record<string, unknown>) };
}
