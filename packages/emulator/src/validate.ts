import { isValidChannelArn, isValidClientId, MAX_ARN_LENGTH, MAX_CLIENT_ID_LENGTH, type ServiceError } from '@kvs-sig/core';
import { invalidArgument } from './aws-errors';

/**
 * Checks of the WebSocket handshake's query parameters (ConnectAsMaster /
 * ConnectAsViewer, which no service model describes). HTTP operations are
 * validated from the models by model-validate.ts. Refusals are
 * `InvalidArgumentException` with the service's "1 validation error detected"
 * wording, naming the member (lower-camel, as the service does).
 * @internal
 */

export type Json = Record<string, unknown>;

export const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
export const CHANNEL_ARN_PATTERN = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:channel\/[a-zA-Z0-9_.-]+\/[0-9]+$/;
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

/** Constraints of the service's members, accepted by core's validators. */
export const CHANNEL_ARN: StringRule = { min: 1, max: MAX_ARN_LENGTH, pattern: CHANNEL_ARN_PATTERN, valid: isValidChannelArn, what: 'channel ARN' };
export const CLIENT_ID: StringRule = { min: 1, max: MAX_CLIENT_ID_LENGTH, pattern: NAME_PATTERN, valid: (v) => isValidClientId(v), what: 'client id' };

/** ClientId of ConnectAsViewer / JoinStorageSessionAsViewer: 1–256 of `[a-zA-Z0-9_.-]`, not starting with `AWS_`. */
export function checkClientId(field: string, value: string): string {
  checkString(field, value, CLIENT_ID);
  if (!isValidClientId(value, { viewer: true })) throw constraint(field, value, 'Member must not start with AWS_');
  return value;
}
