/**
 * The base64/UTF-8 codec for every runtime (the `default` branch of `#codec`):
 * the runtime's own `atob`/`btoa` and `TextEncoder`/`TextDecoder` where they
 * exist and behave (browsers, workers, Node ≥ 16, React Native ≥ 0.74), pure
 * JS where they do not. The native ones are not ES2022, so they are
 * feature-detected once at load through `globalThis` and declared in a local
 * type: core's `lib` stays ES2022. Browser builds get `codec-browser.ts`
 * instead, which has no pure-JS path. `base64.ts` turns the results into errors.
 * @packageDocumentation
 */
import { ALPHABET, base64Fault, bytesOfBinary, decodeLatin1, isUint8Array, loneSurrogateAt, padOf, sextet, strictAtob, utf8Walk } from './codec-rules';

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

/** UTF-8 bytes of `text`, or the index of its first lone surrogate (TextEncoder would write U+FFFD for it). */
export function encodeUtf8Bytes(text: string): Uint8Array | number {
  if (utf8Encoder === undefined) return pureEncodeUtf8(text);
  const at = loneSurrogateAt(text);
  return at >= 0 ? at : utf8Encoder.encode(text);
}

/** The text of strict UTF-8 `bytes` (a leading BOM kept), or the index of the first invalid byte. */
export function decodeUtf8Bytes(bytes: Uint8Array): string | number {
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

/** Standard padded base64 of `bytes`. */
export function encodeBase64Bytes(bytes: Uint8Array): string {
  return nativeBtoa !== undefined && isUint8Array(bytes) ? nativeBtoa(decodeLatin1(bytes)) : pureEncodeBase64(bytes);
}

/** Base64 of a binary string through the native `btoa`; undefined when there is none. */
export function btoaOf(bin: string): string | undefined {
  return nativeBtoa?.(bin);
}

/** The binary string of canonical base64 through the native `atob`; undefined when refused or when there is none. */
export function atobOf(b64: unknown): string | undefined {
  return nativeAtob === undefined ? undefined : strictAtob(b64, nativeAtob);
}

/** The bytes of canonical base64, or why it is refused. */
export function decodeBase64Bytes(b64: string): Uint8Array | string {
  const bin = atobOf(b64);
  if (bin !== undefined) return bytesOfBinary(bin);
  return base64Fault(b64) ?? pureDecodeBase64(b64);
}

// The pure-JS fallbacks. Refusals are decided by codec-rules, as on the native path.

function pureEncodeUtf8(text: string): Uint8Array | number {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) return i;
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

function pureDecodeUtf8(bytes: Uint8Array): string | number {
  const parts: string[] = [];
  let units: number[] = [];
  const bad = utf8Walk(bytes, (cp) => {
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else units.push(cp);
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  });
  if (bad >= 0) return bad;
  parts.push(String.fromCharCode(...units));
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

// Only called on input base64Fault accepted: every character is in the alphabet but the padding.
function pureDecodeBase64(b64: string): Uint8Array {
  const len = b64.length;
  const out = new Uint8Array((len / 4) * 3 - padOf(b64));
  const at = (i: number): number => Math.max(sextet(b64.charCodeAt(i)), 0);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const v = (at(i) << 18) | (at(i + 1) << 12) | (at(i + 2) << 6) | at(i + 3);
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}
