/**
 * A strict UTF-8 + base64 (RFC 4648 §4) codec. The byte work is done by
 * `#codec`, a conditional module: browser builds get `codec-browser.ts` (the
 * runtime's `atob`/`btoa`/`TextEncoder`/`TextDecoder` only), every other
 * runtime `codec.ts` (those natives where they exist and behave, pure JS where
 * they do not). Both accept, produce and refuse exactly the same; this module
 * turns their refusals into typed errors.
 * @packageDocumentation
 */
import { atobOf, btoaOf, decodeBase64Bytes, decodeUtf8Bytes, encodeBase64Bytes, encodeUtf8Bytes } from '#codec';
import { NON_ASCII, bytesOfBinary, decodeLatin1, isUint8Array } from './codec-rules';
import { ProtocolError, ValidationError } from './errors';

const invalid = (message: string, cause?: unknown): ProtocolError => new ProtocolError('INVALID_BASE64', message, { cause });

/**
 * Encodes text as UTF-8 bytes.
 * @throws ValidationError `BAD_PARAM` on a lone surrogate (it has no UTF-8 form), or when `text` is not a string.
 * @public
 */
export function encodeUtf8(text: string, field = 'text'): Uint8Array {
  if (typeof text !== 'string') throw new ValidationError(field, 'must be a string');
  const out = encodeUtf8Bytes(text);
  if (typeof out === 'number') throw new ValidationError(field, `contains a lone surrogate at index ${out}`);
  return out;
}

/**
 * Decodes strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
 * A leading byte-order mark is kept as U+FEFF.
 * @throws ProtocolError `INVALID_BASE64` on invalid UTF-8, or when `bytes` is not a `Uint8Array`.
 * @public
 */
export function decodeUtf8(bytes: Uint8Array): string {
  if (!isUint8Array(bytes)) throw invalid('UTF-8 input is not a Uint8Array');
  const out = decodeUtf8Bytes(bytes);
  if (typeof out === 'number') throw invalid(`Invalid UTF-8 at byte ${out}`);
  return out;
}

/** Encodes bytes as standard, padded base64. @public */
export function encodeBase64(bytes: Uint8Array): string {
  return encodeBase64Bytes(bytes);
}

/**
 * Decodes standard base64. Padding is required (length a multiple of 4), as the
 * service and every reference encoder produce it; whitespace and the URL-safe
 * alphabet are refused, and the unused bits of the last group must be zero so
 * that every byte string has exactly one accepted encoding.
 * @throws ProtocolError `INVALID_BASE64`.
 * @public
 */
export function decodeBase64(b64: string): Uint8Array {
  if (typeof b64 !== 'string') throw invalid('Base64 input is not a string');
  const out = decodeBase64Bytes(b64);
  if (typeof out === 'string') throw invalid(out);
  return out;
}

/**
 * Base64 of the UTF-8 bytes of `text`.
 * @throws ValidationError `BAD_PARAM` on a lone surrogate, or when `text` is not a string.
 * @public
 */
export function encodeBase64Utf8(text: string, field = 'text'): string {
  // ASCII text is its own UTF-8 and its own binary string (SDP and ICE JSON nearly always are).
  const ascii = typeof text === 'string' && !NON_ASCII.test(text) ? btoaOf(text) : undefined;
  return ascii ?? encodeBase64(encodeUtf8(text, field));
}

/**
 * Text of base64-encoded UTF-8.
 * @throws ProtocolError `INVALID_BASE64` on bad base64 or invalid UTF-8.
 * @public
 */
export function decodeBase64Utf8(b64: string): string {
  const bin = atobOf(b64);
  if (bin === undefined) return decodeUtf8(decodeBase64(b64));
  return NON_ASCII.test(bin) ? decodeUtf8(bytesOfBinary(bin)) : bin;
}

/**
 * Serialises a payload object (an SDP or ICE candidate) as JSON, then base64 of its UTF-8.
 * @throws ValidationError `BAD_PARAM` when the value does not serialise to JSON or holds a lone surrogate.
 * @public
 */
export function encodePayload(value: unknown, field = 'payload'): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new ValidationError(field, 'cannot be serialised to JSON', 'BAD_PARAM', { cause: e });
  }
  if (typeof json !== 'string') throw new ValidationError(field, 'cannot be serialised to JSON');
  return encodeBase64Utf8(json, field);
}

/**
 * Decodes a base64 payload into its JSON object. The bytes are read as UTF-8;
 * bytes that are not UTF-8 are read as Latin-1, which is what the official JS
 * SDK sends (`btoa`) when the text has no character above U+00FF.
 * @throws ProtocolError `INVALID_BASE64` when it is not base64, not UTF-8, not JSON, or not an object.
 * @public
 */
export function decodePayload(b64: string): Record<string, unknown> {
  const bin = atobOf(b64);
  let text: string;
  if (bin !== undefined && !NON_ASCII.test(bin)) text = bin;
  else {
    const bytes = bin === undefined ? decodeBase64(b64) : bytesOfBinary(bin);
    const utf8 = decodeUtf8Bytes(bytes);
    // The official JS SDK encodes with btoa(JSON.stringify(x)), which is
    // Latin-1 (not UTF-8) when every character is at most U+00FF; read such
    // payloads the way its own receiver (atob) does, so they still interoperate.
    text = typeof utf8 === 'string' ? utf8 : (bin ?? decodeLatin1(bytes));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalid('Decoded payload is not JSON', e);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('Decoded payload is not a JSON object');
  return value as Record<string, unknown>;
}
