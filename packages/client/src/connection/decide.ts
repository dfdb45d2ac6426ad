/**
 * What a failed connection attempt means for the next one: a pure decision over the error
 * and what the loop knows (the C SDK's routing table). No I/O: the connect loop applies it.
 * The kind of AWS refusal comes from core's one table (`classifyServiceError`).
 * @packageDocumentation
 */
import { classifyServiceError, isSignalingError, type ServiceError, type SignalingError } from '@kvs-sig/core';
// The credentials entry: no SigV4 module in a browser bundle that signs on a backend.
import { isClockSkewError } from '@kvs-sig/signer/credentials';

/** Least wait after "the channel already has the maximum number of viewers". */
export const VIEWER_LIMIT_DELAY_MS = 1000;
/** The least wait after a ClientLimitExceededException rate limit (the service counts calls per second). */
export const THROTTLE_DELAY_MS = 1000;

/** What the loop knows when an attempt fails. */
export interface FailureContext {
  /** A connection of this client has opened before (reconnecting, not a first connect). */
  everOpened: boolean;
  /** The channel is looked up by name (a re-created channel can be found again). */
  byName: boolean;
  /** DescribeSignalingChannel itself said 404 during this outage (and creating is off). */
  describe404: boolean;
  /** Auth refusals in a row since the last open (or connect()). */
  authFailures: number;
  /** Clock-skew refusals in a row since the last open (or connect()). */
  skewRetries: number;
}

/** The README's name for each route (one row of "How a connection attempt is routed"). */
export type Route = 'refresh-credentials' | 'drop-cache' | 're-resolve' | 'back-off' | 'correct-clock' | 'give-up';

/** What to do before the next attempt, and whether there is one. */
export interface Decision {
  route: Route;
  /** Retrying cannot help: end the loop with this error. */
  giveUp: boolean;
  refreshCredentials: boolean;
  reResolveEndpoint: boolean;
  /** Forget the cached ARN and endpoints; describe again. */
  dropCache: boolean;
  /** The next attempt starts without waiting (a refresh or a clock correction can fix it). */
  atOnce: boolean;
  /** The wait before the next attempt is at least this (0: the backoff alone). */
  leastDelayMs: number;
  /** The counters after this failure (the context's next values). */
  authFailures: number;
  skewRetries: number;
}

const FATAL_CODES = new Set(['MISSING_CREDENTIALS', 'INVALID_CONFIGURATION', 'INSECURE_ENDPOINT']);
const VIEWER_LIMIT = /maximum number of viewers|too many viewers/i;

function isAuthRefusal(error: ServiceError): boolean {
  const s = error.httpStatus;
  const cls = classifyServiceError(error);
  return s === 401 || s === 403 || cls === 'credentials' || cls === 'access-denied';
}

/** Routes one failed attempt. Pure: same error and context, same decision. */
export function decide(error: SignalingError, ctx: Readonly<FailureContext>): Decision {
  const d: Decision = {
    route: 'back-off',
    giveUp: false,
    refreshCredentials: false,
    reResolveEndpoint: false,
    dropCache: false,
    atOnce: false,
    leastDelayMs: 0,
    authFailures: ctx.authFailures,
    skewRetries: ctx.skewRetries,
  };
  // A 403 refusal is retried at once while credentials have not been refused twice in a row.
  const authAtOnce = (): boolean => isSignalingError(error, 'ServiceError') && isAuthRefusal(error) && d.authFailures <= 1;
  if (isSignalingError(error, 'ValidationError')) return { ...d, route: 'give-up', giveUp: true };
  if (isClockSkewError(error)) {
    // The offset was learnt from the reply's Date header (HTTP) or is unknown (handshake):
    // the second time in a row, re-probe via the control plane.
    d.route = 'correct-clock';
    d.skewRetries += 1;
    d.reResolveEndpoint = d.skewRetries > 1;
    d.atOnce = d.skewRetries <= 1 || authAtOnce();
    return d;
  }
  if (isSignalingError(error, 'ServiceError')) {
    const s = error.httpStatus;
    const cls = classifyServiceError(error);
    if (isAuthRefusal(error)) {
      d.route = 'refresh-credentials';
      d.authFailures += 1;
      d.refreshCredentials = true;
      // Before the first open, repeated refusals are a configuration problem: say so. Once
      // connected, keep healing (keys get rotated, policies get fixed) and report each failure.
      d.giveUp = !ctx.everOpened && d.authFailures > 2;
      d.atOnce = authAtOnce();
      return d;
    }
    if (s === 404 || cls === 'not-found') {
      if (error.code === 'DELIVERY_FAILED') return d;
      d.route = 'drop-cache';
      d.dropCache = true;
      // The channel does not exist. Before the first open that is a wrong name or ARN: fail
      // at once. Once connected, a channel looked up by name may be re-created (a master
      // with createChannelIfMissing, an operator): keep looking it up, with the usual
      // backoff and an error per attempt, so the client follows it whatever the timing.
      // An ARN names one incarnation: a re-created channel has another, so give up.
      d.giveUp = ctx.describe404 && (!ctx.everOpened || !ctx.byName);
      return d;
    }
    if (error.errorType === 'ClientLimitExceededException') {
      // "Too many viewers" is not throttling: a slot frees up when a viewer leaves, which
      // takes seconds, so do not knock every 100 ms (the ConnectAs* quota is 3/s per channel).
      // A full channel frees up on a human time scale; a rate limit is counted per second, so an
      // attempt sooner than a second after it is refused again and only burns the first connect's budget.
      d.leastDelayMs = VIEWER_LIMIT.test(error.message) ? VIEWER_LIMIT_DELAY_MS : THROTTLE_DELAY_MS;
      return d;
    }
    if (s >= 500 || s === 408 || s === 429) return { ...d, route: 're-resolve', reResolveEndpoint: true };
    if (s === 400 && (cls === 'invalid-argument' || cls === 'quota')) return { ...d, route: 'give-up', giveUp: true };
    const giveUp = !error.retryable && s < 500 && s !== 400;
    return giveUp ? { ...d, route: 'give-up', giveUp } : d;
  }
  if (FATAL_CODES.has(error.code)) return { ...d, route: 'give-up', giveUp: true };
  // An untrusted certificate before the first open is configuration (tls.ca), not weather.
  if (isSignalingError(error, 'TransportError') && !error.retryable && !ctx.everOpened) return { ...d, route: 'give-up', giveUp: true };
  if (error.code === 'CREDENTIALS_PROVIDER_FAILED') {
    // Before the first open this is almost always configuration: fail fast. Later it is
    // more likely a passing outage of the credentials source: keep healing.
    return { ...d, route: 'refresh-credentials', refreshCredentials: true, giveUp: !ctx.everOpened };
  }
  // Timeouts, network failures, unclassified handshake failures, malformed replies: re-resolve the endpoint.
  return { ...d, route: 're-resolve', reResolveEndpoint: true };
}
