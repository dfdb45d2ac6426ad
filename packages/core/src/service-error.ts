/**
 * Turning a non-2xx reply into a typed {@link ServiceError}.
 * @packageDocumentation
 */
import { ServiceError } from './errors';
import type { HttpResponse } from './types';

const RETRYABLE_TYPES = new Set([
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
]);

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
  const retryable = RETRYABLE_TYPES.has(errorType) || status === 429 || (status >= 500 && status <= 599);
  return new ServiceError(message, { errorType, httpStatus: status, requestId, retryable });
}
