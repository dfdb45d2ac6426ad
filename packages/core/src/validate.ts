/**
 * Input validation shared by every builder, and the validators exported for
 * the emulator (one source of truth for the service's constraints).
 * @packageDocumentation
 */
import {
  MAX_ARN_LENGTH,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_CLIENT_ID_LENGTH,
  MAX_CORRELATION_ID_LENGTH,
  MAX_MESSAGE_TTL_SECONDS,
  MAX_NEXT_TOKEN_LENGTH,
  MAX_VERSION_LENGTH,
  MIN_MESSAGE_TTL_SECONDS,
} from './constants';
import { ValidationError } from './errors';
import type { ErrorCodeOf } from './errors';
import type { EndpointProtocol, Role } from './types';

const ID_RE = /^[a-zA-Z0-9_.-]+$/;
// The control-plane model pattern, anchored; named groups feed parseChannelArn.
const ARN_RE = /^arn:([a-z\d-]+):kinesisvideo:([a-z0-9-]+):([0-9]+):([a-z]+)\/([a-zA-Z0-9_.-]+)\/([0-9]+)$/;
const VERSION_RE = /^[a-zA-Z0-9]+$/;
const NEXT_TOKEN_RE = /^[a-zA-Z0-9+/=]*$/;
const BASE64_RE = /^[a-zA-Z0-9+/=]+$/;
const TAG_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Whether `name` is a valid channel name: 1–256 of `[a-zA-Z0-9_.-]`. @public */
export function isValidChannelName(name: unknown): name is string {
  return typeof name === 'string' && name.length >= 1 && name.length <= MAX_CHANNEL_NAME_LENGTH && ID_RE.test(name);
}

/**
 * Whether `id` is a valid client id: 1–256 of `[a-zA-Z0-9_.-]`. With
 * `{ viewer: true }` it also refuses ids starting with `AWS_` in any case
 * (ConnectAsViewer reserves them).
 * @public
 */
export function isValidClientId(id: unknown, options: { viewer?: boolean } = {}): id is string {
  if (typeof id !== 'string' || id.length < 1 || id.length > MAX_CLIENT_ID_LENGTH || !ID_RE.test(id)) return false;
  return !(options.viewer === true && id.slice(0, 4).toUpperCase() === 'AWS_');
}

/** Whether `id` is a valid correlation id: 1–256 of `[a-zA-Z0-9_.-]`. @public */
export function isValidCorrelationId(id: unknown): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= MAX_CORRELATION_ID_LENGTH && ID_RE.test(id);
}

/** Whether `arn` matches the control-plane model's ARN pattern (any resource type), 1–1024 characters. @public */
export function isValidArn(arn: unknown): arn is string {
  return typeof arn === 'string' && arn.length <= MAX_ARN_LENGTH && ARN_RE.test(arn);
}

/** Whether `arn` is a valid signaling channel ARN (`…:channel/<name>/<id>`). @public */
export function isValidChannelArn(arn: unknown): arn is string {
  return isValidArn(arn) && parseArnUnchecked(arn).resourceType === 'channel';
}

/** The parts of a channel ARN. @public */
export interface ChannelArnParts {
  partition: string;
  region: string;
  accountId: string;
  channelName: string;
  creationId: string;
}

function parseArnUnchecked(arn: string): ChannelArnParts & { resourceType: string } {
  const m = ARN_RE.exec(arn);
  if (m === null) throw new ValidationError('channelArn', 'is not a valid ARN');
  return {
    partition: m[1] as string,
    region: m[2] as string,
    accountId: m[3] as string,
    resourceType: m[4] as string,
    channelName: m[5] as string,
    creationId: m[6] as string,
  };
}

/**
 * Splits a channel ARN into its parts.
 * @throws ValidationError `BAD_PARAM` (field `channelArn`) when it is not a channel ARN.
 * @public
 */
export function parseChannelArn(arn: string): ChannelArnParts {
  requireChannelArn(arn, 'channelArn');
  const { resourceType: _ignored, ...parts } = parseArnUnchecked(arn);
  return parts;
}

/** Whether `version` is a valid channel version: 1–64 alphanumerics. @public */
export function isValidVersion(version: unknown): version is string {
  return typeof version === 'string' && version.length >= 1 && version.length <= MAX_VERSION_LENGTH && VERSION_RE.test(version);
}

/** Whether `ttl` is an integer MessageTtlSeconds in 5–120. @public */
export function isValidMessageTtl(ttl: unknown): ttl is number {
  return typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= MIN_MESSAGE_TTL_SECONDS && ttl <= MAX_MESSAGE_TTL_SECONDS;
}

/** Whether `role` is `MASTER` or `VIEWER`. @public */
export function isValidRole(role: unknown): role is Role {
  return role === 'MASTER' || role === 'VIEWER';
}

/** Whether `protocol` is `WSS`, `HTTPS` or `WEBRTC`. @public */
export function isValidProtocol(protocol: unknown): protocol is EndpointProtocol {
  return protocol === 'WSS' || protocol === 'HTTPS' || protocol === 'WEBRTC';
}

// ---- internal helpers: throw a ValidationError naming the field ----

/** @internal */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `a string of length ${value.length}` : `of type ${typeof value}`;
}

/** @internal */
export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** @internal */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ValidationError(field, `is required and must be a string, got ${describe(value)}`);
  return value;
}

/** @internal */
export function requireChannelName(value: unknown, field = 'channelName'): string {
  const s = requireString(value, field);
  if (!isValidChannelName(s)) {
    throw new ValidationError(field, `must be 1-${MAX_CHANNEL_NAME_LENGTH} characters of [a-zA-Z0-9_.-], got ${describe(s)}`);
  }
  return s;
}

/**
 * Which service model's ARN rule applies. The three models differ: the control
 * plane (kinesisvideo) takes any partition `[a-z\d-]+`, 1–1024 characters; the
 * signaling model only the literal partition `aws`, 1–1024; webrtc-storage a
 * partition `aws[a-zA-Z-]*` and no length bound.
 * @internal
 */
export type ArnModel = 'kinesisvideo' | 'signaling' | 'storage';

const ARN_TAIL = ':kinesisvideo:[a-z0-9-]+:[0-9]+:([a-z]+)/[a-zA-Z0-9_.-]+/[0-9]+$';
const MODEL_ARN: Readonly<Record<ArnModel, { re: RegExp; max: number; partition: string }>> = {
  kinesisvideo: { re: new RegExp(`^arn:[a-z\\d-]+${ARN_TAIL}`), max: MAX_ARN_LENGTH, partition: '[a-z0-9-]+' },
  signaling: { re: new RegExp(`^arn:aws${ARN_TAIL}`), max: MAX_ARN_LENGTH, partition: 'aws' },
  storage: { re: new RegExp(`^arn:aws[a-zA-Z-]*${ARN_TAIL}`), max: Number.POSITIVE_INFINITY, partition: 'aws[a-zA-Z-]*' },
};

/**
 * A channel ARN as the operation's service model accepts it, and of resource
 * type `channel` (core is stricter than the models there: see {@link STRICTER_THAN_MODEL}).
 * @internal
 */
export function requireChannelArn(value: unknown, field = 'channelArn', model: ArnModel = 'kinesisvideo'): string {
  const s = requireString(value, field);
  const rule = MODEL_ARN[model];
  const m = s.length >= 1 && s.length <= rule.max ? rule.re.exec(s) : null;
  if (m === null) {
    const bound = rule.max === Number.POSITIVE_INFINITY ? '' : `, at most ${rule.max} characters`;
    throw new ValidationError(field, `must be a channel ARN (arn:<partition ${rule.partition}>:kinesisvideo:<region>:<account>:channel/<name>/<id>${bound})`);
  }
  if (m[1] !== 'channel') {
    throw new ValidationError(field, `must be a channel ARN: resource type is '${m[1]}', not 'channel' (core is stricter than the model here)`);
  }
  return s;
}

/** @internal */
export function requireArn(value: unknown, field: string): string {
  const s = requireString(value, field);
  if (!isValidArn(s)) throw new ValidationError(field, `must be a Kinesis Video ARN of at most ${MAX_ARN_LENGTH} characters`);
  return s;
}

/** @internal */
export function requireClientId(value: unknown, field = 'clientId', viewer = false): string {
  const s = requireString(value, field);
  if (!isValidClientId(s)) throw new ValidationError(field, `must be 1-${MAX_CLIENT_ID_LENGTH} characters of [a-zA-Z0-9_.-], got ${describe(s)}`);
  if (viewer && !isValidClientId(s, { viewer: true })) throw new ValidationError(field, 'must not start with AWS_ (reserved)');
  return s;
}

/** A member of the models' `[a-zA-Z0-9_.-]+` pattern, 1–`max` characters (e.g. GetIceServerConfig `Username`). @internal */
export function requireIdText(value: unknown, field: string, max: number): string {
  const s = requireString(value, field);
  if (s.length < 1 || s.length > max || !ID_RE.test(s)) throw new ValidationError(field, `must be 1-${max} characters of [a-zA-Z0-9_.-], got ${describe(s)}`);
  return s;
}

/** @internal */
export function requireCorrelationId(value: unknown, field = 'correlationId'): string {
  const s = requireString(value, field);
  if (!isValidCorrelationId(s)) throw new ValidationError(field, `must be 1-${MAX_CORRELATION_ID_LENGTH} characters of [a-zA-Z0-9_.-]`);
  return s;
}

/** @internal */
export function requireVersion(value: unknown, field = 'currentVersion'): string {
  const s = requireString(value, field);
  if (!isValidVersion(s)) throw new ValidationError(field, `must be 1-${MAX_VERSION_LENGTH} alphanumeric characters`);
  return s;
}

/** @internal */
export function requireTtl(value: unknown, field = 'messageTtlSeconds'): number {
  if (!isValidMessageTtl(value)) {
    throw new ValidationError(field, `must be an integer from ${MIN_MESSAGE_TTL_SECONDS} to ${MAX_MESSAGE_TTL_SECONDS}, got ${String(value)}`);
  }
  return value;
}

/** @internal */
export function requireRole(value: unknown, field = 'role'): Role {
  if (!isValidRole(value)) throw new ValidationError(field, `must be 'MASTER' or 'VIEWER', got ${typeof value === 'string' ? JSON.stringify(value) : describe(value)}`);
  return value;
}

/** @internal */
export function requireNextToken(value: unknown, field = 'nextToken'): string {
  const s = requireString(value, field);
  if (s.length > MAX_NEXT_TOKEN_LENGTH || !NEXT_TOKEN_RE.test(s)) throw new ValidationError(field, `must be 0-${MAX_NEXT_TOKEN_LENGTH} characters of [a-zA-Z0-9+/=]`);
  return s;
}

/** @internal */
export function requireBase64(value: unknown, field: string, max: number, code: ErrorCodeOf<'ValidationError'> = 'BAD_PARAM'): string {
  const s = requireString(value, field);
  if (s.length < 1 || !BASE64_RE.test(s)) throw new ValidationError(field, 'must be non-empty base64 ([a-zA-Z0-9+/=])');
  if (s.length > max) throw new ValidationError(field, `is ${s.length} characters, over the limit of ${max}`, code);
  return s;
}

/** Number of Unicode code points, the unit the service's length limits count. @internal */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** True when the text has a lone surrogate (no UTF-8 form; the service would refuse it). @internal */
export function hasLoneSurrogate(s: string): boolean {
  return /(?:[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/.test(s);
}

/** @internal */
export function requireText(value: unknown, field: string, min: number, max: number): string {
  const s = requireString(value, field);
  if (hasLoneSurrogate(s)) throw new ValidationError(field, 'contains a lone surrogate');
  const n = codePointLength(s);
  if (n < min || n > max) throw new ValidationError(field, `must be ${min}-${max} characters, got ${n}`);
  return s;
}

/** @internal */
export function requireTagText(value: unknown, field: string, min: number, max: number): string {
  const s = requireText(value, field, min, max);
  if (!TAG_RE.test(s)) throw new ValidationError(field, 'may hold only letters, digits, spaces and _.:/=+-@');
  return s;
}

/** @internal */
export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? String(value) : describe(value)}`);
  }
  return value;
}

/** Refuses keys the operation does not know, so a typo never silently drops data. @internal */
export function rejectUnknownKeys(input: Record<string, unknown>, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key) && input[key] !== undefined) {
      throw new ValidationError(prefix + key, `is not a known input (expected one of ${allowed.join(', ')})`);
    }
  }
}
