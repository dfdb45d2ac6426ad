import { SignatureV4 } from '@smithy/signature-v4';
import type { ChecksumConstructor } from '@smithy/types';
import { ValidationError, isLoopbackHost } from '@kvs-sig/core';
import type { Credentials } from './credentials';

/** Default signing name for every KVS API. */
export const DEFAULT_SERVICE = 'kinesisvideo';
/** The official KVS JS SDK's presign lifetime, in seconds. */
export const DEFAULT_EXPIRES_IN = 299;
/** SigV4 caps presigned URLs at one week. */
export const MAX_EXPIRES_IN = 604_800;

/** RFC 3986 escaping, as SigV4 canonicalisation (and smithy) does it. */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A URL split the way the official presigner does it: host up to the first `/`, path as is. */
export interface SplitUrl {
  scheme: string;
  host: string;
  hostname: string;
  port: number | undefined;
  path: string;
  query: Record<string, string | string[]>;
}

/**
 * Splits `scheme://host[:port][/path][?query]` without normalising anything.
 * Query values may be raw (a bare ARN) or percent-encoded; both decode to the same value.
 */
export function splitUrl(url: string, field: string, schemes: readonly string[], allowInsecure = false): SplitUrl {
  if (typeof url !== 'string' || url === '') throw new ValidationError(field, 'must be a non-empty URL string');
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?$/i.exec(url);
  if (!m) throw new ValidationError(field, `is not an absolute URL: ${url}`);
  const scheme = (m[1] as string).toLowerCase();
  const host = m[2] as string;
  if (!schemes.includes(scheme)) {
    throw new ValidationError(field, `scheme must be one of ${schemes.join(', ')}, got ${scheme}://`);
  }
  const hm = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(host);
  if (!hm || host.includes('@')) throw new ValidationError(field, `has an invalid host: ${host}`);
  const hostname = hm[1] as string;
  if (!allowInsecure && (scheme === 'ws' || scheme === 'http') && !isLoopbackHost(hostname)) {
    throw new ValidationError(field, `${scheme}:// is allowed only for loopback hosts; use ${scheme}s://`, 'INSECURE_ENDPOINT');
  }
  const port = hm[2] === undefined ? undefined : Number(hm[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new ValidationError(field, `has an invalid port: ${hm[2]}`);
  const path = m[3] === '' ? '/' : (m[3] as string);
  const query: Record<string, string | string[]> = {};
  const rawQuery = m[4];
  if (rawQuery !== undefined && rawQuery !== '') {
    for (const part of rawQuery.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = decodePart(eq < 0 ? part : part.slice(0, eq), `${field}.query`);
      const value = decodePart(eq < 0 ? '' : part.slice(eq + 1), `${field}.query.${key}`);
      const prev = query[key];
      query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
  }
  return { scheme, host, hostname, port, path, query };
}

function decodePart(text: string, field: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // The text itself is not echoed: it may be a session token.
    throw new ValidationError(field, 'has a malformed percent-escape');
  }
}

/**
 * Percent-encodes what a browser or undici would encode in a path (spaces,
 * non-ASCII, quotes…), so the signed path is the one that goes on the wire.
 */
export function wirePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]+/g, (run) => encodeURIComponent(run));
}

/** Serialises a query with sorted keys and RFC 3986 values: the order the official signer emits. */
export function serialiseQuery(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const v = query[key] as string | string[];
    for (const item of Array.isArray(v) ? [...v].sort() : [v]) parts.push(`${escapeUri(key)}=${escapeUri(item)}`);
  }
  return parts.join('&');
}

/**
 * The SHA-256 the entry point plugs into smithy: node:crypto in the default
 * (Node) build, WebCrypto in the browser build; never a hand-rolled hash.
 */
export type Sha256 = ChecksumConstructor;

/** A smithy signer bound to fixed credentials. */
export function smithySigner(
  sha256: Sha256,
  credentials: Credentials,
  region: string,
  service: string,
  uriEscapePath: boolean,
  applyChecksum = true,
): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
    region,
    service,
    sha256,
    uriEscapePath,
    applyChecksum,
  });
}

/** SHA-256 hex of a UTF-8 string, through the entry's hash (never hand-rolled). */
export async function sha256Hex(sha256: Sha256, text: string): Promise<string> {
  const h = new sha256();
  h.update(new TextEncoder().encode(text));
  const bytes = await h.digest();
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Validates a region name (INVALID_CONFIGURATION naming the field). */
export function checkRegion(region: unknown, field = 'region'): string {
  if (typeof region !== 'string' || !/^[a-z0-9-]{1,64}$/.test(region)) {
    throw new ValidationError(field, `must be an AWS region such as us-west-2, got ${JSON.stringify(region)}`, 'INVALID_CONFIGURATION');
  }
  return region;
}

/** Validates a signing name (INVALID_CONFIGURATION naming the field). */
export function checkService(service: unknown, field = 'service'): string {
  if (typeof service !== 'string' || !/^[a-z0-9-]{1,64}$/.test(service)) {
    throw new ValidationError(field, `must be a signing name such as kinesisvideo, got ${JSON.stringify(service)}`, 'INVALID_CONFIGURATION');
  }
  return service;
}
