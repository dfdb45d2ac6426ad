/**
 * Hostile input against every core parser (CI size): structured generators per
 * message shape, mutations of real frames, free text, and fixed extremes
 * (10 MB frames, 100,000-deep nesting, backtracking bait, wrong types). Only a
 * `SignalingError` may escape, and nothing may reach `Object.prototype`.
 * A case that backtracks catastrophically shows up as this test timing out.
 */
import { EXPECTED_CORE_PARSERS, coreTargets } from '../src/core-targets';
import { fuzzTarget } from '../src/harness';
import { SHAPES } from '../src/shapes';

const RUNS = Number(process.env.KVS_FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.KVS_FUZZ_SEED ?? Date.now() % 2 ** 31);
const BIG = 10 * 1024 * 1024;
const targets = coreTargets();

test('core exports every parser the fuzzer knows a shape for', () => {
  expect(EXPECTED_CORE_PARSERS.filter((n) => !targets.some((t) => t.name === n))).toEqual([]);
});

describe.each(targets.map((t) => [t.name, t] as const))('%s', (name, target) => {
  test(`only SignalingError escapes (${RUNS} generated cases + extremes, seed ${SEED})`, () => {
    const extremes = target.extremes(BIG);
    const stats = fuzzTarget(name, target.fn, target.arb, { numRuns: RUNS, seed: SEED }, extremes);
    expect({ seed: SEED, findings: stats.findings }).toEqual({ seed: SEED, findings: [] });
    expect(stats.cases).toBe(RUNS + extremes.length);
    // the generators reach both sides: refusals, and (for known shapes) accepted replies
    if (target.check) expect(stats.ok).toBe(stats.cases);
    else expect(stats.rejected).toBeGreaterThan(0);
    if (SHAPES.some((s) => s.parser === name)) expect(stats.ok).toBeGreaterThan(0);
    const slowest = `${stats.maxMs.toFixed(1)} ms on ${stats.maxMsInput}`;
    process.stdout.write(`${name}: ${stats.cases} cases, ${stats.ok} ok, ${stats.rejected} rejected, slowest ${slowest}\n`);
  }, 300_000);
});
