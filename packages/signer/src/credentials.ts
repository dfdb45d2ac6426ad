import { SignalingError, ValidationError, isSignalingError } from '@kvs-sig/core';

/**
 * AWS credentials as every AWS SDK provider returns them.
 * @public
 */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; absent for long-term keys. */
  expiration?: Date;
}

/**
 * Any function that resolves credentials, e.g. every provider of
 * `@aws-sdk/credential-providers`.
 * @public
 */
export type CredentialsProviderFn = () => Promise<Credentials>;

/** Static credentials or a provider function. @public */
export type CredentialsInput = Credentials | CredentialsProviderFn;

/**
 * A memoising source of credentials.
 * @public
 */
export interface CredentialsProvider {
  /** Cached credentials, refreshed first when they expire within the refresh window. */
  get(): Promise<Credentials>;
  /** Forces a new fetch, e.g. after the service answered 401/403. */
  refresh(): Promise<Credentials>;
}

/** Options of {@link createCredentialsProvider}. @public */
export interface CredentialsProviderOptions {
  /** Refresh when `expiration - now` is below this. Default 5 minutes. */
  refreshWindowMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Default refresh-ahead window: 5 minutes. @public */
export const DEFAULT_REFRESH_WINDOW_MS = 5 * 60_000;

/** True for an object that already is a {@link CredentialsProvider}. @public */
export function isCredentialsProvider(value: unknown): value is CredentialsProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CredentialsProvider).get === 'function' &&
    typeof (value as CredentialsProvider).refresh === 'function'
  );
}

/**
 * Checks the shape of resolved credentials and returns a clean copy.
 * Missing or empty keys throw `MISSING_CREDENTIALS` naming the field; other
 * other garbage throws `INVALID_CONFIGURATION` naming the field (both ValidationErrors).
 * @public
 */
export function validateCredentials(value: unknown, source = 'credentials'): Credentials {
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError(source, `expected an object with accessKeyId and secretAccessKey, got ${describe(value)}`, 'INVALID_CONFIGURATION');
  }
  const v = value as Record<string, unknown>;
  for (const field of ['accessKeyId', 'secretAccessKey'] as const) {
    const f = v[field];
    if (f === undefined || f === null || f === '') {
      throw new ValidationError(`${source}.${field}`, 'is missing or empty', 'MISSING_CREDENTIALS');
    }
    if (typeof f !== 'string') {
      throw new ValidationError(`${source}.${field}`, `must be a string, got ${typeof f}`, 'MISSING_CREDENTIALS');
    }
  }
  const out: Credentials = { accessKeyId: v.accessKeyId as string, secretAccessKey: v.secretAccessKey as string };
  const token = v.sessionToken;
  if (token !== undefined && token !== null) {
    if (typeof token !== 'string') {
      throw new ValidationError(`${source}.sessionToken`, `must be a string, got ${typeof token}`, 'INVALID_CONFIGURATION');
    }
    // The AWS SDKs treat an empty token as "no token"; so do we.
    if (token !== '') out.sessionToken = token;
  }
  const exp = v.expiration;
  if (exp !== undefined && exp !== null) {
    const date = exp instanceof Date ? exp : typeof exp === 'string' || typeof exp === 'number' ? new Date(exp) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) {
      throw new ValidationError(`${source}.expiration`, 'is not a valid date', 'INVALID_CONFIGURATION');
    }
    out.expiration = date;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value;
}

/**
 * Normalises static credentials, a provider function or an existing provider
 * into a {@link CredentialsProvider}. Function results are memoised and
 * refreshed ahead of expiry; concurrent callers share one in-flight fetch, and a
 * failed fetch is not cached (the next call tries again). A provider that throws
 * gives `CREDENTIALS_PROVIDER_FAILED` (a SignalingError it throws passes through
 * unchanged); a result without keys gives `MISSING_CREDENTIALS` naming the field.
 * @public
 */
export function createCredentialsProvider(
  input: CredentialsInput | CredentialsProvider,
  options: CredentialsProviderOptions = {},
): CredentialsProvider {
  if (isCredentialsProvider(input)) return input;
  const windowMs = options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS;
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new ValidationError('refreshWindowMs', 'must be a finite number >= 0', 'INVALID_CONFIGURATION');
  }
  const now = options.now ?? Date.now;
  if (typeof input !== 'function') {
    // Validate eagerly so a bad static value fails at construction, not at first use.
    const fixed = validateCredentials(input);
    const resolved = Promise.resolve(fixed);
    return { get: () => resolved, refresh: () => resolved };
  }
  const fn = input;
  let cached: Credentials | undefined;
  let inflight: Promise<Credentials> | undefined;

  const fetchOnce = (): Promise<Credentials> => {
    if (inflight) return inflight;
    const p = (async () => {
      let raw: unknown;
      try {
        raw = await fn();
      } catch (cause) {
        // Our own typed errors (e.g. the IoT provider's ServiceError) already say what failed.
        if (isSignalingError(cause)) throw cause;
        throw new SignalingError('CREDENTIALS_PROVIDER_FAILED', `credentials provider failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
          cause,
          retryable: true,
        });
      }
      const creds = validateCredentials(raw);
      cached = creds;
      return creds;
    })();
    inflight = p;
    // Clear the slot whatever happens, so a failure is retried by the next caller.
    p.then(
      () => { if (inflight === p) inflight = undefined; },
      () => { if (inflight === p) inflight = undefined; },
    );
    return p;
  };

  const fresh = (c: Credentials): boolean => c.expiration === undefined || c.expiration.getTime() - now() > windowMs;

  return {
    async get() {
      if (cached && fresh(cached)) return cached;
      const stale = cached;
      try {
        return await fetchOnce();
      } catch (error) {
        // A refresh ahead of expiry that fails must not break callers while the old keys still work.
        if (stale?.expiration && stale.expiration.getTime() > now()) return stale;
        throw error;
      }
    },
    refresh: fetchOnce,
  };
}
