/**
 * Runs one input through a target, classifies what came out and times it;
 * collects per-target statistics. Shared by the CI tests and `fuzz.ts`.
 * @packageDocumentation
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { isSignalingError } from '@kvs-sig/core';
import { prototypePolluted } from './hostile';

/** What one case did: returned, threw a `SignalingError`, or let something else escape. @public */
export interface CaseOutcome {
  kind: 'ok' | 'rejected' | 'escape' | 'polluted';
  /** The `SignalingError` code when rejected. */
  code?: string;
  /** Wall time of the call. */
  ms: number;
  /** What escaped, when something did. */
  error?: unknown;
}

/** Checks a returned value; returns what is wrong with it, or undefined. @public */
export type ResultCheck = (result: unknown) => string | undefined;

/**
 * Calls `fn(input)` and classifies the result. A `SignalingError` whose
 * `toJSON()` throws or does not serialise counts as an escape too: callers log
 * errors that way.
 * @public
 */
export function runCase(fn: (input: never) => unknown, input: unknown, check?: ResultCheck): CaseOutcome {
  const t0 = performance.now();
  let outcome: CaseOutcome;
  try {
    const result = fn(input as never);
    const wrong = check?.(result);
    outcome = wrong === undefined ? { kind: 'ok', ms: 0 } : { kind: 'escape', ms: 0, error: new Error(`wrong result: ${wrong}`) };
  } catch (e) {
    if (isSignalingError(e)) {
      try {
        JSON.stringify(e.toJSON());
        outcome = { kind: 'rejected', code: e.code, ms: 0 };
      } catch (inner) {
        outcome = { kind: 'escape', ms: 0, error: inner };
      }
    } else outcome = { kind: 'escape', ms: 0, error: e };
  }
  outcome.ms = performance.now() - t0;
  if (prototypePolluted()) outcome = { kind: 'polluted', ms: outcome.ms };
  return outcome;
}

/** Short, printable description of an input (for reports). @public */
export function preview(input: unknown, max = 160): string {
  let s: string;
  if (typeof input === 'string') s = JSON.stringify(input.length > max ? input.slice(0, max) : input) + (input.length > max ? `…(${input.length} chars)` : '');
  else {
    try {
      s = JSON.stringify(input) ?? String(input);
    } catch {
      s = String(input);
    }
    if (s.length > max) s = `${s.slice(0, max)}…(${s.length} chars)`;
  }
  return s;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 300);
  return preview(e);
}

/** Figures of one fuzzed target. @public */
export interface TargetStats {
  target: string;
  cases: number;
  ok: number;
  rejected: number;
  escapes: number;
  polluted: number;
  /** Count of rejections per error code. */
  codes: Record<string, number>;
  maxMs: number;
  maxMsInput: string;
  /** Cases slower than the slow threshold. */
  slow: number;
  totalMs: number;
  /** The first few findings, with the input that caused them. */
  findings: Array<{ kind: string; input: string; error: string }>;
}

/** Accumulates {@link TargetStats}. @public */
export class StatsCollector {
  readonly stats: TargetStats;
  constructor(
    target: string,
    private readonly slowMs = 1000,
    private readonly keep = 5,
  ) {
    this.stats = { target, cases: 0, ok: 0, rejected: 0, escapes: 0, polluted: 0, codes: {}, maxMs: 0, maxMsInput: '', slow: 0, totalMs: 0, findings: [] };
  }

  /** Adds one case. */
  record(outcome: CaseOutcome, input: unknown): void {
    const s = this.stats;
    s.cases++;
    s.totalMs += outcome.ms;
    if (outcome.ms > s.maxMs) {
      s.maxMs = outcome.ms;
      s.maxMsInput = preview(input, 60);
    }
    if (outcome.ms > this.slowMs) s.slow++;
    switch (outcome.kind) {
      case 'ok':
        s.ok++;
        break;
      case 'rejected':
        s.rejected++;
        s.codes[outcome.code ?? '?'] = (s.codes[outcome.code ?? '?'] ?? 0) + 1;
        break;
      case 'escape':
        s.escapes++;
        if (s.findings.length < this.keep) s.findings.push({ kind: 'escape', input: preview(input), error: describe(outcome.error) });
        break;
      case 'polluted':
        s.polluted++;
        if (s.findings.length < this.keep) s.findings.push({ kind: 'prototype pollution', input: preview(input), error: '' });
        break;
    }
  }
}

/** Options of {@link fuzzTarget}. @public */
export interface FuzzOptions {
  numRuns: number;
  seed?: number;
  /** A case slower than this counts as slow (reported, never asserted in CI). */
  slowMs?: number;
  /** Called every `progressEvery` cases. */
  onProgress?: (stats: TargetStats) => void;
  progressEvery?: number;
}

/**
 * Runs `numRuns` generated inputs plus the fixed `extra` inputs through `fn`,
 * never stopping at a finding, and returns the figures.
 * @public
 */
export function fuzzTarget<T>(name: string, fn: (input: never) => unknown, arb: fc.Arbitrary<T>, options: FuzzOptions, extra: unknown[] = [], check?: ResultCheck): TargetStats {
  const collector = new StatsCollector(name, options.slowMs);
  for (const input of extra) collector.record(runCase(fn, input, check), input);
  const every = options.progressEvery ?? 0;
  fc.assert(
    fc.property(arb, (input) => {
      collector.record(runCase(fn, input, check), input);
      if (every > 0 && collector.stats.cases % every === 0) options.onProgress?.(collector.stats);
      return true;
    }),
    { numRuns: options.numRuns, seed: options.seed, endOnFailure: true },
  );
  return collector.stats;
}

/** Percentile of sorted-or-not numbers (nearest rank). @public */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
