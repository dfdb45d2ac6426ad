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
  /** Oldest a held message may get before it rejects with `MESSAGE_EXPIRED`. @default 60000 (the channel's MessageTtlSeconds once known) */
  maxAgeMs?: number;
}

/** One queued frame and the promise of its sender. @internal */
export interface QueueEntry {
  readonly seq: number;
  readonly frame: string;
  readonly label: string;
  readonly enqueuedAt: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Bounded FIFO of outbound frames with age-based expiry.
 * @internal
 */
export class OutboundQueue {
  private entries: QueueEntry[] = [];
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
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
    this.expire();
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
      this.entries.push({ seq: this.seq++, frame, label, enqueuedAt: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Puts back an entry whose write failed, in its original order. */
  requeue(entry: QueueEntry): void {
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.seq > entry.seq) i--;
    this.entries.splice(i, 0, entry);
    this.expire();
  }

  /** The oldest unexpired entry, left in place. */
  peek(): QueueEntry | undefined {
    this.expire();
    return this.entries[0];
  }

  /** Removes and returns the oldest unexpired entry. */
  take(): QueueEntry | undefined {
    this.expire();
    const entry = this.entries.shift();
    this.schedule();
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

  /** Rejects every entry older than the age limit with `MESSAGE_EXPIRED`. */
  expire(): void {
    const now = this.now();
    const keep: QueueEntry[] = [];
    const expired: QueueEntry[] = [];
    for (const e of this.entries) (now - e.enqueuedAt >= this.maxAge ? expired : keep).push(e);
    this.entries = keep;
    for (const e of expired) {
      e.reject(
        new SignalingError(
          'MESSAGE_EXPIRED',
          `${e.label}: not sent within ${this.maxAge} ms (the channel message TTL) because the connection was not open`,
          { retryable: true },
        ),
      );
    }
    this.schedule();
  }

  private schedule(): void {
    this.clearTimer();
    const oldest = this.entries[0];
    if (!oldest) return;
    const due = Math.max(0, oldest.enqueuedAt + this.maxAge - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, due);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
