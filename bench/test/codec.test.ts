/**
 * The codec suggested to core (bench/src/codec.ts) must accept and produce
 * exactly what core's own decoder does, or the speed it is credited with in
 * BENCHMARKS.md would be bought with lost strictness.
 */
import fc from 'fast-check';
import { decodeBase64Utf8, encodeBase64Utf8, isSignalingError } from '@kvs-sig/core';
import { proposedDecode, proposedEncode } from '../src/codec';

type Outcome = { ok: true; text: string } | { ok: false };

function core(b64: string): Outcome {
  try {
    return { ok: true, text: decodeBase64Utf8(b64) };
  } catch (e) {
    // Only core's typed error counts as a refusal; anything else is a bug in the test input.
    if (!isSignalingError(e)) throw e;
    return { ok: false };
  }
}

function proposed(b64: string): Outcome {
  try {
    return { ok: true, text: proposedDecode(b64) };
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith('INVALID_BASE64')) throw e;
    return { ok: false };
  }
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe('suggested codec agrees with core', () => {
  test('valid base64 of any bytes: same text, or both refuse invalid UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(proposed(b64(bytes))).toEqual(core(b64(bytes)));
      }),
      { numRuns: 3000 },
    );
  });

  test('any text round-trips through both encoders to the same base64', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(proposedEncode(text)).toBe(encodeBase64Utf8(text));
        expect(proposed(proposedEncode(text))).toEqual({ ok: true, text });
      }),
      { numRuns: 2000 },
    );
  });

  test('mangled base64 (whitespace, URL-safe letters, stray or missing padding, non-ASCII): same verdict', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const junk = fc.constantFrom(...`${alphabet}= \n\t-_.é€`.split(''));
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 24 }), (chars) => {
        const s = chars.join('');
        expect(proposed(s)).toEqual(core(s));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), junk, (bytes, at, ch) => {
        const valid = b64(bytes);
        const i = at % (valid.length + 1);
        for (const s of [valid.slice(0, i) + ch + valid.slice(i), valid.slice(0, i) + valid.slice(i + 1), valid.slice(0, i) + ch + valid.slice(i + 1)]) {
          expect(proposed(s)).toEqual(core(s));
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('edge cases the generators may miss', () => {
    for (const s of ['', '====', 'A===', 'QQ==', 'QR==', 'QUI=', 'QUJ=', '77u/', '77u/QQ==', '7aCA', 'wIA=', '9JCAgA==', 'QUJD\nRA==', 'QUJDRA']) {
      expect([s, proposed(s)]).toEqual([s, core(s)]);
    }
  });
});
