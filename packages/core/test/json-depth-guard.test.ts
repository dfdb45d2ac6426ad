/**
 * The nesting guard in src/json.ts jumps over string contents with indexOf
 * instead of stepping through every character. It must refuse exactly what the
 * character-by-character scan refused: the reference below is that scan.
 */
import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../src/constants';
import { parseJsonObject } from '../src/json';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 3000);

// The previous guard, kept as the reference.
function referenceTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: unknown; message: string };

function parse(text: string): Outcome {
  try {
    return { ok: true, value: parseJsonObject(text, 'reply') };
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'ProtocolError') throw e;
    return { ok: false, code: (e as Error & { code?: unknown }).code, message: e.message };
  }
}

const tooDeep: Outcome = { ok: false, code: 'INVALID_JSON', message: `reply: the reply nests deeper than ${MAX_JSON_DEPTH} levels` };

describe('JSON nesting guard', () => {
  test('property: token soup (brackets, quotes, backslashes) is refused as too deep exactly when the reference scan says so', () => {
    const token = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('{', '[', '{"a":', '[[[[[[[[') },
      { weight: 3, arbitrary: fc.constantFrom('}', ']', ',', '1', 'x') },
      { weight: 3, arbitrary: fc.constantFrom('"', '\\', '\\"', '\\\\', '"\\\\"', '"\\\\\\"') },
    );
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 60 }), (parts) => {
        const text = parts.join('');
        const out = parse(text);
        if (referenceTooDeep(text)) expect(out).toEqual(tooDeep);
        else expect(out).not.toEqual(tooDeep);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('property: valid JSON objects at depths around the limit, strings full of brackets and escaped quotes', () => {
    const noisy = fc.string({ unit: fc.constantFrom('[', '{', ']', '}', '"', '\\', 'a'), maxLength: 12 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_JSON_DEPTH + 3 }), fc.array(noisy, { maxLength: 4 }), fc.boolean(), (depth, strings, arrays) => {
        let value: unknown = strings;
        for (let d = 2; d < depth; d++) value = arrays && d % 2 === 0 ? [value, ...strings] : { s: strings.join(''), v: value };
        const obj = depth === 1 ? { s: strings.join('') } : { v: value };
        const text = JSON.stringify(obj);
        const out = parse(text);
        if (referenceTooDeep(text)) expect(out).toEqual(tooDeep);
        else expect(out).toEqual({ ok: true, value: obj });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('the limit is exact: depth 64 parses, 65 is refused; brackets inside strings do not count', () => {
    const at = (n: number): string => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);
    expect(parse(at(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parse(at(MAX_JSON_DEPTH + 1))).toEqual(tooDeep);
    expect(parse(`{"s":"${'['.repeat(1000)}"}`)).toEqual({ ok: true, value: { s: '['.repeat(1000) } });
    expect(parse(`{"s":"\\"${'{'.repeat(1000)}"}`)).toEqual({ ok: true, value: { s: '"' + '{'.repeat(1000) } });
  });

  test('nesting after a long string (a frame\'s base64 payload), or after an escaped backslash, is still counted', () => {
    const payload = 'QUJD'.repeat(5000);
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(parse(`{"messagePayload":"${payload}","x":${deep}}`)).toEqual(tooDeep);
    expect(parse(`{"s":"a\\\\","x":${deep}}`)).toEqual(tooDeep);
    // An odd run of backslashes escapes the quote: the brackets are string content.
    const escaped = `{"s":"a\\\\\\",${deep}}`;
    expect(referenceTooDeep(escaped)).toBe(false);
    expect(parse(escaped)).toEqual(expect.objectContaining({ ok: false, code: 'INVALID_JSON', message: 'reply: the reply is not valid JSON' }));
  });

  test('10,000 levels, and an unterminated string before them or after them, never escape as a RangeError', () => {
    expect(parse('['.repeat(10_000))).toEqual(tooDeep);
    expect(parse('{"a":' + '['.repeat(10_000))).toEqual(tooDeep);
    expect(parse('{"a":"' + '['.repeat(10_000))).toEqual(expect.objectContaining({ ok: false, code: 'INVALID_JSON', message: 'reply: the reply is not valid JSON' }));
  });
});
