/**
 * The open-time benchmark's flows: one timed open or reconnect of our client,
 * of the official flow (AWS SDK v3 calls, then the official SignalingClient),
 * or of either in a Chromium page, each returning what the emulator and the
 * links saw while it ran.
 * @packageDocumentation
 */
import * as https from 'node:https';
import { DescribeSignalingChannelCommand, GetSignalingChannelEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetIceServerConfigCommand, KinesisVideoSignalingClient } from '@aws-sdk/client-kinesis-video-signaling';
import { ChannelManager, SignalingClient, type EndpointCache } from '@kvs-sig/client';
import type { Emulator } from '@kvs-sig/emulator';
import { Role, SignalingClient as OfficialClient } from 'amazon-kinesis-video-streams-webrtc';
import WebSocket from 'ws';
import type { Link, LinkStats } from '../link';
import { closeInPage, openInPage, type AppSite } from '../browser-page';
import type { Chromium } from '../../../test/chromium';
import { connectionWaves, depthsOf } from './analysis';
import { HOSTS, RTT_MS, type Host, type NetCounts, type OpenSample, type ReconnectSample } from './model';

/** One model's world: its emulator, and how clients reach it. */
export interface Ctx {
  emu: Emulator;
  ca: string;
  log: (m: string) => void;
  /** The control plane as clients are told to reach it: the emulator itself, or its link. */
  endpoint: string;
  /** Link model: the link in front of each host. */
  links?: Record<Host, Link>;
}

type NetMark = { at: number; stats: Record<Host, LinkStats> } | undefined;

function netMark(c: Ctx): NetMark {
  const links = c.links;
  if (!links) return undefined;
  return { at: performance.now(), stats: { cp: links.cp.stats(), https: links.https.stats(), wss: links.wss.stats() } };
}

function netSince(c: Ctx, mark: NetMark): NetCounts | undefined {
  const now = netMark(c);
  if (!now || !mark) return undefined;
  const per = (f: (s: LinkStats) => number): Record<Host, number> => ({
    cp: f(now.stats.cp) - f(mark.stats.cp),
    https: f(now.stats.https) - f(mark.stats.https),
    wss: f(now.stats.wss) - f(mark.stats.wss),
  });
  const fresh = (h: Host): number[] => now.stats[h].acceptedAt.slice(mark.stats[h].connections);
  const first = (h: Host): number => (fresh(h).length ? (fresh(h)[0] as number) - mark.at : Number.NaN);
  return {
    connections: per((s) => s.connections),
    tls: per((s) => s.tlsHandshakes),
    // Half a round trip: connections started by one event land together; one that waited for an answer is a round trip later.
    waves: connectionWaves(HOSTS.flatMap(fresh), RTT_MS / 2),
    firstAcceptMs: { cp: first('cp'), https: first('https'), wss: first('wss') },
  };
}

function measure(c: Ctx, mark: NetMark): Omit<OpenSample, 'openMs' | 'readyMs'> {
  // Over the links the emulator answers at once, and an exchange that waited for another arrives a whole round trip
  // after it was answered; exchanges closer than half a round trip ran side by side.
  return { ...exchanges(c.emu, c.links ? -RTT_MS / 2 : 5), net: netSince(c, mark) };
}

function officialWebSocket(ca: string): typeof WebSocket {
  // Node 20 has no global WebSocket; the official client looks one up globally.
  return class CaWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca });
    }
  } as typeof WebSocket;
}

async function withGlobalWebSocket<T>(ctor: unknown, fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { WebSocket?: unknown };
  const previous = g.WebSocket;
  g.WebSocket = ctor;
  try {
    return await fn();
  } finally {
    g.WebSocket = previous;
  }
}

function exchanges(emu: Emulator, toleranceMs = 5): { exchanges: number; depth: number; ops: string; preflights: number } {
  // A browser's CORS preflight is an exchange of its own, answered at once, before the POST it clears: a link in the chain.
  const preflights = emu.log.preflights().map((p) => ({ operation: 'preflight', time: p.time, durationMs: 0 }));
  const recs = [...emu.log.requests().filter((r) => r.operation !== 'Unknown'), ...preflights];
  const depths = depthsOf(recs, toleranceMs);
  const steps: string[][] = [];
  recs.forEach((r, i) => {
    const d = (depths[i] as number) - 1;
    (steps[d] ??= []).push(r.operation.replace(/SignalingChannel|Config/g, ''));
  });
  return { exchanges: recs.length, depth: Math.max(0, ...depths), ops: steps.map((s) => s.join(' ∥ ')).join(' → '), preflights: preflights.length };
}

function oursOptions(c: Ctx): { region: string; credentials: Emulator['credentials']; endpoint: string; tls: { ca: string } } {
  return { region: c.emu.region, credentials: c.emu.credentials, endpoint: c.endpoint, tls: { ca: c.ca } };
}

/** Set-up outside the timed part talks to the emulator directly: the link model charges only what is measured. */
export function setupOptions(c: Ctx): ReturnType<typeof oursOptions> {
  return { ...oursOptions(c), endpoint: c.emu.controlPlaneEndpoint };
}

export async function oursOpen(c: Ctx, ref: { channelName: string } | { channelArn: string }, clientId: string, cache?: EndpointCache): Promise<OpenSample> {
  c.emu.log.clear();
  const mark = netMark(c);
  const t0 = performance.now();
  const client = new SignalingClient({ ...oursOptions(c), role: 'VIEWER', clientId, ...ref, ...(cache ? { cache } : {}) });
  try {
    await client.connect();
    const openMs = performance.now() - t0;
    await client.getIceServers();
    const readyMs = performance.now() - t0;
    return { openMs, readyMs, ...measure(c, mark) };
  } finally {
    await client.close();
  }
}

export async function officialOpen(c: Ctx, channelName: string, clientId: string): Promise<OpenSample> {
  c.emu.log.clear();
  const { region, credentials } = c.emu;
  const mark = netMark(c);
  const t0 = performance.now();
  // A fresh app: new clients, new connection pool, as the official viewer example does per "Start".
  const agent = new https.Agent({ ca: c.ca, keepAlive: true });
  const requestHandler = { httpsAgent: agent };
  const kv = new KinesisVideoClient({ region, credentials, endpoint: c.endpoint, requestHandler });
  let signaling: KinesisVideoSignalingClient | undefined;
  let client: OfficialClient | undefined;
  try {
    const d = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: channelName }));
    const arn = d.ChannelInfo?.ChannelARN as string;
    const e = await kv.send(
      new GetSignalingChannelEndpointCommand({ ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' } }),
    );
    const ep = Object.fromEntries((e.ResourceEndpointList ?? []).map((x) => [x.Protocol, x.ResourceEndpoint])) as Record<string, string>;
    signaling = new KinesisVideoSignalingClient({ region, credentials, endpoint: ep.HTTPS, requestHandler });
    const ice = await signaling.send(new GetIceServerConfigCommand({ ChannelARN: arn, ClientId: clientId }));
    if (!ice.IceServerList) throw new Error('official flow: no IceServerList');
    const ready = await withGlobalWebSocket(officialWebSocket(c.ca), async () => {
      const cl = new OfficialClient({ channelARN: arn, channelEndpoint: ep.WSS as string, clientId, role: Role.VIEWER, region, credentials });
      client = cl;
      await new Promise<void>((resolve, reject) => {
        cl.once('open', () => resolve());
        cl.once('error', (err: unknown) => reject(new Error(`official client error: ${String((err as { message?: string })?.message ?? err)}`)));
        cl.open();
      });
      return { at: performance.now(), seen: measure(c, mark) };
    });
    const ms = ready.at - t0;
    return { openMs: ms, readyMs: ms, ...ready.seen };
  } finally {
    if (client) {
      const cl = client;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        cl.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        cl.close();
      });
    }
    kv.destroy();
    signaling?.destroy();
    agent.destroy();
  }
}

/** The Chromium rows: a headless browser and the app page's own origin. */
export interface BrowserSide {
  chromium: Chromium;
  site: AppSite;
}

/**
 * One open in Chromium, timed by the page. Each sample gets a fresh browser context (its own connection pool and
 * CORS preflight cache) and a fresh page; with `primeClientId`, a first client of ours opens and closes in the same
 * page before the timed one, filling the page's `MemoryCache` (and leaving its connections and preflights warm, as a
 * real page would).
 */
export async function browserOpen(c: Ctx, b: BrowserSide, flow: 'ours' | 'official', channelName: string, clientId: string, primeClientId?: string): Promise<OpenSample> {
  const context = await b.chromium.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${b.site.origin}/`);
    const { region, credentials } = c.emu;
    const args = { region, credentials, endpoint: c.endpoint, channelName, shareCache: primeClientId !== undefined };
    if (primeClientId !== undefined) {
      await openInPage(page, 'ours', { ...args, clientId: primeClientId });
      await closeInPage(page);
    }
    c.emu.log.clear();
    const mark = netMark(c);
    const times = await openInPage(page, flow, { ...args, clientId });
    // Read as soon as the page reports ready (one DevTools hop later), before anything is closed.
    const seen = measure(c, mark);
    await closeInPage(page);
    return { ...times, ...seen };
  } finally {
    await context.close();
  }
}

export function arnOf(info: { channelArn?: string | undefined; channelName?: string | undefined }): string {
  if (!info.channelArn) throw new Error(`DescribeSignalingChannel returned no ARN for ${String(info.channelName)}`);
  return info.channelArn;
}

/** Our client open; then `fault()` kills its connection; resolves when the client reports a reconnected open. */
export async function oursReconnect(c: Ctx, channelName: string, clientId: string, fault: (f: Emulator['faults']) => number): Promise<ReconnectSample> {
  const client = new SignalingClient({ ...oursOptions(c), role: 'VIEWER', clientId, channelName });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await client.connect();
    await client.getIceServers();
    c.emu.log.clear();
    const mark = netMark(c);
    const reopened = new Promise<{ at: number; seen: ReturnType<typeof measure> }>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('our client did not reconnect within 15 s')), 15_000);
      client.on('open', (e) => {
        if (e.reconnected) resolve({ at: performance.now(), seen: measure(c, mark) });
      });
    });
    const t0 = performance.now();
    if (fault(c.emu.faults) !== 1) throw new Error('the fault hit no connection');
    const { at, seen } = await reopened;
    return { ms: at - t0, exchanges: seen.exchanges, net: seen.net };
  } finally {
    clearTimeout(timer);
    await client.close();
  }
}

/** The official client with the official master sample's recovery: call open() again on 'close'. */
export async function officialReconnect(c: Ctx, channelName: string, clientId: string, fault: (f: Emulator['faults']) => number): Promise<ReconnectSample> {
  const mgr = new ChannelManager(setupOptions(c));
  const arn = arnOf(await mgr.describeChannel({ channelName }));
  const ep = await mgr.getEndpoints({ channelArn: arn, role: 'VIEWER' });
  await mgr.close();
  const { region, credentials } = c.emu;
  return withGlobalWebSocket(officialWebSocket(c.ca), async () => {
    const cl = new OfficialClient({ channelARN: arn, channelEndpoint: ep.wssEndpoint!, clientId, role: Role.VIEWER, region, credentials });
    cl.on('error', () => {});
    let closing = false;
    let opens = 0;
    let mark: NetMark;
    const reopened = new Promise<{ at: number; seen: ReturnType<typeof measure> }>((resolve) => {
      cl.on('open', () => {
        opens++;
        if (opens === 2) resolve({ at: performance.now(), seen: measure(c, mark) });
      });
    });
    cl.on('close', () => {
      if (!closing) cl.open();
    });
    await new Promise<void>((resolve) => {
      cl.once('open', () => resolve());
      cl.open();
    });
    c.emu.log.clear();
    mark = netMark(c);
    const t0 = performance.now();
    try {
      if (fault(c.emu.faults) !== 1) throw new Error('the fault hit no connection');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const { at, seen } = await Promise.race([
        reopened,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('official client did not reopen within 90 s')), 90_000);
        }),
      ]);
      clearTimeout(timer);
      return { ms: at - t0, exchanges: seen.exchanges, net: seen.net };
    } finally {
      closing = true;
      cl.close();
    }
  });
}
