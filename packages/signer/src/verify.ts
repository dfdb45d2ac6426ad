import { HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import type { HttpRequest } from '@kvs-sig/core';
import { ValidationError, isSignalingError } from '@kvs-sig/core';
import type { Credentials } from './credentials';
import { DEFAULT_SERVICE, MAX_EXPIRES_IN, constantTimeEqual, sha256Hex, smithySigner, splitUrl, wirePath, type Sha256, type SplitUrl } from './internal';

/** Why {@link verify} refused a request. @public */
export type VerifyFailure =
  | 'MISSING_AUTH'
  | 'MALFORMED_AUTH'
  | 'UNKNOWN_ACCESS_KEY'
  | 'SIGNATURE_MISMATCH'
  | 'WRONG_SCOPE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'UNSIGNED_SESSION_TOKEN'
  | 'INVALID_SESSION_TOKEN';

/** Outcome of {@link verify}; `reason` never contains a secret, token or signature. @public */
export type VerifyResult =
  | { ok: true; accessKeyId: string; region: string; service: string; signedAt: Date }
  | { ok: false; failure: VerifyFailure; reason: string };

/** Options of {@link verify}. @public */
export interface VerifyOptions {
  /** The keys the server knows; the request's access key id picks one. */
  credentials: Credentials | Credentials[];
  /** Required scope region; any region is accepted when absent. */
  region?: string;
  /** Required scope service. Default `kinesisvideo`. */
  service?: string;
  /** The server's time. Default now. */
  now?: Date;
  /** Tolerance between X-Amz-Date and now: header auth both ways, presigned URLs for dates in the future. Default 5 minutes. */
  maxSkewMs?: number;
  /**
   * Header auth only: refuse an `x-amz-security-token` header that is not listed in
   * SignedHeaders. Default false, because AWS accepts it (the C SDK sends it unsigned).
   * Presigned URLs always need the token inside the signed query, as KVS requires.
   */
  requireSignedSessionToken?: boolean;
}

const fail = (failure: VerifyFailure, reason: string): VerifyResult => ({ ok: false, failure, reason });
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const AUTH_HEADER = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([^,\s]+)$/;

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '') === text ? d : undefined;
}

function amz(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function single(query: Record<string, string | string[]>, key: string): string | undefined | null {
  const v = query[key];
  if (Array.isArray(v)) return null;
  return v;
}

interface Parsed {
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  expires?: number;
}

/**
 * Checks a SigV4-signed request (header auth) or a presigned URL (query auth)
 * as the service would: recomputes the signature with `@smithy/signature-v4`
 * from the method, path, query, signed headers (values as received, including
 * `host`) and body hash, compares in constant time, and checks the scope
 * (`<X-Amz-Date day>/<region>/<service>/aws4_request`), the time window
 * (presigned: X-Amz-Date + X-Amz-Expires; header: |now − X-Amz-Date| ≤ maxSkewMs)
 * and the session token (it must equal the key's token, and sit in the signed
 * query of a presigned URL). `input.url` may be absolute or, as a server sees it,
 * just the request target (`/path?query`, authority from the Host header).
 * Failure reasons for the time window use AWS's wording ("Signature expired: …",
 * "Signature not yet current: …"), so forwarding them in a 403 lets clients
 * recognise skew with {@link isClockSkewError}. Never throws for a bad request;
 * it returns the failure; it throws a ValidationError only for bad `options`.
 * @public
 */
export async function verifyWith(sha256: Sha256, input: HttpRequest | string, options: VerifyOptions): Promise<VerifyResult> {
  if (typeof options !== 'object' || options === null || options.credentials === undefined || options.credentials === null) {
    throw new ValidationError('credentials', 'verify needs the credentials the server knows', 'INVALID_CONFIGURATION');
  }
  const now = options.now ?? new Date();
  const maxSkewMs = options.maxSkewMs ?? 5 * 60_000;
  const service = options.service ?? DEFAULT_SERVICE;
  const keys = Array.isArray(options.credentials) ? options.credentials : [options.credentials];
  keys.forEach((k, i) => {
    if (typeof k !== 'object' || k === null || typeof k.accessKeyId !== 'string' || typeof k.secretAccessKey !== 'string') {
      throw new ValidationError(`credentials[${i}]`, 'needs accessKeyId and secretAccessKey strings', 'INVALID_CONFIGURATION');
    }
  });

  const request: HttpRequest = typeof input === 'string' ? { method: 'GET', url: input, headers: {} } : input;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  let url: SplitUrl;
  try {
    // A server sees only the request target (`/path?query`); the Host header supplies the authority.
    const absolute = typeof request.url === 'string' && request.url.startsWith('/') ? `https://${headers.host ?? ''}${request.url}` : request.url;
    // The scheme is not signed, so a server behind a TLS terminator may pass ws:// or http://.
    url = splitUrl(absolute, 'url', ['wss', 'ws', 'https', 'http'], true);
  } catch (error) {
    return fail('MALFORMED_AUTH', isSignalingError(error) ? error.message : 'unparseable URL');
  }
  // The URL's authority stands in for Host only when no header was received (a bare presigned URL).
  headers.host ??= url.host;

  const authHeader = headers.authorization;
  const queryAuth = 'X-Amz-Signature' in url.query || 'X-Amz-Credential' in url.query || 'X-Amz-Algorithm' in url.query;
  if (authHeader === undefined && !queryAuth) return fail('MISSING_AUTH', 'no Authorization header and no X-Amz-Signature query parameter');
  if (authHeader !== undefined && queryAuth) return fail('MALFORMED_AUTH', 'both an Authorization header and query authentication');

  let parsed: Parsed;
  if (authHeader !== undefined) {
    const m = AUTH_HEADER.exec(authHeader.trim());
    if (!m) return fail('MALFORMED_AUTH', 'Authorization is not "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"');
    const amzDate = headers['x-amz-date'];
    if (amzDate === undefined) return fail('MALFORMED_AUTH', 'missing x-amz-date header');
    parsed = { credential: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]!, amzDate };
  } else {
    const q = url.query;
    const fields = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'] as const;
    const got: Partial<Record<(typeof fields)[number], string>> = {};
    for (const f of fields) {
      const v = single(q, f);
      if (v === null) return fail('MALFORMED_AUTH', `${f} is given more than once`);
      if (v === undefined || v === '') return fail(f === 'X-Amz-Signature' ? 'MISSING_AUTH' : 'MALFORMED_AUTH', `missing ${f}`);
      got[f] = v;
    }
    if (single(q, 'X-Amz-Security-Token') === null) return fail('MALFORMED_AUTH', 'X-Amz-Security-Token is given more than once');
    if (got['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') return fail('MALFORMED_AUTH', 'X-Amz-Algorithm must be AWS4-HMAC-SHA256');
    const expires = got['X-Amz-Expires']!;
    if (!/^\d{1,6}$/.test(expires) || +expires < 1 || +expires > MAX_EXPIRES_IN) {
      return fail('MALFORMED_AUTH', `X-Amz-Expires must be 1..${MAX_EXPIRES_IN} seconds`);
    }
    parsed = {
      credential: got['X-Amz-Credential']!,
      signedHeaders: got['X-Amz-SignedHeaders']!.split(';'),
      signature: got['X-Amz-Signature']!,
      amzDate: got['X-Amz-Date']!,
      expires: +expires,
    };
  }

  if (!SIGNATURE.test(parsed.signature)) return fail('MALFORMED_AUTH', 'the signature is not 64 lower-case hex digits');
  const signedAt = parseAmzDate(parsed.amzDate);
  if (!signedAt) return fail('MALFORMED_AUTH', `X-Amz-Date is not YYYYMMDDTHHMMSSZ: ${parsed.amzDate.slice(0, 32)}`);
  const sh = parsed.signedHeaders;
  if (sh.some((h) => h === '' || h !== h.toLowerCase()) || sh.some((h, i) => i > 0 && sh[i - 1]! >= h)) {
    return fail('MALFORMED_AUTH', 'SignedHeaders must be lower-case, sorted and unique');
  }
  if (!sh.includes('host')) return fail('MALFORMED_AUTH', 'SignedHeaders must include host');
  if (authHeader !== undefined && !sh.includes('x-amz-date')) return fail('MALFORMED_AUTH', 'SignedHeaders must include x-amz-date');
  for (const h of sh) {
    // A missing token is reported by the token check below, which says more.
    if (headers[h] === undefined && h !== 'x-amz-security-token') return fail('MALFORMED_AUTH', `signed header ${h} is missing from the request`);
  }

  const scope = parsed.credential.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    return fail('MALFORMED_AUTH', 'Credential must be <access key>/<date>/<region>/<service>/aws4_request');
  }
  const [accessKeyId, day, region, scopeService, terminator] = scope as [string, string, string, string, string];
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (!key) return fail('UNKNOWN_ACCESS_KEY', `unknown access key id ${accessKeyId}`);
  if (day !== parsed.amzDate.slice(0, 8)) return fail('WRONG_SCOPE', `scope date ${day} is not the X-Amz-Date day ${parsed.amzDate.slice(0, 8)}`);
  if (options.region !== undefined && region !== options.region) return fail('WRONG_SCOPE', `scope region ${region} is not ${options.region}`);
  if (scopeService !== service) return fail('WRONG_SCOPE', `scope service ${scopeService} is not ${service}`);
  if (terminator !== 'aws4_request') return fail('WRONG_SCOPE', 'scope must end with aws4_request');

  // Reasons use AWS's own wording, so a server that forwards them makes isClockSkewError() work on the client.
  const age = now.getTime() - signedAt.getTime();
  const skew = `${maxSkewMs / 60_000} min.`;
  if (age < -maxSkewMs) {
    return fail('NOT_YET_VALID', `Signature not yet current: ${parsed.amzDate} is still later than ${amz(now.getTime() + maxSkewMs)} (${amz(now.getTime())} + ${skew})`);
  }
  if (parsed.expires !== undefined) {
    if (age > parsed.expires * 1000) {
      return fail('EXPIRED', `Signature expired: ${parsed.amzDate} + X-Amz-Expires ${parsed.expires} s is now earlier than ${amz(now.getTime())}`);
    }
  } else if (age > maxSkewMs) {
    return fail('EXPIRED', `Signature expired: ${parsed.amzDate} is now earlier than ${amz(now.getTime() - maxSkewMs)} (${amz(now.getTime())} - ${skew})`);
  }

  const token = authHeader !== undefined ? headers['x-amz-security-token'] : (url.query['X-Amz-Security-Token'] as string | undefined);
  if (key.sessionToken !== undefined) {
    if (token === undefined) return fail('INVALID_SESSION_TOKEN', 'temporary credentials need a session token and none was sent');
    if (!constantTimeEqual(token, key.sessionToken)) return fail('INVALID_SESSION_TOKEN', 'the session token does not belong to this access key');
  } else if (token !== undefined) {
    return fail('INVALID_SESSION_TOKEN', 'a session token was sent with long-term credentials');
  }

  const secretOnly: Credentials = { accessKeyId, secretAccessKey: key.secretAccessKey };
  if (authHeader !== undefined) {
    if (token !== undefined && !sh.includes('x-amz-security-token') && options.requireSignedSessionToken === true) {
      return fail('UNSIGNED_SESSION_TOKEN', 'x-amz-security-token is not listed in SignedHeaders');
    }
    const declared = headers['x-amz-content-sha256'];
    const bodyHash = await sha256Hex(sha256, request.body ?? '');
    if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== bodyHash) {
      return fail('SIGNATURE_MISMATCH', 'the body does not match x-amz-content-sha256');
    }
    const signedOnly: Record<string, string> = {};
    for (const h of sh) if (headers[h] !== undefined) signedOnly[h] = headers[h];
    // Hand the payload hash to smithy explicitly: an unsigned x-amz-content-sha256 must not stand in for the body.
    const payloadHash = sh.includes('x-amz-content-sha256') ? declared! : bodyHash;
    if (!sh.includes('x-amz-content-sha256')) signedOnly['x-amz-content-sha256'] = payloadHash;
    const computed = await smithySigner(sha256, secretOnly, region, service, true, false).sign(
      new SmithyRequest({
        method: request.method,
        protocol: `${url.scheme}:`,
        hostname: url.hostname,
        path: wirePath(url.path),
        query: url.query,
        headers: signedOnly,
      }),
      {
        signingDate: signedAt,
        signableHeaders: new Set(sh),
        // The hash header we may have added above is an input to smithy, not a signed header.
        unsignableHeaders: new Set(sh.includes('x-amz-content-sha256') ? [] : ['x-amz-content-sha256']),
      },
    );
    const m = AUTH_HEADER.exec(String(computed.headers.authorization));
    const expectedHeaders = m?.[2];
    if (expectedHeaders !== sh.join(';') || !constantTimeEqual(m?.[3] ?? '', parsed.signature)) {
      return fail('SIGNATURE_MISMATCH', 'the signature does not match the request');
    }
  } else {
    const query: Record<string, string | string[]> = { ...url.query };
    for (const k of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']) {
      delete query[k];
    }
    const signedOnly: Record<string, string> = {};
    for (const h of sh) if (headers[h] !== undefined) signedOnly[h] = headers[h];
    const presignWith = async (creds: Credentials): Promise<string> => {
      const out = await smithySigner(sha256, creds, region, service, false).presign(
        new SmithyRequest({ method: request.method, protocol: `${url.scheme}:`, hostname: url.hostname, path: url.path, query, headers: signedOnly }),
        { signingDate: signedAt, expiresIn: parsed.expires!, signableHeaders: new Set(sh), unhoistableHeaders: new Set(sh) },
      );
      const q = out.query ?? {};
      return String(q['X-Amz-SignedHeaders']) === sh.join(';') ? String(q['X-Amz-Signature']) : '';
    };
    const withToken: Credentials = token === undefined ? secretOnly : { ...secretOnly, sessionToken: token };
    if (!constantTimeEqual(await presignWith(withToken), parsed.signature)) {
      if (token !== undefined && constantTimeEqual(await presignWith(secretOnly), parsed.signature)) {
        return fail('UNSIGNED_SESSION_TOKEN', 'X-Amz-Security-Token was appended after signing; KVS requires it in the signed query');
      }
      return fail('SIGNATURE_MISMATCH', 'the signature does not match the URL');
    }
  }
  return { ok: true, accessKeyId, region, service, signedAt };
}
