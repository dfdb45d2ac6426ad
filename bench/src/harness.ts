/**
 * The shared benchmark harness: warm-up, repeated samples, percentiles, CPU
 * time from `process.cpuUsage`, wall time from `performance.now`, and the
 * result shape every benchmark returns so `main.ts` can render it and the
 * smoke test can check it.
 * @packageDocumentation
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';

/** Options every benchmark receives. @public */
export interface BenchContext {
  /** Tiny iteration counts: proves the benchmark runs, measures nothing meaningful. */
  readonly quick: boolean;
  /** Progress output (stderr), so stdout stays the report. */
  log(message: string): void;
}

/** One number a benchmark measured. @public */
export interface Measurement {
  /** Which implementation: `ours`, `official`, `smithy`, `floor`, ... */
  readonly subject: string;
  /** What was measured, e.g. `presign` or `recv.SDP_OFFER`. */
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

/** A rendered table. @public */
export interface Table {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** A goal from issue 7 and whether this run met it (`null`: could not be judged). @public */
export interface GoalCheck {
  readonly goal: string;
  readonly met: boolean | null;
  readonly detail: string;
}

/** What one benchmark produced. @public */
export interface BenchResult {
  readonly name: string;
  readonly title: string;
  /** Markdown: what was measured and how, so a reader can judge fairness. */
  readonly method: string;
  readonly tables: readonly Table[];
  readonly measurements: readonly Measurement[];
  readonly goals: readonly GoalCheck[];
  /** Findings, limits, peers that could not be measured and why. */
  readonly notes: readonly string[];
  readonly seconds: number;
  /** 1-minute load average before and after the benchmark (set by `main.ts`): other work on the machine shows here. */
  readonly load?: readonly [number, number];
}

/** A benchmark module's entry point. @public */
export type Benchmark = (ctx: BenchContext) => Promise<BenchResult>;

/** Order statistics of a sample. @public */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Nearest-rank percentiles of `values` (which must be non-empty and finite).
 * @throws RangeError on an empty or non-finite sample: a summary of nothing would be a made-up number.
 * @public
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: empty sample');
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`summarize: non-finite value ${v}`);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    mean: sum / sorted.length,
    min: sorted[0] as number,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] as number,
  };
}

/** CPU microseconds (user + system) this process has used so far. @public */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Throughput of a repeated operation. @public */
export interface Throughput {
  /** Operations per second of wall time, one value per batch. */
  readonly opsPerSec: Summary;
  /** CPU microseconds per operation, one value per batch. */
  readonly cpuMicrosPerOp: Summary;
  /** Wall microseconds per operation, one value per batch. */
  readonly wallMicrosPerOp: Summary;
  /** The per-batch values the summaries were made from, for merging rounds. */
  readonly raw: { readonly opsPerSec: number[]; readonly cpuMicrosPerOp: number[]; readonly wallMicrosPerOp: number[] };
}

/** Merges batches of the same operation measured in several rounds. @public */
export function mergeThroughput(parts: readonly Throughput[]): Throughput {
  const ops = parts.flatMap((p) => p.raw.opsPerSec);
  const cpu = parts.flatMap((p) => p.raw.cpuMicrosPerOp);
  const wall = parts.flatMap((p) => p.raw.wallMicrosPerOp);
  return { opsPerSec: summarize(ops), cpuMicrosPerOp: summarize(cpu), wallMicrosPerOp: summarize(wall), raw: { opsPerSec: ops, cpuMicrosPerOp: cpu, wallMicrosPerOp: wall } };
}

/** How many operations to run. @public */
export interface BatchPlan {
  readonly warmup: number;
  readonly batch: number;
  readonly samples: number;
  /**
   * Let queued microtasks and immediates (promise settlements an API
   * schedules per call) run inside each batch's window, so deferred work is
   * charged to the batch that caused it.
   */
  readonly settle?: boolean;
}

/**
 * Runs `op` `warmup` times, then `samples` batches of `batch` calls, timing
 * each batch (wall and CPU). Async ops are awaited one at a time, so the
 * figure is the cost of one complete operation, not of a pipelined burst.
 * @public
 */
export async function throughput(op: (i: number) => unknown, plan: BatchPlan): Promise<Throughput> {
  return (await interleavedThroughput({ op }, plan)).op as Throughput;
}

/**
 * {@link throughput} for several subjects at once, their batches interleaved
 * round by round (the order rotating each round), so drift over the run (JIT
 * tiers, GC state, clock speed, other load) falls on every subject alike
 * instead of on whichever ran first.
 * @public
 */
export async function interleavedThroughput<K extends string>(ops: Record<K, (i: number) => unknown>, plan: BatchPlan): Promise<Record<K, Throughput>> {
  const names = Object.keys(ops) as K[];
  const subjects = [];
  for (const name of names) {
    const op = ops[name];
    let i = 0;
    const probe = op(i++);
    const isAsync = probe instanceof Promise;
    if (isAsync) await probe;
    for (let w = 1; w < plan.warmup; w++) {
      const r = op(i++);
      if (isAsync) await r;
    }
    subjects.push({ name, op, isAsync, next: () => i++, ops: [] as number[], cpu: [] as number[], wall: [] as number[] });
  }
  for (let s = 0; s < plan.samples; s++) {
    for (let k = 0; k < subjects.length; k++) {
      const sub = subjects[(s + k) % subjects.length]!;
      const c0 = cpuMicros();
      const t0 = performance.now();
      if (sub.isAsync) {
        for (let n = 0; n < plan.batch; n++) await sub.op(sub.next());
      } else {
        for (let n = 0; n < plan.batch; n++) sub.op(sub.next());
      }
      if (plan.settle) await new Promise<void>((r) => setImmediate(r));
      const ms = performance.now() - t0;
      const cpuUs = cpuMicros() - c0;
      sub.ops.push((plan.batch * 1000) / Math.max(ms, 1e-6));
      sub.wall.push((ms * 1000) / plan.batch);
      sub.cpu.push(cpuUs / plan.batch);
    }
  }
  const out = {} as Record<K, Throughput>;
  for (const sub of subjects) {
    out[sub.name] = {
      opsPerSec: summarize(sub.ops),
      cpuMicrosPerOp: summarize(sub.cpu),
      wallMicrosPerOp: summarize(sub.wall),
      raw: { opsPerSec: sub.ops, cpuMicrosPerOp: sub.cpu, wallMicrosPerOp: sub.wall },
    };
  }
  return out;
}

/** Time and CPU of one run of `fn`. @public */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const c0 = cpuMicros();
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0, cpuMs: (cpuMicros() - c0) / 1000 };
}

/** The machine, for the report header. @public */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

/** Reads the machine description from `os`. @public */
export function machine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Formats with a fixed number of significant figures, no exponent for everyday values. @public */
export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 10 ** digits) return Math.round(value).toLocaleString('en-US');
  if (abs === 0) return '0';
  return Number(value.toPrecision(digits)).toString();
}

/** `a / b` as "2.31x" (how many times `a` is `b`). @public */
export function ratio(a: number, b: number): string {
  if (!(b > 0) || !Number.isFinite(a)) return 'n/a';
  return `${fmt(a / b, 3)}x`;
}

/** Formats a byte count as "12,345 B (12.1 KiB)". @public */
export function bytes(n: number): string {
  const b = `${Math.round(n).toLocaleString('en-US')} B`;
  if (Math.abs(n) >= 2 ** 20) return `${b} (${fmt(n / 2 ** 20, 3)} MiB)`;
  if (Math.abs(n) >= 1024) return `${b} (${fmt(n / 1024, 3)} KiB)`;
  return b;
}

/** Makes a builder that collects measurements for one benchmark. @public */
export function recorder(): { add(subject: string, metric: string, value: number, unit: string): number; list: Measurement[] } {
  const list: Measurement[] = [];
  return {
    list,
    add(subject, metric, value, unit) {
      list.push({ subject, metric, value, unit });
      return value;
    },
  };
}

/** Parsed command line of `main.ts`. @public */
export interface CliOptions {
  readonly quick: boolean;
  readonly only: readonly string[];
  readonly out: string | null;
}

/**
 * Parses `--quick`, `--only <name>[,<name>]` (repeatable) and `--out <file>`.
 * @throws Error naming the bad flag; the caller prints it with the usage.
 * @public
 */
export function parseArgs(argv: readonly string[], known: readonly string[]): CliOptions {
  let quick = false;
  const only: string[] = [];
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--quick') quick = true;
    else if (a === '--only' || a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      if (a === '--out') out = v;
      else only.push(...v.split(',').filter(Boolean));
    } else if (a.startsWith('--only=')) only.push(...a.slice(7).split(',').filter(Boolean));
    else if (a.startsWith('--out=')) out = a.slice(6);
    else throw new Error(`unknown argument '${a}'`);
  }
  for (const o of only) if (!known.includes(o)) throw new Error(`--only: unknown benchmark '${o}' (known: ${known.join(', ')})`);
  return { quick, only, out };
}
