import type { SignatureV4 } from '@smithy/signature-v4';
import { SignalingError, ValidationError } from '@kvs-sig/core';
import type { HttpRequest } from '@kvs-sig/core';
import { createCredentialsProvider, type Credentials, type CredentialsInput, type CredentialsProvider, type CredentialsProviderFn } from './credentials';
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
  type Sha256,
  type SplitUrl,
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

const PRESIGN_SCHEMES = ['wss', 'ws', 'https', 'http'];
const RESERVED_QUERY = /^X-Amz-(?:Algorithm|Credential|Date|Expires|SignedHeaders|Security-Token|Signature)$/;

const required = (field: string, code: 'INVALID_CONFIGURATION' | 'MISSING_CREDENTIALS' = 'INVALID_CONFIGURATION'): ValidationError =>
  new ValidationError(field, 'are required', code);

function signingDateOf(date: Date | undefined, offset: number | undefined): Date {
  if (date !== undefined) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new ValidationError('signingDate', 'must be a valid Date', 'INVALID_CONFIGURATION');
    return date;
  }
  const ms = offset ?? 0;
  if (!Number.isFinite(ms)) throw new ValidationError('clockOffsetMs', 'must be a finite number', 'INVALID_CONFIGURATION');
  return new Date(Date.now() + ms);
}

function checkExpiresIn(expiresIn: number): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new ValidationError('expiresIn', `must be an integer number of seconds in 1..${MAX_EXPIRES_IN}, got ${String(expiresIn)}`, 'INVALID_CONFIGURATION');
  }
  return expiresIn;
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
 * Checked options and the smithy signers built from them: made once per
 * {@link createSigV4RequestSigner} (once per call for the one-shot functions).
 */
class Prepared {
  readonly #sha256: Sha256;
  readonly #region: string;
  readonly #service: string;
  readonly #provider: CredentialsProvider;
  // The smithy signers for the last credentials seen: providers hand out the same
  // object until they refresh, so this holds across calls (and smithy caches the
  // derived key per credentials, region, service and day).
  #last: { creds: Credentials; header: SignatureV4; query: SignatureV4 } | undefined;

  constructor(sha256: Sha256, options: SignOptions | SigV4RequestSignerOptions) {
    this.#sha256 = sha256;
    if (typeof options !== 'object' || options === null) throw required('options');
    if (options.credentials === undefined || options.credentials === null) throw required('credentials', 'MISSING_CREDENTIALS');
    this.#region = checkRegion(options.region);
    this.#service = checkService(options.service ?? DEFAULT_SERVICE);
    this.#provider = providerFor(options.credentials);
  }

  #signers(creds: Credentials): { header: SignatureV4; query: SignatureV4 } {
    if (this.#last?.creds !== creds) {
      this.#last = {
        creds,
        header: smithySigner(this.#sha256, creds, this.#region, this.#service, true),
        query: smithySigner(this.#sha256, creds, this.#region, this.#service, false),
      };
    }
    return this.#last;
  }

  async sign(request: HttpRequest, date: () => Date): Promise<HttpRequest> {
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
    const signingDate = date();
    const signed = await this.#signers(await this.#provider.get()).header.sign(
      {
        method: request.method,
        protocol: `${url.scheme}:`,
        hostname: url.hostname,
        port: url.port,
        path: wirePath(url.path),
        query: url.query,
        headers,
        body: request.body,
      },
      { signingDate },
    );
    const out: HttpRequest = { method: request.method, url: request.url, headers: { ...signed.headers } };
    if (request.body !== undefined) out.body = request.body;
    return out;
  }

  /** `url` is parsed after the credentials are fetched, like the official signer, so a missing key is reported before a bad URL. */
  async presign(url: () => SplitUrl, date: () => Date, expiresIn: number): Promise<string> {
    const signingDate = date();
    const creds = await this.#provider.get();
    const parts = url();
    for (const key of Object.keys(parts.query)) {
      if (RESERVED_QUERY.test(key)) throw new ValidationError(`url.query.${key}`, 'is added by the signer; pass the unsigned URL');
    }
    let presigned: { query?: unknown };
    try {
      presigned = await this.#signers(creds).query.presign(
        { method: 'GET', protocol: `${parts.scheme}:`, hostname: parts.hostname, port: parts.port, path: parts.path, query: parts.query, headers: { host: parts.host } },
        { signingDate, expiresIn },
      );
    } catch (cause) {
      throw new ValidationError('url', `presigning failed: ${cause instanceof Error ? cause.message : String(cause)}`, 'INVALID_CONFIGURATION', { cause });
    }
    return `${parts.scheme}://${parts.host}${parts.path}?${serialiseQuery(presigned.query as Record<string, string | string[]>)}`;
  }
}

// The public functions are defined by each entry point (index.ts, index.browser.ts),
// which binds its platform's SHA-256; the docs below are theirs.

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
export async function signRequestWith(sha256: Sha256, request: HttpRequest, options: SignOptions): Promise<HttpRequest> {
  return new Prepared(sha256, options).sign(request, () => signingDateOf(options.signingDate, options.clockOffsetMs));
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
export async function presignWssUrlWith(sha256: Sha256, url: string, options: PresignOptions): Promise<string> {
  const prepared = new Prepared(sha256, options);
  return prepared.presign(() => splitUrl(url, 'url', PRESIGN_SCHEMES), () => signingDateOf(options.signingDate, options.clockOffsetMs), checkExpiresIn(options.expiresIn ?? DEFAULT_EXPIRES_IN));
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
export function createSigV4RequestSignerWith(sha256: Sha256, options: SigV4RequestSignerOptions): Required<RequestSigner> {
  const prepared = new Prepared(sha256, options);
  const offset = options.clockOffsetMs;
  if (offset !== undefined && typeof offset !== 'function' && !Number.isFinite(offset)) {
    throw new ValidationError('clockOffsetMs', 'must be a finite number or a function', 'INVALID_CONFIGURATION');
  }
  const expiresIn = checkExpiresIn(options.expiresIn ?? DEFAULT_EXPIRES_IN);
  const dateOf = (date: Date | undefined) => (): Date => signingDateOf(date, typeof offset === 'function' ? offset() : offset);
  return {
    getSignedUrl(wssEndpoint, queryParams, date) {
      try {
        if (typeof wssEndpoint !== 'string' || wssEndpoint.includes('?')) {
          throw new ValidationError('wssEndpoint', 'must be a URL without a query; pass parameters in queryParams');
        }
        const query: Record<string, string> = {};
        for (const [k, v] of Object.entries(queryParams ?? {})) {
          if (typeof v !== 'string') throw new ValidationError(`queryParams.${k}`, 'must be a string');
          query[k] = v;
        }
        // The parameters go in as they are: the same as encoding them into the URL and parsing it back.
        return prepared.presign(() => ({ ...splitUrl(wssEndpoint, 'url', PRESIGN_SCHEMES), query }), dateOf(date), expiresIn);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    signRequest(request, date) {
      return prepared.sign(request, dateOf(date));
    },
  };
}
