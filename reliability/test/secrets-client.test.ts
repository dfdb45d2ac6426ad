/**
 * Secrets, client and CLI: every path run with logging at its most verbose,
 * every event and error captured and shown in every form, the CLI run with
 * --debug on success and failure paths. The secret key, the session token and
 * every signature the run produced (captured from the requests and presigned
 * URLs themselves) never appear. Also: the client refuses http:// and ws://
 * endpoints unless they are loopback and explicitly allowed.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { ChannelManager, SignalingClient, isSignalingError } from '@kvs-sig/client';
import type { FetchLike, SignalingClientEvents, SignalingClientOptions } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import type { Emulator } from '@kvs-sig/emulator';
import { presignWssUrl } from '@kvs-sig/signer';
import { SecretScanner, TEST_CREDENTIALS } from '../src/secrets';

const ROOT = path.resolve(__dirname, '../..');
let emu: Emulator;
let agent: Agent;
const scanner = new SecretScanner();
const logLines: string[] = [];

beforeAll(async () => {
  emu = await startEmulator({ credentials: { ...TEST_CREDENTIALS } });
  agent = new Agent({ connect: { ca: emu.ca } });
}, 60_000);
afterAll(async () => {
  await agent?.close();
  await emu?.close();
});

// Transports that record every Authorization header and presigned URL, so the exact signatures can be searched for.
const capturingFetch: FetchLike = async (url, init) => {
  scanner.addSignaturesFrom(init.headers.authorization ?? '');
  return undiciFetch(url, { ...init, dispatcher: agent });
};
function capturingWebSocket(ca: string): SignalingClientOptions['WebSocket'] {
  return class extends WebSocket {
    constructor(url: string) {
      scanner.addSignaturesFrom(url);
      super(url, { ca });
    }
  } as unknown as SignalingClientOptions['WebSocket'];
}

function verboseLogger(who: string): NonNullable<SignalingClientOptions['logger']> {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    logLines.push(`${who} ${level} ${message}`);
    scanner.scanValue(`${who} log ${level}`, { message, fields });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const EVENTS: Array<keyof SignalingClientEvents> = ['stateChange', 'open', 'close', 'reconnecting', 'error', 'sdpOffer', 'sdpAnswer', 'iceCandidate', 'statusResponse', 'goAway', 'reconnectIceServer', 'iceServersChanged', 'unknownMessage'];

function client(who: string, extra: Partial<SignalingClientOptions> & Pick<SignalingClientOptions, 'role'>): SignalingClient {
  const c = new SignalingClient({
    region: emu.region,
    endpoint: emu.controlPlaneEndpoint,
    credentials: { ...TEST_CREDENTIALS },
    fetch: capturingFetch,
    WebSocket: capturingWebSocket(emu.ca ?? ''),
    logger: verboseLogger(who),
    reconnect: { initialDelayMs: 10, maxDelayMs: 200 },
    ...extra,
  } as SignalingClientOptions);
  for (const e of EVENTS) c.on(e, (payload: unknown) => scanner.scanValue(`${who} event ${e}`, payload));
  return c;
}

async function settle<T>(p: Promise<T>): Promise<unknown> {
  try {
    return await p;
  } catch (e) {
    return e;
  }
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@kvs-sig/source', '--import', 'tsx', 'packages/cli/src/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', AWS_REGION: emu.region, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill('SIGTERM'), 20_000);
    child.stdin.end();
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

test('every client path, at its most verbose, shows no secret key, session token or signature', async () => {
  const master = client('master', { role: 'MASTER', channelName: 'secrets', createChannelIfMissing: true });
  const viewer = client('viewer', { role: 'VIEWER', channelName: 'secrets', clientId: 'secret-viewer' });
  const errors: unknown[] = [];
  const all = [master, viewer];
  try {
  await master.connect();
  await viewer.connect();
  // traffic both ways, ICE servers, a delivery failure reported by the service
  const offered = master.waitFor('sdpOffer', { signal: AbortSignal.timeout(5000) });
  await viewer.sendSdpOffer({ type: 'offer', sdp: 'v=0\r\n' });
  await offered;
  await master.sendSdpAnswer({ type: 'answer', sdp: 'v=0\r\n' }, 'secret-viewer');
  await master.sendIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 }, 'nobody-here', { correlationId: 'c-1' });
  await viewer.getIceServers();
  // faults: GO_AWAY, RECONNECT_ICE_SERVER, a drop, refused handshakes, 5xx and throttling, a clock jump
  emu.faults.goAway({ clientId: 'secret-viewer' });
  emu.faults.reconnectIceServer({ role: 'MASTER' });
  await new Promise((r) => setTimeout(r, 300));
  emu.faults.refuseHandshake(2, { status: 403, errorType: 'AccessDeniedException' });
  emu.faults.failNext('GetSignalingChannelEndpoint', 2, { status: 503 });
  emu.faults.throttleNext('DescribeSignalingChannel', 2);
  emu.faults.dropConnections();
  await new Promise((r) => setTimeout(r, 1500));
  emu.faults.setClockOffset(10 * 60_000);
  emu.faults.dropConnections();
  await new Promise((r) => setTimeout(r, 1500));
  emu.faults.reset();
  // wrong secret (403 with the service's signature message), wrong token, missing channel, bad input
  const wrongSecret = client('wrong-secret', { role: 'VIEWER', channelName: 'secrets', clientId: 'v2', credentials: { ...TEST_CREDENTIALS, secretAccessKey: `${TEST_CREDENTIALS.secretAccessKey}x` }, reconnect: false });
  all.push(wrongSecret);
  errors.push(await settle(wrongSecret.connect()));
  const wrongToken = client('wrong-token', { role: 'VIEWER', channelName: 'secrets', clientId: 'v3', credentials: { ...TEST_CREDENTIALS, sessionToken: `${TEST_CREDENTIALS.sessionToken}x` }, reconnect: false });
  all.push(wrongToken);
  errors.push(await settle(wrongToken.connect()));
  const missing = client('missing', { role: 'VIEWER', channelName: 'no-such-channel', clientId: 'v4', reconnect: false });
  all.push(missing);
  errors.push(await settle(missing.connect()));
  errors.push(await settle(Promise.resolve().then(() => client('bad', { role: 'VIEWER', channelName: 'secrets', clientId: 'AWS_reserved' }))));
  errors.push(await settle(viewer.sendSdpOffer({ type: 'offer', sdp: 'v=0\r\n' }, 'not-allowed')));
  // channel management, including failures
  const manager = new ChannelManager({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: { ...TEST_CREDENTIALS }, fetch: capturingFetch, logger: verboseLogger('manager') });
  const described = await manager.describeChannel({ channelName: 'secrets' });
  scanner.scanValue('describeChannel result', described);
  scanner.scanValue('listChannels result', await manager.listChannels());
  errors.push(await settle(manager.describeChannel({ channelName: 'nope' })));
  errors.push(await settle(manager.deleteChannel({ channelArn: described.channelArn ?? '', currentVersion: 'staleVersion1' })));
  await manager.close();
  scanner.scanValue('metrics', [master.metrics(), viewer.metrics()]);
  } finally {
    for (const c of all) await c.close();
  }
  for (const [i, e] of errors.entries()) {
    expect([i, isSignalingError(e)]).toEqual([i, true]);
    scanner.scanError(`error ${i}`, e);
  }
  // the run produced signatures and logged at every level, so the scan was over real material
  expect(scanner.scanned).toBeGreaterThan(100);
  expect(scanner.signatureCount).toBeGreaterThan(10);
  expect(logLines.some((l) => l.includes(' debug '))).toBe(true);
  expect(scanner.leaks).toEqual([]);
}, 60_000);

test('the CLI with --debug, on success and on failure, prints no secret key, session token or signature', async () => {
  const env = { AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken };
  const common = ['--endpoint', emu.controlPlaneEndpoint, '--ca', emu.caPath ?? '', '--debug'];
  const runs = [
    await runCli(['channel', 'create', 'cli-secrets', ...common], env),
    await runCli(['channel', 'describe', 'cli-secrets', ...common, '--json'], env),
    await runCli(['endpoints', 'cli-secrets', ...common], env),
    await runCli(['ice-servers', 'cli-secrets', ...common, '--json'], env),
    await runCli(['channel', 'describe', 'no-such-channel', ...common], env),
    await runCli(['channel', 'describe', 'cli-secrets', ...common], { ...env, AWS_SECRET_ACCESS_KEY: `${TEST_CREDENTIALS.secretAccessKey}x` }),
    await runCli(['channel', 'describe', 'cli-secrets', ...common], { ...env, AWS_SESSION_TOKEN: `${TEST_CREDENTIALS.sessionToken}x` }),
    await runCli(['connect', 'cli-secrets', '--role', 'viewer', '--client-id', 'cli-v', '--exit-on-eof', ...common], env),
  ];
  for (const [i, r] of runs.entries()) scanner.scan(`cli run ${i} (exit ${r.code})`, r.out);
  // success and failure both happened: exit 0, 4 (not found) and 7 (auth)
  expect(runs.map((r) => r.code)).toEqual(expect.arrayContaining([0, 4, 7]));
  expect(scanner.leaks.filter((l) => l.label.startsWith('cli'))).toEqual([]);
}, 120_000);

test('the emulator refuses a presigned URL older than its 299 s lifetime and accepts a younger one', async () => {
  const manager = new ChannelManager({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: { ...TEST_CREDENTIALS }, fetch: capturingFetch });
  try {
    const { channelArn } = await manager.createChannel({ channelName: 'expiry' });
    const { wssEndpoint: wss } = await manager.getEndpoints({ channelArn, role: 'MASTER' });
    const open = async (ageS: number): Promise<number> => {
      const url = await presignWssUrl(`${wss}?X-Amz-ChannelARN=${encodeURIComponent(channelArn)}`, { credentials: { ...TEST_CREDENTIALS }, region: emu.region, signingDate: new Date(Date.now() - ageS * 1000) });
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('299');
      return new Promise((resolve) => {
        const ws = new WebSocket(url, { ca: emu.ca });
        ws.once('open', () => {
          ws.terminate();
          resolve(101);
        });
        ws.once('unexpected-response', (_q, res) => {
          res.resume();
          ws.terminate();
          resolve(res.statusCode ?? 0);
        });
        ws.once('error', () => resolve(0));
      });
    };
    expect(await open(200)).toBe(101);
    expect(await open(300)).toBe(403);
  } finally {
    await manager.close();
  }
}, 30_000);

describe('insecure endpoints', () => {
  const base = { role: 'VIEWER' as const, channelName: 'x', clientId: 'v', region: 'us-west-2', credentials: { ...TEST_CREDENTIALS } };
  test.each([
    ['http://kinesisvideo.example.com', false],
    ['http://10.0.0.1:4443', true],
    ['http://127.0.0.1.nip.io:4443', true],
    ['http://localhost.example.com', true],
    ['http://0x7f000001:4443', true],
    ['http://127.0.0.1:4443', false],
    ['http://[::1]:4443', false],
    ['HTTP://127.0.0.1:4443', false],
  ])('endpoint %s (allowInsecureEndpoints %s) is refused with INSECURE_ENDPOINT', (endpoint, allow) => {
    let thrown: unknown;
    try {
      new SignalingClient({ ...base, endpoint, allowInsecureEndpoints: allow });
    } catch (e) {
      thrown = e;
    }
    expect(isSignalingError(thrown) && thrown.code).toBe('INSECURE_ENDPOINT');
  });

  test.each([['http://127.0.0.1:4443'], ['http://localhost:4443'], ['http://[::1]:4443']])('loopback %s is accepted with allowInsecureEndpoints', (endpoint) => {
    expect(() => new SignalingClient({ ...base, endpoint, allowInsecureEndpoints: true })).not.toThrow();
  });

  test('a ws:// signaling endpoint to a remote host is refused even with allowInsecureEndpoints', () => {
    const { channelName: _name, ...noName } = base;
    let thrown: unknown;
    try {
      new SignalingClient({ ...noName, channelArn: 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/x/1234567890123', signalingEndpoints: { wssEndpoint: 'ws://203.0.113.5:80' }, allowInsecureEndpoints: true, reconnect: false } as SignalingClientOptions);
    } catch (e) {
      thrown = e;
    }
    expect(isSignalingError(thrown) && thrown.code).toBe('INSECURE_ENDPOINT');
  });

  test('plain http to a loopback emulator works only when allowed', async () => {
    const plain = await startEmulator({ tls: false });
    try {
      const opts = { role: 'MASTER' as const, channelName: 'plain', createChannelIfMissing: true, region: plain.region, endpoint: plain.controlPlaneEndpoint, credentials: plain.credentials, reconnect: false as const };
      let refused: unknown;
      try {
        new SignalingClient(opts);
      } catch (e) {
        refused = e;
      }
      expect(isSignalingError(refused) && refused.code).toBe('INSECURE_ENDPOINT');
      const c = new SignalingClient({ ...opts, allowInsecureEndpoints: true });
      await c.connect();
      expect(c.state).toBe('open');
      await c.close();
    } finally {
      await plain.close();
    }
  }, 30_000);
});
