/**
 * The base64/UTF-8 codec of browser builds (the `browser` branch of `#codec`):
 * the runtime's `atob`/`btoa` and `TextEncoder`/`TextDecoder`, which every
 * browser and worker has, made exactly as strict as `codec.ts` by the shared
 * rules in `codec-rules.ts`, with no pure-JS fallback (runtimes without the
 * four natives, e.g. older React Native, resolve `#codec` to `codec.ts`).
 * @packageDocumentation
 */
import { base64Fault, bytesOfBinary, decodeLatin1, isUint8Array, loneSurrogateAt, strictAtob, utf8Walk } from './codec-rules';

/** The web globals this module reads. */
interface NativeCodecs {
  readonly atob?: unknown;
  readonly btoa?: unknown;
  readonly TextEncoder?: unknown;
  readonly TextDecoder?: unknown;
}
type Utf8Encoder = { encode(input: string): Uint8Array };
type Utf8Decoder = { decode(input: Uint8Array): string };

const host = globalThis as NativeCodecs;
// Made on first use, so that merely importing core never touches the globals.
let encoder: Utf8Encoder | undefined;
let decoder: Utf8Decoder | undefined;
const nativeAtob = (b64: string): string => (host.atob as (data: string) => string)(b64);

/** UTF-8 bytes of `text`, or the index of its first lone surrogate (TextEncoder would write U+FFFD for it). */
export function encodeUtf8Bytes(text: string): Uint8Array | number {
  const at = loneSurrogateAt(text);
  return at >= 0 ? at : (encoder ??= new (host.TextEncoder as new () => Utf8Encoder)()).encode(text);
}

/** The text of strict UTF-8 `bytes` (a leading BOM kept), or the index of the first invalid byte. */
export function decodeUtf8Bytes(bytes: Uint8Array): string | number {
  // ignoreBOM keeps a leading U+FEFF as text, as codec.ts does.
  const dec = (decoder ??= new (host.TextDecoder as new (label: string, options: object) => Utf8Decoder)('utf-8', { fatal: true, ignoreBOM: true }));
  try {
    return dec.decode(bytes);
  } catch {
    // Invalid, or valid bytes in a view the runtime will not decode (shared memory): copy those.
    const at = utf8Walk(bytes);
    return at >= 0 ? at : dec.decode(bytes.slice());
  }
}

/** Standard padded base64 of `bytes`. */
export function encodeBase64Bytes(bytes: Uint8Array): string {
  return btoaOf(decodeLatin1(isUint8Array(bytes) ? bytes : Uint8Array.from(bytes)));
}

/** Base64 of a binary string through the native `btoa`. */
export function btoaOf(bin: string): string {
  return (host.btoa as (data: string) => string)(bin);
}

/** The binary string of canonical base64 through the native `atob`; undefined when refused. */
export function atobOf(b64: unknown): string | undefined {
  return strictAtob(b64, nativeAtob);
}

/** The bytes of canonical base64, or why it is refused. */
export function decodeBase64Bytes(b64: string): Uint8Array | string {
  const bin = atobOf(b64);
  return bin === undefined ? (base64Fault(b64) ?? 'Invalid base64') : bytesOfBinary(bin);
}
