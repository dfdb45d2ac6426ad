/**
 * The default codec (src/codec.ts) uses the runtime's atob/btoa/TextEncoder/
 * TextDecoder when present and pure JS otherwise; the browser build's codec
 * (src/codec-browser.ts) uses only the natives. Each test loads src/base64.ts
 * afresh over one codec, with some of those globals hidden, so every path runs
 * in the same process, and checks that all paths give the same output, or the
 * same typed error with the same message, and agree with Node's Buffer as the
 * independent reference.
 */
import fc from 'fast-check';

type Codec = typeof import('../src/base64');
const NATIVE = ['atob', 'btoa', 'TextEncoder', 'TextDecoder'] as const;
type NativeName = (typeof NATIVE)[number];

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1500);
const g = globalThis as unknown as Record<string, unknown>;

/**
 * Loads a fresh copy of the codec with `present` replacing the web globals (absent when not listed),
 * over `#codec` as the package resolves it (codec.ts here) or over the browser build's codec-browser.ts.
 */
function loadWith(present: Partial<Record<NativeName, unknown>>, build: 'default' | 'browser' = 'default'): Codec {
  const saved = NATIVE.map((name) => [name, Object.getOwnPropertyDescriptor(g, name)] as const);
  for (const name of NATIVE) {
    delete g[name];
    if (present[name] !== undefined) g[name] = present[name];
  }
  try {
    let mod: Codec | undefined;
    jest.isolateModules(() => {
      if (build === 'browser') jest.doMock('#codec', () => jest.requireActual('../src/codec-browser'));
      try {
        mod = require('../src/base64') as Codec;
      } finally {
        jest.dontMock('#codec');
      }
    });
    if (mod === undefined) throw new Error('module did not load');
    return mod;
  } finally {
    for (const [name, desc] of saved) {
      delete g[name];
      if (desc) Object.defineProperty(g, name, desc);
    }
  }
}

const real = { atob: g.atob, btoa: g.btoa, TextEncoder: g.TextEncoder, TextDecoder: g.TextDecoder };
const paths: [string, Codec][] = [
  ['native', loadWith(real)],
  ['pure', loadWith({})],
  ['base64 native, UTF-8 pure (React Native 0.74 without TextDecoder)', loadWith({ atob: real.atob, btoa: real.btoa })],
  ['UTF-8 native, base64 pure', loadWith({ TextEncoder: real.TextEncoder, TextDecoder: real.TextDecoder })],
  ['browser build (natives only, no pure JS)', loadWith(real, 'browser')],
];

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; code: unknown; field: unknown; message: string };

function outcome(f: () => unknown): Outcome {
  try {
    const value = f();
    // Bytes compare as plain arrays: TextEncoder's Uint8Array is from Node's realm, not the test's.
    return { ok: true, value: ArrayBuffer.isView(value) ? Array.from(value as Uint8Array) : value };
  } catch (e) {
    // Only core's typed errors count as a refusal; a TypeError or RangeError fails the test.
    if (!(e instanceof Error) || !['ProtocolError', 'ValidationError'].includes(e.name)) throw e;
    const { code, field } = e as Error & { code?: unknown; field?: unknown };
    return { ok: false, name: e.name, code, field, message: e.message };
  }
}

/** Runs `call` on every path; they must agree; returns the common outcome. */
function agreed(call: (c: Codec) => unknown): Outcome {
  const [first, ...rest] = paths.map(([name, codec]) => [name, outcome(() => call(codec))] as const);
  for (const [name, out] of rest) expect({ path: name, out }).toEqual({ path: name, out: first![1] });
  return first![1];
}

const refused = (code: string): Outcome => expect.objectContaining({ ok: false, code }) as Outcome;
const ok = (value: unknown): Outcome => ({ ok: true, value });

// Buffer is lax (whitespace, missing padding, stray bits); only its canonical output counts as valid.
const canonical = (s: string): boolean => Buffer.from(s, 'base64').toString('base64') === s;
// Buffer replaces invalid UTF-8 with U+FFFD; bytes are valid UTF-8 when the text re-encodes to them.
const utf8Text = (bytes: Uint8Array): string | undefined => {
  const text = Buffer.from(bytes).toString('utf8');
  return Buffer.from(text, 'utf8').equals(Buffer.from(bytes)) ? text : undefined;
};
const wellFormed = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const junk = fc.constantFrom(...`${ALPHABET}= \n\t-_.é€\u0000`.split(''));
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 8 }));

describe('native and pure-JS codec paths', () => {
  test('the native path really calls the runtime codecs, and the pure path never does', () => {
    const calls: Record<NativeName, number> = { atob: 0, btoa: 0, TextEncoder: 0, TextDecoder: 0 };
    const atob = real.atob as (s: string) => string;
    const btoa = real.btoa as (s: string) => string;
    const Enc = real.TextEncoder as new () => { encode(s: string): Uint8Array };
    const Dec = real.TextDecoder as new (l: string, o: object) => { decode(b: Uint8Array): string };
    const spies = {
      atob: (s: string) => (calls.atob++, atob(s)),
      btoa: (s: string) => (calls.btoa++, btoa(s)),
      TextEncoder: class {
        readonly inner = new Enc();
        encode(s: string): Uint8Array {
          calls.TextEncoder++;
          return this.inner.encode(s);
        }
      },
      TextDecoder: class {
        readonly inner: InstanceType<typeof Dec>;
        constructor(label: string, options: object) {
          this.inner = new Dec(label, options);
        }
        decode(b: Uint8Array): string {
          calls.TextDecoder++;
          return this.inner.decode(b);
        }
      },
    };
    const native = loadWith(spies);
    const pure = loadWith({});
    const exercise = (c: Codec): void => {
      expect(c.decodeBase64Utf8(c.encodeBase64Utf8('é😀'))).toBe('é😀');
      expect(c.decodePayload(c.encodePayload({ sdp: 'v=0 ü' }))).toEqual({ sdp: 'v=0 ü' });
    };
    for (const k of NATIVE) calls[k] = 0;
    Object.assign(g, spies);
    try {
      exercise(pure);
      expect(calls).toEqual({ atob: 0, btoa: 0, TextEncoder: 0, TextDecoder: 0 });
    } finally {
      Object.assign(g, real);
    }
    exercise(native);
    for (const k of NATIVE) expect({ k, used: calls[k] > 0 }).toEqual({ k, used: true });
  });

  test('the browser build has no pure-JS path: it runs on the natives alone', () => {
    const browser = loadWith(real, 'browser');
    const calls: Record<NativeName, number> = { atob: 0, btoa: 0, TextEncoder: 0, TextDecoder: 0 };
    const Enc = real.TextEncoder as new () => { encode(s: string): Uint8Array };
    const Dec = real.TextDecoder as new (l: string, o: object) => { decode(b: Uint8Array): string };
    const counting = {
      atob: (s: string) => (calls.atob++, (real.atob as (s: string) => string)(s)),
      btoa: (s: string) => (calls.btoa++, (real.btoa as (s: string) => string)(s)),
      TextEncoder: class extends Enc {
        constructor() {
          super();
          calls.TextEncoder++;
        }
      },
      TextDecoder: class extends Dec {
        constructor(label: string, options: object) {
          super(label, options);
          calls.TextDecoder++;
        }
      },
    };
    Object.assign(g, counting);
    try {
      expect(browser.decodeBase64Utf8(browser.encodeBase64Utf8('é😀'))).toBe('é😀');
      expect(browser.decodePayload(browser.encodePayload({ sdp: 'v=0 ü' }))).toEqual({ sdp: 'v=0 ü' });
    } finally {
      Object.assign(g, real);
    }
    for (const k of NATIVE) expect({ k, used: calls[k] > 0 }).toEqual({ k, used: true });
    // Without the natives nothing is left to fall back on (the default build would run pure JS).
    delete g.btoa;
    try {
      expect(() => browser.encodeBase64(Uint8Array.of(65))).toThrow(TypeError);
      expect(loadWith({}).encodeBase64(Uint8Array.of(65))).toBe('QQ==');
    } finally {
      Object.assign(g, { btoa: real.btoa });
    }
  });

  test('a lax atob polyfill (skips bad characters, ignores bits) is not trusted', () => {
    let calls = 0;
    const lax = (s: string): string => (calls++, Buffer.from(s.replace(/[^A-Za-z0-9+/]/g, ''), 'base64').toString('latin1'));
    const codec = loadWith({ ...real, atob: lax });
    calls = 0;
    expect(outcome(() => codec.decodeBase64('QU-D'))).toEqual(refused('INVALID_BASE64'));
    expect(outcome(() => codec.decodeBase64Utf8('QR=='))).toEqual(refused('INVALID_BASE64'));
    expect(codec.decodeBase64Utf8('QUJD')).toBe('ABC');
    expect(calls).toBe(0);
  });

  test('property: base64 of any bytes decodes to those bytes; UTF-8 is read exactly when it is valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const b64 = Buffer.from(bytes).toString('base64');
        expect(agreed((c) => c.encodeBase64(bytes))).toEqual(ok(b64));
        expect(agreed((c) => c.decodeBase64(b64))).toEqual(ok(Array.from(bytes)));
        const textOf = utf8Text(bytes);
        const expected = textOf === undefined ? refused('INVALID_BASE64') : ok(textOf);
        expect(agreed((c) => c.decodeUtf8(bytes))).toEqual(expected);
        expect(agreed((c) => c.decodeBase64Utf8(b64))).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('property: any text, lone surrogates included, encodes like Buffer or is refused naming the field', () => {
    fc.assert(
      fc.property(text, (s) => {
        if (wellFormed(s)) {
          const b64 = Buffer.from(s, 'utf8').toString('base64');
          expect(agreed((c) => c.encodeUtf8(s, 'sdp'))).toEqual(ok(Array.from(Buffer.from(s, 'utf8'))));
          expect(agreed((c) => c.encodeBase64Utf8(s, 'sdp'))).toEqual(ok(b64));
          expect(agreed((c) => c.decodeBase64Utf8(b64))).toEqual(ok(s));
        } else {
          const lone = { ok: false, name: 'ValidationError', code: 'BAD_PARAM', field: 'sdp', message: expect.stringMatching(/lone surrogate at index \d+$/) as unknown };
          expect(agreed((c) => c.encodeUtf8(s, 'sdp'))).toEqual(lone);
          expect(agreed((c) => c.encodeBase64Utf8(s, 'sdp'))).toEqual(lone);
          // JSON.stringify escapes lone surrogates (\udXXX), so a payload object holding one still encodes.
          expect(agreed((c) => c.encodePayload({ sdp: s }, 'sdp'))).toEqual(ok(Buffer.from(JSON.stringify({ sdp: s }), 'utf8').toString('base64')));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('property: mangled base64 (whitespace, URL-safe letters, stray or missing padding, non-ASCII): accepted exactly when canonical', () => {
    const verdict = (s: string): void => {
      const out = agreed((c) => c.decodeBase64(s));
      expect(out).toEqual(canonical(s) ? ok(Array.from(Buffer.from(s, 'base64'))) : refused('INVALID_BASE64'));
      agreed((c) => c.decodeBase64Utf8(s));
      agreed((c) => c.decodePayload(s));
    };
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 24 }), (chars) => verdict(chars.join(''))),
      { numRuns: NUM_RUNS },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), junk, (bytes, at, ch) => {
        const valid = Buffer.from(bytes).toString('base64');
        const i = at % (valid.length + 1);
        for (const s of [valid.slice(0, i) + ch + valid.slice(i), valid.slice(0, i) + valid.slice(i + 1), valid.slice(0, i) + ch + valid.slice(i + 1)]) verdict(s);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('property: payloads in UTF-8, in Latin-1 (the official SDK\'s btoa) or of random bytes decode alike', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.integer(), fc.boolean())), fc.uint8Array({ maxLength: 40 }), (obj, bytes) => {
        const json = JSON.stringify(obj);
        expect(agreed((c) => c.decodePayload(Buffer.from(json, 'utf8').toString('base64')))).toEqual(ok(obj));
        expect(agreed((c) => c.encodePayload(obj))).toEqual(ok(Buffer.from(json, 'utf8').toString('base64')));
        if (!/[^\u0000-\u00ff]/.test(json)) expect(agreed((c) => c.decodePayload(Buffer.from(json, 'latin1').toString('base64')))).toEqual(ok(obj));
        agreed((c) => c.decodePayload(Buffer.from(bytes).toString('base64')));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('edge cases: BOM kept, NUL, astral, empty, non-canonical endings, wrong argument types', () => {
    expect(agreed((c) => c.decodeBase64Utf8('77u/QQ=='))).toEqual(ok('\ufeffA'));
    expect(agreed((c) => c.encodeBase64Utf8('\ufeffA'))).toEqual(ok('77u/QQ=='));
    expect(agreed((c) => c.decodeBase64Utf8('AEEA'))).toEqual(ok('\u0000A\u0000'));
    expect(agreed((c) => c.decodeBase64Utf8('8J+YgA=='))).toEqual(ok('😀'));
    expect(agreed((c) => c.decodeBase64(''))).toEqual(ok([]));
    for (const s of ['QR==', 'QUJ=', 'A===', '====', 'QQ==QQ==', 'QUJD\nRA==', 'QUJDRA', '7aCA', 'wIA=', '9JCAgA==', '/w==']) {
      expect([s, agreed((c) => c.decodeBase64Utf8(s))]).toEqual([s, refused('INVALID_BASE64')]);
    }
    for (const bad of [undefined, null, 42, {}, ['QQ==']]) {
      expect(agreed((c) => c.decodeBase64(bad as unknown as string))).toEqual(refused('INVALID_BASE64'));
      expect(agreed((c) => c.decodeBase64Utf8(bad as unknown as string))).toEqual(refused('INVALID_BASE64'));
      expect(agreed((c) => c.decodePayload(bad as unknown as string))).toEqual(refused('INVALID_BASE64'));
      expect(agreed((c) => c.decodeUtf8(bad as unknown as Uint8Array))).toEqual(refused('INVALID_BASE64'));
      expect(agreed((c) => c.encodeUtf8(bad as unknown as string, 'sdp'))).toEqual(expect.objectContaining({ ok: false, code: 'BAD_PARAM', field: 'sdp' }));
      expect(agreed((c) => c.encodeBase64Utf8(bad as unknown as string, 'sdp'))).toEqual(expect.objectContaining({ ok: false, code: 'BAD_PARAM', field: 'sdp' }));
    }
  });

  test('large inputs (1 MiB, astral and non-ASCII) on every path', () => {
    const big = '😀aé'.repeat(100_000);
    const b64 = Buffer.from(big, 'utf8').toString('base64');
    expect(agreed((c) => c.encodeBase64Utf8(big))).toEqual(ok(b64));
    expect(agreed((c) => c.decodeBase64Utf8(b64))).toEqual(ok(big));
  });
});
