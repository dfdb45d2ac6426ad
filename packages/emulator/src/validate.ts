import {
  isValidArn,
  isValidChannelArn,
  isValidChannelName,
  isValidClientId,
  isValidVersion,
  MAX_ARN_LENGTH,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_CLIENT_ID_LENGTH,
  MAX_VERSION_LENGTH,
  type ServiceError,
} from '@kvs-sig/core';
import { invalidArgument } from './aws-errors';

/**
 * Request-side validation with the service's constraints. Refusals are
 * `InvalidArgumentException` with the service's "1 validation error detected"
 * wording, naming the member (lower-camel, as the service does).
 * @internal
 */

export type Json = Record<string, unknown>;

export const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
export const CHANNEL_ARN_PATTERN = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:channel\/[a-zA-Z0-9_.-]+\/[0-9]+$/;
export const STREAM_ARN_PATTERN = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:stream\/[a-zA-Z0-9_.-]+\/[0-9]+$/;
export const VERSION_PATTERN = /^[a-zA-Z0-9]+$/;
export const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const BASE64_PATTERN = /^[a-zA-Z0-9+/=]+$/;

function lowerCamel(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** A refusal in the service's wording. */
export function constraint(field: string, value: unknown, rule: string): ServiceError {
  return invalidArgument(
    `1 validation error detected: Value '${show(value)}' at '${lowerCamel(field)}' failed to satisfy constraint: ${rule}`,
  );
}

export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Core's validator: the authority on acceptance; min/max/pattern only word the refusal. */
  valid?: (value: string) => boolean;
  /** What `valid` checks, for the refusal when min/max/pattern do not explain it. */
  what?: string;
}

function checkString(field: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') {
    throw invalidArgument(`${field} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  const min = rule.min ?? 1;
  if (value.length < min || (rule.max !== undefined && value.length > rule.max)) {
    throw constraint(field, value, `Member must have length between ${min} and ${rule.max ?? 'unbounded'}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw constraint(field, value, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  }
  if (rule.valid && !rule.valid(value)) throw constraint(field, value, `Member must be a valid ${rule.what ?? 'value'}`);
  return value;
}

/** A required string member. */
export function requireString(body: Json, field: string, rule: StringRule = {}): string {
  const value = body[field];
  if (value === undefined || value === null) throw constraint(field, null, 'Member must not be null');
  return checkString(field, value, rule);
}

/** An optional string member (absent or null → undefined). */
export function optionalString(body: Json, field: string, rule: StringRule = {}): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return checkString(field, value, rule);
}

/** An optional integer member within [min, max]. */
export function optionalInt(body: Json, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidArgument(`${field} must be an integer, got ${show(value)}`);
  }
  if (value < min) throw constraint(field, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraint(field, value, `Member must have value less than or equal to ${max}`);
  return value;
}

/** An optional object member. */
export function optionalObject(body: Json, field: string): Json | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${field} must be an object`);
  return value as Json;
}

/** An optional array member with a length range. */
export function optionalArray(body: Json, field: string, min: number, max: number): unknown[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidArgument(`${field} must be a list`);
  if (value.length < min || value.length > max) {
    throw constraint(field, value, `Member must have length between ${min} and ${max}`);
  }
  return value;
}

/** A member that must be one of `allowed`. */
export function checkEnum<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw constraint(field, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

/** A `{Key, Value}` tag list as Create and TagResource take it. */
export function parseTagList(field: string, list: unknown[]): Array<[string, string]> {
  return list.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalidArgument(`${field}[${i}] must be an object with Key and Value`);
    }
    const tag = item as Json;
    const key = requireString(tag, 'Key', { min: 1, max: 128, pattern: TAG_PATTERN });
    const value = requireString(tag, 'Value', { min: 0, max: 256, pattern: TAG_PATTERN });
    return [key, value];
  });
}

/** Constraints of the service's members, accepted by core's validators. */
export const CHANNEL_NAME: StringRule = { min: 1, max: MAX_CHANNEL_NAME_LENGTH, pattern: NAME_PATTERN, valid: isValidChannelName, what: 'channel name' };
export const CHANNEL_ARN: StringRule = { min: 1, max: MAX_ARN_LENGTH, pattern: CHANNEL_ARN_PATTERN, valid: isValidChannelArn, what: 'channel ARN' };
export const STREAM_ARN: StringRule = {
  min: 1,
  max: MAX_ARN_LENGTH,
  pattern: STREAM_ARN_PATTERN,
  valid: (v) => isValidArn(v) && v.includes(':stream/'),
  what: 'stream ARN',
};
export const CLIENT_ID: StringRule = { min: 1, max: MAX_CLIENT_ID_LENGTH, pattern: NAME_PATTERN, valid: (v) => isValidClientId(v), what: 'client id' };
export const VERSION: StringRule = { min: 1, max: MAX_VERSION_LENGTH, pattern: VERSION_PATTERN, valid: isValidVersion, what: 'version' };

/** ClientId of ConnectAsViewer / JoinStorageSessionAsViewer: 1–256 of `[a-zA-Z0-9_.-]`, not starting with `AWS_`. */
export function checkClientId(field: string, value: string): string {
  checkString(field, value, CLIENT_ID);
  if (!isValidClientId(value, { viewer: true })) throw constraint(field, value, 'Member must not start with AWS_');
  return value;
}
