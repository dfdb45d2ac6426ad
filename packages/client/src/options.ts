/**
 * Option types shared by {@link SignalingClient} and {@link ChannelManager},
 * the logger contract, and the platform seam (Node vs browser defaults).
 * @packageDocumentation
 */

import { ValidationError, isLoopbackHost, isValidClientId, redactSecrets, type Role, type SignalingError } from '@kvs-sig/core';
import type { CredentialsInput, CredentialsProvider, RequestSigner } from '@kvs-sig/signer';
import type { EndpointCache } from './cache';
import type { FetchLike, WebSocketConstructor, WebSocketFactory } from './transport';

/**
 * A logger. Every method is optional. Messages and fields never carry secrets:
 * URLs are redacted and credentials are never passed.
 * @public
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** TLS settings for the Node transports. @public */
export interface TlsOptions {
  /**
   * The CA certificates (PEM) to trust, e.g. a local emulator's (as Node's own
   * `ca` option). Node, Bun and Deno; browsers use their own trust store.
   */
  ca?: string | string[];
}

/** Time limits. @public */
export interface TimeoutOptions {
  /** Limit of each HTTPS call (control plane, ICE), from when it leaves the process's queue for its origin. @default 5000 */
  requestMs?: number;
  /** Limit of each WebSocket handshake (its attempt waits its turn among the process's before it starts). @default 5000 */
  handshakeMs?: number;
}

/** Options to reach the service, shared by {@link SignalingClient} and {@link ChannelManager}. @public */
export interface ConnectionOptions {
  /** AWS region, e.g. `us-west-2`. */
  region: string;
  /**
   * AWS credentials: static keys, an async function returning them (refreshed
   * before they expire), or a `{ get, refresh }` provider. Give this or `requestSigner`.
   */
  credentials?: CredentialsInput | CredentialsProvider;
  /**
   * Signs for you (e.g. a backend that holds the keys, so a browser never does).
   * Without `signRequest` it can only sign the WebSocket URL: then pass
   * `channelArn` and `signalingEndpoints` to the client. Give this or `credentials`.
   */
  requestSigner?: RequestSigner;
  /** Custom control-plane endpoint (`https://…`). @default the regional endpoint */
  endpoint?: string;
  /** Use the FIPS control-plane endpoint. @default false */
  useFipsEndpoint?: boolean;
  /** Use the dual-stack (IPv6) endpoint. @default false */
  useDualstackEndpoint?: boolean;
  /**
   * `fetch` to use; yours is used as is (no shared pool, nothing closed for you).
   * @default Node entry: undici with keep-alive, one pool per `tls` trust shared by every client and manager of the process; browser entry: `globalThis.fetch`
   */
  fetch?: FetchLike;
  /** Time limits. */
  timeouts?: TimeoutOptions;
  /** Receives diagnostics; never secrets. */
  logger?: Logger;
  /** Trusted CA certificates, in place of Node's default roots (Node transports only). */
  tls?: TlsOptions;
  /** Accept `http://` and `ws://` endpoints, and only towards a loopback host. @default false */
  allowInsecureEndpoints?: boolean;
}

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

/** Platform defaults an entry point supplies. @internal */
export interface Platform {
  readonly name: 'node' | 'browser';
  /** A fetch for these TLS options, with a disposer for its connection pool. */
  createFetch(tls: TlsOptions | undefined): { fetch: FetchLike; dispose(): Promise<void> } | undefined;
  /** A WebSocket factory for these TLS options. */
  createWebSocket(tls: TlsOptions | undefined): WebSocketFactory | undefined;
}

/** A bad option: `INVALID_CONFIGURATION` naming the field and the rule it breaks. @internal */
export function badOption(field: string, rule: string): ValidationError {
  return new ValidationError(field, rule, 'INVALID_CONFIGURATION');
}

/** Wraps a user `WebSocket` constructor as a factory. @internal */
export function factoryFromConstructor(ctor: WebSocketConstructor): WebSocketFactory {
  return (url) => new ctor(url);
}

/** The role type re-exported for option docs. @public */
export type { Role };

/** Logging that redacts messages and string fields. @internal */
export class SafeLogger {
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  #call(level: keyof Logger, message: string, fields?: Record<string, unknown>): void {
    const fn = this.#logger?.[level];
    if (typeof fn !== 'function') return;
    try {
      fn.call(this.#logger, redactSecrets(message), fields === undefined ? undefined : sanitizeFields(fields));
    } catch {
      // A failing logger must not break signaling.
    }
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#call('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#call('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#call('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#call('error', message, fields);
  }
}

function sanitizeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (/secret|token|password|credential|signature|authorization/i.test(k)) out[k] = '[REDACTED]';
    else if (typeof v === 'string') out[k] = redactSecrets(v);
    else if (v instanceof Error) out[k] = redactSecrets(`${v.name}: ${v.message}`);
    else if (typeof v === 'object' && v !== null) {
      try {
        out[k] = JSON.parse(redactSecrets(JSON.stringify(v))) as unknown;
      } catch {
        out[k] = '[unserialisable]';
      }
    } else out[k] = v;
  }
  return out;
}

/**
 * Refuses `http://`/`ws://` unless allowed and towards a loopback host.
 * @returns the URL unchanged.
 * @internal
 */
export function checkEndpointScheme(url: string, field: string, allowInsecure: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // core's builders report malformed URLs with the field name.
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'ws:') {
    if (!allowInsecure || !isLoopbackHost(parsed.hostname)) {
      return throwInsecure(field, url, allowInsecure);
    }
  }
  return url;
}

function throwInsecure(field: string, url: string, allowed: boolean): never {
  const scheme = url.split(':')[0];
  const hint = allowed
    ? 'insecure endpoints are allowed only towards a loopback host'
    : 'set allowInsecureEndpoints: true (loopback hosts only) or use a secure scheme';
  throw new ValidationError(field, `${scheme}:// refused: ${hint}`, 'INSECURE_ENDPOINT');
}

/** Validates a viewer's client id (1–256 of `[a-zA-Z0-9_.-]`, not starting with `AWS_`). @internal */
export function checkClientId(id: unknown): void {
  if (!isValidClientId(id)) throw badOption('clientId', 'must be 1–256 characters of [a-zA-Z0-9_.-]');
  if (!isValidClientId(id, { viewer: true })) throw badOption('clientId', 'must not start with AWS_ (reserved by the service)');
}

/** Validates an optional finite number >= 0, or returns `fallback`. @internal */
export function checkNonNegative(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badOption(field, 'must be a finite number >= 0');
  }
  return value;
}

/** Validates a count: an integer >= 1, or Infinity. @internal */
export function checkPositiveCount(value: number, field: string): number {
  if (typeof value !== 'number' || !(value >= 1) || (!Number.isInteger(value) && value !== Infinity)) {
    throw badOption(field, 'must be an integer >= 1 (or Infinity)');
  }
  return value;
}
