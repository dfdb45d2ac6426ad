/**
 * Turning a non-2xx reply into a typed {@link ServiceError}.
 * @packageDocumentation
 */
import { ServiceError } from './errors';
import type { HttpResponse } from './types';

/**
 * What kind of refusal a service error is, whatever code path met it: the one table the
 * client's retry routing, the CLI's exit codes, the signer's clock-skew check and
 * `retryable` all read.
 * - `clock-skew`: the signature's time is outside the service's window.
 * - `credentials`: the credentials or the signature are refused (bad, expired, missing).
 * - `access-denied`: the caller is known but not allowed.
 * - `throttling`: a rate or a count limit that passes (`ClientLimitExceededException` too).
 * - `not-found`: the resource does not exist.
 * - `invalid-argument`: the request itself is wrong.
 * - `quota`: an account or resource limit that waiting does not lift.
 * - `conflict`: the resource is in a state that forbids the call.
 * - `server`: 5xx or 408: the service, not the request.
 * - `other`: none of these.
 * @public
 */
export type ServiceErrorClass =
  | 'clock-skew'
  | 'credentials'
  | 'access-denied'
  | 'throttling'
  | 'not-found'
  | 'invalid-argument'
  | 'quota'
  | 'conflict'
  | 'server'
  | 'other';

/** AWS exception names by class (the names KVS, STS and SigV4 front ends use). */
const CLASS_BY_TYPE: ReadonlyMap<string, ServiceErrorClass> = new Map<string, ServiceErrorClass>([
  ...(['RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed'] as const).map((t) => [t, 'clock-skew'] as const),
  ...([
    'UnrecognizedClientException',
    'InvalidClientTokenId',
    'InvalidSignatureException',
    'SignatureDoesNotMatch',
    'IncompleteSignatureException',
    'MissingAuthenticationTokenException',
    'ExpiredTokenException',
    'ExpiredToken',
  ] as const).map((t) => [t, 'credentials'] as const),
  ...(['AccessDeniedException', 'NotAuthorizedException'] as const).map((t) => [t, 'access-denied'] as const),
  ...([
    'ClientLimitExceededException',
    'ThrottlingException',
    'ThrottledException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'RequestThrottled',
    'RequestThrottledException',
    'ProvisionedThroughputExceededException',
    'SlowDown',
    'LimitExceededException',
  ] as const).map((t) => [t, 'throttling'] as const),
  ['ResourceNotFoundException', 'not-found'],
  ['InvalidArgumentException', 'invalid-argument'],
  ['AccountChannelLimitExceededException', 'quota'],
  ['TagsPerResourceExceededLimitException', 'quota'],
  ['ResourceInUseException', 'conflict'],
  ['VersionMismatchException', 'conflict'],
]);

/**
 * The wording AWS uses for SigV4 time-window failures ("Signature expired: … is now earlier
 * than …", "Signature not yet current: … is still later than …"), whatever the exception name.
 */
const SKEW_MESSAGE = /signature expired|not yet current|request has expired|time-?too-?skewed|too skewed|clock skew/i;

/**
 * Classifies a service refusal (see {@link ServiceErrorClass}): a skew message or name first
 * (a 403 "Signature expired" is about the clock, not the keys), then the exception name, then
 * the HTTP status (401/403 `credentials`, 404 `not-found`, 429 `throttling`, 408 and 5xx `server`).
 * Takes a {@link ServiceError} or any object with some of these fields; never throws.
 * @public
 */
export function classifyServiceError(error: { errorType?: unknown; httpStatus?: unknown; message?: unknown }): ServiceErrorClass {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { errorType?: unknown; httpStatus?: unknown; message?: unknown };
  const type = typeof e.errorType === 'string' ? e.errorType : '';
  const byType = CLASS_BY_TYPE.get(type);
  if (byType === 'clock-skew' || (typeof e.message === 'string' && SKEW_MESSAGE.test(e.message))) return 'clock-skew';
  if (byType !== undefined) return byType;
  const s = typeof e.httpStatus === 'number' ? e.httpStatus : 0;
  if (s === 401 || s === 403) return 'credentials';
  if (s === 404) return 'not-found';
  if (s === 429) return 'throttling';
  if (s === 408 || (s >= 500 && s <= 599)) return 'server';
  return 'other';
}

/** The exception names {@link classifyServiceError} knows, with their class (for docs and tests). @public */
export function serviceErrorClasses(): Array<[errorType: string, cls: ServiceErrorClass]> {
  return [...CLASS_BY_TYPE];
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const v = (headers as Record<string, unknown>)[key];
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string' && first.length > 0) return first;
  }
  return undefined;
}

function cleanType(raw: string): string {
  let t = raw;
  const colon = t.indexOf(':');
  if (colon >= 0) t = t.slice(0, colon);
  const hash = t.lastIndexOf('#');
  if (hash >= 0) t = t.slice(hash + 1);
  return t.trim().slice(0, 256);
}

function readBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'string' || body.length === 0 || body.length > 1024 * 1024) return {};
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function str(obj: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = Object.hasOwn(obj, k) ? obj[k] : undefined;
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

/**
 * Builds the {@link ServiceError} for a non-2xx reply. The exception name comes
 * from the `x-amzn-errortype` header (text after `:` dropped; any case of the
 * header name), else the body's `__type` / `code` / `Code` (text before `#`
 * dropped); the message from `message` / `Message`; the request id from
 * `x-amzn-requestid`. Retryable: throttling names, `ClientLimitExceededException`,
 * HTTP 429 and 5xx. Never throws, whatever the body holds.
 * @public
 */
export function parseServiceError(response: HttpResponse): ServiceError {
  const res = (typeof response === 'object' && response !== null ? response : {}) as Partial<HttpResponse>;
  const status = typeof res.status === 'number' && Number.isInteger(res.status) ? res.status : 0;
  const body = readBody(res.body);
  const headerType = header(res.headers, 'x-amzn-errortype');
  const bodyType = str(body, '__type', 'code', 'Code');
  const rawType = headerType ?? bodyType;
  const errorType = (rawType === undefined ? '' : cleanType(rawType)) || (status > 0 ? `Http${status}Error` : 'UnknownError');
  const message = (str(body, 'message', 'Message', 'errorMessage') ?? (typeof res.body === 'string' && res.body.length > 0 && Object.keys(body).length === 0 ? res.body : errorType)).slice(0, 1024);
  const requestId = header(res.headers, 'x-amzn-requestid') ?? header(res.headers, 'x-amz-request-id');
  // Not via the class's status rules: a 408 is not retryable here, as before.
  const retryable = CLASS_BY_TYPE.get(errorType) === 'throttling' || status === 429 || (status >= 500 && status <= 599);
  return new ServiceError(message, { errorType, httpStatus: status, requestId, retryable });
}
