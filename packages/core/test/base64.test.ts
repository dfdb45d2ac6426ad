/** The pure base64/UTF-8 codec against Node's Buffer as an independent reference. */
import fc from 'fast-check';
import { decodeBase64, decodeBase64Utf8, decodePayload, decodeUtf8, encodeBase64, encodeBase64Utf8, encodePayload, encodeUtf8 } from '@kvs-sig/core';
import { expectProtocol, expectValidation } from './helpers';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 2000);

describe('base64 / UTF-8 codec', () => {
  test('RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [text, b64] of vectors) {
      expect(encodeBase64Utf8(text)).toBe(b64);
      expect(decodeBase64Utf8(b64)).toBe(text);
    }
  });
  test('property: full-Unicode strings (astral included) encode like Buffer and decode back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 }), (a, b) => {
        const text = a + b;
        const expected = Buffer.from(text, 'utf8').toString('base64');
        expect(encodeBase64Utf8(text)).toBe(expected);
        expect(decodeBase64Utf8(expected)).toBe(text);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  test('property: arbitrary bytes encode like Buffer; decodeBase64 inverts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b64 = encodeBase64(bytes);
        expect(b64).toBe(Buffer.from(bytes).toString('base64'));
        expect(Array.from(decodeBase64(b64))).toEqual(Array.from(bytes));
      }),
      { numRuns: NUM_RUNS },
    );
  });
  test('property: arbitrary bytes decode as UTF-8 exactly when Node\'s fatal decoder accepts them', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let expected: string | undefined;
        try {
          expected = fatal.decode(bytes);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expectProtocol(() => decodeUtf8(bytes), 'INVALID_BASE64');
        else expect(decodeUtf8(bytes)).toBe(expected);
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });
  test('invalid UTF-8 is refused: overlong, surrogates, truncated, > U+10FFFF, stray continuation', () => {
    for (const bytes of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf0, 0x9f, 0x98], [0xff]]) {
      expectProtocol(() => decodeUtf8(Uint8Array.from(bytes)), 'INVALID_BASE64');
    }
    expect(decodeUtf8(Uint8Array.from([0xf0, 0x9f, 0x98, 0x80]))).toBe('😀');
  });
  test('lone surrogates are refused when encoding, naming the field', () => {
    for (const s of ['\uD800', 'a\uDC00', '\uDBFFx', 'x\uD83D']) {
      expectValidation(() => encodeUtf8(s, 'sdp'), 'sdp');
      expectValidation(() => encodeBase64Utf8(s), 'text');
    }
  });
  test('invalid base64 is refused', () => {
    for (const s of ['A', 'AB', 'ABC', 'A===', '====', 'AB=A', 'A B=', 'AB-_', 'ABC\u00e9', 'Zh==', 'Zm9=', 'QQ==QQ==']) {
      expectProtocol(() => decodeBase64(s), 'INVALID_BASE64');
    }
  });
  test('encodePayload / decodePayload', () => {
    const obj = { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null };
    expect(decodePayload(encodePayload(obj))).toEqual(obj);
    expect(JSON.parse(Buffer.from(encodePayload(obj), 'base64').toString('utf8'))).toEqual(obj);
    expectProtocol(() => decodePayload(encodeBase64Utf8('[1,2]')), 'INVALID_BASE64');
    expectProtocol(() => decodePayload(encodeBase64Utf8('{')), 'INVALID_BASE64');
    expectValidation(() => encodePayload(undefined), 'payload');
  });
  test('large inputs (1 MiB) do not overflow the stack', () => {
    const text = '😀a'.repeat(350_000);
    expect(decodeBase64Utf8(encodeBase64Utf8(text))).toBe(text);
  });
});
