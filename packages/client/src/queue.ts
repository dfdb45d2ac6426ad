/**
 * The outbound queue: sends made while the client is connecting or
 * reconnecting wait here, bounded by count and by age (the channel's message
 * TTL: older messages would be dropped by the service anyway). Every entry
 * settles: it is written, or rejected with a typed error. Nothing is dropped
 * silently.
 * @packageDocumentation
 */

import { SignalingError } from '@kvs-sig/core';

/** Queue bounds. @public */
export interface QueueOptions {
  /** Most messages held at once; one more rejects with `QUEUE_FULL`. @default 100 */
  maxMessages?: number;
  /**
   * Oldest a held message may get before it rejects with `MESSAGE_EXPIRED` (never written),
   * or `DELIVERY_UNCONFIRMED` (written to a connection lost before the service confirmed it).
   * @default 60000 (the channel's MessageTtlSeconds once known)
   */
  maxAgeMs?: number;
}

/** One queued frame and the promise of its sender. @internal */
export interface QueueEntry {
  readonly seq: number;
  readonly frame: string;
  readonly label: string;
  readonly enqueuedAt: number;
  /**
   * Written to a socket at least once: the service may have read it even if no pong
   * confirmed it, so its expiry says `DELIVERY_UNCONFIRMED`, not `MESSAGE_EXPIRED`.
   */
  written: boolean;
  /** A pong confirmed it (perhaps a late one, on a retired socket): it is never sent again. */
  confirmed: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Bounded FIFO of outbound frames with age-based expiry. Entries stay in
 * `seq` order, which is also enqueue-time order, so the expired ones are
 * always a prefix: checking the head is enough. One expiry timer, armed only
 * while entries wait, due when the head expires.
 * @internal
 */
export class OutboundQueue {
  private entries: QueueEntry[] = [];
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When {@link OutboundQueue.timer} fires (epoch ms). */
  private timerDue = 0;
  maxMessages: number;
  private maxAge: number;

  constructor(options: QueueOptions = {}, private readonly now: () => number = Date.now) {
    this.maxMessages = options.maxMessages ?? 100;
    this.maxAge = options.maxAgeMs ?? 60_000;
  }

  /** Messages waiting. */
  get size(): number {
    return this.entries.length;
  }

  /** Current age limit in milliseconds. */
  get maxAgeMs(): number {
    return this.maxAge;
  }

  /** Changes the age limit (e.g. once the channel's TTL is known) and re-checks expiry. */
  setMaxAge(ms: number): void {
    this.maxAge = ms;
    // A shorter limit may make the head due before the armed timer.
    this.clearTimer();
    this.expire();
  }

  /**
   * An entry that is not held (the caller writes it at once), numbered in the
   * queue's order so that it goes back in its place if its write is lost.
   */
  entry(frame: string, label: string, resolve: () => void, reject: (error: unknown) => void): QueueEntry {
    return { seq: this.seq++, frame, label, enqueuedAt: this.now(), written: false, confirmed: false, resolve, reject };
  }

  /**
   * Holds `frame` until {@link OutboundQueue.take} hands it out.
   * @returns a promise that settles when the frame is written or rejected.
   */
  enqueue(frame: string, label: string): Promise<void> {
    if (this.entries.length >= this.maxMessages) {
      return Promise.reject(
        new SignalingError('QUEUE_FULL', `${label}: the outbound queue already holds ${this.maxMessages} messages`, { retryable: true }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const e = this.entry(frame, label, resolve, reject);
      this.entries.push(e);
      // Later entries expire after the head: only the first one arms the timer.
      if (this.entries.length === 1) this.arm(e.enqueuedAt + this.maxAge);
    });
  }

  /** Puts back an entry whose write failed, in its original order. */
  requeue(entry: QueueEntry): void {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.seq > entry.seq) i--;
    this.entries.splice(i, 0, entry);
    this.expire();
  }

  /** Takes `entry` out of the queue (a late pong confirmed it). @returns whether it was there. */
  remove(entry: QueueEntry): boolean {
    const i = this.entries.indexOf(entry);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    if (this.entries.length === 0) this.clearTimer();
    return true;
  }

  /** The oldest unexpired entry, left in place. */
  peek(): QueueEntry | undefined {
    this.expireHead();
    return this.entries[0];
  }

  /** Removes and returns the oldest unexpired entry. */
  take(): QueueEntry | undefined {
    this.expireHead();
    const entry = this.entries.shift();
    // Nothing left to expire: no timer may outlive the last entry.
    if (this.entries.length === 0) this.clearTimer();
    return entry;
  }

  /** Rejects every held entry with `error` (used on close). */
  rejectAll(error: unknown): void {
    const all = this.entries;
    this.entries = [];
    this.clearTimer();
    for (const e of all) e.reject(error);
  }

  /** Stops the expiry timer without settling anything. */
  dispose(): void {
    this.clearTimer();
  }

  /** Rejects every entry older than the age limit (`MESSAGE_EXPIRED` or `DELIVERY_UNCONFIRMED`) and re-arms the timer for the new head. */
  expire(): void {
    this.expireHead();
    const head = this.entries[0];
    if (head) this.arm(head.enqueuedAt + this.maxAge);
    else this.clearTimer();
  }

  /** Rejects the expired prefix (O(1) when the head is fresh). */
  private expireHead(): void {
    const entries = this.entries;
    if (entries.length === 0) return;
    const now = this.now();
    let n = 0;
    while (n < entries.length && now - entries[n]!.enqueuedAt >= this.maxAge) n++;
    if (n === 0) return;
    const expired = entries.splice(0, n);
    if (entries.length === 0) this.clearTimer();
    for (const e of expired) {
      e.reject(
        e.written
          ? // Written to a socket that died before its pong: the service may have read it and relayed it.
            new SignalingError(
              'DELIVERY_UNCONFIRMED',
              `${e.label}: written to a connection that was lost before the service confirmed reading it, and not confirmed within ${this.maxAge} ms (the channel message TTL): it may or may not have been delivered`,
              { retryable: true },
            )
          : new SignalingError(
              'MESSAGE_EXPIRED',
              `${e.label}: not sent within ${this.maxAge} ms (the channel message TTL) because the connection was not open`,
              { retryable: true },
            ),
      );
    }
  }

  /** Makes sure the timer fires no later than `due` (a timer due earlier already covers it: it re-arms when it fires). */
  private arm(due: number): void {
    if (this.timer !== undefined) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, Math.max(0, due - this.now()));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
