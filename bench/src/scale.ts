/**
 * Benchmark 4: scale. One Node process holds 1,000 then 5,000 masters (our
 * SignalingClient, distinct channels) against the emulator, which runs in a
 * separate process together with one viewer per channel; each viewer makes a
 * full offer / answer / candidates exchange with its master.
 * @packageDocumentation
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, fmt, recorder, summarize, type BenchContext, type BenchResult, type GoalCheck, type Summary } from './harness';
import { templates } from './template';
import { CANDIDATES_PER_SIDE, type Command, type Reply, type WorldInfo } from './scale-common';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Sessions started per second in the exchange phase (full mode). */
const RATE = 250;
const tsx = createRequire(import.meta.url).resolve('tsx');

/** The open-files limit of this shell, or "unknown". */
function openFilesLimit(): string {
  try {
    return execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Open files a run of N needs in its busiest process: three sockets per channel plus headroom. */
function openFilesNeeded(n: number): number {
  return n * 3 + 1000;
}

/** `p`, or a rejection with `error()` after `ms`; the timer never outlives the race. */
async function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A child process speaking the {@link Command} protocol. */
class Child {
  private readonly waiters = new Map<string, { resolve: (d: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly hello: Promise<void>;
  private stderr = '';
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    let onHello: () => void = () => undefined;
    this.hello = new Promise<void>((r) => {
      onHello = r;
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    proc.stdout?.on('data', () => undefined);
    proc.on('message', (m: Reply) => {
      if (m.type === 'hello') return onHello();
      const w = this.waiters.get(m.type);
      if (!w) return;
      this.waiters.delete(m.type);
      if (m.ok) w.resolve(m.data ?? {});
      else w.reject(new Error(`${name} ${m.type}: ${m.error}`));
    });
    proc.on('exit', (code) => {
      this.exited = true;
      for (const w of this.waiters.values()) w.reject(new Error(`${name} exited (code ${code}) ${this.stderr.slice(-1500)}`));
      this.waiters.clear();
    });
  }

  static async start(file: string, name: string, extraExecArgv: readonly string[] = []): Promise<Child> {
    const proc = fork(path.join(here, file), [], {
      execArgv: ['--conditions=@kvs-sig/source', '--import', tsx, '--expose-gc', ...extraExecArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const child = new Child(name, proc);
    await withTimeout(child.hello, 60_000, () => new Error(`${name} did not start: ${child.stderr}`));
    return child;
  }

  request(cmd: Command, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(cmd.type);
        reject(new Error(`${this.name} ${cmd.type} timed out after ${timeoutMs} ms ${this.stderr.slice(-1500)}`));
      }, timeoutMs);
      this.waiters.set(cmd.type, {
        resolve: (d) => {
          clearTimeout(t);
          resolve(d);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.proc.send(cmd);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    try {
      await this.request({ type: 'close' }, 60_000);
    } catch {
      this.proc.kill('SIGKILL');
    }
    await withTimeout(gone, 10_000, () => new Error('exit')).catch(() => undefined);
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

interface Mem {
  heapUsed: number;
  rss: number;
  external: number;
}

/** What one run with N masters measured. */
interface ScaleRun {
  n: number;
  /** Row label: N, plus the variant. */
  label: string;
  connectMs: number;
  connectCpuMs: number;
  worldConnectCpuMs: number;
  open: number;
  failures: number;
  firstError: string | null;
  memBefore: Mem;
  memAfter: Mem;
  idleCpuPercent: number;
  worldIdleCpuPercent: number;
  /** Summed over the masters during the idle window: what could make it busy. */
  idleActivity: {
    attempts: number;
    reconnects: number;
    received: number;
    gcMs: number;
    gcs: number;
    windowMs: number;
    /** CPU of the main thread and of the other threads over the window (Linux only). */
    threads: { mainMicros: number; othersMicros: number } | null;
  };
  sessions: number;
  exchangeMs: number;
  exchangeCpuMs: number;
  worldExchangeCpuMs: number;
  latency: Summary | null;
  latencyParts: Record<string, Summary | null>;
  delivered: number;
  expected: number;
  errors: number;
  reconnects: number;
  /** 1-min load average at the end of the exchange. */
  loadAfterExchange: number;
  /** Event-loop delay of each process over the exchange. */
  loop: { world: LoopDelay; masters: LoopDelay };
  /** Every master's socket dropped at once, then all back open: from the drop to each master's `open`. */
  massReconnect: { dropped: number; recovered: number; times: Summary | null; attempts: number; errors: number; cpuMs: number; worldCpuMs: number };
}

/** Event-loop delay percentiles in ms (from `monitorEventLoopDelay`). */
interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

async function cpuOf(c: Child): Promise<number> {
  return (await c.request({ type: 'cpu' }, 30_000)).cpuMicros as number;
}

function finite(values: unknown): number[] {
  return Array.isArray(values) ? values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)) : [];
}

async function runOnce(n: number, ctx: BenchContext, poolPerClient = false): Promise<ScaleRun> {
  // Every master's connect() at once, as a gateway starting does; the client's own queues pace them.
  const concurrency = n;
  const ratePerSec = ctx.quick ? 100 : RATE;
  const idleMs = ctx.quick ? 500 : 5000;
  ctx.log(`scale: n=${n}: starting the world (emulator + viewers) process`);
  const world = await Child.start('scale-world.ts', 'world');
  let masters: Child | undefined;
  try {
    const info = (await world.request({ type: 'setup', n }, 300_000)).world as WorldInfo;
    masters = await Child.start('scale-masters.ts', 'masters');
    ctx.log(`scale: n=${n}: connecting ${n} masters`);
    const w0 = await cpuOf(world);
    const conn = await masters.request({ type: 'connect', n, concurrency, world: info, poolPerClient }, 600_000);
    const worldConnectCpuMs = ((await cpuOf(world)) - w0) / 1000;
    ctx.log(`scale: n=${n}: ${String(conn.open)} open in ${fmt((conn.ms as number) / 1000)} s; connecting ${n} viewers`);
    const viewers = await world.request({ type: 'connect', n, concurrency, world: info }, 600_000);
    if ((viewers.failures as number) > 0) ctx.log(`scale: ${String(viewers.failures)} viewers failed: ${String(viewers.firstError)}`);
    ctx.log(`scale: n=${n}: idle ${idleMs} ms`);
    const wi0 = await cpuOf(world);
    const idle = await masters.request({ type: 'idle', ms: idleMs }, idleMs + 60_000);
    const worldIdleCpu = (await cpuOf(world)) - wi0;
    ctx.log(`scale: n=${n}: idle CPU ${fmt(((idle.cpuMicros as number) / 1000 / (idle.ms as number)) * 100)}%, world ${fmt((worldIdleCpu / 1000 / (idle.ms as number)) * 100)}%; during it ${String(idle.attempts)} connection attempts, ${String(idle.reconnects)} reconnects, ${String(idle.received)} frames received, ${String(idle.gcs)} GCs (${fmt(idle.gcMs as number)} ms)`);
    ctx.log(`scale: n=${n}: exchanging (${ratePerSec} sessions/s)`);
    await Promise.all([world.request({ type: 'loop', action: 'start' }, 30_000), masters.request({ type: 'loop', action: 'start' }, 30_000)]);
    const m0 = await cpuOf(masters);
    const we0 = await cpuOf(world);
    const ex = await world.request({ type: 'exchange', n, ratePerSec, timeoutMs: (n / ratePerSec) * 1000 + 30_000 }, (n / ratePerSec) * 1000 + 90_000);
    // Stopped before the stats below, whose reply (every latency sample) would stall the masters' loop itself.
    const [worldLoop, mastersLoop] = (await Promise.all([world.request({ type: 'loop', action: 'stop' }, 30_000), masters.request({ type: 'loop', action: 'stop' }, 30_000)])) as unknown as [LoopDelay, LoopDelay];
    // The masters' last candidates may still be in flight when the viewers are done.
    let stats = await masters.request({ type: 'stats' }, 60_000);
    const until = Date.now() + 15_000;
    while ((stats.offers as number) + (stats.candidates as number) < n * (1 + CANDIDATES_PER_SIDE) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await masters.request({ type: 'stats' }, 60_000);
    }
    const loadAfterExchange = os.loadavg()[0] ?? 0;
    const exchangeCpuMs = ((await cpuOf(masters)) - m0) / 1000;
    const worldExchangeCpuMs = ((await cpuOf(world)) - we0) / 1000;
    const worldStats = await world.request({ type: 'stats' }, 60_000);
    // Last, since it disturbs everything: a service deploy cutting every master at once.
    ctx.log(`scale: n=${n}: dropping every master's socket at once`);
    await masters.request({ type: 'mark' }, 30_000);
    const wr0 = await cpuOf(world);
    const drop = await world.request({ type: 'drop' }, 30_000);
    const back = await masters.request({ type: 'recover', since: drop.at as number, timeoutMs: 120_000 }, 180_000);
    const worldRecoverCpuMs = ((await cpuOf(world)) - wr0) / 1000;
    const backTimes = finite(back.times);
    ctx.log(`scale: n=${n}: ${String(back.recovered)} of ${String(drop.dropped)} back open, the last after ${backTimes.length ? fmt(Math.max(...backTimes)) : '-'} ms`);
    const ml = stats.latencies as { offer: unknown; candidate: unknown };
    const vl = ex.latencies as { answer: unknown; candidate: unknown };
    const parts = {
      'offer (viewer → master)': finite(ml.offer),
      'answer (master → viewer)': finite(vl.answer),
      'candidate (master → viewer)': finite(vl.candidate),
      'candidate (viewer → master)': finite(ml.candidate),
    };
    const all = Object.values(parts).flat();
    const latencyParts: Record<string, Summary | null> = {};
    for (const [k, v] of Object.entries(parts)) latencyParts[k] = v.length ? summarize(v) : null;
    const expected = n * (2 + 2 * CANDIDATES_PER_SIDE);
    return {
      n,
      label: poolPerClient ? `${n}, a pool per client (own \`fetch\`)` : String(n),
      connectMs: conn.ms as number,
      connectCpuMs: (conn.cpuMicros as number) / 1000,
      worldConnectCpuMs,
      open: conn.open as number,
      failures: conn.failures as number,
      firstError: (conn.firstError as string | null) ?? (stats.firstError as string | null) ?? (worldStats.firstError as string | null),
      memBefore: conn.before as Mem,
      memAfter: conn.after as Mem,
      idleCpuPercent: ((idle.cpuMicros as number) / 1000 / (idle.ms as number)) * 100,
      worldIdleCpuPercent: (worldIdleCpu / 1000 / (idle.ms as number)) * 100,
      idleActivity: { attempts: idle.attempts as number, reconnects: idle.reconnects as number, received: idle.received as number, gcMs: idle.gcMs as number, gcs: idle.gcs as number, windowMs: idle.ms as number, threads: idle.threads as ScaleRun['idleActivity']['threads'] },
      sessions: n - ((viewers.failures as number) ?? 0),
      exchangeMs: ex.ms as number,
      exchangeCpuMs,
      worldExchangeCpuMs,
      latency: all.length ? summarize(all) : null,
      latencyParts,
      delivered: all.length,
      expected,
      errors: (stats.errors as number) + (worldStats.errors as number) + (conn.failures as number) + (viewers.failures as number) + (ex.sendFailures as number),
      reconnects: stats.reconnects as number,
      loadAfterExchange,
      loop: { world: worldLoop, masters: mastersLoop },
      massReconnect: {
        dropped: drop.dropped as number,
        recovered: back.recovered as number,
        times: backTimes.length ? summarize(backTimes) : null,
        attempts: back.attempts as number,
        errors: back.errors as number,
        cpuMs: (back.cpuMicros as number) / 1000,
        worldCpuMs: worldRecoverCpuMs,
      },
    };
  } finally {
    await masters?.stop();
    await world.stop();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** The category a profile frame's self time belongs to. */
function category(url: string, fn: string): string | null {
  if (fn === '(idle)') return null;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (url === '') return '';
  if (/node:(_tls|internal\/tls)|node:tls/.test(url)) return 'TLS (handshakes, certificate checks, secure contexts)';
  if (/\/undici\/|node:internal\/webstreams/.test(url)) return 'undici fetch (HTTP, web streams)';
  if (/\/ws\//.test(url)) return 'ws (WebSocket)';
  if (/@smithy|@aws-crypto/.test(url)) return 'SigV4 (smithy + sha256-js)';
  if (/packages\/signer\//.test(url)) return '@kvs-sig/signer';
  if (/packages\/core\//.test(url)) return '@kvs-sig/core';
  if (/packages\/client\//.test(url)) return '@kvs-sig/client';
  if (/node:internal\/modules|esm\/hooks|\/tsx\/|node:internal\/main|source-map/.test(url)) return 'startup (module loading, TS compile)';
  if (/bench\/src\//.test(url)) return 'benchmark harness';
  return 'Node internals (net, streams, events, timers, webstreams)';
}

/** Self time per category; native frames count for the nearest ancestor with a known category. */
function profileBreakdown(file: string): Map<string, number> {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const memo = new Map<number, string | null>();
  const catOf = (id: number): string | null => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id) as ProfileNode;
    let c = category(n.callFrame.url, n.callFrame.functionName);
    if (c === '') {
      const p = parent.get(id);
      c = p === undefined ? 'native (unattributed)' : (catOf(p) ?? 'native (unattributed)');
    }
    memo.set(id, c);
    return c;
  };
  const out = new Map<string, number>();
  prof.samples.forEach((id, i) => {
    const c = catOf(id);
    if (c !== null) out.set(c, (out.get(c) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

/** Connects n masters in a profiled masters process (`--cpu-prof`) and breaks its CPU down by category. */
async function profileConnect(n: number, ctx: BenchContext): Promise<{ rows: string[][]; perConnectMs: number; tlsShare: number; httpShare: number; ownShare: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvs-bench-prof-'));
  const world = await Child.start('scale-world.ts', 'world');
  let masters: Child | undefined;
  try {
    const info = (await world.request({ type: 'setup', n }, 300_000)).world as WorldInfo;
    masters = await Child.start('scale-masters.ts', 'masters (profiled)', ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    ctx.log(`scale: profiling ${n} connects`);
    await masters.request({ type: 'connect', n, concurrency: Math.min(n, 100), world: info }, 600_000);
    await masters.stop();
    masters = undefined;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled masters process wrote no profile');
    const cats = profileBreakdown(path.join(dir, file));
    const startup = cats.get('startup (module loading, TS compile)') ?? 0;
    cats.delete('startup (module loading, TS compile)');
    const total = [...cats.values()].reduce((a, b) => a + b, 0);
    const rows = [...cats.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, fmt(v / n), `${fmt((v / total) * 100)}%`]);
    rows.push(['(excluded: startup, module loading and TS compile)', fmt(startup / n), '']);
    const share = (k: string): number => (cats.get(k) ?? 0) / total;
    return { rows, perConnectMs: total / n, tlsShare: share('TLS (handshakes, certificate checks, secure contexts)'), httpShare: share('undici fetch (HTTP, web streams)'), ownShare: share('@kvs-sig/client') + share('@kvs-sig/core') + share('@kvs-sig/signer') };
  } finally {
    await masters?.stop();
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the scale benchmark. @public */
export async function runScale(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const rec = recorder();
  const sizes = ctx.quick ? [20] : [1000, 5000];
  // Thousands of EMFILE failures would read as client errors; say what is wrong instead.
  const limit = Number(openFilesLimit());
  const needed = openFilesNeeded(Math.max(...sizes));
  if (Number.isFinite(limit) && limit < needed) {
    throw new Error(`scale needs \`ulimit -n\` of at least ${needed} for N=${Math.max(...sizes)} (it is ${limit}, and the hard limit did not allow more): raise it, e.g. \`ulimit -n 20000\`, then run again`);
  }
  const runs: ScaleRun[] = [];
  for (const n of sizes) runs.push(await runOnce(n, ctx));
  // The same 1,000 masters with an HTTPS pool each (the default before the process-wide
  // pool, rebuilt through the \`fetch\` option), to size what sharing saves.
  const perClient = [await runOnce(sizes[0] as number, ctx, true)];
  const profiled = await profileConnect(ctx.quick ? 10 : 300, ctx);

  const prose = templates('scale');
  const rows: string[][] = [];
  const latRows: string[][] = [];
  const massRows: string[][] = [];
  const notes: string[] = [];
  for (const r of [...runs, ...perClient]) {
    const heapPer = (r.memAfter.heapUsed - r.memBefore.heapUsed) / r.n;
    const rssPer = (r.memAfter.rss - r.memBefore.rss) / r.n;
    const extPer = (r.memAfter.external - r.memBefore.external) / r.n;
    const s = r.label === String(r.n) ? `n=${r.n}` : `n=${r.n}.poolPerClient`;
    rec.add('ours', `${s}.open`, r.open, 'connections');
    rec.add('ours', `${s}.heapPerConnection`, heapPer, 'B');
    rec.add('ours', `${s}.rssPerConnection`, rssPer, 'B');
    rec.add('ours', `${s}.connectCpuMsPerConnection`, r.connectCpuMs / r.n, 'ms');
    rec.add('ours', `${s}.idleCpuPercent`, r.idleCpuPercent, '%');
    rec.add('ours', `${s}.exchangeCpuMicrosPerSession`, (r.exchangeCpuMs * 1000) / Math.max(1, r.sessions), 'µs');
    rec.add('ours', `${s}.errors`, r.errors, 'errors');
    if (r.latency) {
      rec.add('ours', `${s}.latencyP50`, r.latency.p50, 'ms');
      rec.add('ours', `${s}.latencyP99`, r.latency.p99, 'ms');
    }
    rows.push([
      r.label,
      `${r.open} / ${r.n}`,
      `${fmt(r.connectMs / 1000)} s`,
      `${fmt(r.connectCpuMs / r.n)} ms`,
      `${fmt((r.worldConnectCpuMs / r.connectMs) * 100)}%`,
      bytes(heapPer),
      bytes(rssPer),
      bytes(extPer),
      bytes(r.memAfter.rss),
      `${fmt(r.idleCpuPercent)}%`,
      `${fmt((r.exchangeCpuMs * 1000) / Math.max(1, r.sessions))} µs`,
      `${fmt((r.exchangeCpuMs / r.exchangeMs) * 100)}%`,
      `${fmt((r.worldExchangeCpuMs / r.exchangeMs) * 100)}%`,
      `${r.delivered} / ${r.expected}`,
      String(r.errors),
    ]);
    for (const [k, v] of Object.entries(r.latencyParts)) latRows.push([r.label, k, v ? String(v.n) : '0', v ? fmt(v.p50) : 'n/a', v ? fmt(v.p90) : 'n/a', v ? fmt(v.p99) : 'n/a', v ? fmt(v.max) : 'n/a']);
    if (r.latency) latRows.push([r.label, '**all messages**', String(r.latency.n), fmt(r.latency.p50), fmt(r.latency.p90), fmt(r.latency.p99), fmt(r.latency.max)]);
    if (r.firstError) notes.push(prose.render('note.first-error', { label: r.label, error: r.firstError }));
    const worldShare = r.worldConnectCpuMs / r.connectMs;
    if (worldShare > 0.85) {
      notes.push(prose.render('note.emulator-bound', { label: r.label, worldShare: fmt(worldShare * 100), seconds: fmt(r.connectMs / 1000) }));
    }
    const perSession = (r.exchangeCpuMs * 1000) / Math.max(1, r.sessions);
    notes.push(
      prose.render('note.session-cpu', {
        label: r.label,
        perSession: fmt(perSession),
        candidates: CANDIDATES_PER_SIDE,
        sessionsPerCore: fmt(1e6 / perSession),
        seconds: fmt(r.exchangeMs / 1000),
        sessions: r.sessions,
        startSeconds: fmt(r.sessions / (ctx.quick ? 100 : RATE)),
      }),
    );
    rec.add('world', `${s}.exchangeLoopDelayP99`, r.loop.world.p99, 'ms');
    rec.add('ours', `${s}.exchangeLoopDelayP99`, r.loop.masters.p99, 'ms');
    if (r.latency) {
      // Where messages waited: a relay hop is delayed by whichever process's one JS thread is behind.
      const worldBehind = r.loop.world.p99 > r.loop.masters.p99;
      const [slow, fast] = worldBehind ? [r.loop.world, r.loop.masters] : [r.loop.masters, r.loop.world];
      const times = slow.p99 / Math.max(fast.p99, 0.001);
      const verdict =
        times < 1.5
          ? prose.render('fragment.verdict.neither', { cores: os.cpus().length, p99: fmt(r.latency.p99) })
          : prose.render(worldBehind ? 'fragment.verdict.world' : 'fragment.verdict.masters', { times: fmt(times), p99: fmt(r.latency.p99) });
      notes.push(
        prose.render('note.latency-source', {
          label: r.label,
          worldP50: fmt(r.loop.world.p50),
          worldP99: fmt(r.loop.world.p99),
          worldMax: fmt(r.loop.world.max),
          mastersP50: fmt(r.loop.masters.p50),
          mastersP99: fmt(r.loop.masters.p99),
          mastersMax: fmt(r.loop.masters.max),
          verdict,
        }),
      );
    }
    const mr = r.massReconnect;
    massRows.push([
      r.label,
      String(mr.dropped),
      `${mr.recovered} / ${mr.dropped}`,
      mr.times ? `${fmt(mr.times.max)} ms` : 'n/a',
      mr.times ? `${fmt(mr.times.p50)} ms` : 'n/a',
      mr.times ? `${fmt(mr.times.p99)} ms` : 'n/a',
      `${mr.attempts} (${fmt(mr.attempts / Math.max(1, mr.dropped))} per master)`,
      String(mr.errors),
      `${fmt(mr.cpuMs / Math.max(1, mr.recovered))} ms`,
      mr.times ? `${fmt((mr.worldCpuMs / Math.max(1, mr.times.max)) * 100)}%` : 'n/a',
    ]);
    if (mr.times) {
      rec.add('ours', `${s}.massReconnectAllMs`, mr.times.max, 'ms');
      rec.add('ours', `${s}.massReconnectAttemptsPerMaster`, mr.attempts / Math.max(1, mr.dropped), 'attempts');
    }
    const share = (r.exchangeCpuMs + r.worldExchangeCpuMs) / r.exchangeMs;
    const cores = os.cpus().length;
    // The two benchmark processes account for up to 2 of the load average themselves.
    if (r.loadAfterExchange > cores + 2) {
      notes.push(prose.render('note.loaded', { label: r.label, load: fmt(r.loadAfterExchange), cores, share: fmt(share * 100) }));
    } else if (r.latency && r.latency.p50 > 100) {
      notes.push(prose.render('note.queued', { label: r.label, p50: fmt(r.latency.p50), share: fmt(share * 100), rate: RATE }));
    }
    if (r.reconnects > 0) notes.push(prose.render('note.reconnects', { label: r.label, reconnects: r.reconnects }));
  }
  const big = runs[runs.length - 1] as ScaleRun;
  const bigRss = big.memAfter.rss;
  const goals: GoalCheck[] = ctx.quick
    ? []
    : [
        {
          goal: '5,000 connections fit comfortably (all open, no errors, client RSS < 1 GiB, idle CPU < 10% of a core)',
          met: big.n >= 5000 && big.open === big.n && big.errors === 0 && bigRss < 2 ** 30 && big.idleCpuPercent < 10,
          detail: `${big.open}/${big.n} open, ${big.errors} errors, RSS ${bytes(bigRss)}, idle CPU ${fmt(big.idleCpuPercent)}%`,
        },
      ];
  for (const r of runs) {
    const a = r.idleActivity;
    const cause = !a.threads ? 'fragment.idle-cause.gc' : a.threads.othersMicros > a.threads.mainMicros ? 'fragment.idle-cause.off-main' : 'fragment.idle-cause.on-main';
    const percentOfWindow = (micros: number): string => fmt((micros / 1000 / a.windowMs) * 100);
    notes.push(
      prose.render('note.idle', {
        n: r.n.toLocaleString('en-US'),
        cpu: fmt(r.idleCpuPercent),
        worldCpu: fmt(r.worldIdleCpuPercent),
        attempts: a.attempts,
        reconnects: a.reconnects,
        received: a.received,
        gcs: a.gcs,
        gcMs: fmt(a.gcMs),
        windowMs: fmt(a.windowMs),
        byThread: Boolean(a.threads),
        mainCpu: a.threads ? percentOfWindow(a.threads.mainMicros) : '',
        othersCpu: a.threads ? percentOfWindow(a.threads.othersMicros) : '',
        unexplained: r.idleCpuPercent >= 10 && a.attempts === 0 && a.received === 0,
        cause: prose.render(cause),
      }),
    );
  }
  const own1000 = perClient[0];
  const base1000 = runs.find((r) => r.n === own1000?.n);
  if (base1000 && own1000) {
    const rssPer = (r: ScaleRun): number => (r.memAfter.rss - r.memBefore.rss) / r.n;
    notes.push(
      prose.render('note.pool', {
        n: base1000.n.toLocaleString('en-US'),
        sharedCpu: fmt(base1000.connectCpuMs / base1000.n),
        sharedRss: bytes(rssPer(base1000)),
        ownCpu: fmt(own1000.connectCpuMs / own1000.n),
        ownRss: bytes(rssPer(own1000)),
      }),
    );
  }
  notes.push(
    prose.render('note.connect-cost', { tls: fmt(profiled.tlsShare * 100), http: fmt(profiled.httpShare * 100), own: fmt(profiled.ownShare * 100) }),
    prose.render('note.official-absent'),
  );

  return {
    name: 'scale',
    title: 'Scale: 1,000 and 5,000 masters in one process',
    method: prose.render('method', {
      idleSeconds: ctx.quick ? 0.5 : 5,
      candidates: CANDIDATES_PER_SIDE,
      rate: ctx.quick ? 100 : RATE,
      cores: os.cpus().length,
      filesNeeded: openFilesNeeded(5000).toLocaleString('en-US'),
      filesLimit: openFilesLimit(),
    }),
    tables: [
      {
        title: 'Connections, memory, CPU',
        columns: ['N', 'open', 'connect wall', 'client CPU per connect', 'emulator CPU during connect', 'heap / conn', 'RSS / conn', 'external / conn', 'client RSS total', 'client idle CPU', 'client CPU per session (10 msgs)', 'client CPU during exchange', 'emulator + viewers CPU during exchange', 'delivered', 'errors'],
        rows,
      },
      { title: 'Delivery latency (ms)', columns: ['N', 'message', 'count', 'p50', 'p90', 'p99', 'max'], rows: latRows },
      {
        title: 'Mass reconnect: every master cut at once (no close frame), until all are open again',
        columns: ['N', 'dropped', 'back open', 'all open after', 'per master p50', 'per master p99', 'connection attempts', 'errors', 'client CPU per reconnect', 'emulator CPU during it'],
        rows: massRows,
      },
      {
        title: `Where a master's connect CPU goes (a separate run of ${ctx.quick ? 10 : 300} connects under \`--cpu-prof\`, self time by category, ms per connect; profiling adds overhead)`,
        columns: ['category', 'ms per connect', 'share'],
        rows: profiled.rows,
      },
    ],
    measurements: rec.list,
    goals,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
