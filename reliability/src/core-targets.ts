/**
 * The core parsers as fuzz targets: each with its structured generator, the
 * mutation fuzzer over real frames, free text, and a fixed list of extreme
 * inputs (10 MB frames, 100,000-deep nesting, backtracking bait, wrong types).
 * Every `parse*` / `decode*` export of core is a target, including ones added
 * later that have no structured generator yet (they get text and mutations).
 * @packageDocumentation
 */
import fc from 'fast-check';
import * as core from '@kvs-sig/core';
import { INVALID_UTF8, arbitraryText, base64Of, bigFrames, deepNesting, hostileJson, hostileString, invalidBase64, mutatedFrames, redosStrings, renderJson } from './hostile';
import { SHAPES, WSS_SEEDS, serviceErrorArb } from './shapes';
import type { ReplyInput } from './shapes';
import type { ResultCheck } from './harness';

/** A function under fuzz and what to feed it. @public */
export interface FuzzTarget {
  name: string;
  fn: (input: never) => unknown;
  arb: fc.Arbitrary<unknown>;
  /** Fixed extreme inputs; built lazily (some are 10 MB). */
  extremes: (bigBytes: number) => unknown[];
  /** What a returned value must satisfy (most parsers: anything). */
  check?: ResultCheck;
}

// parseServiceError returns (not throws) its error: it must be one of ours and serialise.
const returnsSignalingError: ResultCheck = (r) => {
  if (!core.isSignalingError(r)) return 'not a SignalingError';
  JSON.stringify(r.toJSON());
  return undefined;
};

/** Parsers core must export (issue 2); the fuzz test fails if one is missing. @public */
export const EXPECTED_CORE_PARSERS = [...SHAPES.map((s) => s.parser), 'parseServiceError'];

const WRONG_TYPES: unknown[] = [undefined, null, 0, Number.NaN, true, {}, [], new Uint8Array([123, 125]), Object.create(null)];

function textExtremes(seeds: string[]): (bigBytes: number) => unknown[] {
  return (bigBytes) => {
    const out: unknown[] = [...WRONG_TYPES, '', '\u0000', '{}', '[]', 'null', '\ufeff{}'];
    for (const f of bigFrames(bigBytes)) out.push(f.text);
    for (const form of ['array', 'object', 'mixed'] as const) {
      out.push(deepNesting(100_000, form, true), deepNesting(100_000, form, false), deepNesting(65, form, true));
    }
    for (const r of redosStrings(100_000)) {
      out.push(r);
      // the same bait inside a real frame, in each string value's place
      const seed = seeds[0];
      if (seed !== undefined) out.push(seed.replace(/"([^"\\]*)"(?=[,}])/g, () => JSON.stringify(r)));
    }
    return out;
  };
}

function textArb(structured: fc.Arbitrary<string> | undefined, seeds: string[]): fc.Arbitrary<unknown> {
  const parts: Array<fc.WeightedArbitrary<unknown>> = [
    { weight: 3, arbitrary: mutatedFrames(seeds) },
    { weight: 2, arbitrary: arbitraryText() },
  ];
  if (structured) parts.push({ weight: 5, arbitrary: structured });
  return fc.oneof(...parts);
}

const base64Arb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: invalidBase64() },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => base64Of(b)) },
  { weight: 2, arbitrary: hostileJson(3).map((n) => base64Of(renderJson(n))) },
  { weight: 1, arbitrary: hostileString(50_000) },
);

const utf8Arb: fc.Arbitrary<unknown> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((t) => new Uint8Array(Buffer.from(t, 'utf8'))),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 8 })).map(([a, bad, b]) => new Uint8Array([...Buffer.from(a), ...bad, ...Buffer.from(b)])),
);

function utf8Extremes(bigBytes: number): unknown[] {
  return [...WRONG_TYPES, 'text, not bytes', new Uint8Array(bigBytes).fill(0x41), new Uint8Array(bigBytes).fill(0xff), new Uint8Array(bigBytes >> 2).fill(0xf0)];
}

function base64Extremes(bigBytes: number): unknown[] {
  const big = 'A'.repeat(bigBytes - (bigBytes % 4));
  return [...WRONG_TYPES, '', '====', big, big.slice(0, -1) + '=', big + '!', base64Of('{"a":' + deepNesting(100_000, 'array') + '}'), ...redosStrings(100_000)];
}

/**
 * Every fuzz target core offers, in a stable order. `names` limits the list.
 * @public
 */
export function coreTargets(names?: string[]): FuzzTarget[] {
  const exports = core as unknown as Record<string, unknown>;
  const targets: FuzzTarget[] = [];
  const seen = new Set<string>();
  const add = (name: string, arb: fc.Arbitrary<unknown>, extremes: FuzzTarget['extremes'], check?: ResultCheck): void => {
    const fn = exports[name];
    if (typeof fn !== 'function' || seen.has(name)) return;
    seen.add(name);
    targets.push({ name, fn: fn as FuzzTarget['fn'], arb, extremes, ...(check ? { check } : {}) });
  };
  for (const s of SHAPES) add(s.parser, textArb(s.structured, s.seeds), textExtremes(s.seeds));
  add('parseServiceError', serviceErrorArb as fc.Arbitrary<unknown>, serviceErrorExtremes, returnsSignalingError);
  for (const name of ['decodeBase64', 'decodeBase64Utf8', 'decodePayload']) add(name, base64Arb, base64Extremes);
  add('decodeUtf8', utf8Arb, utf8Extremes);
  // anything else core parses gets text and mutations of every known frame
  const allSeeds = [...SHAPES.flatMap((s) => s.seeds), ...WSS_SEEDS];
  for (const name of Object.keys(exports).sort()) {
    if (/^(parse|decode)[A-Z]/.test(name)) add(name, textArb(undefined, allSeeds), textExtremes(allSeeds));
  }
  return names ? targets.filter((t) => names.includes(t.name)) : targets;
}

function serviceErrorExtremes(bigBytes: number): unknown[] {
  const big = bigFrames(bigBytes);
  const out: ReplyInput[] = big.map((f) => ({ status: 500, headers: {}, body: f.text }));
  for (const r of redosStrings(100_000)) {
    out.push({ status: 400, headers: { 'x-amzn-errortype': r, 'x-amzn-requestid': r }, body: JSON.stringify({ message: r, __type: r }) });
  }
  out.push({ status: 400, headers: {}, body: deepNesting(100_000, 'object') });
  return [...WRONG_TYPES, ...out];
}
