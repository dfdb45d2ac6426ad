/**
 * A process-wide bound on WebSocket handshakes in flight.
 *
 * When a service deploy cuts thousands of masters of one gateway at once, they
 * all reconnect within their first backoff (0–100 ms). Every handshake is a TLS
 * handshake plus an upgrade on the one JavaScript thread; started together,
 * 5,000 of them take longer than `handshakeMs` each, time out, are retried, and
 * the retries pile on (measured: 2,015 of 5,000 back after 120 s, 35,401
 * errors). Queued behind a bound, they finish one batch after another, and the
 * wait for a slot is not part of `handshakeMs`.
 * @packageDocumentation
 */

import { AbortError } from '@kvs-sig/core';

/**
 * Handshakes in flight per process. Enough to keep a link busy (at 300 ms per
 * handshake, 128 slots open about 400 connections a second, faster than one
 * core finishes their TLS), few enough that each finishes in well under the
 * default 5 s `handshakeMs` on a loaded core.
 * @internal
 */
export const MAX_CONCURRENT_HANDSHAKES = 128;

/** At most `limit` holders at a time; the others wait in arrival order. @internal */
export class Gate {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  /** Slots free now, and callers waiting for one (tests). */
  get state(): { free: number; waiting: number } {
    return { free: this.#free, waiting: this.#waiting.length };
  }

  /**
   * Resolves with the release function once a slot is free; rejects with an
   * `AbortError` if `signal` aborts first (the place in the queue is given up).
   * Releasing twice frees one slot.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortError('connect was aborted'));
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#releaser());
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new AbortError('connect was aborted'));
      };
      this.#waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

let shared: Gate | undefined;

/** The gate every client of this process (of this copy of the module) shares. @internal */
export function handshakeGate(): Gate {
  return (shared ??= new Gate(MAX_CONCURRENT_HANDSHAKES));
}
