/**
 * The rules both codec builds share (`codec.ts` for every runtime,
 * `codec-browser.ts` for browsers): what canonical base64 and strict UTF-8 are,
 * checked without decoding, so that every build refuses the same input with
 * the same message. No runtime globals here.
 * @packageDocumentation
 */

/** The standard base64 alphabet (RFC 4648 §4). */
export const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The 6-bit value of a base64 character code, or -1 (`=` included). */
export function sextet(code: number): number {
  return code < 128 ? (DECODE[code] as number) : -1;
}

/** Any character that is not ASCII. */
export const NON_ASCII = /[\u0080-\uffff]/;

/** How many `=` end `b64` (0–2). */
export function padOf(b64: string): number {
  const len = b64.length;
  return len > 0 && b64.charCodeAt(len - 1) === 61 ? (b64.charCodeAt(len - 2) === 61 ? 2 : 1) : 0;
}

/**
 * Why `b64` is not canonical padded base64, or undefined when it is. The
 * first fault wins, in reading order: the length, then the first character
 * outside the alphabet (a misplaced `=` included), then unused bits of the
 * last group that are not zero (so each byte string has one encoding).
 */
export function base64Fault(b64: string): string | undefined {
  const len = b64.length;
  if (len % 4 !== 0) return `Base64 length ${len} is not a multiple of 4`;
  const pad = padOf(b64);
  for (let i = 0; i < len - pad; i++) if (sextet(b64.charCodeAt(i)) < 0) return `Invalid base64 character at ${i}`;
  if (pad > 0 && (sextet(b64.charCodeAt(len - pad - 1)) & (pad === 2 ? 15 : 3)) !== 0) return 'Non-canonical base64 ending';
  return undefined;
}

const MIN_CODE_POINT = [0, 0x80, 0x800, 0x10000];

/**
 * Reads strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF),
 * handing each code point to `emit`.
 * @returns -1, or the index of the first byte of the first invalid sequence.
 */
export function utf8Walk(bytes: Uint8Array, emit?: (codePoint: number) => void): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const need = b < 0x80 ? 0 : b < 0xc2 ? -1 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    let cp = need === 0 ? b : b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cb = bytes[i + k];
      if (cb === undefined || (cb & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cb & 0x3f);
    }
    if (cp < (MIN_CODE_POINT[need] as number) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    emit?.(cp);
    i += need + 1;
  }
  return -1;
}

const SURROGATE = /[\ud800-\udfff]/g;

/** Index of the first surrogate without its pair, or -1 (it has no UTF-8 form). */
export function loneSurrogateAt(text: string): number {
  SURROGATE.lastIndex = 0;
  for (let m = SURROGATE.exec(text); m !== null; m = SURROGATE.exec(text)) {
    const i = m.index;
    const next = text.charCodeAt(i + 1);
    if (text.charCodeAt(i) > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return i;
    SURROGATE.lastIndex = i + 2;
  }
  return -1;
}

/** A realm-independent check (instanceof fails for arrays made in another realm, e.g. a vm context). */
export function isUint8Array(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** The bytes of a binary string (one character per byte, as `atob` returns). */
export function bytesOfBinary(bin: string): Uint8Array {
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes read as Latin-1: also the binary string `btoa` takes. */
export function decodeLatin1(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 8192) parts.push(String.fromCharCode(...bytes.subarray(i, i + 8192)));
  return parts.join('');
}

/**
 * A native `atob` made strict: the binary string, or undefined when `b64` is
 * refused (the caller then reports {@link base64Fault}). atob already refuses
 * characters outside the alphabet and misplaced `=`; it forgives whitespace
 * and missing padding, which make the output shorter than the length equation
 * below, and non-zero unused bits in the last group, which the check after it refuses.
 */
export function strictAtob(b64: unknown, decode: (data: string) => string): string | undefined {
  if (typeof b64 !== 'string') return undefined;
  const len = b64.length;
  if (len % 4 !== 0) return undefined;
  const pad = padOf(b64);
  let bin: string;
  try {
    bin = decode(b64);
  } catch {
    return undefined;
  }
  if (bin.length !== (len / 4) * 3 - pad) return undefined;
  if (pad > 0) {
    const last = sextet(b64.charCodeAt(len - pad - 1));
    if (last < 0 || (last & (pad === 2 ? 15 : 3)) !== 0) return undefined;
  }
  return bin;
}
