/**
 * The session-time benchmark's browser app: one page, served from its own
 * http://127.0.0.1 origin, that runs a camera master (our master session, the
 * fake camera) or a viewer, either ours (`createViewerSession`) or the official
 * KVS JS SDK viewer sample's flow, and times the viewer with the page's clock.
 * @packageDocumentation
 */
import type { Page } from 'playwright-core';
import { serveApp, type AppSite } from './browser-page';

// What each flow's app writes, plus the clocks the benchmark reads. Both viewers use the same
// RTCConfiguration (TURN only, the sample's "TURN only" option) and the same first-frame probe.
const APP = `
import { SignalingClient, MemoryCache } from '@kvs-sig/client';
import { createMasterSession, createViewerSession } from '@kvs-sig/webrtc';
import { SignalingClient as OfficialClient, Role } from 'amazon-kinesis-video-streams-webrtc';
import { officialViewerChannel } from './official-flow';

const cache = new MemoryCache();
const now = () => performance.now();
const epoch = () => performance.timeOrigin + performance.now();
let current;   // { pc(): RTCPeerConnection | undefined, stop(): Promise<void>, restarts: number[] }
let master;

async function videoStats(pc) {
  const v = { frames: 0, keyFrames: 0, pli: 0, packets: 0 };
  if (!pc) return v;
  (await pc.getStats()).forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    v.frames += Number(s.framesDecoded || 0);
    v.keyFrames += Number(s.keyFramesDecoded || 0);
    v.pli += Number(s.pliCount || 0);
    v.packets += Number(s.packetsReceived || 0);
  });
  return v;
}

async function videoFrames(pc) {
  return (await videoStats(pc)).frames;
}

/** Resolves with now() once the current peer connection has decoded a video frame. */
function firstFrame(getPc) {
  return new Promise((resolve) => {
    const tick = async () => {
      if (await videoFrames(getPc()) > 0) return resolve(now());
      setTimeout(tick, 15);
    };
    tick();
  });
}

function channelOpen(channel) {
  return channel.readyState === 'open' ? Promise.resolve(now()) : new Promise((r) => channel.addEventListener('open', () => r(now()), { once: true }));
}

function pcConnected(pc) {
  return pc.connectionState === 'connected' ? Promise.resolve(now()) : new Promise((r) => {
    const on = () => { if (pc.connectionState === 'connected') { pc.removeEventListener('connectionstatechange', on); r(now()); } };
    pc.addEventListener('connectionstatechange', on);
  });
}

/** The master keeps its TURN leg off the viewer's link: its relay goes to coturn directly. */
function masterPeerConnection(turnDirect) {
  const fix = (c) => ({ ...c, iceServers: (c.iceServers || []).map((s) => ({ ...s, urls: [].concat(s.urls).map((u) => u.replace(turnDirect.from, turnDirect.to)) })) });
  return class extends RTCPeerConnection {
    constructor(c) { super(fix(c || {})); }
    setConfiguration(c) { return super.setConfiguration(fix(c)); }
  };
}

export async function startMaster({ region, credentials, endpoint, channelName, turnDirect }) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  const signaling = new SignalingClient({ role: 'MASTER', region, credentials, endpoint, channelName });
  const session = createMasterSession({ signaling, tracks: stream.getTracks(), RTCPeerConnection: masterPeerConnection(turnDirect), qualityIntervalMs: 0 });
  // The viewer opens the channel; the master answers it, as a camera app would.
  session.on('dataChannel', ({ channel }) => channel.addEventListener('message', (e) => channel.send(e.data)));
  await session.connect();
  master = { stop: async () => { await session.close(); await signaling.close(); stream.getTracks().forEach((t) => t.stop()); } };
}

const CONFIG = { iceTransportPolicy: 'relay' };

export async function ours({ region, credentials, endpoint, channelName, clientId }) {
  const t0 = now();
  const times = {};
  const signaling = new SignalingClient({ role: 'VIEWER', region, credentials, endpoint, channelName, clientId, cache });
  signaling.once('open', () => { times.signalingOpen = now(); });
  const session = createViewerSession({ signaling, configuration: CONFIG, dataChannels: [{ label: 'bench' }], receive: ['video', 'audio'], qualityIntervalMs: 0 });
  const state = { restarts: [] };
  session.on('iceRestart', () => state.restarts.push(epoch()));
  const dc = new Promise((r) => session.on('dataChannel', ({ channel, local }) => { if (local) r(channelOpen(channel)); }));
  current = { pc: () => session.pc, stop: async () => { await session.close(); await signaling.close(); }, state };
  const frame = firstFrame(() => session.pc);
  await session.connect();
  times.connected = now();
  times.dataChannel = await dc;
  times.firstFrame = await frame;
  const tl = session.metrics().timeline;
  // The session's timeline is in epoch ms: offset into this clock.
  const at = (x) => (x === undefined ? undefined : x - performance.timeOrigin);
  times.offerSent = at(tl.offerSent);
  times.answerReceived = at(tl.answerReceived);
  return rel(times, t0);
}

/** The official viewer sample's flow (examples/viewer.js): its calls, in its order. */
export async function official({ region, credentials, endpoint, channelName, clientId }) {
  const t0 = now();
  const times = {};
  const { channelARN, wssEndpoint, iceServerList } = await officialViewerChannel({ region, credentials, endpoint, channelName, clientId });
  // "TURN only": the sample adds no STUN server then, only the channel's TURN servers.
  const iceServers = iceServerList.map((s) => ({ urls: s.Uris, username: s.Username, credential: s.Password }));
  const client = new OfficialClient({ channelARN, channelEndpoint: wssEndpoint, clientId, role: Role.VIEWER, region, credentials });
  const pc = new RTCPeerConnection({ iceServers, ...CONFIG });
  const channel = pc.createDataChannel('kvsDataChannel');
  const dc = channelOpen(channel);
  const connected = pcConnected(pc);
  const frame = firstFrame(() => pc);
  client.on('open', async () => {
    times.signalingOpen = now();
    await pc.setLocalDescription(await pc.createOffer({ offerToReceiveAudio: true, offerToReceiveVideo: true }));
    client.sendSdpOffer(pc.localDescription);
    times.offerSent = now();
  });
  client.on('sdpAnswer', async (answer) => { times.answerReceived = now(); await pc.setRemoteDescription(answer); });
  client.on('iceCandidate', (c) => { pc.addIceCandidate(c).catch(() => undefined); });
  client.on('error', () => undefined);
  pc.addEventListener('icecandidate', ({ candidate }) => { if (candidate) client.sendIceCandidate(candidate); });
  const stop = () => new Promise((resolve) => {
    pc.close();
    const t = setTimeout(resolve, 2000);
    client.once('close', () => { clearTimeout(t); resolve(); });
    client.close();
  });
  current = { pc: () => pc, stop, state: { restarts: [] } };
  client.open();
  times.connected = await connected;
  times.dataChannel = await dc;
  times.firstFrame = await frame;
  return rel(times, t0);
}

function rel(times, t0) {
  const out = {};
  for (const [k, v] of Object.entries(times)) if (v !== undefined) out[k] = v - t0;
  return out;
}

export async function stop() {
  const c = current;
  current = undefined;
  await c?.stop();
}

export async function stopMaster() {
  const m = master;
  master = undefined;
  await m?.stop();
}

let watch;

/** Starts watching the current viewer: ICE states and decoded frames (epoch ms), for a recovery sample. */
export function armRecovery() {
  const c = current;
  const w = { states: [], pliTimes: [], lastPli: undefined, stall: false, base: undefined, stalledAt: undefined, resumedAt: undefined, lastFrames: 0, stopped: false };
  watch = w;
  let pc;
  const onState = () => {
    const s = pc.iceConnectionState;
    w.states.push([s, epoch()]);
    if (s === 'disconnected' || s === 'failed') w.stall = true;
  };
  const tick = async () => {
    if (w.stopped) return;
    const p = c.pc();
    if (p && p !== pc) { pc?.removeEventListener('iceconnectionstatechange', onState); pc = p; pc.addEventListener('iceconnectionstatechange', onState); }
    const v = await videoStats(pc);
    const n = v.frames;
    if (w.atCut === undefined) w.atCut = v;
    if (w.lastPli !== undefined && v.pli > w.lastPli) w.pliTimes.push(epoch());
    w.lastPli = v.pli;
    // Frames decoded when ICE first left 'connected': nothing in flight is left by then.
    if (w.stall && w.base === undefined) { w.base = n; w.packetsBase = v.packets; w.stalledAt = epoch(); }
    if (w.packetsBase !== undefined && w.packetsBackAt === undefined && v.packets > w.packetsBase) w.packetsBackAt = epoch();
    if (w.base !== undefined && w.resumedAt === undefined && n > w.base) { w.resumedAt = epoch(); w.atResume = v; }
    w.lastFrames = n;
    setTimeout(tick, 25);
  };
  tick();
  return epoch();
}

/** Waits until media resumed or the deadline (epoch ms) passed; returns what the watcher saw. */
export async function recovery(deadline) {
  const w = watch;
  while (w.resumedAt === undefined && epoch() < deadline) await new Promise((r) => setTimeout(r, 50));
  w.stopped = true;
  return { states: w.states, pliTimes: w.pliTimes, stalledAt: w.stalledAt, packetsBackAt: w.packetsBackAt, resumedAt: w.resumedAt, restarts: current?.state.restarts ?? [], frames: w.lastFrames,
    keyFramesAtCut: w.atCut?.keyFrames ?? 0, pliAtCut: w.atCut?.pli ?? 0, keyFramesAtResume: w.atResume?.keyFrames, pliAtResume: w.atResume?.pli };
}

/** The official sample's only way back: the user presses Stop, then Start (same client id). Times from the click. */
export async function userRestart(args) {
  const t0 = now();
  await stop();
  const startedAfter = now() - t0;
  const inner = await official(args);
  return { firstFrame: startedAfter + inner.firstFrame, stopMs: startedAfter, inner };
}
`;

/** What the page's viewer functions take. */
export interface SessionPageArgs {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };
  /** The control plane's origin. */
  endpoint: string;
  channelName: string;
  clientId: string;
}

/** Page-clock times (ms since the viewer's first line of app code); a step the flow did not report is absent. */
export interface ViewerTimes {
  signalingOpen?: number;
  offerSent?: number;
  answerReceived?: number;
  connected: number;
  dataChannel: number;
  firstFrame: number;
}

/** What the recovery watcher saw, in epoch ms. */
export interface RecoveryWatch {
  states: Array<[string, number]>;
  stalledAt?: number;
  /** When the viewer's count of picture-loss indications sent grew (polled). */
  pliTimes: number[];
  /** The first video RTP packet received after the stall. */
  packetsBackAt?: number;
  resumedAt?: number;
  restarts: number[];
  frames: number;
  /** Key frames decoded and picture-loss indications sent, at the change (first poll) and when media came back. */
  keyFramesAtCut: number;
  pliAtCut: number;
  keyFramesAtResume?: number;
  pliAtResume?: number;
}

export type ViewerFlow = 'ours' | 'official';

/** The official sample's Stop then Start: ms from the click to the first frame, of which the stop took `stopMs`. */
export interface UserRestart {
  firstFrame: number;
  stopMs: number;
  inner: ViewerTimes;
}

type BenchGlobal = {
  SessionBench: {
    startMaster(a: Omit<SessionPageArgs, 'clientId'> & { turnDirect: { from: string; to: string } }): Promise<void>;
    ours(a: SessionPageArgs): Promise<ViewerTimes>;
    official(a: SessionPageArgs): Promise<ViewerTimes>;
    stop(): Promise<void>;
    stopMaster(): Promise<void>;
    armRecovery(): number;
    recovery(deadline: number): Promise<RecoveryWatch>;
    userRestart(a: SessionPageArgs): Promise<UserRestart>;
  };
};

/** Bundles the app (our packages from the workspace sources, the official SDK and AWS SDK v3) and serves it. */
export function startSessionSite(): Promise<AppSite> {
  return serveApp(APP, 'SessionBench');
}

export function startMasterInPage(page: Page, args: Omit<SessionPageArgs, 'clientId'> & { turnDirect: { from: string; to: string } }): Promise<void> {
  return page.evaluate((a) => (globalThis as unknown as BenchGlobal).SessionBench.startMaster(a), args);
}

export function viewerInPage(page: Page, flow: ViewerFlow, args: SessionPageArgs): Promise<ViewerTimes> {
  return page.evaluate(({ flow, args }) => (flow === 'ours' ? (globalThis as unknown as BenchGlobal).SessionBench.ours(args) : (globalThis as unknown as BenchGlobal).SessionBench.official(args)), { flow, args });
}

export async function stopInPage(page: Page): Promise<void> {
  await page.evaluate(() => Promise.all([(globalThis as unknown as BenchGlobal).SessionBench.stop(), (globalThis as unknown as BenchGlobal).SessionBench.stopMaster()]));
}

export function armRecoveryInPage(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as BenchGlobal).SessionBench.armRecovery());
}

export function recoveryInPage(page: Page, deadline: number): Promise<RecoveryWatch> {
  return page.evaluate((d) => (globalThis as unknown as BenchGlobal).SessionBench.recovery(d), deadline);
}

export function userRestartInPage(page: Page, args: SessionPageArgs): Promise<UserRestart> {
  return page.evaluate((a) => (globalThis as unknown as BenchGlobal).SessionBench.userRestart(a), args);
}
