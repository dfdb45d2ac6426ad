/**
 * Process-wide bounds on work in flight: connection attempts (the
 * control-plane calls an attempt needs, then its WebSocket handshake), and
 * HTTPS requests per origin.
 *
 * When a service deploy cuts thousands of masters of one gateway at once, they
 * all reconnect within their first backoff (0–100 ms); when a gateway starts,
 * it calls `connect()` on all of them together. Started at once, 5,000
 * handshakes (a TLS handshake and an upgrade each, on the one JavaScript
 * thread) or 15,000 control-plane calls take longer than their time limit,
 * time out, are retried, and the retries pile on (measured: 2,015 of 5,000
 * masters back after 120 s with 35,401 errors; a cold start of 5,000 took
 * 207 s). Queued behind a bound they finish batch after batch, and a call's
 * time limit (`handshakeMs`, `requestMs`) starts when it leaves the queue.
 * Whole attempts are bounded, not only their handshakes, so that an attempt
 * once started finishes, instead of 5,000 Describes queueing ahead of every
 * GetSignalingChannelEndpoint (a start of 5,000 at once took 36.6 s with only
 * the handshakes bounded, 32.1 s with the attempts).
 * @packageDocumentation
 */

import { AbortError } from '@kvs-sig/core';

/**
 * Connection attempts in flight per process. Enough to keep the links busy (at
 * 300 ms per handshake, 128 slots open about 400 connections a second, faster
 * than one core finishes their TLS), few enough that each finishes well under
 * the default 5 s limits on a loaded core.
 * @internal
 */
export const MAX_CONCURRENT_CONNECTS = 128;

/** At most `limit` holders at a time; the others wait in arrival order. @internal */
export class Gate {
  readonly #limit: number;
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
    this.#free = limit;
  }

  /** Slots free now, and callers waiting for one (tests). */
  get state(): { free: number; waiting: number } {
    return { free: this.#free, waiting: this.#waiting.length };
  }

  /** No holder and no waiter. */
  get idle(): boolean {
    return this.#free === this.#limit && this.#waiting.length === 0;
  }

  /**
   * Resolves with the release function once a slot is free; rejects with an
   * `AbortError` naming `what` if `signal` aborts first (the place in the
   * queue is given up). Releasing twice frees one slot.
   */
  acquire(signal?: AbortSignal, what = 'connect'): Promise<() => void> {
    const aborted = (): AbortError => new AbortError(`${what} was aborted while waiting its turn`, { cause: signal?.reason });
    if (signal?.aborted) return Promise.reject(aborted());
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
        reject(aborted());
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

/**
 * Requests in flight per origin (the control plane, each HTTPS signaling
 * endpoint). Node's shared undici pool opens as many connections per origin,
 * so a request that leaves this queue finds a socket at once.
 * @internal
 */
export const MAX_REQUESTS_PER_ORIGIN = 64;

let connects: Gate | undefined;
const requests = new Map<string, Gate>();

/** The connection-attempt gate every client of this process (of this copy of the module) shares. @internal */
export function connectGate(): Gate {
  return (connects ??= new Gate(MAX_CONCURRENT_CONNECTS));
}

/**
 * Takes a request slot for `url`'s origin. A gate goes away once it is idle,
 * so origins seen once do not accumulate.
 * @internal
 */
export async function acquireRequestSlot(url: string, signal: AbortSignal | undefined, operation: string): Promise<() => void> {
  const origin = originOf(url);
  let gate = requests.get(origin);
  if (!gate) {
    gate = new Gate(MAX_REQUESTS_PER_ORIGIN);
    requests.set(origin, gate);
  }
  const g = gate;
  const release = await g.acquire(signal, operation).catch((error: unknown) => {
    if (g.idle) requests.delete(origin);
    throw error;
  });
  return () => {
    release();
    if (g.idle && requests.get(origin) === g) requests.delete(origin);
  };
}

/** Origins with a live request gate (tests). @internal */
export function requestGateOrigins(): string[] {
  return [...requests.keys()];
}

function originOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  return m ? m[0].toLowerCase() : url;
}
