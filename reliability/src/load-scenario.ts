/**
 * The load scenario shared by the CI test and `pnpm reliability:load`: the
 * emulator and `SignalingClient`s in one process holding N connections
 * (channels of one master and nine viewers), every viewer sending a tagged ICE
 * candidate to its master at a steady rate and the master answering each one,
 * for a set duration. Counts every message on both sides and times delivery.
 * @packageDocumentation
 */
import { MemoryCache, SignalingClient } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import { percentile } from './harness';

/** Options of {@link runLoad}. @public */
export interface LoadOptions {
  connections: number;
  durationMs: number;
  /** Mean time between two messages of one viewer. */
  sendEveryMs?: number;
  /** Clients connecting at once while ramping up. */
  rampBatch?: number;
  log?: (line: string) => void;
}

/** Figures of a load run. @public */
export interface LoadResult {
  connections: number;
  channels: number;
  rampMs: number;
  /** Fewest clients open at any sample during the steady phase. */
  minOpen: number;
  sent: number;
  delivered: number;
  duplicated: number;
  lost: number;
  failed: number;
  reconnects: number;
  errors: number;
  latencyMs: { p50: number; p99: number; max: number };
  peakRssMb: number;
  peakHeapMb: number;
  messagesPerSecond: number;
  findings: string[];
}

const TAG = /load-(\d+)-(\d+)-/;

/** Runs the scenario (never throws for a finding; see `findings`). @public */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => {});
  const perChannel = 10;
  const channels = Math.ceil(options.connections / perChannel);
  const sendEvery = options.sendEveryMs ?? 5000;
  const emu = await startEmulator({ limits: { maxLogRecords: 1000, connectsPerSecondPerChannel: 3 } });
  const cache = new MemoryCache();
  const base = { region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, tls: { ca: emu.ca ?? '' }, cache };
  const clients: SignalingClient[] = [];
  const findings: string[] = [];
  const sentAt = new Map<string, number>();
  const deliveries = new Map<string, number>();
  const latencies: number[] = [];
  let nextId = 1;
  let failed = 0;
  let errors = 0;
  let reconnects = 0;
  let sending = true;
  const received = (key: string): void => {
    const t = sentAt.get(key);
    if (t === undefined) {
      findings.push(`untracked message ${key}`);
      return;
    }
    deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
    latencies.push(Date.now() - t);
  };
  const send = (c: SignalingClient, to: string | undefined): void => {
    const id = nextId++;
    const key = String(id);
    sentAt.set(key, Date.now());
    c.sendIceCandidate({ candidate: `candidate:load-${id}-${Date.now()}- 1 udp 1 127.0.0.1 9 typ host`, sdpMid: '0', sdpMLineIndex: 0 }, to).catch(() => {
      failed++;
      sentAt.delete(key);
    });
  };

  const started = Date.now();
  // masters first (each creates its channel), then viewers, in batches
  const specs: Array<{ channel: number; viewer?: number }> = [];
  for (let ch = 0; ch < channels; ch++) specs.push({ channel: ch });
  for (let ch = 0; ch < channels; ch++) for (let v = 0; v < perChannel - 1 && specs.length < options.connections; v++) specs.push({ channel: ch, viewer: v });
  const batch = options.rampBatch ?? 50;
  const batches: Array<typeof specs> = [];
  // every master (it creates the channel) before any viewer of it
  for (let i = 0; i < channels; i += batch) batches.push(specs.slice(i, Math.min(i + batch, channels)));
  for (let i = channels; i < specs.length; i += batch) batches.push(specs.slice(i, i + batch));
  let timers: Array<ReturnType<typeof setTimeout>> = [];
  try {
    for (const group of batches) {
      await Promise.all(
        group.map(async (s) => {
          const name = `load-${s.channel}`;
          const c =
            s.viewer === undefined
              ? new SignalingClient({ ...base, role: 'MASTER', channelName: name, createChannelIfMissing: true, iceBuffering: false, queue: { maxMessages: 1000 } })
              : new SignalingClient({ ...base, role: 'VIEWER', channelName: name, clientId: `v${s.viewer}`, iceBuffering: false });
          c.on('iceCandidate', (e) => {
            const m = TAG.exec(e.payload.candidate);
            if (!m) return;
            received(m[1] as string);
            // the master answers every viewer message
            if (s.viewer === undefined && sending && e.senderClientId) send(c, e.senderClientId);
          });
          c.on('error', () => void errors++);
          c.on('open', (e) => {
            if (e.reconnected) reconnects++;
          });
          clients.push(c);
          await c.connect();
        }),
      );
      log(`load: ${clients.length} connections open (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    const rampMs = Date.now() - started;
    let minOpen = clients.length;
    let peakRss = 0;
    let peakHeap = 0;
    const steadyStart = Date.now();
    const viewers = clients.filter((c) => c.role === 'VIEWER');
    timers = viewers.map((c) => {
      // spread the viewers' sends evenly over the period
      const t = setTimeout(function tick() {
        if (!sending) return;
        send(c, undefined);
        timers[viewers.indexOf(c)] = setTimeout(tick, sendEvery);
      }, Math.random() * sendEvery);
      return t;
    });
    while (Date.now() - steadyStart < options.durationMs) {
      await new Promise((r) => setTimeout(r, Math.min(5000, options.durationMs)));
      const open = clients.filter((c) => c.state === 'open').length;
      minOpen = Math.min(minOpen, open);
      const mem = process.memoryUsage();
      peakRss = Math.max(peakRss, mem.rss);
      peakHeap = Math.max(peakHeap, mem.heapUsed);
      log(`load: ${open}/${clients.length} open, ${sentAt.size} sent, ${deliveries.size} delivered, rss ${(mem.rss / 2 ** 20).toFixed(0)} MB (${((Date.now() - steadyStart) / 1000).toFixed(0)} s)`);
    }
    sending = false;
    for (const t of timers) clearTimeout(t);
    // let the last messages (and the masters' answers) land
    const settleEnd = Date.now() + 15_000;
    while (Date.now() < settleEnd && [...sentAt.keys()].some((k) => !deliveries.has(k))) await new Promise((r) => setTimeout(r, 100));
    const steadyMs = Date.now() - steadyStart;
    let duplicated = 0;
    let lost = 0;
    for (const k of sentAt.keys()) {
      const n = deliveries.get(k) ?? 0;
      if (n === 0) lost++;
      if (n > 1) duplicated++;
    }
    if (lost > 0) findings.push(`${lost} messages lost`);
    if (duplicated > 0) findings.push(`${duplicated} messages delivered more than once`);
    if (minOpen < specs.length) findings.push(`only ${minOpen} of ${specs.length} connections open at one sample`);
    return {
      connections: specs.length,
      channels,
      rampMs,
      minOpen,
      sent: sentAt.size,
      delivered: [...deliveries.values()].reduce((a, b) => a + b, 0),
      duplicated,
      lost,
      failed,
      reconnects,
      errors,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.reduce((a, b) => Math.max(a, b), 0) },
      peakRssMb: peakRss / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      messagesPerSecond: sentAt.size / (steadyMs / 1000),
      findings,
    };
  } finally {
    sending = false;
    for (const t of timers) clearTimeout(t);
    await Promise.all(clients.map((c) => c.close()));
    await emu.close();
  }
}
