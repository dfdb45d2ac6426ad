import { HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import { SignalingError, ValidationError } from '@kvs-sig/core';
import type { HttpRequest } from '@kvs-sig/core';
import { createCredentialsProvider, type CredentialsInput, type CredentialsProvider, type CredentialsProviderFn } from './credentials';
import {
  DEFAULT_EXPIRES_IN,
  DEFAULT_SERVICE,
  MAX_EXPIRES_IN,
  checkRegion,
  checkService,
  serialiseQuery,
  smithySigner,
  splitUrl,
  wirePath,
} from './internal';

/** Options of {@link signRequest}. @public */
export interface SignOptions {
  credentials: CredentialsInput | CredentialsProvider;
  region: string;
  /** Signing name; `kinesisvideo` for every KVS API. */
  service?: string;
  /** The signing time; default now + `clockOffsetMs`. */
  signingDate?: Date;
  /** Added to the local clock when `signingDate` is absent (see {@link ClockSkew}). */
  clockOffsetMs?: number;
}

/** Options of {@link presignWssUrl}. @public */
export interface PresignOptions extends SignOptions {
  /** `X-Amz-Expires` in seconds, 1–604800. Default 299, as the official SDK. */
  expiresIn?: number;
}

const RESERVED_QUERY = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
]);

function signingDateOf(options: SignOptions): Date {
  if (options.signingDate !== undefined) {
    if (!(options.signingDate instanceof Date) || Number.isNaN(options.signingDate.getTime())) {
      throw new ValidationError('signingDate', 'must be a valid Date', 'INVALID_CONFIGURATION');
    }
    return options.signingDate;
  }
  const offset = options.clockOffsetMs ?? 0;
  if (!Number.isFinite(offset)) throw new ValidationError('clockOffsetMs', 'must be a finite number', 'INVALID_CONFIGURATION');
  return new Date(Date.now() + offset);
}

function checkOptions(options: SignOptions): { region: string; service: string; provider: CredentialsProvider } {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'are required', 'INVALID_CONFIGURATION');
  if (options.credentials === undefined || options.credentials === null) {
    throw new ValidationError('credentials', 'are required', 'MISSING_CREDENTIALS');
  }
  return {
    region: checkRegion(options.region),
    service: checkService(options.service ?? DEFAULT_SERVICE),
    provider: providerFor(options.credentials),
  };
}

// A bare provider function passed on every call would otherwise be fetched on every
// call; one memo per function keeps the cache (and its refresh) across calls.
const memo = new WeakMap<CredentialsProviderFn, CredentialsProvider>();
function providerFor(input: CredentialsInput | CredentialsProvider): CredentialsProvider {
  if (typeof input !== 'function') return createCredentialsProvider(input);
  let p = memo.get(input);
  if (!p) {
    p = createCredentialsProvider(input);
    memo.set(input, p);
  }
  return p;
}

/**
 * Signs one of core's requests with SigV4 in headers, exactly as AWS SDK v3 does
 * for `kinesisvideo`: it adds `host`, `x-amz-date`, `x-amz-content-sha256` (the
 * SDK sends it for every service), `x-amz-security-token` when the credentials
 * carry one (signed, as the SDK does) and `authorization`. Existing headers are
 * kept and signed; `user-agent` and the other hop-by-hop headers are left unsigned.
 * The input is not modified.
 * @throws ValidationError for a malformed request or options; SignalingError
 *   `CREDENTIALS_PROVIDER_FAILED` / `MISSING_CREDENTIALS` from the credentials.
 * @public
 */
export async function signRequest(request: HttpRequest, options: SignOptions): Promise<HttpRequest> {
  const { region, service, provider } = checkOptions(options);
  if (typeof request !== 'object' || request === null) throw new ValidationError('request', 'is required');
  if (request.method !== 'GET' && request.method !== 'POST') {
    throw new ValidationError('request.method', `must be GET or POST, got ${JSON.stringify(request.method)}`);
  }
  if (request.body !== undefined && typeof request.body !== 'string') {
    throw new ValidationError('request.body', 'must be a string when present');
  }
  const url = splitUrl(request.url, 'request.url', ['https', 'http']);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string') throw new ValidationError(`request.headers.${name}`, 'must be a string');
    if (lower in headers) throw new ValidationError(`request.headers.${name}`, 'is given twice with different case');
    headers[lower] = value;
  }
  headers.host = url.host;
  const date = signingDateOf(options);
  const credentials = await provider.get();
  const signed = await smithySigner(credentials, region, service, true).sign(
    new SmithyRequest({
      method: request.method,
      protocol: `${url.scheme}:`,
      hostname: url.hostname,
      ...(url.port === undefined ? {} : { port: url.port }),
      path: wirePath(url.path),
      query: url.query,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    }),
    { signingDate: date },
  );
  const out: HttpRequest = { method: request.method, url: request.url, headers: { ...signed.headers } };
  if (request.body !== undefined) out.body = request.body;
  return out;
}

/**
 * Presigns a WebSocket connect URL (query auth), byte for byte as the official
 * KVS JS SDK's `SigV4RequestSigner`: path `/` when the endpoint has none, the
 * path used as is, sorted parameters, `X-Amz-Expires` 299, the session token
 * inside the signed query. `url` is the unsigned URL with its query (values raw
 * or percent-encoded). Values are escaped per RFC 3986, which differs from the
 * official signer only for `!'()*` (KVS ids never contain them; AWS canonicalises
 * this way, so only ours verifies for such values).
 * @public
 */
export async function presignWssUrl(url: string, options: PresignOptions): Promise<string> {
  const { region, service, provider } = checkOptions(options);
  const expiresIn = options.expiresIn ?? DEFAULT_EXPIRES_IN;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new ValidationError('expiresIn', `must be an integer number of seconds in 1..${MAX_EXPIRES_IN}, got ${String(expiresIn)}`, 'INVALID_CONFIGURATION');
  }
  const date = signingDateOf(options);
  // Credentials first, like the official signer, so a missing key is reported before a bad URL.
  const credentials = await provider.get();
  const parts = splitUrl(url, 'url', ['wss', 'ws', 'https', 'http']);
  for (const key of Object.keys(parts.query)) {
    if (RESERVED_QUERY.has(key)) throw new ValidationError(`url.query.${key}`, 'is added by the signer; pass the unsigned URL');
  }
  let presigned: SmithyRequest;
  try {
    presigned = (await smithySigner(credentials, region, service, false).presign(
      new SmithyRequest({
        method: 'GET',
        protocol: `${parts.scheme}:`,
        hostname: parts.hostname,
        ...(parts.port === undefined ? {} : { port: parts.port }),
        path: parts.path,
        query: parts.query,
        headers: { host: parts.host },
      }),
      { signingDate: date, expiresIn },
    )) as SmithyRequest;
  } catch (cause) {
    throw new SignalingError('INVALID_CONFIGURATION', `presigning failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return `${parts.scheme}://${parts.host}${parts.path}?${serialiseQuery(presigned.query as Record<string, string | string[]>)}`;
}

/**
 * Produces signed URLs (and optionally signed requests). A browser app can
 * implement it by asking its own backend, so it never holds AWS keys.
 * @public
 */
export interface RequestSigner {
  /** Presigns `wssEndpoint` with `queryParams`; `date` is the signing time (already skew-corrected by the caller). */
  getSignedUrl(wssEndpoint: string, queryParams: Record<string, string>, date?: Date): Promise<string>;
  /** Signs a control-plane request; optional so a URL-only backend signer is enough for the WebSocket. */
  signRequest?(request: HttpRequest, date?: Date): Promise<HttpRequest>;
}

/** Options of {@link createSigV4RequestSigner}. @public */
export interface SigV4RequestSignerOptions {
  credentials: CredentialsInput | CredentialsProvider;
  region: string;
  service?: string;
  expiresIn?: number;
  /** A fixed offset or a live source of one, e.g. `() => skew.offsetMs` of a {@link ClockSkew}. */
  clockOffsetMs?: number | (() => number);
}

/**
 * The default {@link RequestSigner}: SigV4 with the given credentials, memoised
 * through {@link createCredentialsProvider}.
 * @public
 */
export function createSigV4RequestSigner(options: SigV4RequestSignerOptions): Required<RequestSigner> {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'are required', 'INVALID_CONFIGURATION');
  if (options.credentials === undefined || options.credentials === null) {
    throw new ValidationError('credentials', 'are required', 'MISSING_CREDENTIALS');
  }
  const region = checkRegion(options.region);
  const service = checkService(options.service ?? DEFAULT_SERVICE);
  const credentials = providerFor(options.credentials);
  const offset = options.clockOffsetMs;
  if (offset !== undefined && typeof offset !== 'function' && !Number.isFinite(offset)) {
    throw new ValidationError('clockOffsetMs', 'must be a finite number or a function', 'INVALID_CONFIGURATION');
  }
  const clockOffsetMs = (): number => (typeof offset === 'function' ? offset() : (offset ?? 0));
  const base = (date: Date | undefined): SignOptions => ({
    credentials,
    region,
    service,
    ...(date === undefined ? { clockOffsetMs: clockOffsetMs() } : { signingDate: date }),
  });
  return {
    async getSignedUrl(wssEndpoint, queryParams, date) {
      if (typeof wssEndpoint !== 'string' || wssEndpoint.includes('?')) {
        throw new ValidationError('wssEndpoint', 'must be a URL without a query; pass parameters in queryParams');
      }
      const entries = Object.entries(queryParams ?? {});
      for (const [k, v] of entries) {
        if (typeof v !== 'string') throw new ValidationError(`queryParams.${k}`, 'must be a string');
      }
      const query = entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      return presignWssUrl(query === '' ? wssEndpoint : `${wssEndpoint}?${query}`, {
        ...base(date),
        ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
      });
    },
    signRequest(request, date) {
      return signRequest(request, base(date));
    },
  };
}
