/**
 * The scale benchmark's measured process: one Node process holding N
 * masters (our SignalingClient, default options, one channel each), as a
 * camera gateway would. It answers every viewer's offer with an answer and
 * candidates, and records delivery latencies.
 * @packageDocumentation
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { SignalingClient, type FetchLike } from '@kvs-sig/client';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  CANDIDATES_PER_SIDE,
  candidateSentAt,
  cpuNow,
  memoryAfterGc,
  nowMs,
  pool,
  sdpSentAt,
  serve,
  stampedCandidate,
  stampedSdp,
  threadCpuMicros,
  type Command,
} from './scale-common';

const masters: SignalingClient[] = [];
/** The per-client Agents of the `poolPerClient` variant (a user fetch is the user's to close). */
const agents: Agent[] = [];
const latencies: { offer: number[]; candidate: number[] } = { offer: [], candidate: [] };
/** When each master's latest connection opened (`nowMs`), and how many times it opened. */
const openedAt: number[] = [];
const opens: number[] = [];
/** Per master at `mark`: opens so far; and the totals a recovery is measured against. */
let mark: { opens: number[]; attempts: number; errors: number; cpu: number } | undefined;
let offers = 0;
let candidates = 0;
let errors = 0;
let firstError: string | undefined;
let lastReceiptAt = 0;

function noteError(e: unknown): void {
  errors++;
  firstError ??= e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
}

async function connect(cmd: Extract<Command, { type: 'connect' }>): Promise<Record<string, unknown>> {
  const w = cmd.world;
  // The client's default before the process-wide pool, rebuilt through the `fetch` option:
  // one undici Agent per client, with the options platform-node.ts used then.
  const ownFetch = (): FetchLike => {
    const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connect: { ca: w.ca } });
    agents.push(agent);
    return ((url, init) => undiciFetch(url, { ...init, dispatcher: agent })) as FetchLike;
  };
  const before = memoryAfterGc();
  const c0 = cpuNow();
  const t0 = nowMs();
  const result = await pool(cmd.n, cmd.concurrency, async (i) => {
    const m = new SignalingClient({
      role: 'MASTER',
      region: w.region,
      credentials: w.credentials,
      channelName: `scale-${i}`,
      endpoint: w.endpoint,
      tls: { ca: w.ca },
      ...(cmd.poolPerClient ? { fetch: ownFetch() } : {}),
    });
    m.on('error', noteError);
    m.on('open', () => {
      openedAt[i] = nowMs();
      opens[i] = (opens[i] ?? 0) + 1;
    });
    m.on('sdpOffer', (e) => {
      const at = nowMs();
      offers++;
      lastReceiptAt = at;
      latencies.offer.push(at - sdpSentAt(e.payload.sdp));
      const viewer = e.senderClientId as string;
      m.sendSdpAnswer(stampedSdp('answer'), viewer).catch(noteError);
      for (let k = 0; k < CANDIDATES_PER_SIDE; k++) m.sendIceCandidate(stampedCandidate(k), viewer).catch(noteError);
    });
    m.on('iceCandidate', (e) => {
      const at = nowMs();
      candidates++;
      lastReceiptAt = at;
      latencies.candidate.push(at - candidateSentAt(e.payload));
    });
    masters[i] = m;
    await m.connect();
    // Ready, as a camera gateway needs it: socket open and ICE servers in hand. The prefetch started by
    // connect() is joined, not repeated; without this its CPU lands in the idle window that follows.
    await m.getIceServers();
  });
  const ms = nowMs() - t0;
  const cpuMicros = cpuNow() - c0;
  const after = memoryAfterGc();
  const open = masters.filter((m) => m?.state === 'open').length;
  return { ms, cpuMicros, before, after, open, failures: result.failures, firstError: result.firstError ?? null };
}

/** Summed over every master: what would make an idle window busy. */
function activity(): { attempts: number; reconnects: number; received: number } {
  let attempts = 0;
  let reconnects = 0;
  let received = 0;
  for (const m of masters) {
    if (!m) continue;
    const x = m.metrics();
    attempts += x.attempts;
    reconnects += x.reconnects;
    received += x.messagesReceived;
  }
  return { attempts, reconnects, received };
}

async function idle(ms: number): Promise<Record<string, unknown>> {
  const a0 = activity();
  // Garbage collection in the window (main-thread pauses; V8's helper threads add to the CPU figure too).
  let gcMs = 0;
  let gcs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcs++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const th0 = threadCpuMicros();
  const c0 = cpuNow();
  const t0 = nowMs();
  await new Promise((r) => setTimeout(r, ms));
  const cpuMicros = cpuNow() - c0;
  const th1 = threadCpuMicros();
  const elapsed = nowMs() - t0;
  // Entries are delivered asynchronously: one more turn so the window's last ones are counted.
  await new Promise((r) => setImmediate(r));
  gcObserver.disconnect();
  const a1 = activity();
  return {
    cpuMicros,
    ms: elapsed,
    open: masters.filter((m) => m?.state === 'open').length,
    attempts: a1.attempts - a0.attempts,
    reconnects: a1.reconnects - a0.reconnects,
    received: a1.received - a0.received,
    gcMs,
    gcs,
    threads: th0 && th1 ? { mainMicros: th1.main - th0.main, othersMicros: th1.others - th0.others } : null,
    memory: memoryAfterGc(),
  };
}

/**
 * Waits until every master has reconnected since `mark` (the world dropped them at
 * `since`) and is open, or until `timeoutMs`; each master's time is from the drop
 * to its `open`.
 */
async function recover(since: number, timeoutMs: number): Promise<Record<string, unknown>> {
  const m0 = mark;
  if (!m0) throw new Error('masters: recover without mark');
  // Cheap to poll (no metrics() snapshot per master), so the check itself adds little to the CPU measured.
  const back = (i: number): boolean => (opens[i] ?? 0) > (m0.opens[i] as number) && masters[i]?.state === 'open';
  const deadline = nowMs() + timeoutMs;
  while (nowMs() < deadline && !masters.every((_, i) => back(i))) await new Promise((r) => setTimeout(r, 50));
  const cpuMicros = cpuNow() - m0.cpu;
  const times: number[] = [];
  masters.forEach((_, i) => {
    if (back(i)) times.push((openedAt[i] as number) - since);
  });
  return {
    recovered: times.length,
    times,
    attempts: activity().attempts - m0.attempts,
    errors: errors - m0.errors,
    cpuMicros,
  };
}

async function handle(cmd: Command): Promise<Record<string, unknown>> {
  switch (cmd.type) {
    case 'connect':
      return connect(cmd);
    case 'idle':
      return idle(cmd.ms);
    case 'cpu':
      return { cpuMicros: cpuNow(), at: nowMs() };
    case 'mark':
      mark = { opens: masters.map((_, i) => opens[i] ?? 0), attempts: activity().attempts, errors, cpu: cpuNow() };
      return {};
    case 'recover':
      return recover(cmd.since, cmd.timeoutMs);
    case 'stats':
      return {
        offers,
        candidates,
        lastReceiptAt,
        errors,
        firstError: firstError ?? null,
        latencies,
        open: masters.filter((m) => m?.state === 'open').length,
        reconnects: masters.reduce((a, m) => a + (m ? m.metrics().reconnects : 0), 0),
      };
    case 'close': {
      await pool(masters.length, 256, async (i) => {
        await masters[i]?.close();
      });
      await Promise.all(agents.map((a) => a.close()));
      setImmediate(() => process.exit(0));
      return {};
    }
    default:
      throw new Error(`masters: unknown command ${(cmd as { type: string }).type}`);
  }
}

serve(handle);
