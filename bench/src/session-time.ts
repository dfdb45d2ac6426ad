/**
 * Benchmark: time to a connected session (issue 15). A Chromium viewer with
 * our `createViewerSession`, cold and warm, against the official KVS JS SDK
 * viewer sample's flow, to an open data channel and to the first decoded
 * video frame from a camera master; then the time to get media back after the
 * viewer's network changes (its TURN flow moves to a new source port).
 *
 * The network is the open-time link model: control plane, HTTPS and WSS on
 * three origins behind TCP links (25 ms each way), plus the media leg: the
 * viewer reaches TURN through a UDP link with the same delay.
 * @packageDocumentation
 */
import { ChannelManager } from '@kvs-sig/client';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import type { BrowserContext, Page } from 'playwright-core';
import { fmt, ratio, recorder, summarize, type BenchContext, type BenchResult, type GoalCheck, type Table } from './harness';
import { startLink, type Link, type LinkTarget } from './link';
import { connectionWaves, sequentialDepth } from './open-time/analysis';
import {
  armRecoveryInPage,
  recoveryInPage,
  startMasterInPage,
  startSessionSite,
  stopInPage,
  userRestartInPage,
  viewerInPage,
  type RecoveryWatch,
  type SessionPageArgs,
  type UserRestart,
  type ViewerFlow,
  type ViewerTimes,
} from './session-page';
import { startUdpLink, type UdpLink } from './udp-link';
import type { AppSite } from './browser-page';
import { startTurnServer, type TurnServer } from '../../examples/common/src/turn';
import { launchChromium, type Chromium } from '../../test/chromium';

const ONE_WAY_MS = 25;
const RTT_MS = 2 * ONE_WAY_MS;
const HOSTS = ['cp', 'https', 'wss'] as const;
type Host = (typeof HOSTS)[number];

/** The official sample's flow, as the rows name it. */
const OFFICIAL = 'official viewer sample flow';

interface World {
  emu: Emulator;
  links: Record<Host, Link>;
  udp: UdpLink;
  turn: TurnServer;
  chromium: Chromium;
  site: AppSite;
  /** The control plane as clients reach it: its link. */
  endpoint: string;
  log: (m: string) => void;
  nextChannel(): Promise<string>;
}

/** What one connect sample measured. */
interface ConnectSample {
  times: ViewerTimes;
  /** Signaling exchanges the emulator answered during the timed part (CORS preflights included). */
  exchanges: number;
  depth: number;
  ops: string;
  preflights: number;
  /** New TCP connections per host and in how many waves. */
  connections: Record<Host, number>;
  waves: number;
}

async function startWorld(ctx: BenchContext): Promise<{ w: World; close: () => Promise<void> }> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const turn = await startTurnServer();
    closers.push(() => turn.close());
    const udp = await startUdpLink({ target: { host: '127.0.0.1', port: turn.port }, oneWayMs: ONE_WAY_MS });
    closers.push(() => udp.close());
    let target: LinkTarget | undefined;
    const to = (): LinkTarget => {
      if (!target) throw new Error('session-time: a link was used before its emulator started');
      return target;
    };
    const started: Link[] = [];
    for (let i = 0; i < HOSTS.length; i++) {
      const l = await startLink({ target: to, oneWayMs: ONE_WAY_MS });
      started.push(l);
      closers.push(() => l.close());
    }
    const [cp, httpsLink, wssLink] = started as [Link, Link, Link];
    const emu = await startEmulator({
      limits: { connectsPerSecondPerChannel: 100_000, maxViewersPerChannel: 1000, maxLogRecords: 100_000 },
      advertisedEndpoints: { https: httpsLink.origin('https'), wss: wssLink.origin('wss') },
      // Every client's TURN goes through the UDP link; the master page rewrites its own to coturn directly.
      turn: { urls: [`turn:127.0.0.1:${udp.port}?transport=udp`], secret: turn.secret },
    });
    closers.splice(closers.length - HOSTS.length, 0, () => emu.close());
    const u = new URL(emu.controlPlaneEndpoint);
    target = { host: u.hostname, port: Number(u.port) };
    const site = await startSessionSite();
    closers.push(() => site.close());
    const chromium = await launchChromium({
      trust: 'any',
      args: ['--allow-loopback-in-peer-connection', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
      contextOptions: { permissions: ['camera', 'microphone'] },
    });
    closers.push(() => chromium.close());
    const mgr = new ChannelManager({ region: emu.region, credentials: emu.credentials, endpoint: emu.controlPlaneEndpoint, tls: { ca: emu.ca as string } });
    closers.push(() => mgr.close());
    let n = 0;
    return {
      w: {
        emu,
        links: { cp, https: httpsLink, wss: wssLink },
        udp,
        turn,
        chromium,
        site,
        endpoint: cp.origin('https'),
        log: ctx.log,
        // Set-up goes to the emulator directly: only the timed part crosses the links.
        nextChannel: async () => {
          const name = `session-${n++}`;
          await mgr.createChannel({ channelName: name });
          return name;
        },
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A camera master on `channel`: our master session in its own browser context, its fake camera on. */
async function startMaster(w: World, channelName: string): Promise<{ page: Page; context: BrowserContext }> {
  const context = await w.chromium.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => w.log(`session-time: master page error: ${e.message}`));
  await page.goto(`${w.site.origin}/`);
  const { region, credentials } = w.emu;
  await startMasterInPage(page, {
    region,
    credentials,
    endpoint: w.endpoint,
    channelName,
    turnDirect: { from: `127.0.0.1:${w.udp.port}`, to: `127.0.0.1:${w.turn.port}` },
  });
  return { page, context };
}

function viewerArgs(w: World, channelName: string, clientId: string): SessionPageArgs {
  return { region: w.emu.region, credentials: w.emu.credentials, endpoint: w.endpoint, channelName, clientId };
}

function signalingSeen(w: World, before: Record<Host, number>, acceptedFrom: Record<Host, number>): Omit<ConnectSample, 'times'> {
  const preflights = w.emu.log.preflights().map((p) => ({ operation: 'preflight', time: p.time, durationMs: 0 }));
  const recs = [...w.emu.log.requests().filter((r) => r.operation !== 'Unknown'), ...preflights].sort((a, b) => a.time - b.time);
  const connections = {} as Record<Host, number>;
  const accepted: number[] = [];
  for (const h of HOSTS) {
    const s = w.links[h].stats();
    connections[h] = s.connections - (before[h] as number);
    accepted.push(...s.acceptedAt.slice(acceptedFrom[h]));
  }
  return {
    exchanges: recs.length,
    // Over the links the emulator answers at once; an exchange that waited for another arrives a round trip later.
    depth: sequentialDepth(recs, -RTT_MS / 2),
    ops: recs.map((r) => r.operation.replace(/SignalingChannel|Config/g, '')).join(', '),
    preflights: preflights.length,
    connections,
    waves: connectionWaves(accepted, RTT_MS / 2),
  };
}

/**
 * A fresh channel with a camera master on it and a viewer page in a fresh browser context (empty connection pool,
 * preflight cache and endpoint cache); `fn` runs the viewer, then everything it started is stopped and closed.
 */
async function withViewerPage<T>(w: World, fn: (page: Page, channel: string) => Promise<T>): Promise<T> {
  const channel = await w.nextChannel();
  const master = await startMaster(w, channel);
  const context = await w.chromium.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => w.log(`session-time: viewer page error: ${e.message}`));
    await page.goto(`${w.site.origin}/`);
    const out = await fn(page, channel);
    await stopInPage(page);
    return out;
  } finally {
    await context.close();
    await stopInPage(master.page).catch(() => undefined);
    await master.context.close();
  }
}

/** One connect sample; `warm` runs the same flow once first in that page. */
function connectSample(w: World, flow: ViewerFlow, warm: boolean, i: number): Promise<ConnectSample> {
  return withViewerPage(w, async (page, channel) => {
    const id = `${flow}-${warm ? 'warm' : 'cold'}-${i}`;
    if (warm) {
      await viewerInPage(page, flow, viewerArgs(w, channel, `${id}-prime`));
      await stopInPage(page);
    }
    w.emu.log.clear();
    const before = {} as Record<Host, number>;
    for (const h of HOSTS) before[h] = w.links[h].stats().connections;
    const times = await viewerInPage(page, flow, viewerArgs(w, channel, id));
    return { times, ...signalingSeen(w, before, before) };
  });
}

/** One recovery sample. */
interface RecoverySample {
  flow: ViewerFlow;
  watch: RecoveryWatch;
  /** Epoch ms of the rebind. */
  cutAt: number;
  flowsMoved: number;
  /** Official only: the user's Stop then Start after the watch window. */
  restart?: UserRestart;
}

function recoverySample(w: World, flow: ViewerFlow, windowMs: number, i: number): Promise<RecoverySample> {
  return withViewerPage(w, async (page, channel) => {
    const args = viewerArgs(w, channel, `${flow}-recover-${i}`);
    await viewerInPage(page, flow, args);
    // A second of steady video, then the network changes.
    await new Promise((r) => setTimeout(r, 1000));
    await armRecoveryInPage(page);
    const cutAt = performance.timeOrigin + performance.now();
    const flowsMoved = w.udp.rebind();
    if (flowsMoved === 0) throw new Error('session-time: the rebind moved no flow: the viewer was not on the UDP link');
    const watch = await recoveryInPage(page, cutAt + windowMs);
    const sample: RecoverySample = { flow, watch, cutAt, flowsMoved };
    if (flow === 'official' && watch.resumedAt === undefined) sample.restart = await userRestartInPage(page, args);
    return sample;
  });
}

interface ConnectVariant {
  name: string;
  flow: ViewerFlow;
  warm: boolean;
}

const VARIANTS: readonly ConnectVariant[] = [
  { name: 'ours, cold (createViewerSession, fresh page)', flow: 'ours', warm: false },
  { name: 'ours, warm (a session before in the same page: endpoint cache, connections, preflights)', flow: 'ours', warm: true },
  { name: `${OFFICIAL}, cold (fresh page)`, flow: 'official', warm: false },
  { name: `${OFFICIAL}, warm (Start again in the same page)`, flow: 'official', warm: true },
];

const p50 = (xs: readonly number[]): number => summarize(xs).p50;
const p50Of = (xs: readonly (number | undefined)[]): number => {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return v.length ? p50(v) : Number.NaN;
};
const rtts = (ms: number): string => (Number.isFinite(ms) ? fmt(ms / RTT_MS, 2) : 'n/a');

/** Runs the session-time benchmark. @public */
export async function runSessionTime(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const rec = recorder();
  const samples = ctx.quick ? 1 : 6;
  const oursRecoveries = ctx.quick ? 1 : 3;
  const officialRecoveries = ctx.quick ? 1 : 2;
  const oursWindowMs = 30_000;
  // Long enough to see Chromium declare the path failed (consent freshness, about 30 s) and still nothing happen.
  const officialWindowMs = ctx.quick ? 6_000 : 36_000;
  const { w, close } = await startWorld(ctx);
  try {
    // ---- Connect: variants interleaved round by round, so drift hits each alike.
    const results = new Map<string, ConnectSample[]>();
    for (let i = 0; i < samples; i++) {
      for (const v of VARIANTS) {
        const s = await connectSample(w, v.flow, v.warm, i);
        results.set(v.name, [...(results.get(v.name) ?? []), s]);
      }
      ctx.log(`session-time: connect round ${i + 1}/${samples}`);
    }
    type Fig = { counted: number; dc: number; frame: number; dc90: number; frame90: number; open: number; offer: number; answer: number; connected: number; depth: number; exchanges: number; preflights: number; conns: number; waves: number; ops: string };
    const fig = new Map<string, Fig>();
    for (const v of VARIANTS) {
      const list = results.get(v.name) ?? [];
      const t = (k: keyof ViewerTimes): number => p50Of(list.map((s) => s.times[k]));
      const dcs = summarize(list.map((s) => s.times.dataChannel));
      const frames = summarize(list.map((s) => s.times.firstFrame));
      fig.set(v.name, {
        dc: dcs.p50,
        dc90: dcs.p90,
        frame: frames.p50,
        frame90: frames.p90,
        open: t('signalingOpen'),
        offer: t('offerSent'),
        answer: t('answerReceived'),
        connected: t('connected'),
        depth: p50(list.map((s) => s.depth)),
        counted: p50(list.map((s) => s.depth + 2 * s.waves)),
        exchanges: p50(list.map((s) => s.exchanges)),
        preflights: p50(list.map((s) => s.preflights)),
        conns: p50(list.map((s) => HOSTS.reduce((a, h) => a + s.connections[h], 0))),
        waves: p50(list.map((s) => s.waves)),
        ops: list[0]?.ops ?? '',
      });
    }
    const [oc, ow, fc, fw] = VARIANTS.map((v) => fig.get(v.name) as Fig) as [Fig, Fig, Fig, Fig];
    const connectRows: string[][] = [];
    const phaseRows: string[][] = [];
    VARIANTS.forEach((v, k) => {
      const f = fig.get(v.name) as Fig;
      const vsCold = v.flow === 'ours' ? ratio(fc.frame, f.frame) : '';
      const vsSame = v.flow === 'ours' ? ratio((v.warm ? fw : fc).frame, f.frame) : '1x';
      for (const [metric, value, unit] of [
        ['dataChannelMs.p50', f.dc, 'ms'],
        ['dataChannelMs.p90', f.dc90, 'ms'],
        ['firstFrameMs.p50', f.frame, 'ms'],
        ['firstFrameMs.p90', f.frame90, 'ms'],
        ['connectedMs.p50', f.connected, 'ms'],
        ['signalingOpenMs.p50', f.open, 'ms'],
        ['sequentialExchanges', f.depth, 'exchanges'],
        ['countedRoundTrips', f.counted, 'round trips'],
        ['tcpConnections', f.conns, 'connections'],
        ['preflights', f.preflights, 'preflights'],
      ] as const) {
        if (Number.isFinite(value)) rec.add(v.name, metric, value, unit);
      }
      connectRows.push([
        v.name,
        fmt(f.dc),
        fmt(f.dc90),
        fmt(f.frame),
        fmt(f.frame90),
        v.flow === 'ours' ? ratio((v.warm ? fw : fc).dc, f.dc) : '1x',
        vsSame,
        k === 1 ? `${ratio(fc.dc, f.dc)} / ${vsCold}` : '',
      ]);
      phaseRows.push([
        v.name,
        `${fmt(f.open)} (${rtts(f.open)})`,
        `${fmt(f.offer - f.open)} (${rtts(f.offer - f.open)})`,
        `${fmt(f.answer - f.offer)} (${rtts(f.answer - f.offer)})`,
        `${fmt(f.connected - f.answer)} (${rtts(f.connected - f.answer)})`,
        `${fmt(f.dc - f.connected)} (${rtts(f.dc - f.connected)})`,
        `${fmt(f.frame - f.connected)} (${rtts(f.frame - f.connected)})`,
        `${f.depth} / ${f.exchanges} (${f.preflights})`,
        String(f.counted),
        `${f.conns} in ${f.waves} wave${f.waves === 1 ? '' : 's'}`,
      ]);
    });

    // ---- Recovery after the viewer's network changes.
    ctx.log('session-time: recovery');
    const recs: RecoverySample[] = [];
    for (let i = 0; i < Math.max(oursRecoveries, officialRecoveries); i++) {
      if (i < oursRecoveries) recs.push(await recoverySample(w, 'ours', oursWindowMs, i));
      if (i < officialRecoveries) recs.push(await recoverySample(w, 'official', officialWindowMs, i));
      ctx.log(`session-time: recovery round ${i + 1}`);
    }
    const firstState = (r: RecoverySample, s: string): number | undefined => r.watch.states.find(([x]) => x === s)?.[1];
    const since = (r: RecoverySample, t: number | undefined): number | undefined => (t === undefined ? undefined : t - r.cutAt);
    const ours = recs.filter((r) => r.flow === 'ours');
    const off = recs.filter((r) => r.flow === 'official');
    const oursResumed = ours.map((r) => since(r, r.watch.resumedAt));
    const oursDisc = p50Of(ours.map((r) => since(r, firstState(r, 'disconnected'))));
    const oursRestart = p50Of(ours.map((r) => since(r, r.watch.restarts.find((t) => t >= r.cutAt))));
    const oursBack = p50Of(oursResumed);
    // ICE connected again after the restart: the new TURN allocation and the new pair checked.
    const reconnectedAt = (r: RecoverySample): number | undefined => {
      const restart = r.watch.restarts.find((t) => t >= r.cutAt);
      if (restart === undefined) return undefined;
      return since(r, r.watch.states.find(([x, t]) => (x === 'connected' || x === 'completed') && t >= restart)?.[1]);
    };
    const oursIceBack = p50Of(ours.map(reconnectedAt));
    const oursPacketsBack = p50Of(ours.map((r) => since(r, r.watch.packetsBackAt)));
    // The last picture-loss indication before the frames came back, and the key frame it brought.
    const lastPliGap = p50Of(
      ours.map((r) => {
        const back = r.watch.resumedAt;
        const pli = back === undefined ? undefined : [...r.watch.pliTimes].reverse().find((t) => t <= back);
        return back === undefined || pli === undefined ? undefined : back - pli;
      }),
    );
    const pliTimesText = ours.map((r) => r.watch.pliTimes.map((t) => fmt(t - r.cutAt)).join(', ') || 'none').join('; ');
    const keyAfter = ours.filter((r) => r.watch.keyFramesAtResume !== undefined && r.watch.keyFramesAtResume > r.watch.keyFramesAtCut).length;
    const pliAfter = p50Of(ours.map((r) => (r.watch.pliAtResume === undefined ? undefined : r.watch.pliAtResume - r.watch.pliAtCut)));
    const oursRecovered = oursResumed.filter((x) => x !== undefined).length;
    const offDisc = p50Of(off.map((r) => since(r, firstState(r, 'disconnected'))));
    const offFailed = p50Of(off.map((r) => since(r, firstState(r, 'failed'))));
    const offSelf = off.filter((r) => r.watch.resumedAt !== undefined).length;
    const offUser = p50Of(off.map((r) => r.restart?.firstFrame));
    const offEarliest = p50Of(off.map((r) => (r.restart ? (since(r, firstState(r, 'disconnected')) ?? Number.NaN) + r.restart.firstFrame : undefined)));
    if (Number.isFinite(oursBack)) rec.add('ours', 'recoveryMs.p50', oursBack, 'ms');
    if (Number.isFinite(oursDisc)) rec.add('ours', 'disconnectedMs.p50', oursDisc, 'ms');
    if (Number.isFinite(oursRestart)) rec.add('ours', 'iceRestartMs.p50', oursRestart, 'ms');
    if (Number.isFinite(oursIceBack)) rec.add('ours', 'iceConnectedAgainMs.p50', oursIceBack, 'ms');
    if (Number.isFinite(oursPacketsBack)) rec.add('ours', 'videoPacketsAgainMs.p50', oursPacketsBack, 'ms');
    rec.add('ours', 'recovered', oursRecovered, 'samples');
    rec.add(OFFICIAL, 'recoveredByItself', offSelf, 'samples');
    if (Number.isFinite(offDisc)) rec.add(OFFICIAL, 'disconnectedMs.p50', offDisc, 'ms');
    if (Number.isFinite(offFailed)) rec.add(OFFICIAL, 'failedMs.p50', offFailed, 'ms');
    if (Number.isFinite(offUser)) rec.add(OFFICIAL, 'userRestartFirstFrameMs.p50', offUser, 'ms');
    const recRows: string[][] = [
      [
        'ours (automatic ICE restart)',
        `${ours.length}`,
        fmt(oursDisc),
        fmt(oursRestart),
        fmt(oursIceBack),
        fmt(oursPacketsBack),
        `${oursRecovered} of ${ours.length}`,
        fmt(oursBack),
        '',
      ],
      [
        `${OFFICIAL} (no ICE restart)`,
        `${off.length}`,
        `${fmt(offDisc)}${Number.isFinite(offFailed) ? `; failed at ${fmt(offFailed)}` : ''}`,
        'never',
        'never',
        'never',
        `${offSelf} of ${off.length} within ${fmt(officialWindowMs / 1000)} s`,
        offSelf ? fmt(p50Of(off.map((r) => since(r, r.watch.resumedAt)))) : 'none',
        `${fmt(offUser)} from the click (earliest possible, clicking at 'disconnected': ${fmt(offEarliest)} after the change)`,
      ],
    ];

    const coldDc = fc.dc / oc.dc;
    const coldFrame = fc.frame / oc.frame;
    const warmDc = fw.dc / ow.dc;
    const warmFrame = fw.frame / ow.frame;
    const goals: GoalCheck[] = [
      { goal: '≥ 1.5x faster cold to an open data channel than the official viewer sample (Chromium, link model)', met: coldDc >= 1.5, detail: `${fmt(coldDc)}x (${fmt(oc.dc)} vs ${fmt(fc.dc)} ms)` },
      { goal: '≥ 1.5x faster cold to the first decoded video frame', met: coldFrame >= 1.5, detail: `${fmt(coldFrame)}x (${fmt(oc.frame)} vs ${fmt(fc.frame)} ms)` },
      {
        goal: '≥ 2.5x faster warm to an open data channel (against the sample started again in the same page)',
        met: warmDc >= 2.5,
        detail: `${fmt(warmDc)}x (${fmt(ow.dc)} vs ${fmt(fw.dc)} ms); against the sample cold ${fmt(fc.dc / ow.dc)}x`,
      },
      {
        goal: '≥ 2.5x faster warm to the first decoded video frame',
        met: warmFrame >= 2.5,
        detail: `${fmt(warmFrame)}x (${fmt(ow.frame)} vs ${fmt(fw.frame)} ms); against the sample cold ${fmt(fc.frame / ow.frame)}x`,
      },
      {
        goal: 'media back after a network change, without the user (ICE restart)',
        met: oursRecovered === ours.length && ours.length > 0,
        detail: `ours ${oursRecovered}/${ours.length} in ${fmt(oursBack)} ms (p50); the official sample ${offSelf}/${off.length} by itself`,
      },
    ];

    // ---- Findings, from the figures above.
    const media = (f: Fig): number => f.frame - f.offer;
    const notes: string[] = [
      `**Where the time goes** (p50, ms and round trips of ${RTT_MS} ms): ours cold sends its offer at ${fmt(oc.offer)} ms (${rtts(oc.offer)} RTT), the official sample at ${fmt(fc.offer)} ms (${rtts(fc.offer)}): that is where the flows differ, from ${fc.depth} sequential signaling exchanges (CORS preflights included) and ${fc.conns} new connections for the sample against ${oc.depth} and ${oc.conns} for ours. From the offer to the first frame both run the same browser WebRTC stack against the same master: ${fmt(media(oc))} ms for ours, ${fmt(media(fc))} ms for the sample (${rtts(media(oc))} and ${rtts(media(fc))} RTT): the offer and the answer cross the service (viewer → service → master and back, 2 RTT) while the viewer allocates its TURN relay (Allocate, challenged, Allocate again: 2 RTT on the media leg, from \`setLocalDescription\`); then a TURN permission and the ICE check (2 RTT) and DTLS (2 RTT) to \`connected\` (measured ${rtts(oc.connected - oc.answer)} RTT for ours cold, ${rtts(fc.connected - fc.answer)} for the sample), then SCTP for the data channel or the first RTP frame and its decode (1 RTT and more).`,
      `**Why cold misses 1.5x, in round trips:** before its offer a flow waits for signaling: counted (sequential exchanges + 2 × connection waves, each new connection paying TCP and TLS), ours cold ${oc.counted} round trips, the sample ${fc.counted}; measured ${rtts(oc.offer)} and ${rtts(fc.offer)} (the rest is the browser's own time per request and connection on a loaded machine, as the open-time Chromium rows show). After the offer both pay about the same: ${rtts(media(oc))} and ${rtts(media(fc))} RTT. At the counted round trips the ratio would be (${fc.counted} + ${rtts(media(fc))}) / (${oc.counted} + ${rtts(media(oc))}) = ${fmt((fc.counted + media(fc) / RTT_MS) / (oc.counted + media(oc) / RTT_MS))}x; measured ${fmt(coldFrame)}x to the frame. For 1.5x ours would have to send its offer by ${fmt(Math.max(0, fc.frame / 1.5 - media(oc)))} ms (${rtts(Math.max(0, fc.frame / 1.5 - media(oc)))} RTT), ${fmt(oc.offer - Math.max(0, fc.frame / 1.5 - media(oc)))} ms sooner than it does: with the preflights Chromium adds, no flow from a channel name gets there. The session adds no round trip of its own: ours' signaling open to offer is ${fmt(oc.offer - oc.open)} ms, the GetIceServerConfig branch (TCP, TLS, preflight, POST on the HTTPS host) ending a round trip after the WebSocket upgrade, as in the open-time Chromium rows; a peer connection needs its ICE servers before it can gather.`,
      `**Why warm misses 2.5x:** 2.5x needs ours' first frame by ${fmt(fw.frame / 2.5)} ms, but the part after the offer alone measured ${fmt(media(ow))} ms (${rtts(media(ow))} RTT) and no client can start it sooner: the answer has to cross the service to the master and back (2 RTT), then ICE permission and check through TURN (2 RTT) and DTLS (2 RTT) before the first SRTP packet or SCTP message (1 RTT). Even with signaling at zero, ours would be ${fmt(fw.frame / media(ow))}x the sample warm. Ours warm sends its offer at ${fmt(ow.offer)} ms (${rtts(ow.offer)} RTT: ${ow.counted} counted, ${ow.conns} new connection${ow.conns === 1 ? '' : 's'}, ${ow.depth} sequential exchange${ow.depth === 1 ? '' : 's'}), against the sample's ${fmt(fw.offer)} ms (${rtts(fw.offer)}: ${fw.counted} counted); measured ${fmt(warmFrame)}x to the frame, ${fmt(warmDc)}x to the data channel. Gathering sooner would not shorten it: the TURN allocation (2 RTT) already runs while the offer and the answer cross the service (2 RTT).`,
      `**Warm means warm for both:** ours warm reuses the page's endpoint cache (\`MemoryCache\`), its kept-alive connections and preflight answers; the sample has no cache, but started again in the same page it too finds kept-alive connections and cached preflights (${fw.conns} new connection${fw.conns === 1 ? '' : 's'}, ${fw.preflights} preflight${fw.preflights === 1 ? '' : 's'}), which is the fair comparison. Against the sample cold, ours warm is ${fmt(fc.dc / ow.dc)}x to the data channel and ${fmt(fc.frame / ow.frame)}x to the first frame.`,
      `**Recovery:** after the rebind Chromium reported ICE \`disconnected\` at ${fmt(oursDisc)} ms (ours) and ${fmt(offDisc)} ms (the sample) (p50); ours waits its \`restart.disconnectedGraceMs\` (3,000 ms default) in case the path comes back, then restarts ICE (at ${fmt(oursRestart)} ms: fresh ICE servers, a new offer with new credentials, a new TURN allocation through the new path, ICE checks; no new DTLS handshake, the peer connection is the same); ICE was connected again at ${fmt(oursIceBack)} ms (${fmt(oursIceBack - oursRestart)} ms, ${rtts(oursIceBack - oursRestart)} RTT, after the restart), video RTP packets arrived again at ${fmt(oursPacketsBack)} ms and frames were decoded again at ${fmt(oursBack)} ms (per sample: ${ours.map((r) => (r.watch.resumedAt === undefined ? 'never' : fmt(r.watch.resumedAt - r.cutAt))).join(', ')}). ${
        oursPacketsBack - oursIceBack > oursBack - oursPacketsBack
          ? `Most of the ${fmt(oursBack - oursIceBack)} ms between ICE and video is on the master's side: no video packet reached the viewer for ${fmt(oursPacketsBack - oursIceBack)} ms after ICE was back (Chromium's sender, after seconds without feedback; its internals were not measured here), then ${fmt(oursBack - oursPacketsBack)} ms to a decodable frame`
          : `Packets were back ${fmt(oursPacketsBack - oursIceBack)} ms after ICE, and the decoder then waited ${fmt(oursBack - oursPacketsBack)} ms for a frame it could decode`
      }; the first frame decoded after the gap was ${keyAfter === ours.length ? 'a key frame in every sample' : `a key frame in ${keyAfter} of ${ours.length} samples`}, the viewer having sent ${fmt(pliAfter)} picture-loss indications (p50) since the change, at (ms after the change, per sample) ${pliTimesText}; the last one before the frames came back ${fmt(lastPliGap)} ms before them (p50). ${
        !Number.isFinite(lastPliGap)
          ? 'No picture-loss indication was seen before the frames came back, so what held the decoder is not shown here.'
          : lastPliGap < (oursBack - oursPacketsBack) / 2
          ? `So the wait is the receiver's: the frames that arrive after the gap depend on frames it lost, and Chromium asks for a key frame again only after a while without a decodable frame; the master answers its PLI within about a round trip. A viewer-side key-frame request when ICE reconnects, or a key frame from the master when its peer's ICE restarts, would save those seconds (the W3C API has no direct call for either outside encoded transforms).`
          : `The last picture-loss indication came long before the frames, so the receiver's requests were not what brought them back: ours' master sends a key frame when its peer is connected again (\`@kvs-sig/webrtc\` switches its video encodings off and on), and the first frame after the gap decoded ${fmt(oursBack - oursPacketsBack)} ms after the first packet.`
      } Most of the total is waiting: Chromium's detection and the grace. A shorter grace trades restarts on brief outages for a faster recovery.`,
      `**The official sample does nothing:** it has no ICE restart, and its page only logs connection state changes; in ${officialWindowMs / 1000} s after the change its video stayed frozen (${offSelf} of ${off.length} samples recovered by themselves)${Number.isFinite(offFailed) ? ` and Chromium declared the connection \`failed\` at ${fmt(offFailed)} ms` : ''}. Its only way back is the user: Stop then Start Viewer, which closes everything and runs the whole cold flow again (describe, endpoints, ICE servers, signaling, a new peer connection): ${fmt(offUser)} ms from the click to the first frame (p50). A user who clicked the moment the page reported \`disconnected\` would get video back ${fmt(offEarliest)} ms after the change, before any human reaction time; ours needs no one.`,
      `**Set-up (both flows alike):** the viewer is TURN-only (\`iceTransportPolicy: 'relay'\`, the sample's "TURN only" option), so its media crosses the ${RTT_MS} ms UDP link to coturn as its signaling crosses the TCP links; without it both peers would pair over loopback at 0 ms and the media part would be free. The sample's TURN-only mode also drops the master's non-relay candidates; this flow keeps them, so both viewers pair their relay with the master's host candidate. The master is our master session in a Chromium page of its own with the fake camera (a camera master and a browser viewer, the common KVS shape), its signaling through the same links and its TURN straight to coturn (only the viewer's network is modelled, and only the viewer's changes).`,
      `The machine is shared (2 cores, other work running; the load average is in the header of this section): every step in the page also waits for CPU, so absolute times are high and noisy; the ratios and round-trip counts carry the result. Measured exchanges, first sample: ours cold ${oc.ops}; the sample cold ${fc.ops}.`,
    ];

    const tables: Table[] = [
      {
        title: `Connect in Chromium (link model: ${ONE_WAY_MS} ms each way, three hosts; viewer media through TURN over the same delay)`,
        columns: ['variant', 'data channel open p50 (ms)', 'p90', 'first decoded frame p50 (ms)', 'p90', 'sample / this (data channel)', 'sample / this (frame)', 'sample cold / this (channel / frame)'],
        rows: connectRows,
      },
      {
        title: 'Where the time goes (p50; ms, round trips in brackets)',
        columns: ['variant', 'signaling open', 'open → offer sent', 'offer → answer', 'answer → connected', 'connected → channel open', 'connected → first frame', 'sequential / all signaling exchanges (preflights)', 'signaling round trips counted (sequential + 2 × waves)', 'new TCP connections'],
        rows: phaseRows,
      },
      {
        title: "Recovery after the viewer's network changes (ms after the change, p50)",
        columns: ['flow', 'samples', "ICE 'disconnected' at", 'ICE restart at', 'ICE connected again at', 'video packets again at', 'media back by itself', 'media back at', "the user's Stop + Start"],
        rows: recRows,
      },
    ];
    return {
      name: 'session-time',
      title: 'Time to a connected session and to recover media (webrtc)',
      method: [
        `A Chromium viewer against a Chromium camera master, through the emulator (\`@kvs-sig/emulator\`, TLS, SigV4 verified) in the link model of the open-time benchmark: the control plane, HTTPS and WSS endpoints on three origins, each behind a TCP link (\`bench/src/link.ts\`, ${ONE_WAY_MS} ms each way, a round trip for each TCP handshake). The media leg has the same delay: the emulator's GetIceServerConfig hands out a local coturn, reached through a UDP link (\`bench/src/udp-link.ts\`, ${ONE_WAY_MS} ms each way), and the viewer is TURN-only, so ICE checks, DTLS, SCTP and RTP pay ${RTT_MS} ms round trips too.`,
        '- **Master:** our `createMasterSession` in its own browser context, sending Chromium\'s fake camera (`--use-fake-device-for-media-stream`, 640×480), started and connected before each sample on a fresh channel; the same master for both flows. Its own TURN goes to coturn directly.',
        "- **ours:** `new SignalingClient({ role: 'VIEWER', channelName, cache })` and `createViewerSession({ signaling, configuration: { iceTransportPolicy: 'relay' }, dataChannels: [{ label }], receive: ['video', 'audio'] })`, then `connect()`. **cold**: a fresh browser context and page (empty connection pool, preflight cache and endpoint cache). **warm**: in that page a first session ran to its first frame and closed, then the timed one starts (the page's `MemoryCache`, kept-alive connections and preflight answers).",
        "- **official viewer sample flow** (`examples/viewer.js` of the official SDK, with its own ordering; `amazon-kinesis-video-streams-webrtc` 2.9.0 and the AWS SDK v3 clients bundled for the browser): `DescribeSignalingChannel`, `GetSignalingChannelEndpoint` (WSS, HTTPS), `GetIceServerConfig`, then `new SignalingClient`, `new RTCPeerConnection` with the channel's TURN servers and `iceTransportPolicy: 'relay'` (its \"TURN only\" option), `createDataChannel('kvsDataChannel')`, `open()`; on `open` `createOffer({ offerToReceiveAudio, offerToReceiveVideo })`, `setLocalDescription`, `sendSdpOffer`; trickle ICE both ways. **cold**: a fresh context; **warm**: the same flow run once before in the page (Stop, then Start again).",
        `- **Times** are taken by the page's clock from the first line of app code (the Start click): **data channel open** (the viewer's own channel's \`open\`), **first decoded frame** (\`inbound-rtp\` video \`framesDecoded\` > 0, polled every 15 ms by both flows from the start). The phase table splits them at the signaling \`open\`, the offer sent, the answer received and \`connectionState\` \`connected\`. Signaling exchanges come from the emulator's request log (CORS preflights included), new TCP connections from the links, both counted during the timed part only. ${samples} sample${samples === 1 ? '' : 's'} per variant, variants interleaved round by round, no warm-up round; p50 and p90.`,
        `- **Recovery:** a viewer connected with a second of video flowing; then the UDP link **rebinds** every flow (a new source port towards coturn, what a network change or a NAT rebinding does to a TURN client): the viewer's TURN allocation and its ICE pair are dead from then on, a new allocation works. The page watches \`iceConnectionState\` and \`framesDecoded\` every 25 ms; **media back** is the first time the decoded-frame count grows past its value when ICE first left \`connected\`. Ours runs its defaults (restart after \`disconnected\` lasts 3 s). The official sample has no ICE restart: the page is watched for ${officialWindowMs / 1000} s, then the user's only recovery, Stop then Start Viewer (same client id), is timed from the click to the first frame. ${oursRecoveries} sample${oursRecoveries === 1 ? '' : 's'} of ours, ${officialRecoveries} of the sample.`,
      ].join('\n'),
      tables,
      measurements: rec.list,
      goals,
      notes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await close();
  }
}
