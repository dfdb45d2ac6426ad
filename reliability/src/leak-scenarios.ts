/**
 * Leak scenarios shared by the CI test and `pnpm reliability:leaks`: many
 * connect/close cycles, many reconnects of one client, and `close()` in every
 * state, measured by live handles and timers (`process.getActiveResourcesInfo()`)
 * and by heap after a forced GC.
 * @packageDocumentation
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { SignalingClient } from '@kvs-sig/client';
import type { SignalingClientOptions } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import type { Emulator } from '@kvs-sig/emulator';

/** A forced full GC (exposes `gc` on demand when Node was started without `--expose-gc`). @public */
export function gc(): void {
  let fn = (globalThis as { gc?: () => void }).gc;
  if (typeof fn !== 'function') {
    v8.setFlagsFromString('--expose-gc');
    fn = vm.runInNewContext('gc') as () => void;
  }
  fn();
  fn();
}

/** Live resources by type (handles, requests, timers), as Node reports them. @public */
export function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** Total of {@link resources}. @public */
export function resourceCount(): number {
  return process.getActiveResourcesInfo().length;
}

/** What grew between two snapshots. @public */
export function grown(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v > (before[k] ?? 0)) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Waits (up to `ms`) until no resource type is above `baseline`; returns what is still above it. @public */
export async function settle(baseline: Record<string, number>, ms = 3000): Promise<Record<string, number>> {
  const end = Date.now() + ms;
  let diff = grown(baseline, resources());
  while (Object.keys(diff).length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    diff = grown(baseline, resources());
  }
  return diff;
}

/** Heap used after a full GC, in bytes. @public */
export function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** An emulator for leak runs: handshakes not rate-limited, logs small. @public */
export async function startLeakEmulator(): Promise<{ emu: Emulator; arn: string }> {
  const emu = await startEmulator({ limits: { connectsPerSecondPerChannel: 1_000_000, maxLogRecords: 100, maxViewersPerChannel: 100 } });
  const c = new SignalingClient({ ...baseOptions(emu), role: 'MASTER', channelName: 'leaks', createChannelIfMissing: true });
  await c.connect();
  const arn = c.channelArn ?? '';
  await c.close();
  return { emu, arn };
}

/** Options reaching the emulator. @public */
export function baseOptions(emu: Emulator): Pick<SignalingClientOptions, 'region' | 'endpoint' | 'credentials' | 'tls'> {
  return { region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, tls: { ca: emu.ca ?? '' } };
}

/** One sample of a long loop. @public */
export interface LeakSample {
  cycle: number;
  heapMb: number;
  resources: number;
  byType: Record<string, number>;
}

/**
 * `n` cycles of: new viewer → connect (Describe, endpoint, ICE, handshake) →
 * close. Samples heap and resources every `every` cycles (after settling).
 * @public
 */
export async function connectCloseCycles(emu: Emulator, n: number, every: number, onSample?: (s: LeakSample) => void): Promise<LeakSample[]> {
  const samples: LeakSample[] = [];
  for (let i = 1; i <= n; i++) {
    const c = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: `cycle-${i % 50}` });
    await c.connect();
    await c.close();
    if (i % every === 0 || i === n) samples.push(await sample(i, onSample));
  }
  return samples;
}

/**
 * One viewer, `n` reconnects: the emulator drops its socket and the client
 * heals it (backoff shortened so the run is about the reconnect path, not the wait).
 * @public
 */
export async function reconnectCycles(emu: Emulator, n: number, every: number, onSample?: (s: LeakSample) => void): Promise<LeakSample[]> {
  const samples: LeakSample[] = [];
  const c = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'reconnector', reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
  await c.connect();
  try {
    for (let i = 1; i <= n; i++) {
      const reopened = c.waitFor('open', { signal: AbortSignal.timeout(10_000) });
      if (emu.faults.dropConnections({ clientId: 'reconnector' }) !== 1) throw new Error(`reconnect ${i}: the client was not connected`);
      await reopened;
      if (i % every === 0 || i === n) samples.push(await sample(i, onSample));
    }
  } finally {
    await c.close();
  }
  return samples;
}

async function sample(cycle: number, onSample?: (s: LeakSample) => void): Promise<LeakSample> {
  await new Promise((r) => setTimeout(r, 50));
  const s = { cycle, heapMb: heapAfterGc() / 2 ** 20, resources: resourceCount(), byType: resources() };
  onSample?.(s);
  return s;
}

/** Least-squares slope of heap (bytes per cycle) over the samples after the first (warm-up). @public */
export function heapSlope(samples: LeakSample[]): number {
  const pts = samples.slice(1);
  if (pts.length < 2) return 0;
  const mx = pts.reduce((a, p) => a + p.cycle, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.heapMb * 2 ** 20, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const p of pts) {
    num += (p.cycle - mx) * (p.heapMb * 2 ** 20 - my);
    den += (p.cycle - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** A state `close()` is called in, and how to bring a fresh client there. @public */
export interface CloseState {
  name: string;
  /** Brings a client to the state; returns the pending `connect()` if one is running. */
  drive(emu: Emulator, arn: string): Promise<{ client: SignalingClient; connecting?: Promise<void> }>;
}

const waitState = async (c: SignalingClient, state: string, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (c.state !== state) {
    if (Date.now() > end) throw new Error(`client never reached ${state} (is ${c.state})`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** Every state a client can be closed in. @public */
export const CLOSE_STATES: CloseState[] = [
  { name: 'idle (never connected)', drive: async (emu) => ({ client: new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-idle' }) }) },
  {
    name: 'connecting (Describe in flight)',
    drive: async (emu) => {
      emu.faults.setLatency(2000, ['DescribeSignalingChannel']);
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-describe' });
      const connecting = client.connect();
      await new Promise((r) => setTimeout(r, 100));
      return { client, connecting };
    },
  },
  {
    name: 'connecting (handshake in flight)',
    drive: async (emu, arn) => {
      emu.faults.setLatency(2000, ['ConnectAsViewer']);
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelArn: arn, clientId: 'st-handshake' });
      const connecting = client.connect();
      await new Promise((r) => setTimeout(r, 300));
      return { client, connecting };
    },
  },
  {
    name: 'open',
    drive: async (emu) => {
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-open' });
      await client.connect();
      return { client };
    },
  },
  {
    name: 'open with queued sends and a pending waitFor',
    drive: async (emu) => {
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-open-busy' });
      await client.connect();
      void client.waitFor('sdpAnswer').catch(() => undefined);
      const it = client.messages();
      void it.next().catch(() => undefined);
      return { client };
    },
  },
  {
    name: 'reconnecting (waiting out a backoff)',
    drive: async (emu) => {
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-reconnecting', reconnect: { initialDelayMs: 3000, maxDelayMs: 3000 } });
      await client.connect();
      emu.faults.refuseHandshake(1000, { role: 'VIEWER' });
      emu.faults.dropConnections({ clientId: 'st-reconnecting' });
      await waitState(client, 'reconnecting');
      await new Promise((r) => setTimeout(r, 100));
      return { client };
    },
  },
  {
    name: 'closing (second close() while the first runs)',
    drive: async (emu) => {
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-closing' });
      await client.connect();
      void client.close();
      return { client };
    },
  },
  {
    name: 'closed (close() again)',
    drive: async (emu) => {
      const client = new SignalingClient({ ...baseOptions(emu), role: 'VIEWER', channelName: 'leaks', clientId: 'st-closed' });
      await client.connect();
      await client.close();
      return { client };
    },
  },
];

/**
 * Closes a client in `state` and reports what it left behind: resources above
 * the baseline, process listeners added, and whether a pending `connect()`
 * settled with a typed error.
 * @public
 */
export async function closeInState(emu: Emulator, arn: string, state: CloseState): Promise<{ leftover: Record<string, number>; processListeners: number; connectOutcome: string }> {
  emu.faults.reset();
  emu.faults.setLatency(0);
  const baseline = resources();
  const listeners = process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);
  const { client, connecting } = await state.drive(emu, arn);
  const outcome = connecting?.then(
    () => 'resolved',
    (e: unknown) => `rejected ${typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : String(e)}`,
  );
  await client.close();
  const connectOutcome = outcome ? await outcome : 'none';
  emu.faults.reset();
  emu.faults.setLatency(0);
  // the emulator's delayed replies (latency faults) hold their own timers until they answer
  const leftover = await settle(baseline, 5000);
  return { leftover, processListeners: process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0) - listeners, connectOutcome };
}
