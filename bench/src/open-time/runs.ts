/**
 * What the open-time benchmark runs: the variants of each table, the channels
 * they use, interleaved rounds, and the emulators of the two models.
 * @packageDocumentation
 */
import { ChannelManager, MemoryCache } from '@kvs-sig/client';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import type { BenchContext } from '../harness';
import { startLink, type Link, type LinkTarget } from '../link';
import { arnOf, browserOpen, officialOpen, officialReconnect, oursOpen, oursReconnect, setupOptions, type BrowserSide, type Ctx } from './flows';
import { BROWSER_WARM, HOSTS, OFFICIAL_FLOW, ONE_WAY_MS, type OpenSample, type ReconnectSample } from './model';

/** One row of an open table. */
export interface Variant {
  name: string;
  run: (i: number) => Promise<OpenSample>;
}

/** One row of a reconnect table. */
export interface RcVariant {
  name: string;
  samples: number;
  run: (i: number) => Promise<ReconnectSample>;
}

/** Fresh channels, one per sample. */
export interface Channels {
  channel(): string;
  arn(name: string): string;
}

/** Creates `count` channels (directly on the emulator: set-up is not measured) and hands them out one per sample. */
export async function makeChannels(c: Ctx, count: number): Promise<Channels> {
  const mgr = new ChannelManager(setupOptions(c));
  const names: string[] = [];
  const arns = new Map<string, string>();
  try {
    for (let i = 0; i < count; i++) {
      const name = `open-${i}`;
      await mgr.createChannel({ channelName: name });
      names.push(name);
    }
    for (const n of names) arns.set(n, arnOf(await mgr.describeChannel({ channelName: n })));
  } finally {
    await mgr.close();
  }
  let next = 0;
  return {
    channel: () => {
      const name = names[next++];
      if (name === undefined) throw new Error(`open-time: more samples than the ${count} channels created`);
      return name;
    },
    arn: (name) => arns.get(name) as string,
  };
}

export function openVariants(c: Ctx, ch: Channels): Variant[] {
  return [
    { name: 'ours, cold, channel name', run: (i) => oursOpen(c, { channelName: ch.channel() }, `cold-${i}`) },
    { name: 'ours, cold, channel ARN', run: (i) => oursOpen(c, { channelArn: ch.arn(ch.channel()) }, `arn-${i}`) },
    {
      name: 'ours, warm (endpoint cache hit)',
      run: async (i) => {
        // A previous session of the same app filled the cache; this open starts from it.
        const cache = new MemoryCache();
        const name = ch.channel();
        await oursOpen(c, { channelName: name }, `prime-${i}`, cache);
        return oursOpen(c, { channelName: name }, `warm-${i}`, cache);
      },
    },
    { name: OFFICIAL_FLOW, run: (i) => officialOpen(c, ch.channel(), `off-${i}`) },
  ];
}

export function browserVariants(c: Ctx, ch: Channels, b: BrowserSide): Variant[] {
  return [
    { name: 'ours, cold, channel name', run: (i) => browserOpen(c, b, 'ours', ch.channel(), `bcold-${i}`) },
    { name: BROWSER_WARM, run: (i) => browserOpen(c, b, 'ours', ch.channel(), `bwarm-${i}`, `bprime-${i}`) },
    { name: OFFICIAL_FLOW, run: (i) => browserOpen(c, b, 'official', ch.channel(), `boff-${i}`) },
  ];
}

/** Samples per reconnect row: the drop rows vary with our random backoff; the official GO_AWAY row is mostly the grace. */
export interface RcSamples {
  drop: number;
  goAway: number;
  goAwayOfficial: number;
}

export function reconnectVariants(c: Ctx, ch: Channels, goAwayGraceMs: number, n: RcSamples): RcVariant[] {
  const drop = (f: Emulator['faults'], id: string): number => f.dropConnections({ clientId: id });
  const goAway = (f: Emulator['faults'], id: string): number => f.goAway({ clientId: id });
  return [
    { name: 'ours, after a drop (socket killed, no close frame)', samples: n.drop, run: (i) => oursReconnect(c, ch.channel(), `rd-${i}`, (f) => drop(f, `rd-${i}`)) },
    { name: 'ours, after GO_AWAY', samples: n.goAway, run: (i) => oursReconnect(c, ch.channel(), `rg-${i}`, (f) => goAway(f, `rg-${i}`)) },
    { name: "official, after a drop (the sample's re-open on 'close')", samples: n.drop, run: (i) => officialReconnect(c, ch.channel(), `od-${i}`, (f) => drop(f, `od-${i}`)) },
    {
      name: `official, after GO_AWAY (ignored; the service closes after its grace, ${goAwayGraceMs} ms here, 60 s in AWS)`,
      samples: n.goAwayOfficial,
      run: (i) => officialReconnect(c, ch.channel(), `og-${i}`, (f) => goAway(f, `og-${i}`)),
    },
  ];
}

/** Interleaved rounds, so drift on a shared machine hits every variant alike. */
export async function runRounds(ctx: BenchContext, label: string, variants: Variant[], samples: number, warmup: number): Promise<Map<string, OpenSample[]>> {
  const results = new Map<string, OpenSample[]>();
  for (let i = 0; i < warmup + samples; i++) {
    for (const v of variants) {
      const s = await v.run(i);
      if (i >= warmup) results.set(v.name, [...(results.get(v.name) ?? []), s]);
    }
    ctx.log(`open-time: ${label} round ${i + 1}/${warmup + samples}`);
  }
  return results;
}

export async function runReconnects(variants: RcVariant[]): Promise<Map<string, ReconnectSample[]>> {
  const out = new Map<string, ReconnectSample[]>();
  for (const v of variants) {
    const list: ReconnectSample[] = [];
    for (let i = 0; i < v.samples; i++) list.push(await v.run(i));
    out.set(v.name, list);
  }
  return out;
}

/** An emulator whose limits do not make a tight benchmark loop wait on throttling: the client is what is measured. */
export function emulatorLimits(goAwayGraceMs: number): { connectsPerSecondPerChannel: number; maxViewersPerChannel: number; goAwayGraceMs: number; maxLogRecords: number } {
  return { connectsPerSecondPerChannel: 100_000, maxViewersPerChannel: 1000, goAwayGraceMs, maxLogRecords: 100_000 };
}

/** The link model: three links, then an emulator that advertises them as its HTTPS and WSS endpoints. */
export async function startLinkModel(ctx: BenchContext, goAwayGraceMs: number): Promise<{ c: Ctx; close: () => Promise<void> }> {
  let target: LinkTarget | undefined;
  const to = (): LinkTarget => {
    if (!target) throw new Error('open-time: a link was used before its emulator started');
    return target;
  };
  const started: Link[] = [];
  let emu: Emulator | undefined;
  const close = async (): Promise<void> => {
    await Promise.all(started.map((l) => l.close()));
    await emu?.close();
  };
  try {
    for (let i = 0; i < HOSTS.length; i++) started.push(await startLink({ target: to, oneWayMs: ONE_WAY_MS }));
    const [cp, httpsLink, wssLink] = started as [Link, Link, Link];
    emu = await startEmulator({
      limits: emulatorLimits(goAwayGraceMs),
      advertisedEndpoints: { https: httpsLink.origin('https'), wss: wssLink.origin('wss') },
    });
    const u = new URL(emu.controlPlaneEndpoint);
    target = { host: u.hostname, port: Number(u.port) };
    return { c: { emu, ca: emu.ca as string, log: ctx.log, endpoint: cp.origin('https'), links: { cp, https: httpsLink, wss: wssLink } }, close };
  } catch (err) {
    await close();
    throw err;
  }
}

