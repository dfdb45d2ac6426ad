/**
 * A strict UTF-8 + base64 (RFC 4648 §4) codec. It uses the runtime's own
 * `atob`/`btoa` and `TextEncoder`/`TextDecoder` where they exist (browsers,
 * workers, Node ≥ 16, React Native ≥ 0.74) and pure JS where they do not, with
 * exactly the same accepted inputs, output and errors on both paths. The
 * native ones are not ES2022, so they are feature-detected once at load through
 * `globalThis` and declared in a local type: core's `lib` stays ES2022.
 * @packageDocumentation
 */
import { ProtocolError, ValidationError } from './errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const NON_ASCII = /[\u0080-\uffff]/;
const SURROGATE = /[\ud800-\udfff]/g;

/** The web globals this module reads when the runtime has them. */
interface NativeCodecs {
  readonly atob?: unknown;
  readonly btoa?: unknown;
  readonly TextEncoder?: unknown;
  readonly TextDecoder?: unknown;
}
type Atob = (data: string) => string;
type Btoa = (data: string) => string;
type Utf8Encoder = { encode(input: string): Uint8Array };
type Utf8Decoder = { decode(input: Uint8Array): string };

// Each native codec is used only if it behaves as the standard says on a few
// probes (a lax polyfill, e.g. an atob that skips bad characters, would let
// through what the pure decoder refuses); otherwise that part stays pure JS.
function probe<T>(make: () => T, check: (codec: T) => boolean): T | undefined {
  try {
    const codec = make();
    return check(codec) ? codec : undefined;
  } catch {
    return undefined;
  }
}

function refuses(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch {
    return true;
  }
}

const host = globalThis as NativeCodecs;

const nativeAtob = probe(
  () => (host.atob as Atob).bind(host),
  (decode) => decode('QUJD') === 'ABC' && decode('AP8=') === '\u0000\u00ff' && refuses(() => decode('QU-D')) && refuses(() => decode('QU\u00e9D')) && refuses(() => decode('Q=JD')),
);
const nativeBtoa = probe(
  () => (host.btoa as Btoa).bind(host),
  (encode) => encode('ABC') === 'QUJD' && encode('\u0000\u00ff') === 'AP8=' && refuses(() => encode('\u0100')),
);
const utf8Encoder = probe(
  () => new (host.TextEncoder as new () => Utf8Encoder)(),
  (enc) => {
    const b = enc.encode('\u00e9\u{1f600}');
    return b.length === 6 && b[0] === 0xc3 && b[1] === 0xa9 && b[2] === 0xf0 && b[5] === 0x80;
  },
);
const utf8Decoder = probe(
  // ignoreBOM keeps a leading U+FEFF as text, as the pure decoder does (the default strips it).
  () => new (host.TextDecoder as new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder)('utf-8', { fatal: true, ignoreBOM: true }),
  (dec) => dec.decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0xc3, 0xa9)) === '\ufeff\u00e9' && refuses(() => dec.decode(Uint8Array.of(0xc0, 0x80))) && refuses(() => dec.decode(Uint8Array.of(0xed, 0xa0, 0x80))),
);

// A realm-independent check (instanceof fails for arrays made in another realm, e.g. a vm context).
function isUint8Array(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function bytesOfBinary(bin: string): Uint8Array {
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// Index of the first surrogate without its pair, or -1: TextEncoder would
// silently write U+FFFD for it, where a lone surrogate must be refused.
function loneSurrogateAt(text: string): number {
  SURROGATE.lastIndex = 0;
  for (let m = SURROGATE.exec(text); m !== null; m = SURROGATE.exec(text)) {
    const i = m.index;
    const next = text.charCodeAt(i + 1);
    if (text.charCodeAt(i) > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return i;
    SURROGATE.lastIndex = i + 2;
  }
  return -1;
}

// Native base64 decode to a binary string (one character per byte), or
// undefined when the input is refused, so that the pure decoder then throws
// its precise error. atob already refuses characters outside the alphabet and
// misplaced `=`; it forgives whitespace and missing padding, which make the
// output shorter than the length equation below, and non-zero unused bits in
// the last group, which the check after it refuses.
function nativeBinary(b64: string, decode: Atob): string | undefined {
  if (typeof b64 !== 'string') return undefined;
  const len = b64.length;
  if (len % 4 !== 0) return undefined;
  const pad = len > 0 && b64.charCodeAt(len - 1) === 61 ? (b64.charCodeAt(len - 2) === 61 ? 2 : 1) : 0;
  let bin: string;
  try {
    bin = decode(b64);
  } catch {
    return undefined;
  }
  if (bin.length !== (len / 4) * 3 - pad) return undefined;
  if (pad > 0) {
    const code = b64.charCodeAt(len - pad - 1);
    const last = code < 128 ? (DECODE[code] as number) : -1;
    if (last < 0 || (last & (pad === 2 ? 15 : 3)) !== 0) return undefined;
  }
  return bin;
}

/**
 * Encodes text as UTF-8 bytes.
 * @throws ValidationError `BAD_PARAM` on a lone surrogate (it has no UTF-8 form), or when `text` is not a string.
 * @public
 */
export function encodeUtf8(text: string, field = 'text'): Uint8Array {
  if (typeof text !== 'string') throw new ValidationError(field, 'must be a string');
  if (utf8Encoder === undefined) return pureEncodeUtf8(text, field);
  const at = loneSurrogateAt(text);
  if (at >= 0) throw new ValidationError(field, `contains a lone surrogate at index ${at}`);
  return utf8Encoder.encode(text);
}

/**
 * Decodes strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
 * A leading byte-order mark is kept as U+FEFF.
 * @throws ProtocolError `INVALID_BASE64` on invalid UTF-8, or when `bytes` is not a `Uint8Array`.
 * @public
 */
export function decodeUtf8(bytes: Uint8Array): string {
  if (!isUint8Array(bytes)) throw new ProtocolError('INVALID_BASE64', 'UTF-8 input is not a Uint8Array');
  if (utf8Decoder !== undefined) {
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      // Refused (or a view the runtime will not decode, e.g. shared memory):
      // the pure decoder names the bad byte, or decodes it.
    }
  }
  return pureDecodeUtf8(bytes);
}

/** Encodes bytes as standard, padded base64. @public */
export function encodeBase64(bytes: Uint8Array): string {
  return nativeBtoa !== undefined && isUint8Array(bytes) ? nativeBtoa(decodeLatin1(bytes)) : pureEncodeBase64(bytes);
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
  if (typeof b64 !== 'string') throw new ProtocolError('INVALID_BASE64', 'Base64 input is not a string');
  const bin = nativeAtob === undefined ? undefined : nativeBinary(b64, nativeAtob);
  return bin === undefined ? pureDecodeBase64(b64) : bytesOfBinary(bin);
}

/**
 * Base64 of the UTF-8 bytes of `text`.
 * @throws ValidationError `BAD_PARAM` on a lone surrogate, or when `text` is not a string.
 * @public
 */
export function encodeBase64Utf8(text: string, field = 'text'): string {
  // ASCII text is its own UTF-8 and its own binary string (SDP and ICE JSON nearly always are).
  if (nativeBtoa !== undefined && typeof text === 'string' && !NON_ASCII.test(text)) return nativeBtoa(text);
  return encodeBase64(encodeUtf8(text, field));
}

/**
 * Text of base64-encoded UTF-8.
 * @throws ProtocolError `INVALID_BASE64` on bad base64 or invalid UTF-8.
 * @public
 */
export function decodeBase64Utf8(b64: string): string {
  const bin = nativeAtob === undefined ? undefined : nativeBinary(b64, nativeAtob);
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
  let text: string;
  const bin = nativeAtob === undefined ? undefined : nativeBinary(b64, nativeAtob);
  if (bin !== undefined && !NON_ASCII.test(bin)) text = bin;
  else {
    const bytes = bin === undefined ? decodeBase64(b64) : bytesOfBinary(bin);
    try {
      text = decodeUtf8(bytes);
    } catch {
      // The official JS SDK encodes with btoa(JSON.stringify(x)), which is
      // Latin-1 (not UTF-8) when every character is at most U+00FF; read such
      // payloads the way its own receiver (atob) does, so they still interoperate.
      text = bin ?? decodeLatin1(bytes);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError('INVALID_BASE64', 'Decoded payload is not JSON', { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('INVALID_BASE64', 'Decoded payload is not a JSON object');
  }
  return value as Record<string, unknown>;
}

// The pure-JS fallbacks. They also decide every refusal on the native path,
// so both paths refuse with the same error and message.

function pureEncodeUtf8(text: string, field: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) {
        throw new ValidationError(field, `contains a lone surrogate at index ${i}`);
      }
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return out.subarray(0, n);
}

function pureDecodeUtf8(bytes: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  const bad = (i: number): never => {
    throw new ProtocolError('INVALID_BASE64', `Invalid UTF-8 at byte ${i}`);
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    let cp: number;
    let need: number;
    let min: number;
    if (b < 0x80) {
      cp = b;
      need = 0;
      min = 0;
    } else if (b >= 0xc2 && b <= 0xdf) {
      cp = b & 0x1f;
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      cp = b & 0x0f;
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      cp = b & 0x07;
      need = 3;
      min = 0x10000;
    } else return bad(i);
    for (let k = 1; k <= need; k++) {
      const cb = bytes[i + k];
      if (cb === undefined || (cb & 0xc0) !== 0x80) return bad(i);
      cp = (cp << 6) | (cb & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return bad(i);
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else units.push(cp);
    i += need + 1;
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}

// Also the binary string `btoa` takes: one character per byte.
function decodeLatin1(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 8192) parts.push(String.fromCharCode(...bytes.subarray(i, i + 8192)));
  return parts.join('');
}

function pureEncodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    chunk += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = (bytes[i] as number) << 16;
    chunk += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    chunk += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

function pureDecodeBase64(b64: string): Uint8Array {
  const len = b64.length;
  if (len % 4 !== 0) throw new ProtocolError('INVALID_BASE64', `Base64 length ${len} is not a multiple of 4`);
  let pad = 0;
  if (len > 0 && b64.charCodeAt(len - 1) === 61) pad = b64.charCodeAt(len - 2) === 61 ? 2 : 1;
  const out = new Uint8Array((len / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const vals = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const pos = i + k;
      const code = b64.charCodeAt(pos);
      if (last && k >= 4 - pad) {
        if (code !== 61) throw new ProtocolError('INVALID_BASE64', `Invalid base64 padding at ${pos}`);
        continue;
      }
      const d = code < 128 ? (DECODE[code] as number) : -1;
      if (d < 0) throw new ProtocolError('INVALID_BASE64', `Invalid base64 character at ${pos}`);
      vals[k] = d;
    }
    const v = (vals[0]! << 18) | (vals[1]! << 12) | (vals[2]! << 6) | vals[3]!;
    if (last && pad === 2 && (v & 0xffff) !== 0) throw new ProtocolError('INVALID_BASE64', 'Non-canonical base64 ending');
    if (last && pad === 1 && (v & 0xff) !== 0) throw new ProtocolError('INVALID_BASE64', 'Non-canonical base64 ending');
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}
