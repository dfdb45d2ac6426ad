/**
 * The reconnect policy users give {@link SignalingClient}, and the retry
 * strategy hook with the context it is told.
 * @packageDocumentation
 */

import type { SignalingError } from '@kvs-sig/core';

/** What a {@link RetryStrategy} is told before each retry. @public */
export interface RetryContext {
  /**
   * Retries in a row: 1 for the first wait after a failed attempt or an unexpected
   * close, then 2, 3, … until a connection opens. (The `reconnecting` event's `attempt`
   * counts connection attempts instead, so after a failed first connect it starts at 2.)
   */
  attempt: number;
  /** Why a retry is needed: the failed attempt's error, or `CONNECTION_CLOSED` for a connection that closed. */
  error: SignalingError;
  /** The same reason as text (the `reconnecting` event's `reason`). */
  reason: string;
  /**
   * The wait the built-in policy would use: capped exponential backoff with full
   * jitter, 0 for the immediate retries after a credentials refresh or a clock-skew
   * correction, at least 1 s after "too many viewers".
   */
  defaultDelayMs: number;
}

/**
 * Decides each retry of the connect loop (the counterpart of the C SDK's
 * `signalingRetryStrategyCallbacks`): return the wait in ms, or `false` to give up,
 * which ends the client with `context.error` (a first `connect()` rejects with it).
 * Errors that no retry can fix (bad configuration, repeated refusals) end the client
 * without asking; `maxAttempts` still applies. A strategy that throws or returns
 * anything but a finite number >= 0 or `false` ends the client with an
 * `INVALID_CONFIGURATION` error naming `reconnect.strategy`.
 * @public
 */
export type RetryStrategy = (context: RetryContext) => number | false;

/** Reconnect policy. @public */
export interface ReconnectOptions {
  /** Upper bound of the first backoff wait (full jitter). @default 100 */
  initialDelayMs?: number;
  /** Cap of every backoff wait. @default 10000 */
  maxDelayMs?: number;
  /** Consecutive failed attempts before giving up (also bounds a first `connect()`). @default Infinity */
  maxAttempts?: number;
  /**
   * Attempts a first `connect()` makes before it rejects with the last attempt's error
   * (each failed attempt is also an `error` event). With the default backoff, 8 attempts
   * wait at most about 13 s between them in all (6 s on average), plus the attempts
   * themselves (each bounded by `timeouts`). `Infinity` keeps trying until
   * `connect({ signal })` aborts. Reconnects after a connection has opened are bounded by
   * `maxAttempts` only.
   * @default 8
   */
  maxConnectAttempts?: number;
  /**
   * Age at which a connection is replaced (make-before-break) ahead of the
   * service's connection limit (1 h; 45 min per the SessionExpired text).
   * @default 2640000 (44 minutes)
   */
  proactiveAfterMs?: number;
  /**
   * Where the runtime cannot ping (browsers), a connection with no traffic for this
   * long is replaced (make-before-break) before the service's 10-minute idle limit cuts it.
   * @default 540000 (9 minutes)
   */
  idleAfterMs?: number;
  /**
   * Replaces the built-in backoff for every retry the client makes (see {@link RetryStrategy}).
   * `initialDelayMs`/`maxDelayMs` then only shape `context.defaultDelayMs`.
   * @default the built-in capped exponential backoff with full jitter
   */
  strategy?: RetryStrategy;
}
