/**
 * Option checks shared by {@link SignalingClient} and {@link ChannelManager}:
 * each throws a {@link ValidationError} naming the field and the rule it breaks.
 * @packageDocumentation
 */

import { ValidationError, isLoopbackHost, isValidClientId } from '@kvs-sig/core';

/** A bad option: `INVALID_CONFIGURATION` naming the field and the rule it breaks. @internal */
export function badOption(field: string, rule: string): ValidationError {
  return new ValidationError(field, rule, 'INVALID_CONFIGURATION');
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

/** Validates a timeout option. @internal */
export function checkTimeout(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw badOption(field, 'must be a positive number of milliseconds');
  }
  return value;
}
