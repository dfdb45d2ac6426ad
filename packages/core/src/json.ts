/**
 * Guarded JSON reading for the parsers: only SignalingError subclasses escape.
 * @internal
 * @packageDocumentation
 */
import { MAX_JSON_DEPTH, MAX_RESPONSE_LENGTH } from './constants';
import { ProtocolError, ValidationError } from './errors';
import type { ErrorCodeOf } from './errors';

/** A plain JSON object read from a reply. @internal */
export type JsonObject = Record<string, unknown>;

/** @internal */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property read, so `__proto__` / `constructor` in a reply are only data. @internal */
export function get(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

// Counts bracket depth without recursion, so hostile nesting is refused before
// JSON.parse or any later walk could recurse on it. Strings are skipped with
// indexOf to their closing quote (one not escaped by an odd run of
// backslashes): a frame is mostly one long base64 string, and stepping through
// it a character at a time cost more than parsing it.
function maxDepthExceeded(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        // Unterminated: nothing after it can open a level, and JSON.parse refuses it.
        if (end < 0) return false;
        let slash = end - 1;
        while (text.charCodeAt(slash) === 92) slash--;
        if ((end - 1 - slash) % 2 === 0) break;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * Parses reply text. Empty text, invalid JSON, over-deep nesting and oversized
 * text give `INVALID_JSON`; a top level that is not an object gives `notObject`.
 * @internal
 */
export function parseJsonObject(text: unknown, what: string, notObject: ErrorCodeOf<'ProtocolError'> = 'UNEXPECTED_RESPONSE'): JsonObject {
  if (typeof text !== 'string') throw new ValidationError('text', `${what}: the reply text must be a string`);
  if (text.length === 0) throw new ProtocolError('INVALID_JSON', `${what}: the reply is empty`);
  if (text.length > MAX_RESPONSE_LENGTH) throw new ProtocolError('INVALID_JSON', `${what}: the reply is larger than ${MAX_RESPONSE_LENGTH} characters`);
  if (maxDepthExceeded(text)) throw new ProtocolError('INVALID_JSON', `${what}: the reply nests deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError('INVALID_JSON', `${what}: the reply is not valid JSON`, { cause: e });
  }
  if (!isObject(value)) throw new ProtocolError(notObject, `${what}: the reply is not a JSON object`);
  return value;
}

/** Reads an optional string member; other types are a contract break. @internal */
export function optString(obj: JsonObject, key: string, what: string): string | undefined {
  const v = get(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ${key} is not a string`);
  return v;
}

/**
 * Reads an integer that may come as a JSON number or a numeric string (C keeps
 * both, protocol.md Q7); outside [min, max] or not an integer gives `code`.
 * @internal
 */
export function readIntLenient(value: unknown, min: number, max: number, code: ErrorCodeOf<'ProtocolError'>, what: string): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^[0-9]{1,10}$/.test(value)) n = Number(value);
  else throw new ProtocolError(code, `${what} is not an integer`);
  if (!Number.isInteger(n) || n < min || n > max) throw new ProtocolError(code, `${what} ${n} is outside ${min}-${max}`);
  return n;
}
