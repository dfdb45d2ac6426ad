/**
 * Shared pieces of the scale benchmark's processes: the IPC messages, the
 * cross-process clock, timestamped payloads and a concurrency pool.
 * @packageDocumentation
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { makeCandidates, makeSdp, type CandidateInit, type SdpInit } from './frames';

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes on one machine. @public */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** An SDP whose origin line carries the send time in microseconds. @public */
export function stampedSdp(type: 'offer' | 'answer'): SdpInit {
  return makeSdp(type, String(Math.round(nowMs() * 1000)));
}

/** Reads the send time (ms) out of {@link stampedSdp}'s origin line, or NaN. @public */
export function sdpSentAt(sdp: unknown): number {
  if (typeof sdp !== 'string') return Number.NaN;
  const m = /^o=- (\d+) /m.exec(sdp);
  return m ? Number(m[1]) / 1000 : Number.NaN;
}

/** The `k`-th candidate of a browser, carrying the send time (µs) in `usernameFragment`. @public */
export function stampedCandidate(k: number): CandidateInit {
  const all = makeCandidates();
  const c = all[k % all.length] as CandidateInit;
  return { ...c, usernameFragment: String(Math.round(nowMs() * 1000)) };
}

/** Reads the send time (ms) out of {@link stampedCandidate}, or NaN. @public */
export function candidateSentAt(c: unknown): number {
  const u = (c as { usernameFragment?: unknown } | null)?.usernameFragment;
  return typeof u === 'string' && /^\d+$/.test(u) ? Number(u) / 1000 : Number.NaN;
}

/** Candidates each side sends per session. @public */
export const CANDIDATES_PER_SIDE = 4;

/** Runs `fn(i)` for i in [0, n) with at most `limit` in flight; returns how many threw. @public */
export async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<{ failures: number; firstError?: string }> {
  let next = 0;
  let failures = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      try {
        await fn(i);
      } catch (e) {
        failures++;
        firstError ??= e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return firstError === undefined ? { failures } : { failures, firstError };
}

/** CPU microseconds (user + system) of this process. @public */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * CPU time of this process's main thread and of all its other threads together
 * (V8's collector and compiler helpers, libuv's pool), in µs, from Linux's
 * /proc/self/task; `null` where that is not readable. Clock ticks, so 10 ms
 * resolution: meant for windows of seconds. Node leaves its threads unnamed,
 * so the split is main thread against the rest.
 * @public
 */
export function threadCpuMicros(): { main: number; others: number } | null {
  const tickMicros = 1e6 / 100; // USER_HZ, 100 on Linux
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended between the listing and the read
      }
      // Fields after the `(comm)`, which may hold spaces: state is the 1st, utime the 12th, stime the 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const micros = (Number(f[11]) + Number(f[12])) * tickMicros;
      if (Number(tid) === process.pid) main += micros;
      else others += micros;
    }
    return { main, others };
  } catch {
    return null;
  }
}

/** Memory of this process after a full GC (needs `--expose-gc`), in bytes. @public */
export function memoryAfterGc(): { heapUsed: number; rss: number; external: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

/** Connection details the world process hands out. @public */
export interface WorldInfo {
  endpoint: string;
  ca: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  wss: string;
  arns: string[];
}

/** A request from the parent to a child. @public */
export type Command =
  | { type: 'setup'; n: number }
  | { type: 'connect'; n: number; concurrency: number; world: WorldInfo; poolPerClient?: boolean }
  | { type: 'idle'; ms: number }
  | { type: 'exchange'; n: number; ratePerSec: number; timeoutMs: number }
  | { type: 'stats' }
  | { type: 'cpu' }
  | { type: 'loop'; action: 'start' | 'stop' }
  | { type: 'drop' }
  | { type: 'mark' }
  | { type: 'recover'; since: number; timeoutMs: number }
  | { type: 'close' };

/** A child's answer: the command's `type` plus its data, or an error. @public */
export interface Reply {
  type: string;
  ok: boolean;
  error?: string;
  data?: Record<string, unknown>;
}

let loopHistogram: IntervalHistogram | undefined;
const LOOP_RESOLUTION_MS = 10;

/**
 * Event-loop lateness between `start` and `stop`, in ms: how long work waited for
 * this process's one JavaScript thread. Of two processes passing messages, the
 * one whose loop lags is where messages queue, whatever their CPU figures say.
 */
async function loopDelay(action: 'start' | 'stop'): Promise<Record<string, unknown>> {
  if (action === 'start') {
    loopHistogram?.disable();
    loopHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loopHistogram.enable();
    return {};
  }
  const h = loopHistogram;
  if (!h) throw new Error('loop stop without start');
  h.disable();
  loopHistogram = undefined;
  // The histogram records each timer interval whole; lateness is what exceeds the resolution.
  const late = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  return { p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max), samples: h.count };
}

/** Serves commands on the IPC channel with `handler`; errors become `{ ok: false }` replies. @public */
export function serve(handler: (cmd: Command) => Promise<Record<string, unknown>>): void {
  process.on('message', (msg: Command) => {
    (msg.type === 'loop' ? loopDelay(msg.action) : handler(msg)).then(
      (data) => process.send?.({ type: msg.type, ok: true, data } satisfies Reply),
      (e: unknown) => process.send?.({ type: msg.type, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
    );
  });
  process.send?.({ type: 'hello', ok: true } satisfies Reply);
}
