import { ValidationError, classifyServiceError, isSignalingError } from '@kvs-sig/core';

/** Options of {@link ClockSkew}. @public */
export interface ClockSkewOptions {
  /** Adopt the server's time only when it differs by more than this. Default 5 minutes (the SigV4 tolerance). */
  thresholdMs?: number;
  /** Local clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Learns and holds the offset between this machine's clock and the service's,
 * from HTTP `Date` headers, the way the C SDK corrects skew.
 * @public
 */
export class ClockSkew {
  #offsetMs = 0;
  readonly #thresholdMs: number;
  readonly #now: () => number;

  constructor(options: ClockSkewOptions = {}) {
    this.#thresholdMs = options.thresholdMs ?? 5 * 60_000;
    if (!Number.isFinite(this.#thresholdMs) || this.#thresholdMs < 0) {
      throw new ValidationError('thresholdMs', 'must be a finite number >= 0', 'INVALID_CONFIGURATION');
    }
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds to add to the local clock to get the service's time. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /**
   * Compares a server time (an HTTP `Date` header or a Date) with the local
   * clock. Beyond the threshold the offset becomes `server - local`; within it
   * the offset returns to 0 (the local clock is good enough again).
   * @returns whether the offset changed.
   * @throws ValidationError when `serverDate` is not a valid date.
   */
  update(serverDate: string | Date, localNow: number = this.#now()): boolean {
    const server = serverDate instanceof Date ? serverDate.getTime() : Date.parse(serverDate);
    if (Number.isNaN(server)) {
      throw new ValidationError('serverDate', `is not a valid date: ${JSON.stringify(String(serverDate)).slice(0, 64)}`);
    }
    const diff = server - localNow;
    const next = Math.abs(diff) > this.#thresholdMs ? diff : 0;
    const changed = next !== this.#offsetMs;
    this.#offsetMs = next;
    return changed;
  }

  /** The local time corrected by the learnt offset. */
  now(): Date {
    return new Date(this.#now() + this.#offsetMs);
  }
}

/**
 * True when an error says the request was refused because of the signing time:
 * core's `CLOCK_SKEW` code, a skew error type, or a message saying the signature
 * expired or is not yet current (the 403 text of AWS).
 * @public
 */
export function isClockSkewError(error: unknown): boolean {
  // Names and wording come from core's one table (classifyServiceError); the status is left
  // out on purpose: a 403 is only skew when its name or text says so.
  if (typeof error === 'string') return classifyServiceError({ message: error }) === 'clock-skew';
  if (typeof error !== 'object' || error === null) return false;
  if (isSignalingError(error) && error.code === 'CLOCK_SKEW') return true;
  const e = error as { errorType?: unknown; name?: unknown; message?: unknown };
  if (classifyServiceError({ errorType: e.errorType, message: e.message }) === 'clock-skew') return true;
  return classifyServiceError({ errorType: e.name }) === 'clock-skew';
}
