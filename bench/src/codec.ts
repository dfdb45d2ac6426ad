/**
 * The base64 + UTF-8 codec the message-cost findings suggest for core: the
 * platform's `atob`/`btoa` with the checks that keep it exactly as strict as
 * core's pure-JS decoder. Measured by the benchmark and checked against core
 * by `bench/test/codec.test.ts`; not shipped by any package.
 * @packageDocumentation
 */

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * A decode core could use instead of its byte loops (a measured suggestion,
 * not shipped). `atob` (browsers, Node ≥ 16, React Native ≥ 0.74) already
 * rejects characters outside the alphabet and misplaced `=`; it forgives
 * whitespace and missing padding, which the length equation below catches,
 * and non-zero unused bits, which the last-character check catches, so it
 * stays as strict as core's decoder. KVS payloads are ASCII JSON, so the
 * binary string already is the text; anything else goes through a fatal `TextDecoder`.
 * @throws Error `INVALID_BASE64: …` where core throws ProtocolError `INVALID_BASE64`.
 * @public
 */
export function proposedDecode(b64: string): string {
  const len = b64.length;
  if (len % 4 !== 0) throw new Error('INVALID_BASE64: length');
  const pad = len > 0 && b64.charCodeAt(len - 1) === 61 ? (b64.charCodeAt(len - 2) === 61 ? 2 : 1) : 0;
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new Error('INVALID_BASE64: alphabet');
  }
  if (bin.length !== (len / 4) * 3 - pad) throw new Error('INVALID_BASE64: whitespace or padding');
  if (pad > 0) {
    const last = B64_ALPHABET.indexOf(b64.charAt(len - pad - 1));
    if ((pad === 2 ? last & 15 : last & 3) !== 0) throw new Error('INVALID_BASE64: non-canonical ending');
  }
  if (!NON_ASCII.test(bin)) return bin;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  try {
    // ignoreBOM keeps a leading U+FEFF as core does (the default would strip it).
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Error('INVALID_BASE64: invalid UTF-8');
  }
}

/** The encode counterpart of {@link proposedDecode}: `btoa` when the text is ASCII (SDP/ICE JSON always is). @public */
export function proposedEncode(text: string): string {
  if (!NON_ASCII.test(text)) return btoa(text);
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] as number);
  return btoa(bin);
}
