/**
 * Hostile input against the emulator over real TLS sockets: signed and
 * unsigned HTTP requests with hostile bodies on every route, malformed HTTP on
 * a raw socket, hostile WebSocket handshakes (mutated presigned URLs) and
 * hostile frames on live connections. Contract: every bad request gets a 4xx
 * with `x-amzn-errortype` (never a 5xx, never silence), the server stays up,
 * and whatever the emulator sends on a socket is a well-formed frame.
 * @packageDocumentation
 */
import * as tls from 'node:tls';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { constructConnectWssEndpointRequest } from '@kvs-sig/core';
import { startEmulator } from '@kvs-sig/emulator';
import type { Emulator } from '@kvs-sig/emulator';
import { presignWssUrl, signRequest } from '@kvs-sig/signer';
import { J, base64Of, bigFrames, hostileJson, hostileString, mutatedFrames, objectOf, renderJson, slot, arbitraryText, INVALID_UTF8 } from './hostile';
import type { JsonNode } from './hostile';
import { idArb, messagePayloadArb } from './shapes';
import { percentile } from './harness';
import type { StageResult } from './fuzz';

/** A running emulator set up for fuzzing, with two channels and an HTTPS agent that trusts its CA. @public */
export interface FuzzEmulator {
  emu: Emulator;
  agent: Agent;
  channels: Array<{ name: string; arn: string }>;
  wssEndpoint: string;
  /** Emulator log lines that report an internal failure. */
  internalFailures: string[];
  close(): Promise<void>;
}

/** A reply as seen by the fuzzer. @public */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Starts an emulator for fuzzing (short Alexa wait so hostile Alexa calls do not stall). @public */
export async function startFuzzEmulator(): Promise<FuzzEmulator> {
  const internalFailures: string[] = [];
  const emu = await startEmulator({
    limits: { alexaAnswerTimeoutMs: 50, connectsPerSecondPerChannel: 1000, maxViewersPerChannel: 50 },
    logger: (line) => {
      if (/unexpected failure|handler failed|server error/i.test(line)) internalFailures.push(line.slice(0, 400));
    },
  });
  const agent = new Agent({ connect: { ca: emu.ca }, keepAliveTimeout: 1000 });
  const fz: FuzzEmulator = {
    emu,
    agent,
    channels: [],
    wssEndpoint: '',
    internalFailures,
    async close() {
      await agent.close();
      await emu.close();
    },
  };
  for (const name of ['fuzz-a', 'fuzz-b']) {
    const r = await call(fz, '/createSignalingChannel', JSON.stringify({ ChannelName: name }));
    if (r.status !== 200) throw new Error(`setup: create ${name} gave ${r.status} ${r.body}`);
    fz.channels.push({ name, arn: (JSON.parse(r.body) as { ChannelARN: string }).ChannelARN });
  }
  const ep = await call(fz, '/getSignalingChannelEndpoint', JSON.stringify({ ChannelARN: fz.channels[0]?.arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'MASTER' } }));
  const list = (JSON.parse(ep.body) as { ResourceEndpointList: Array<{ Protocol: string; ResourceEndpoint: string }> }).ResourceEndpointList;
  fz.wssEndpoint = list.find((e) => e.Protocol === 'WSS')?.ResourceEndpoint ?? '';
  return fz;
}

/**
 * Recreates the fuzz channels if hostile requests deleted them (a mutated
 * frame can be a valid DeleteSignalingChannel), so later parts start clean.
 * @public
 */
export async function ensureChannels(fz: FuzzEmulator): Promise<void> {
  for (const c of fz.channels) {
    const d = await call(fz, '/describeSignalingChannel', JSON.stringify({ ChannelName: c.name }));
    if (d.status === 200) {
      c.arn = (JSON.parse(d.body) as { ChannelInfo: { ChannelARN: string } }).ChannelInfo.ChannelARN;
      continue;
    }
    const r = await call(fz, '/createSignalingChannel', JSON.stringify({ ChannelName: c.name }));
    if (r.status !== 200) throw new Error(`could not recreate ${c.name}: ${r.status} ${r.body}`);
    c.arn = (JSON.parse(r.body) as { ChannelARN: string }).ChannelARN;
  }
}

/** POSTs `body` to `path`, signed with the emulator's credentials unless `sign` is false. @public */
export async function call(fz: FuzzEmulator, path: string, body: string | Uint8Array, options: { sign?: boolean; headers?: Record<string, string>; method?: 'POST' | 'GET' } = {}): Promise<Reply> {
  const url = `${fz.emu.controlPlaneEndpoint}${path}`;
  let headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.sign !== false && typeof body === 'string') {
    headers = (await signRequest({ method: 'POST', url, headers, body }, { credentials: fz.emu.credentials, region: fz.emu.region })).headers;
  }
  const res = await request(url, { method: options.method ?? 'POST', headers, body, dispatcher: fz.agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, headers: res.headers as Reply['headers'], body: await res.body.text() };
}

/** Paths the emulator serves, each with the request shape it reads. @public */
export function httpCaseArb(fz: FuzzEmulator): fc.Arbitrary<HttpCase> {
  const arn = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fz.channels.map((c) => c.arn)) }, { weight: 1, arbitrary: hostileString(5000) }).map(J.str);
  const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fz.channels.map((c) => c.name)) }, { weight: 1, arbitrary: idArb(30) }, { weight: 1, arbitrary: hostileString(5000) }).map(J.str);
  const role = fc.constantFrom('MASTER', 'VIEWER').map(J.str);
  const tags = fc.array(objectOf({ Key: slot(idArb(20).map(J.str)), Value: slot(fc.string({ maxLength: 30 }).map(J.str)) }), { maxLength: 60 }).map(J.arr);
  const smc = objectOf({ MessageTtlSeconds: slot(fc.integer({ min: 5, max: 120 }).map(J.num)) });
  const shapes: Record<string, fc.Arbitrary<JsonNode>> = {
    '/createSignalingChannel': objectOf({ ChannelName: slot(idArb(40).map((n) => J.str(`fz-${n}`))), ChannelType: slot(fc.constantFrom('SINGLE_MASTER', 'FULL_MESH').map(J.str)), SingleMasterConfiguration: slot(smc), Tags: slot(tags) }),
    '/describeSignalingChannel': objectOf({ ChannelName: slot(name), ChannelARN: slot(arn) }),
    '/listSignalingChannels': objectOf({ MaxResults: slot(fc.integer({ min: -5, max: 20000 }).map(J.num)), NextToken: slot(fc.base64String({ maxLength: 40 }).map(J.str)), ChannelNameCondition: slot(objectOf({ ComparisonOperator: slot(fc.constant(J.str('BEGINS_WITH'))), ComparisonValue: slot(name) })) }),
    '/updateSignalingChannel': objectOf({ ChannelARN: slot(arn), CurrentVersion: slot(fc.string({ maxLength: 10 }).map(J.str)), SingleMasterConfiguration: slot(smc) }),
    '/deleteSignalingChannel': objectOf({ ChannelARN: slot(hostileString(300).map(J.str)), CurrentVersion: slot(fc.string({ maxLength: 10 }).map(J.str)) }),
    '/getSignalingChannelEndpoint': objectOf({ ChannelARN: slot(arn), SingleMasterChannelEndpointConfiguration: slot(objectOf({ Protocols: slot(fc.array(fc.constantFrom('WSS', 'HTTPS', 'WEBRTC', 'wss', 'X').map(J.str), { maxLength: 6 }).map(J.arr)), Role: slot(role) })) }),
    '/describeMediaStorageConfiguration': objectOf({ ChannelName: slot(name), ChannelARN: slot(arn) }),
    '/updateMediaStorageConfiguration': objectOf({ ChannelARN: slot(arn), MediaStorageConfiguration: slot(objectOf({ Status: slot(fc.constantFrom('ENABLED', 'DISABLED').map(J.str)), StreamARN: slot(hostileString(300).map(J.str)) })) }),
    '/TagResource': objectOf({ ResourceARN: slot(arn), Tags: slot(tags) }),
    '/UntagResource': objectOf({ ResourceARN: slot(arn), TagKeyList: slot(fc.array(idArb(10).map(J.str), { maxLength: 60 }).map(J.arr)) }),
    '/ListTagsForResource': objectOf({ ResourceARN: slot(arn), NextToken: slot(fc.string({ maxLength: 20 }).map(J.str)) }),
    '/v1/get-ice-server-config': objectOf({ ChannelARN: slot(arn), ClientId: slot(idArb(20).map(J.str)), Service: slot(fc.constantFrom('TURN', 'STUN').map(J.str)), Username: slot(fc.string({ maxLength: 20 }).map(J.str)) }),
    '/v1/send-alexa-offer-to-master': objectOf({ ChannelARN: slot(arn), SenderClientId: slot(idArb(20).map(J.str)), MessagePayload: slot(messagePayloadArb) }),
    '/joinStorageSession': objectOf({ channelArn: slot(arn) }),
    '/joinStorageSessionAsViewer': objectOf({ channelArn: slot(arn), clientId: slot(idArb(20).map(J.str)) }),
  };
  const paths = Object.keys(shapes);
  const seeds = [JSON.stringify({ ChannelName: 'fuzz-a' }), JSON.stringify({ ChannelARN: fz.channels[0]?.arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS'], Role: 'VIEWER' } })];
  const path = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...paths) }, { weight: 1, arbitrary: fc.constantFrom('/', '/v1/', '/describeSignalingChannel/', '/DESCRIBESIGNALINGCHANNEL', '/%2e%2e/etc', '/describeSignalingChannel?x=1', '//x', '/' + 'a'.repeat(5000)) });
  return fc.oneof(
    { weight: 6, arbitrary: path.chain((p) => (shapes[p] ?? hostileJson(3)).map((b): HttpCase => ({ kind: 'signed', path: p, body: renderJson(b) }))) },
    { weight: 2, arbitrary: fc.tuple(path, fc.oneof(mutatedFrames(seeds), arbitraryText())).map(([p, body]): HttpCase => ({ kind: 'signed', path: p, body })) },
    { weight: 1, arbitrary: fc.tuple(path, fc.constantFrom(...INVALID_UTF8)).map(([p, bytes]): HttpCase => ({ kind: 'bytes', path: p, bytes: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bytes, 0x22, 0x7d]) })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(path, fc.dictionary(fc.constantFrom('authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'content-type'), hostileString(3000).map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')), { maxKeys: 4 }))
        .map(([p, headers]): HttpCase => ({ kind: 'unsigned', path: p, body: '{}', headers })),
    },
  );
}

/** One HTTP fuzz case. @public */
export type HttpCase =
  | { kind: 'signed'; path: string; body: string }
  | { kind: 'unsigned'; path: string; body: string; headers: Record<string, string> }
  | { kind: 'bytes'; path: string; bytes: Uint8Array };

/** Figures of one emulator fuzz part. @public */
export interface EmulatorFuzzStats {
  part: string;
  cases: number;
  statuses: Record<string, number>;
  findings: string[];
  p50Ms: number;
  maxMs: number;
}

function reportStatus(stats: EmulatorFuzzStats, status: number | string): void {
  const k = String(status);
  stats.statuses[k] = (stats.statuses[k] ?? 0) + 1;
}

function checkReply(r: Reply, what: string, findings: string[]): void {
  if (r.status >= 500) findings.push(`${what}: ${r.status} ${r.body.slice(0, 200)}`);
  else if (r.status >= 400) {
    if (typeof r.headers['x-amzn-errortype'] !== 'string') findings.push(`${what}: ${r.status} without x-amzn-errortype`);
    try {
      JSON.parse(r.body);
    } catch {
      findings.push(`${what}: ${r.status} with a body that is not JSON: ${r.body.slice(0, 100)}`);
    }
  } else if (r.status < 200 || r.status >= 300) findings.push(`${what}: unexpected status ${r.status}`);
}

/** Fuzzes the HTTP handlers (`runs` requests plus big bodies). @public */
export async function fuzzHttp(fz: FuzzEmulator, runs: number, seed: number): Promise<EmulatorFuzzStats> {
  const stats: EmulatorFuzzStats = { part: 'HTTP handlers', cases: 0, statuses: {}, findings: [], p50Ms: 0, maxMs: 0 };
  const times: number[] = [];
  const one = async (c: HttpCase): Promise<void> => {
    const t0 = performance.now();
    let r: Reply;
    try {
      r =
        c.kind === 'signed'
          ? await call(fz, c.path, c.body)
          : c.kind === 'bytes'
            ? await call(fz, c.path, c.bytes, { sign: false })
            : await call(fz, c.path, c.body, { sign: false, headers: c.headers });
    } catch (e) {
      stats.findings.push(`${c.kind} ${c.path.slice(0, 60)}: no reply (${String(e).slice(0, 120)})`);
      reportStatus(stats, 'no reply');
      stats.cases++;
      return;
    }
    times.push(performance.now() - t0);
    stats.cases++;
    reportStatus(stats, r.status);
    checkReply(r, `${c.kind} ${c.path.slice(0, 60)} ${c.kind === 'bytes' ? '' : c.body.slice(0, 80)}`, stats.findings);
  };
  // bodies past the 1 MB limit, and a 10 MB one, signed
  for (const body of oversizedBodies()) await one({ kind: 'signed', path: '/describeSignalingChannel', body });
  await fc.assert(
    fc.asyncProperty(httpCaseArb(fz), async (c) => {
      await one(c);
      return true;
    }),
    { numRuns: runs, seed },
  );
  stats.p50Ms = percentile(times, 50);
  stats.maxMs = Math.max(0, ...times);
  return stats;
}

/** Signed bodies over the emulator's 1 MB limit (one of 10 MB): each must get 413, not a reset. @public */
export function oversizedBodies(): string[] {
  return [`{"ChannelName":"${'a'.repeat(1024 * 1024)}"}`, ...bigFrames(10 * 1024 * 1024).slice(0, 2).map((f) => f.text)];
}

/** Malformed HTTP written to a raw TLS socket: each must get a 4xx status line, not silence. @public */
export const RAW_REQUESTS: Array<[string, string]> = [
  ['garbage request line', '\u0000\u0001\u0002 nonsense\r\n\r\n'],
  ['header without colon', 'POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
  ['both Content-Length and chunked', 'POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['negative Content-Length', 'POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'],
  ['64 KB header', `POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`],
  ['bad chunk size', 'POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ['HTTP/9.9', 'POST /describeSignalingChannel HTTP/9.9\r\nHost: x\r\n\r\n'],
];

/** Sends one raw request; resolves with the first line of the reply ('' when the socket closed silently). @public */
export function rawRequest(fz: FuzzEmulator, text: string): Promise<string> {
  const { hostname, port } = new URL(fz.emu.controlPlaneEndpoint);
  return new Promise((resolve) => {
    let got = '';
    const socket = tls.connect({ host: hostname, port: Number(port), ca: fz.emu.ca, servername: hostname === '127.0.0.1' ? undefined : hostname }, () => socket.write(text));
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(done, 3000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      if (got.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** Presigns a connect URL for a role on a channel. @public */
export async function connectUrl(fz: FuzzEmulator, channelArn: string, role: 'MASTER' | 'VIEWER', clientId?: string, signingDate?: Date): Promise<string> {
  const { url } = constructConnectWssEndpointRequest({ wssEndpoint: fz.wssEndpoint, channelArn, role, ...(clientId === undefined ? {} : { clientId }) });
  return presignWssUrl(url, { credentials: fz.emu.credentials, region: fz.emu.region, ...(signingDate ? { signingDate } : {}) });
}

/** Opens a WebSocket; resolves with the socket, or the refusal status and error type. @public */
export function openSocket(fz: FuzzEmulator, url: string): Promise<{ ws?: WebSocket; status: number; errorType?: string; error?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ca: fz.emu.ca, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve({ ws, status: 101 }));
    ws.once('unexpected-response', (_req, res) => {
      const errorType = res.headers['x-amzn-errortype'];
      res.resume();
      resolve({ status: res.statusCode ?? 0, ...(typeof errorType === 'string' ? { errorType } : {}) });
      ws.terminate();
    });
    ws.once('error', (e) => resolve({ status: 0, error: e.message }));
  });
}

/** Fuzzes the WebSocket handshake with mutated presigned URLs. @public */
export async function fuzzHandshake(fz: FuzzEmulator, runs: number, seed: number): Promise<EmulatorFuzzStats> {
  const stats: EmulatorFuzzStats = { part: 'WebSocket handshake', cases: 0, statuses: {}, findings: [], p50Ms: 0, maxMs: 0 };
  await ensureChannels(fz);
  const arn = fz.channels[1]?.arn ?? '';
  const good = await connectUrl(fz, arn, 'VIEWER', 'hs-viewer');
  const old = await connectUrl(fz, arn, 'VIEWER', 'hs-viewer', new Date(Date.now() - 300_000));
  const times: number[] = [];
  const arb = fc.oneof(
    // replace one parameter's value with something hostile
    fc.tuple(fc.constantFrom('X-Amz-ChannelARN', 'X-Amz-ClientId', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Credential', 'X-Amz-Algorithm', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token'), hostileString(3000)).map(([k, v]) => {
      const u = new URL(good);
      u.searchParams.set(k, v);
      return u.toString();
    }),
    // drop a parameter, or duplicate one
    fc.tuple(fc.constantFrom('X-Amz-ChannelARN', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-Credential', 'X-Amz-Expires'), fc.boolean()).map(([k, dup]) => {
      const u = new URL(good);
      if (dup) u.searchParams.append(k, u.searchParams.get(k) ?? '');
      else u.searchParams.delete(k);
      return u.toString();
    }),
    // raw mutations of the URL text after the authority
    mutatedFrames([good]).map((m) => (m.startsWith(fz.wssEndpoint) ? m : good + m.slice(0, 100)).replace(/[\s#]/g, '')),
    fc.constantFrom(old, good.replace('?', '/x?'), `${fz.wssEndpoint}/`, `${fz.wssEndpoint}/?X-Amz-ChannelARN=${encodeURIComponent(arn)}`),
  );
  await fc.assert(
    fc.asyncProperty(arb, async (url) => {
      let r: Awaited<ReturnType<typeof openSocket>>;
      const t0 = performance.now();
      try {
        r = await openSocket(fz, url);
      } catch (e) {
        r = { status: 0, error: String(e) };
      }
      times.push(performance.now() - t0);
      stats.cases++;
      reportStatus(stats, r.status);
      if (r.ws) {
        r.ws.terminate();
      } else if (r.status >= 500 || (r.status >= 400 && r.errorType === undefined)) {
        stats.findings.push(`handshake ${url.slice(0, 200)}: ${r.status} ${r.errorType ?? ''}`);
      } else if (r.status === 0 && !/Invalid URL|invalid|ERR_/i.test(r.error ?? '')) {
        stats.findings.push(`handshake ${url.slice(0, 200)}: no reply (${r.error ?? ''})`);
      }
      return true;
    }),
    { numRuns: runs, seed },
  );
  // an expired presigned URL must be refused with 403
  const expired = await openSocket(fz, old);
  if (expired.status !== 403) stats.findings.push(`a presigned URL signed 300 s ago was answered ${expired.status}, not 403`);
  expired.ws?.terminate();
  stats.p50Ms = percentile(times, 50);
  stats.maxMs = Math.max(0, ...times);
  return stats;
}

/** One frame to send: text, bytes sent as a text frame (maybe invalid UTF-8), or binary. @public */
export type FrameCase = { from: 'MASTER' | 'VIEWER'; text?: string; bytes?: Uint8Array; binary?: boolean };

/** Frames a client could send, structured and mutated, in both key casings. @public */
export function frameArb(): fc.Arbitrary<FrameCase> {
  const action = slot(fc.constantFrom('SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE', 'GO_AWAY', 'sdp_offer', '').map(J.str));
  const recipient = slot(fc.oneof(fc.constant('fuzz-viewer'), idArb(20)).map(J.str));
  const corr = slot(idArb(40).map(J.str));
  const camel = objectOf({ action, recipientClientId: recipient, messagePayload: slot(messagePayloadArb), correlationId: corr }).map(renderJson);
  const pascal = objectOf({ action, RecipientClientId: recipient, MessagePayload: slot(messagePayloadArb), CorrelationId: corr }).map(renderJson);
  const seeds = [
    `{"action":"SDP_OFFER","recipientClientId":"fuzz-viewer","messagePayload":"${base64Of('{"type":"offer","sdp":"v=0\\r\\n"}')}","correlationId":"c1"}`,
    `{"action":"ICE_CANDIDATE","RecipientClientId":"fuzz-viewer","MessagePayload":"${base64Of('{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}')}"}`,
  ];
  const text = fc.oneof({ weight: 4, arbitrary: camel }, { weight: 3, arbitrary: pascal }, { weight: 3, arbitrary: mutatedFrames(seeds) }, { weight: 1, arbitrary: arbitraryText() });
  const from = fc.constantFrom<'MASTER' | 'VIEWER'>('MASTER', 'VIEWER');
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(from, text).map(([f, t]): FrameCase => ({ from: f, text: t })) },
    { weight: 1, arbitrary: fc.tuple(from, fc.constantFrom(...INVALID_UTF8)).map(([f, b]): FrameCase => ({ from: f, bytes: new Uint8Array(b) })) },
    { weight: 1, arbitrary: fc.tuple(from, fc.uint8Array({ maxLength: 64 })).map(([f, b]): FrameCase => ({ from: f, bytes: b, binary: true })) },
  );
}

interface Side {
  ws: WebSocket;
  received: string[];
  closes: number[];
}

async function side(fz: FuzzEmulator, role: 'MASTER' | 'VIEWER'): Promise<Side> {
  const arn = fz.channels[0]?.arn ?? '';
  const r = await openSocket(fz, await connectUrl(fz, arn, role, role === 'VIEWER' ? 'fuzz-viewer' : undefined));
  if (!r.ws) throw new Error(`could not connect the ${role}: ${r.status} ${r.errorType ?? r.error ?? ''}`);
  const s: Side = { ws: r.ws, received: [], closes: [] };
  r.ws.on('message', (d, isBinary) => s.received.push(isBinary ? '<binary>' : (d as Buffer).toString('utf8')));
  r.ws.on('close', (code) => s.closes.push(code));
  r.ws.on('error', () => {});
  return s;
}

// Resolves once the server has processed everything sent before (pong follows in order), or the socket is gone.
function roundTrip(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) return resolve();
    const done = (): void => {
      clearTimeout(t);
      ws.off('pong', done);
      ws.off('close', done);
      resolve();
    };
    const t = setTimeout(done, 5000);
    ws.once('pong', done);
    ws.once('close', done);
    ws.ping();
  });
}

const KNOWN_TYPES = new Set(['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE', 'GO_AWAY', 'RECONNECT_ICE_SERVER', 'STATUS_RESPONSE']);

/** Fuzzes the WebSocket frame handler on a live master and viewer. @public */
export async function fuzzFrames(fz: FuzzEmulator, runs: number, seed: number): Promise<EmulatorFuzzStats & { serverCloses: Record<string, number>; relayed: number }> {
  await ensureChannels(fz);
  const stats = { part: 'WebSocket frames', cases: 0, statuses: {} as Record<string, number>, findings: [] as string[], p50Ms: 0, maxMs: 0, serverCloses: {} as Record<string, number>, relayed: 0 };
  const sides: Record<'MASTER' | 'VIEWER', Side> = { MASTER: await side(fz, 'MASTER'), VIEWER: await side(fz, 'VIEWER') };
  const times: number[] = [];
  const all: string[] = [];
  const send = async (c: FrameCase): Promise<void> => {
    let s = sides[c.from];
    if (s.ws.readyState !== WebSocket.OPEN) {
      for (const code of s.closes) stats.serverCloses[String(code)] = (stats.serverCloses[String(code)] ?? 0) + 1;
      all.push(...s.received);
      s = sides[c.from] = await side(fz, c.from);
    }
    const t0 = performance.now();
    if (c.text !== undefined) s.ws.send(c.text);
    else if (c.bytes) s.ws.send(c.bytes, { binary: c.binary === true });
    await roundTrip(s.ws);
    times.push(performance.now() - t0);
    stats.cases++;
  };
  // frames past the size limit (128 KB) and one of 10 MB
  await send({ from: 'VIEWER', text: `{"action":"SDP_OFFER","messagePayload":"${'A'.repeat(200 * 1024)}"}` });
  await send({ from: 'MASTER', text: bigFrames(10 * 1024 * 1024)[0]?.text ?? '' });
  await fc.assert(
    fc.asyncProperty(frameArb(), async (c) => {
      await send(c);
      return true;
    }),
    { numRuns: runs, seed },
  );
  for (const s of Object.values(sides)) {
    await roundTrip(s.ws);
    all.push(...s.received);
    for (const code of s.closes) stats.serverCloses[String(code)] = (stats.serverCloses[String(code)] ?? 0) + 1;
    s.ws.terminate();
  }
  for (const text of all) {
    let ok = false;
    try {
      // an event, or the service's notice for a frame it refuses ({"message":"Forbidden",...})
      const v = JSON.parse(text) as { messageType?: unknown; message?: unknown };
      ok = typeof v === 'object' && v !== null && ((typeof v.messageType === 'string' && KNOWN_TYPES.has(v.messageType)) || (v.messageType === undefined && typeof v.message === 'string'));
    } catch {
      ok = false;
    }
    if (!ok && stats.findings.length < 10) stats.findings.push(`emulator sent a malformed frame: ${text.slice(0, 200)}`);
    stats.relayed++;
  }
  stats.statuses = { sent: stats.cases, 'frames received': all.length };
  stats.p50Ms = percentile(times, 50);
  stats.maxMs = Math.max(0, ...times);
  return stats;
}

/** After fuzzing: a fresh master and viewer still connect and exchange a message. @public */
export async function healthCheck(fz: FuzzEmulator): Promise<string | undefined> {
  await ensureChannels(fz);
  const arn = fz.channels[1]?.arn ?? '';
  const m = await openSocket(fz, await connectUrl(fz, arn, 'MASTER'));
  const v = await openSocket(fz, await connectUrl(fz, arn, 'VIEWER', 'health-viewer'));
  try {
    if (!m.ws || !v.ws) return `health: could not connect (${m.status}/${v.status})`;
    const got = new Promise<string>((resolve) => m.ws?.once('message', (d) => resolve((d as Buffer).toString('utf8'))));
    v.ws.send(JSON.stringify({ action: 'SDP_OFFER', messagePayload: base64Of('{"type":"offer","sdp":"v=0\\r\\n"}') }));
    const text = await Promise.race([got, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    const frame = JSON.parse(text === 'timeout' ? '{}' : text) as { messageType?: string; senderClientId?: string };
    if (frame.messageType !== 'SDP_OFFER' || frame.senderClientId !== 'health-viewer') return `health: the offer did not arrive (${text.slice(0, 100)})`;
    const desc = await call(fz, '/describeSignalingChannel', JSON.stringify({ ChannelName: 'fuzz-b' }));
    if (desc.status !== 200) return `health: describe gave ${desc.status}`;
    return undefined;
  } finally {
    m.ws?.terminate();
    v.ws?.terminate();
  }
}

/** The emulator part of `pnpm reliability:fuzz`. @public */
export async function emulatorFuzzStage(opts: { runs: number; seed: number; log: (line: string) => void }): Promise<StageResult> {
  const fz = await startFuzzEmulator();
  try {
    const parts: EmulatorFuzzStats[] = [];
    opts.log(`emulator: HTTP handlers, ${opts.runs} requests`);
    parts.push(await fuzzHttp(fz, opts.runs, opts.seed));
    opts.log(`emulator: raw malformed HTTP, ${RAW_REQUESTS.length} requests`);
    const raw: EmulatorFuzzStats = { part: 'malformed HTTP (raw socket)', cases: 0, statuses: {}, findings: [], p50Ms: Number.NaN, maxMs: Number.NaN };
    for (const [name, text] of RAW_REQUESTS) {
      const line = await rawRequest(fz, text);
      raw.cases++;
      reportStatus(raw, line.split(' ')[1] ?? 'silence');
      if (!/^HTTP\/1\.[01] 4\d\d/.test(line)) raw.findings.push(`raw ${name}: answered ${JSON.stringify(line) || 'nothing'} instead of a 4xx`);
    }
    parts.push(raw);
    opts.log(`emulator: WebSocket handshakes, ${Math.ceil(opts.runs / 10)} URLs`);
    parts.push(await fuzzHandshake(fz, Math.ceil(opts.runs / 10), opts.seed));
    opts.log(`emulator: WebSocket frames, ${opts.runs} frames`);
    parts.push(await fuzzFrames(fz, opts.runs, opts.seed));
    const health = await healthCheck(fz);
    const findings = [...parts.flatMap((p) => p.findings.map((f) => `emulator ${p.part}: ${f}`)), ...fz.internalFailures.map((l) => `emulator internal failure: ${l}`), ...(health ? [health] : [])];
    for (const p of parts) opts.log(`${p.part}: ${p.cases} cases; ${JSON.stringify(p.statuses)}; ${p.findings.length} findings`);
    return {
      title: 'Emulator (HTTP and WebSocket handlers)',
      head: ['part', 'cases', 'answers', 'p50', 'slowest', 'findings'],
      rows: parts.map((p) => [p.part, p.cases, Object.entries(p.statuses).map(([k, v]) => `${k}: ${v}`).join(', '), Number.isNaN(p.p50Ms) ? '–' : `${p.p50Ms.toFixed(1)} ms`, Number.isNaN(p.maxMs) ? '–' : `${p.maxMs.toFixed(0)} ms`, p.findings.length]),
      findings,
    };
  } finally {
    await fz.close();
  }
}
