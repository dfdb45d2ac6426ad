/**
 * Capped exponential backoff with full jitter (the AWS architecture-blog
 * "full jitter" variant the C SDK uses): the n-th retry waits a uniformly random
 * time in `[0, min(maxDelayMs, initialDelayMs * 2^n))`.
 * @packageDocumentation
 */

/** Backoff settings. @public */
export interface BackoffOptions {
  /** Upper bound of the first wait. @default 100 */
  initialDelayMs?: number;
  /** Cap of every wait. @default 10000 */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. @default Math.random */
  random?: () => number;
}

/**
 * The wait before retry number `attempt` (0-based).
 * @public
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  // 2^attempt overflows to Infinity for large attempts; min() caps it first.
  const ceiling = Math.min(max, initial * 2 ** Math.max(0, Math.min(attempt, 60)));
  return Math.floor(random() * ceiling);
}

/**
 * Stateful backoff: `next()` returns the next wait and counts the attempt;
 * `reset()` starts over (call it after a success).
 * @public
 */
export class Backoff {
  #n = 0;
  readonly #options: BackoffOptions;

  constructor(options: BackoffOptions = {}) {
    this.#options = options;
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.#n;
  }

  /** The wait before the next attempt. */
  next(): number {
    const delay = backoffDelay(this.#n, this.#options);
    this.#n += 1;
    return delay;
  }

  /** Starts over from the initial delay. */
  reset(): void {
    this.#n = 0;
  }
}
