/**
 * The outbound path: builds frames from the caller's SDP/ICE, holds them in
 * the bounded queue, paces them under the service's per-connection quotas,
 * and settles each send once the service confirmed reading it (the pong of
 * the ping that follows it, where the runtime can ping). Frames lost with a
 * socket go back to the queue and are sent again on the next connection.
 * @packageDocumentation
 */

import {
  SignalingError,
  ValidationError,
  constructWssMessage,
  type IceCandidatePayload,
  type Role,
  type SdpPayload,
  type WssAction,
} from '@kvs-sig/core';
import { OutboundQueue, type QueueEntry, type QueueOptions } from './queue';
import type { Socket } from './transport';
import type { ClientMetrics, IceCandidateInit, SendOptions } from './types';

/** The service's quota window (1 s) plus a margin for arrival jitter. */
const RATE_WINDOW_MS = 1100;

/** Frames written before one ping; the pong proves the service read them (TCP and WebSocket keep order). */
interface PingBatch {
  entries: Set<QueueEntry>;
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
  /** Pings in flight, oldest first (keepalive pings carry no entries). */
  batches: PingBatch[];
  /** Called when `batches` holds no entry any more, or the connection ends. */
  drained: Array<() => void>;
  dead: boolean;
  /** Write times in the current rate window, per kind (the service counts per connection). */
  sent: { sdp: number[]; ice: number[] };
  paceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Last frame in or out (the service's idle clock). */
  lastActivity: number;
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
  return { socket, batches: [], drained: [], dead: false, sent: { sdp: [], ice: [] }, paceTimer: undefined, lastActivity: Date.now() };
}

/**
 * Validates one send and builds its frame.
 * @throws ValidationError naming the recipient or payload field that is wrong.
 * @internal
 */
export function buildFrame(
  role: Role,
  action: WssAction,
  payload: SdpPayload | IceCandidateInit,
  recipient: string | undefined,
  options: SendOptions,
): string {
  if (role === 'MASTER' && (recipient === undefined || recipient === '')) {
    throw new ValidationError('recipientClientId', 'is required when the master sends (the viewer to send to)');
  }
  if (role === 'VIEWER' && recipient !== undefined) {
    throw new ValidationError('recipientClientId', 'must be absent when a viewer sends (messages always go to the master)');
  }
  if (action === 'ICE_CANDIDATE') {
    if (typeof payload !== 'object' || payload === null || typeof (payload as IceCandidatePayload).candidate !== 'string') {
      throw new ValidationError('candidate.candidate', 'must be a string (an RTCIceCandidateInit)');
    }
  } else if (typeof payload !== 'object' || payload === null || typeof (payload as SdpPayload).type !== 'string') {
    throw new ValidationError(action === 'SDP_OFFER' ? 'offer.type' : 'answer.type', 'must be a string (an RTCSessionDescriptionInit)');
  }
  return constructWssMessage({
    action,
    payload: plain(payload),
    ...(recipient === undefined ? {} : { recipientClientId: recipient }),
    ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
  });
}

/**
 * The bounded queue plus pacing and delivery confirmation.
 * @internal
 */
export class Outbox {
  private readonly queue: OutboundQueue;
  private readonly userQueueAge: number | undefined;
  private readonly confirmOnWrite = new WeakSet<QueueEntry>();

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

  /** Queues a built frame and writes it at once if it can. @returns a promise that settles with the send. */
  send(frame: string, label: string): Promise<void> {
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

  /** Stops the queue's expiry timer. */
  dispose(): void {
    this.queue.dispose();
  }

  /**
   * Writes every queued frame to the current socket. Where the runtime can
   * ping (ws), one ping follows the frames and each send resolves on its pong:
   * proof that the service read it. If the connection dies first, the frames
   * go back to the queue and are sent again on the next connection (at least
   * once). Without ping (browsers) a send resolves once written.
   */
  flush(): void {
    const conn = this.host.current();
    if (!conn || !conn.socket.isOpen || this.queue.size === 0 || conn.paceTimer !== undefined) return;
    const batch: PingBatch = { entries: new Set(), sentAt: 0 };
    for (let head = this.queue.peek(); head; head = this.queue.peek()) {
      const wait = this.paceWait(conn, head.label === 'ICE_CANDIDATE' ? 'ice' : 'sdp');
      if (wait > 0) {
        conn.paceTimer = setTimeout(() => {
          conn.paceTimer = undefined;
          this.flush();
        }, wait);
        break;
      }
      const entry = this.queue.take()!;
      batch.entries.add(entry);
      this.write(conn, entry, batch);
    }
    if (batch.entries.size === 0) return;
    if (conn.socket.ping()) {
      batch.sentAt = Date.now();
      conn.batches.push(batch);
    } else {
      for (const entry of batch.entries) this.confirmOnWrite.add(entry);
    }
  }

  /** When the oldest unanswered ping on `conn` was sent, if one is out. */
  oldestPingSentAt(conn: OutboundLink): number | undefined {
    return conn.batches[0]?.sentAt;
  }

  /** Sends a keepalive ping on `conn`. @returns false where the runtime cannot ping. */
  ping(conn: OutboundLink): boolean {
    if (!conn.socket.ping()) return false;
    conn.batches.push({ entries: new Set(), sentAt: Date.now() });
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

  private write(conn: OutboundLink, entry: QueueEntry, batch: PingBatch): void {
    conn.lastActivity = Date.now();
    conn.socket.send(entry.frame).then(
      () => {
        this.host.metrics.messagesSent += 1;
        // Browsers: flush() marks the batch synchronously, before any write settles.
        if (this.confirmOnWrite.has(entry)) entry.resolve();
      },
      () => {
        // The socket died under the write: the entry waits for the next connection
        // (unless releaseUnconfirmed already put it back).
        if (batch.entries.delete(entry)) this.retry(entry);
      },
    );
  }

  /** Puts an unconfirmed entry back in the queue, or rejects it if the client is closing. */
  private retry(entry: QueueEntry): void {
    if (this.host.isClosing()) {
      entry.reject(
        new SignalingError('CLIENT_CLOSED', `${entry.label}: the client was closed before the service confirmed reading it (it may or may not have been delivered)`),
      );
      return;
    }
    this.queue.requeue(entry);
    this.flush();
  }

  /** A pong arrived on `conn`: the frames of its oldest ping are confirmed. */
  onPong(conn: OutboundLink): void {
    const batch = conn.batches.shift();
    if (batch) for (const entry of batch.entries) entry.resolve();
    if (!conn.batches.some((b) => b.entries.size > 0)) this.wakeDrained(conn);
  }

  private wakeDrained(conn: OutboundLink): void {
    for (const wake of conn.drained.splice(0)) wake();
  }

  /** Waits (at most `ms`) until every frame written to `conn` is confirmed. */
  drain(conn: OutboundLink, ms: number): Promise<void> {
    if (conn.dead || !conn.batches.some((b) => b.entries.size > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      conn.drained.push(done);
    });
  }

  /** A connection ended: its unconfirmed frames are sent again on the next one. */
  releaseUnconfirmed(conn: OutboundLink): void {
    conn.dead = true;
    const entries = conn.batches.flatMap((b) => [...b.entries]);
    for (const b of conn.batches) b.entries.clear();
    conn.batches = [];
    this.wakeDrained(conn);
    for (const entry of entries) this.retry(entry);
  }
}

function plain(payload: object): Record<string, unknown> {
  // RTCSessionDescription / RTCIceCandidate instances serialise through toJSON().
  const withJson = payload as { toJSON?: () => unknown };
  const value = typeof withJson.toJSON === 'function' ? withJson.toJSON() : payload;
  return { ...(value as Record<string, unknown>) };
}
