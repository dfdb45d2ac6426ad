/**
 * Hostile frames against the client's message handling, written by a real TLS
 * WebSocket server (the hostile service) to a connected `SignalingClient`.
 * Contract: every frame is reported (a typed event, `unknownMessage` or
 * `error`; nothing dropped silently), nothing reaches `Object.prototype`, and
 * the client stays connected (frames that break the WebSocket protocol itself,
 * invalid UTF-8 in a text frame, may cost a reconnect, after which it is open).
 * @packageDocumentation
 */
import fc from 'fast-check';
import type WebSocket from 'ws';
import { SignalingClient } from '@kvs-sig/client';
import type { SignalingClientEvents } from '@kvs-sig/client';
import { INVALID_UTF8, arbitraryText, base64Of, bigFrames, mutatedFrames, prototypePolluted } from './hostile';
import { startHostileService } from './hostile-service';
import type { HostileService } from './hostile-service';
import { SHAPES, WSS_SEEDS } from './shapes';
import { TEST_CREDENTIALS } from './secrets';
import type { StageResult } from './fuzz';

/** One frame the service writes. @public */
export type ServiceFrame = { text: string } | { bytes: Uint8Array; binary: boolean };

/** Frames a service could send: structured, mutated real frames, free text, invalid UTF-8, binary. @public */
export function serviceFrameArb(): fc.Arbitrary<ServiceFrame> {
  const structured = SHAPES.find((s) => s.parser === 'parseWssRecvMessage')?.structured ?? arbitraryText();
  return fc.oneof(
    { weight: 5, arbitrary: structured.map((text): ServiceFrame => ({ text })) },
    { weight: 4, arbitrary: mutatedFrames(WSS_SEEDS).map((text): ServiceFrame => ({ text })) },
    { weight: 2, arbitrary: arbitraryText().map((text): ServiceFrame => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): ServiceFrame => ({ bytes, binary: true })) },
  );
}

/** Frames that break the WebSocket protocol (invalid UTF-8 in a text frame). @public */
export const INVALID_UTF8_FRAMES: ServiceFrame[] = INVALID_UTF8.map((b) => ({ bytes: new Uint8Array([0x7b, ...b, 0x7d]), binary: false }));

const REPORTED = ['sdpOffer', 'sdpAnswer', 'iceCandidate', 'statusResponse', 'goAway', 'reconnectIceServer', 'unknownMessage', 'error'] as const;

/** Figures of a client fuzz run. @public */
export interface ClientFuzzStats {
  cases: number;
  /** Events seen, by name. */
  events: Record<string, number>;
  /** Frames after which the client was not open (and how many reconnects that cost). */
  reconnects: number;
  findings: string[];
}

/** A client connected to the hostile service, with every event counted. @public */
export interface FuzzedClient {
  svc: HostileService;
  client: SignalingClient;
  /** Events since the last {@link FuzzedClient.take}. */
  take(): string[];
  close(): Promise<void>;
}

/** Starts the hostile service and a viewer connected to it. @public */
export async function startFuzzedClient(logLines?: string[]): Promise<FuzzedClient> {
  const svc = await startHostileService();
  const client = new SignalingClient({
    role: 'VIEWER',
    region: 'us-west-2',
    channelArn: 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/fuzz/1234567890123',
    clientId: 'fuzz-viewer',
    credentials: { ...TEST_CREDENTIALS },
    signalingEndpoints: { wssEndpoint: svc.wssEndpoint, httpsEndpoint: svc.httpsEndpoint },
    tls: { ca: svc.ca },
    iceBuffering: false,
    reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
    ...(logLines
      ? {
          logger: {
            debug: (m, f) => logLines.push(`debug ${m} ${JSON.stringify(f ?? {})}`),
            info: (m, f) => logLines.push(`info ${m} ${JSON.stringify(f ?? {})}`),
            warn: (m, f) => logLines.push(`warn ${m} ${JSON.stringify(f ?? {})}`),
            error: (m, f) => logLines.push(`error ${m} ${JSON.stringify(f ?? {})}`),
          },
        }
      : {}),
  });
  let seen: string[] = [];
  for (const name of [...REPORTED, 'close', 'open'] as const) {
    client.on(name as keyof SignalingClientEvents, () => void seen.push(name));
  }
  await client.connect();
  return {
    svc,
    client,
    take() {
      const out = seen;
      seen = [];
      return out;
    },
    async close() {
      await client.close();
      await svc.close();
    },
  };
}

// Resolves once the client has handled everything written before: ws answers the ping in order.
function roundTrip(ws: WebSocket): Promise<boolean> {
  return new Promise((resolve) => {
    if (ws.readyState !== ws.OPEN) return resolve(false);
    const done = (ok: boolean): void => {
      clearTimeout(t);
      ws.off('pong', onPong);
      ws.off('close', onClose);
      resolve(ok);
    };
    const onPong = (): void => done(true);
    const onClose = (): void => done(false);
    const t = setTimeout(() => done(false), 5000);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.ping();
  });
}

async function untilOpen(client: SignalingClient, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (client.state !== 'open') {
    if (Date.now() > end || client.state === 'closed') return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/**
 * Writes one frame and checks what the client did with it. `mayBreak` marks
 * frames the WebSocket protocol itself refuses.
 * @public
 */
export async function sendAndCheck(fc_: FuzzedClient, frame: ServiceFrame, stats: ClientFuzzStats, mayBreak = false): Promise<void> {
  if (!(await untilOpen(fc_.client))) {
    stats.findings.push(`client not open before a frame (state ${fc_.client.state})`);
    return;
  }
  const ws = await fc_.svc.socket();
  fc_.take();
  const dupBefore = fc_.client.metrics().duplicatesDropped;
  if ('text' in frame) ws.send(frame.text);
  else ws.send(frame.bytes, { binary: frame.binary });
  const delivered = await roundTrip(ws);
  stats.cases++;
  const events = fc_.take();
  // the client drops a repeat of a peer message it saw recently (sends are at least once) and counts it: not a loss
  const repeat = fc_.client.metrics().duplicatesDropped > dupBefore;
  if (repeat) stats.events.duplicateDropped = (stats.events.duplicateDropped ?? 0) + 1;
  for (const e of events) stats.events[e] = (stats.events[e] ?? 0) + 1;
  const what = 'text' in frame ? JSON.stringify(frame.text.slice(0, 120)) : `${frame.binary ? 'binary' : 'text'} bytes [${[...frame.bytes.slice(0, 16)].join(',')}]`;
  if (prototypePolluted()) stats.findings.push(`prototype polluted by ${what}`);
  // a frame the WebSocket protocol refuses is reported by the close it causes (code 1007)
  const reported = [...REPORTED, ...(mayBreak ? ['close'] : [])];
  if (!repeat && !events.some((e) => reported.includes(e))) stats.findings.push(`frame not reported (events: ${events.join(',') || 'none'}): ${what}`);
  if (!delivered || events.includes('close') || fc_.client.state !== 'open') {
    stats.reconnects++;
    if (!mayBreak && !events.includes('goAway')) stats.findings.push(`client left the open state (${fc_.client.state}; events ${events.join(',')}) after ${what}`);
    if (!(await untilOpen(fc_.client))) stats.findings.push(`client did not come back after ${what} (state ${fc_.client.state})`);
  }
}

/** Runs the client fuzz: `runs` generated frames plus 10 MB and invalid UTF-8 frames. @public */
/** One valid frame of each peer message type, from distinct senders so none is a duplicate. */
const CONTROL_FRAMES = [
  { senderClientId: 'control-1', messageType: 'SDP_OFFER', messagePayload: base64Of('{"type":"offer","sdp":"v=0\\r\\n"}') },
  { senderClientId: 'control-2', messageType: 'SDP_ANSWER', messagePayload: base64Of('{"type":"answer","sdp":"v=0\\r\\n"}') },
  { senderClientId: 'control-1', messageType: 'ICE_CANDIDATE', messagePayload: base64Of('{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}') },
].map((frame) => JSON.stringify(frame));

export async function fuzzClient(runs: number, seed: number): Promise<ClientFuzzStats> {
  const stats: ClientFuzzStats = { cases: 0, events: {}, reconnects: 0, findings: [] };
  const fcl = await startFuzzedClient();
  try {
    // Known-good frames first, so every run (whatever the seed) shows the
    // delivery side of the contract, not only the refusals.
    for (const frame of CONTROL_FRAMES) await sendAndCheck(fcl, { text: frame }, stats);
    for (const f of bigFrames(10 * 1024 * 1024)) await sendAndCheck(fcl, { text: f.text }, stats);
    for (const f of INVALID_UTF8_FRAMES) await sendAndCheck(fcl, f, stats, true);
    await fc.assert(
      fc.asyncProperty(serviceFrameArb(), async (frame) => {
        await sendAndCheck(fcl, frame, stats);
        return true;
      }),
      { numRuns: runs, seed },
    );
    // still working: a real offer arrives as an event with its payload
    if (!(await untilOpen(fcl.client))) stats.findings.push('client not open at the end');
    else {
      const got = fcl.client.waitFor('sdpOffer', { signal: AbortSignal.timeout(5000) });
      (await fcl.svc.socket()).send(JSON.stringify({ senderClientId: 'm', messageType: 'SDP_OFFER', messagePayload: base64Of('{"type":"offer","sdp":"v=0\\r\\n"}') }));
      const ev = await got.catch((e: unknown) => e);
      if (!(typeof ev === 'object' && ev !== null && 'payload' in ev && (ev as { payload: { sdp?: string } }).payload.sdp === 'v=0\r\n')) stats.findings.push(`final offer not delivered: ${String(ev)}`);
    }
  } finally {
    await fcl.close();
  }
  return stats;
}

/** The client part of `pnpm reliability:fuzz`. @public */
export async function clientFuzzStage(opts: { runs: number; seed: number; log: (line: string) => void }): Promise<StageResult> {
  opts.log(`client: ${opts.runs} hostile frames from a hostile service`);
  const s = await fuzzClient(opts.runs, opts.seed);
  opts.log(`client: ${s.cases} frames; events ${JSON.stringify(s.events)}; reconnects ${s.reconnects}; ${s.findings.length} findings`);
  return {
    title: 'Client (message handling)',
    head: ['frames', 'events reported', 'reconnects (invalid UTF-8 frames only)', 'findings'],
    rows: [[s.cases, Object.entries(s.events).map(([k, v]) => `${k}: ${v}`).join(', '), s.reconnects, s.findings.length]],
    findings: s.findings.slice(0, 20).map((f) => `client: ${f}`),
  };
}
