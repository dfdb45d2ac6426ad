/**
 * Hostile-input generators shared by the CI fuzz tests and the long fuzz run:
 * JSON text built from a small syntax tree (so duplicate and `__proto__` keys
 * survive serialisation), hostile strings and numbers, invalid base64 and
 * UTF-8, inputs shaped to make a regular expression backtrack, deep nesting,
 * and mutation of real frames.
 * @packageDocumentation
 */
import fc from 'fast-check';

/**
 * A JSON value as a syntax tree. Objects are entry lists, not JS objects, so a
 * generated `__proto__` member is written as a real member of the text (a JS
 * object literal would set the prototype instead), and `raw` splices arbitrary
 * (possibly invalid) text.
 * @public
 */
export type JsonNode =
  | { k: 'null' }
  | { k: 'bool'; v: boolean }
  | { k: 'num'; raw: string }
  | { k: 'str'; v: string }
  | { k: 'arr'; items: JsonNode[] }
  | { k: 'obj'; entries: Array<[string, JsonNode]> }
  | { k: 'raw'; text: string };

/** Serialises a {@link JsonNode} to text (compact, keys in entry order). @public */
export function renderJson(node: JsonNode): string {
  switch (node.k) {
    case 'null':
      return 'null';
    case 'bool':
      return node.v ? 'true' : 'false';
    case 'num':
      return node.raw;
    case 'str':
      return JSON.stringify(node.v);
    case 'raw':
      return node.text;
    case 'arr':
      return `[${node.items.map(renderJson).join(',')}]`;
    case 'obj':
      return `{${node.entries.map(([key, v]) => `${JSON.stringify(key)}:${renderJson(v)}`).join(',')}}`;
  }
}

/** Shorthands for building trees by hand. @public */
export const J = {
  str: (v: string): JsonNode => ({ k: 'str', v }),
  num: (n: number | string): JsonNode => ({ k: 'num', raw: String(n) }),
  bool: (v: boolean): JsonNode => ({ k: 'bool', v }),
  nul: (): JsonNode => ({ k: 'null' }),
  arr: (items: JsonNode[]): JsonNode => ({ k: 'arr', items }),
  obj: (entries: Array<[string, JsonNode]>): JsonNode => ({ k: 'obj', entries }),
  raw: (text: string): JsonNode => ({ k: 'raw', text }),
};

/** Keys that pollute or shadow `Object.prototype` when copied naively. @public */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

/** A pollution payload: `{"polluted":"yes"}` under each dangerous key. @public */
export const POLLUTION_PROBE = 'kvsSigPolluted';

/**
 * Strings that make a careless regular expression backtrack, each `n` long:
 * long runs of one class followed by a character that forces a mismatch.
 * @public
 */
export function redosStrings(n: number): string[] {
  return [
    'a'.repeat(n) + '!',
    'arn:' + 'a-'.repeat(n >> 1) + ':',
    'arn:aws:kinesisvideo:' + '0'.repeat(n) + 'x',
    'arn:aws:kinesisvideo:us-west-2:1:channel/' + 'a/'.repeat(n >> 1) + 'x',
    '0'.repeat(n) + 'x',
    ' '.repeat(n) + 'x',
    '\t\n'.repeat(n >> 1) + '"',
    '\\'.repeat(n),
    '"'.repeat(n),
    'A'.repeat(n) + '=',
    '='.repeat(n) + 'A',
    'X-Amz-Signature='.repeat(Math.max(1, n >> 4)),
    'sessionToken:"'.repeat(Math.max(1, n >> 4)),
    'secretAccessKey' + ' '.repeat(n) + ':',
    'Credential=' + 'a'.repeat(n) + ' ',
    'Signature=' + 'f'.repeat(n) + 'g',
    'x-amz-security-token' + ' '.repeat(n),
    'AWS_'.repeat(n >> 2),
    'turn:' + 'a.'.repeat(n >> 1) + ':',
    'candidate:' + '1 '.repeat(n >> 1),
    'v=0\r\n'.repeat(Math.max(1, n >> 3)),
    '%'.repeat(n) + 'zz',
  ];
}

/** Byte sequences that are not valid UTF-8 (overlongs, surrogates, out of range, truncated, stray continuations). @public */
export const INVALID_UTF8: number[][] = [
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0x80],
  [0xbf, 0xbf],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0x7b, 0x22, 0xc3],
];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of bytes (Node's encoder; only for building test inputs). @public */
export function base64Of(bytes: Uint8Array | number[] | string): string {
  return (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64');
}

/** Strings that are not valid standard, padded, canonical base64. @public */
export function invalidBase64(): fc.Arbitrary<string> {
  const good = fc.string({ unit: fc.constantFrom(...B64), minLength: 4, maxLength: 64 }).map((s) => s.slice(0, s.length - (s.length % 4)));
  return fc.oneof(
    // wrong length
    fc.string({ unit: fc.constantFrom(...B64), minLength: 1, maxLength: 63 }).filter((s) => s.length % 4 !== 0),
    // a character outside the alphabet spliced in
    fc.tuple(good, fc.nat(), fc.constantFrom('-', '_', ' ', '\n', '\t', '.', '*', '\u00e9', '\ud800', '\u0000', '%', '"', '\\')).map(
      ([s, at, c]) => {
        const i = s.length === 0 ? 0 : at % s.length;
        return s.slice(0, i) + c + s.slice(i + 1);
      },
    ),
    // padding in the wrong place, too much padding, non-canonical endings
    fc.constantFrom('=AAA', 'A=AA', 'AA=A', '====', 'A===', 'AB=C', 'QR==', 'QUJ=', 'QUI=', 'Zm9=', 'Zm9vYg=', 'Zm9vYmE', 'Zm9v\nYmFy', 'Zm9v YmFy', 'Zm9vYmFy====', 'Zm9v-_-_'),
    // valid base64 of bytes that are not UTF-8
    fc.constantFrom(...INVALID_UTF8).map((b) => base64Of(b)),
    // valid base64 of valid UTF-8 that is not JSON, or JSON that is not an object
    fc.constantFrom('not json', '{"type":', '[]', 'null', '42', '"str"', '{"a":1}{', '\u0000', '{"__proto__":{"x":1}}').map((t) => base64Of(t)),
  );
}

/** Hostile strings: arbitrary Unicode with lone surrogates, control characters, proto keys, huge and backtracking-prone text. @public */
export function hostileString(maxBig = 100_000): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, '', ' ', '\u0000', '\ud800', '\udfff', '\ufeff', '\u2028', 'null', 'undefined', 'NaN', '-1', '1e400', 'MASTER', 'VIEWER', 'SDP_OFFER', 'GO_AWAY') },
    { weight: 1, arbitrary: invalidBase64() },
    { weight: 1, arbitrary: fc.integer({ min: Math.min(1000, maxBig), max: maxBig }).chain((n) => fc.constantFrom(...redosStrings(n))) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 20_000 }).map((n) => 'x'.repeat(n)) },
  );
}

/** Numbers as raw JSON text: edge values, huge exponents, negative zero, non-integers. @public */
export function hostileNumberText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.constantFrom('-0', '0', '1e400', '-1e400', '1e-400', '9007199254740993', '4294967296', '18446744073709551616', '0.5', '5', '120', '121', '4', '30', '86400', '86401', '300', '1E2', '-5'),
  );
}

/** Any JSON value, nested up to `depth`, with hostile leaves and proto keys. @public */
export function hostileJson(depth = 3): fc.Arbitrary<JsonNode> {
  const { node } = fc.letrec<{ node: JsonNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth: depth },
      { weight: 1, arbitrary: fc.constant<JsonNode>({ k: 'null' }) },
      { weight: 1, arbitrary: fc.boolean().map((v): JsonNode => ({ k: 'bool', v })) },
      { weight: 2, arbitrary: hostileNumberText().map((raw): JsonNode => ({ k: 'num', raw })) },
      { weight: 4, arbitrary: hostileString(20_000).map((v): JsonNode => ({ k: 'str', v })) },
      { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 4 }).map((items): JsonNode => ({ k: 'arr', items })) },
      { weight: 1, arbitrary: fc.array(fc.tuple(hostileKey(), tie('node')), { maxLength: 4 }).map((entries): JsonNode => ({ k: 'obj', entries })) },
    ),
  }));
  return node;
}

/** Object keys: proto keys, near-miss spellings of real keys, arbitrary text. @public */
export function hostileKey(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'ChannelInfo', 'Chan', 'channelinfo', 'ChannelARN', 'channelARN', 'IceServerList', 'Ttl', 'ttl', 'Uris',
        'ResourceEndpointList', 'Protocol', 'messageType', 'message', 'messagePayload', 'MessagePayload',
        'statusResponse', 'senderClientId', 'credentials', 'Answer', 'NextToken', 'ChannelInfoList',
      ),
    },
  );
}

/** A member that pollutes `Object.prototype` if a parser copies keys naively. @public */
export function pollutionEntry(): fc.Arbitrary<[string, JsonNode]> {
  return fc.constantFrom(...PROTO_KEYS).map((key): [string, JsonNode] => [key, J.obj([[POLLUTION_PROBE, J.str('yes')], ['prototype', J.obj([[POLLUTION_PROBE, J.str('yes')]])]])]);
}

/**
 * A slot of a message shape: mostly the valid value, sometimes a hostile one,
 * sometimes absent (`undefined`, dropped by {@link objectOf}).
 * @public
 */
export function slot(valid: fc.Arbitrary<JsonNode>, hostileWeight = 1): fc.Arbitrary<JsonNode | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: hostileWeight, arbitrary: hostileJson(2) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/**
 * An object of named slots, in random order, with at times extra members:
 * proto keys with pollution payloads, unknown keys, a duplicate of a real key.
 * @public
 */
export function objectOf(slots: Record<string, fc.Arbitrary<JsonNode | undefined>>): fc.Arbitrary<JsonNode> {
  const names = Object.keys(slots);
  return fc
    .tuple(
      fc.tuple(...names.map((n) => slots[n] as fc.Arbitrary<JsonNode | undefined>)),
      fc.array(fc.oneof(pollutionEntry(), fc.tuple(hostileKey(), hostileJson(1))), { maxLength: 2 }),
      fc.option(fc.tuple(fc.constantFrom(...(names.length > 0 ? names : ['x'])), hostileJson(1)), { freq: 8 }),
      fc.boolean(),
    )
    .map(([values, extra, dup, reverse]) => {
      const entries: Array<[string, JsonNode]> = [];
      names.forEach((n, i) => {
        const v = values[i];
        if (v !== undefined) entries.push([n, v]);
      });
      if (reverse) entries.reverse();
      entries.push(...extra);
      if (dup !== null) entries.push(dup);
      return J.obj(entries);
    });
}

/** Text nested `depth` levels deep, in object or array form, optionally left open. @public */
export function deepNesting(depth: number, form: 'array' | 'object' | 'mixed', closed = true): string {
  const open = form === 'array' ? '['.repeat(depth) : form === 'object' ? '{"a":'.repeat(depth) : '[{"a":'.repeat(Math.ceil(depth / 2));
  if (!closed) return open;
  const close = form === 'array' ? ']'.repeat(depth) : form === 'object' ? '}'.repeat(depth) : '}]'.repeat(Math.ceil(depth / 2));
  return open + (form === 'array' ? '' : '1') + close;
}

/** Deeply nested text: beyond any sane depth limit, closed or not. @public */
export function deepNestingText(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof(fc.integer({ min: 60, max: 70 }), fc.integer({ min: 100, max: 5_000 }), fc.constant(100_000)), fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>, fc.boolean())
    .map(([d, f, c]) => deepNesting(d, f, c));
}

/**
 * The large frames every parser must survive, built once per process (each
 * about 10 MB): a valid JSON object with one huge string, a huge array,
 * unterminated text, and garbage.
 * @public
 */
export function bigFrames(bytes = 10 * 1024 * 1024): Array<{ name: string; text: string }> {
  const cached = bigCache.get(bytes);
  if (cached) return cached;
  const frames = [
    { name: `object with a ${bytes}-character string`, text: `{"messageType":"SDP_OFFER","messagePayload":"${'A'.repeat(bytes)}"}` },
    { name: `array of ${bytes >> 1} numbers`, text: `[${'1,'.repeat((bytes >> 1) - 1)}1]` },
    { name: `unterminated ${bytes}-character string`, text: `{"ChannelInfo":"${'x'.repeat(bytes)}` },
    { name: `${bytes} characters of garbage`, text: '\u0000\ud800{'.repeat(Math.floor(bytes / 3)) },
    { name: `${bytes} of whitespace then {}`, text: ' '.repeat(bytes) + '{}' },
  ];
  bigCache.set(bytes, frames);
  return frames;
}
const bigCache = new Map<number, Array<{ name: string; text: string }>>();

/** Fragments spliced into real frames by {@link mutate}. @public */
export const FRAGMENTS = [
  '"__proto__":{"kvsSigPolluted":"yes"},', '{"constructor":{"prototype":{"kvsSigPolluted":"yes"}}}', '\\u0000', '\ud800', '\\ud800',
  '[[[[[[[[', ']]]]', '{', '}', '"', ',', ':', 'null', '1e999', '-0', '\\', '\u2028', '\ufeff', 'true', '"STATUS_RESPONSE"', '"GO_AWAY"', '===', '%00',
];

/** One edit of a frame: replace, delete, insert, duplicate or truncate. @public */
export type Mutation = [op: 0 | 1 | 2 | 3 | 4, at: number, len: number, fragment: string];

/** Applies mutations to a frame (positions are taken modulo its length). @public */
export function mutate(frame: string, mutations: Mutation[]): string {
  let s = frame;
  for (const [op, at, len, frag] of mutations) {
    const i = s.length === 0 ? 0 : at % (s.length + 1);
    const n = Math.min(len, s.length - i);
    switch (op) {
      case 0:
        s = s.slice(0, i) + frag + s.slice(i + Math.max(1, n));
        break;
      case 1:
        s = s.slice(0, i) + s.slice(i + Math.max(1, n));
        break;
      case 2:
        s = s.slice(0, i) + frag + s.slice(i);
        break;
      case 3:
        s = s.slice(0, i + n) + s.slice(i, i + n) + s.slice(i + n);
        break;
      case 4:
        s = s.slice(0, i);
        break;
    }
  }
  return s;
}

/** Mutations of the given real frames. @public */
export function mutatedFrames(seeds: string[]): fc.Arbitrary<string> {
  const mutation: fc.Arbitrary<Mutation> = fc.tuple(
    fc.constantFrom<0 | 1 | 2 | 3 | 4>(0, 0, 1, 2, 2, 3, 4),
    fc.nat(),
    fc.integer({ min: 1, max: 16 }),
    fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 4 })),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, ms]) => mutate(seed, ms));
}

/** Arbitrary text: random Unicode, random JSON, deep nesting. @public */
export function arbitraryText(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 3, arbitrary: hostileJson(4).map(renderJson) },
    { weight: 1, arbitrary: deepNestingText() },
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: hostileString(50_000) },
  );
}

/** True when a generated pollution payload reached `Object.prototype` (and cleans it up). @public */
export function prototypePolluted(): boolean {
  const probe = {} as Record<string, unknown>;
  const polluted = probe[POLLUTION_PROBE] !== undefined || Object.prototype.hasOwnProperty.call(Object.prototype, POLLUTION_PROBE);
  if (polluted) delete (Object.prototype as Record<string, unknown>)[POLLUTION_PROBE];
  return polluted;
}
