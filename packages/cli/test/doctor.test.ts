/**
 * `kvs-sig doctor`, spawned as a user runs it, against emulators with a real
 * coturn behind their GetIceServerConfig, healthy and with each fault: expired
 * keys, clock skew, a missing channel, media storage on, TURN unreachable.
 */
import * as https from 'node:https';
import { CreateStreamCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { ChannelManager } from '@kvs-sig/client';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { startTurnServer, type TurnServer } from '@kvs-sig/example-common';
import { isolatedEnv, runCli } from './helpers';

jest.setTimeout(120_000);

interface Report {
  exitCode: number;
  checks: Array<{ check: string; status: string; detail: string }>;
}

const ORDER = ['credentials', 'clock', 'endpoint', 'channel', 'storage', 'websocket', 'ice-servers', 'turn'];

let turn: TurnServer;
const emulators: Emulator[] = [];

async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emu = await startEmulator({ tls: true, turn: { urls: turn.urls, secret: turn.secret }, ...options });
  emulators.push(emu);
  return emu;
}

function envOf(emu: Emulator, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return isolatedEnv({
    AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
    AWS_REGION: emu.region,
    ...extra,
  });
}

async function doctor(emu: Emulator, channel: string, args: string[] = [], env = envOf(emu)) {
  const r = await runCli(['doctor', channel, '--json', '--timeout', '5', '--endpoint', emu.controlPlaneEndpoint, '--ca', emu.caPath!, ...args], env);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const row = (check: string) => report.checks.find((c) => c.check === check)!;
  return { ...r, report, row };
}

async function createChannel(emu: Emulator, name: string): Promise<string> {
  const m = new ChannelManager({ region: emu.region, credentials: emu.credentials, endpoint: emu.controlPlaneEndpoint, tls: { ca: emu.ca! } });
  try {
    return (await m.createChannel({ channelName: name })).channelArn;
  } finally {
    await m.close();
  }
}

beforeAll(async () => {
  turn = await startTurnServer();
});

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await turn?.close();
});

it('passes every check against a healthy emulator with coturn: one row per check, in order, and a relay candidate', async () => {
  const emu = await emulator();
  await createChannel(emu, 'doc-ok');
  const [viewer, master] = await Promise.all([doctor(emu, 'doc-ok'), doctor(emu, 'doc-ok', ['--role', 'master'])]);
  for (const r of [viewer, master]) {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.report.exitCode).toBe(0);
    expect(r.report.checks.map((c) => c.check)).toEqual(ORDER);
    expect(r.report.checks.map((c) => [c.check, c.status])).toEqual(ORDER.map((c) => [c, 'ok']));
    // coturn relays on 127.0.0.1: the candidate it allocated is named.
    expect(r.row('turn').detail).toMatch(new RegExp(`^relay 127\\.0\\.0\\.1:\\d+ via turn:127\\.0\\.0\\.1:${turn.port}`));
  }
  expect(viewer.row('websocket').detail).toMatch(/^connected as VIEWER kvs-sig-doctor-/);
  expect(master.row('websocket').detail).toMatch(/^connected as MASTER in/);
  expect(viewer.row('channel').detail).toBe('doc-ok (SINGLE_MASTER) is ACTIVE');
  // Each handshake reached the emulator for its role.
  expect(emu.log.count('ConnectAsViewer')).toBe(1);
  expect(emu.log.count('ConnectAsMaster')).toBe(1);
});

it('prints a table that fits 80 columns, one row per check (wrapped), and says which check failed', async () => {
  const emu = await emulator();
  const r = await runCli(['doctor', 'doc-none', '--timeout', '5', '--endpoint', emu.controlPlaneEndpoint, '--ca', emu.caPath!], envOf(emu));
  expect(r.code).toBe(13);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^\s+CHECK\s+RESULT$/);
  for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  // Each check starts one row, in order; a long explanation wraps under RESULT.
  expect(lines.map((l) => /^(ok|warn|FAIL|-)\s+([a-z-]+)\s/.exec(l)?.[2]).filter(Boolean)).toEqual(ORDER);
  expect(r.stdout).toMatch(/^FAIL\s+channel\s+doc-none does not exist in us-west-2: create it/m);
  expect(r.stdout.replace(/\n {19}/g, ' ')).toContain('create it (kvs-sig channel create doc-none) or check --region');
  expect(r.stdout).toMatch(/channel failed \(exit 13\)\.\n$/);
});

it('names the failing check with its exit code for each fault', async () => {
  const healthy = await emulator();
  const arn = await createChannel(healthy, 'doc-storage');
  const m = new ChannelManager({ region: healthy.region, credentials: healthy.credentials, endpoint: healthy.controlPlaneEndpoint, tls: { ca: healthy.ca! } });
  // The emulator maps a channel only to a stream that exists (as the service does), with retention.
  const kv = new KinesisVideoClient({ region: healthy.region, endpoint: healthy.controlPlaneEndpoint, credentials: healthy.credentials, maxAttempts: 1, requestHandler: { httpsAgent: new https.Agent({ ca: healthy.ca!, keepAlive: false }) } });
  const { StreamARN: streamArn } = await kv.send(new CreateStreamCommand({ StreamName: 'doc', DataRetentionInHours: 24 }));
  kv.destroy();
  await m.updateMediaStorageConfiguration({ channelArn: arn, status: 'ENABLED', streamArn: streamArn! });
  await m.close();
  await createChannel(healthy, 'doc-fine');

  // Keys the service says have expired (the local chain cannot know).
  const expired = await emulator();
  await createChannel(expired, 'doc-fine');
  expired.setCredentials({ ...expired.credentials, expiration: new Date(Date.now() - 60_000) });
  // Keys the local chain already knows have expired (AWS_CREDENTIAL_EXPIRATION).
  const pastIso = new Date(Date.now() - 3_600_000).toISOString();
  // The service's clock runs 10 min ahead of this machine's.
  const skewed = await emulator();
  await createChannel(skewed, 'doc-fine');
  skewed.faults.setClockOffset(10 * 60_000);
  // GetIceServerConfig lists TURN URIs on which nothing listens.
  const noTurn = await startEmulator({ tls: true });
  emulators.push(noTurn);
  await createChannel(noTurn, 'doc-fine');

  const [keys, localKeys, skew, missing, storage, ingestion, turnDown] = await Promise.all([
    doctor(expired, 'doc-fine'),
    doctor(healthy, 'doc-fine', [], envOf(healthy, { AWS_SESSION_TOKEN: 'token', AWS_CREDENTIAL_EXPIRATION: pastIso })),
    doctor(skewed, 'doc-fine'),
    doctor(healthy, 'doc-missing'),
    doctor(healthy, 'doc-storage', ['--role', 'master']),
    doctor(healthy, 'doc-storage', ['--role', 'master', '--ingestion']),
    doctor(noTurn, 'doc-fine', ['--timeout', '3']),
  ]);

  expect([keys.code, keys.report.exitCode]).toEqual([10, 10]);
  expect(keys.row('credentials')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^the service refused them: ExpiredTokenException: /) });
  expect(keys.row('channel').status).toBe('skip');

  expect(localKeys.code).toBe(10);
  expect(localKeys.row('credentials').detail).toMatch(/with a session token expired 60 min ago/);

  expect(skew.code).toBe(11);
  expect(skew.row('credentials').status).toBe('ok');
  expect(skew.row('clock')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^this clock is 10 min behind the service's/) });

  expect(missing.code).toBe(13);
  expect(missing.row('channel')).toMatchObject({ status: 'fail', detail: expect.stringContaining('doc-missing does not exist') });
  expect(['storage', 'websocket', 'ice-servers', 'turn'].map((c) => missing.row(c).status)).toEqual(['skip', 'skip', 'skip', 'skip']);

  expect(storage.code).toBe(14);
  expect(storage.row('storage')).toMatchObject({ status: 'fail', detail: expect.stringContaining('the master talks to the media server (JoinStorageSession), not to viewers') });
  // With --ingestion, storage on is what is wanted.
  expect(ingestion.row('storage')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^ENABLED into arn:aws:kinesisvideo:/) });
  expect(ingestion.code).toBe(0);

  expect(turnDown.code).toBe(17);
  expect(turnDown.row('ice-servers').status).toBe('ok');
  expect(turnDown.row('turn')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^no relay candidate from any of \d+ URIs/) });

  // Every run stops at its own fault: the rows before it passed.
  for (const [r, failing] of [[keys, 'credentials'], [skew, 'clock'], [missing, 'channel'], [storage, 'storage'], [turnDown, 'turn']] as const) {
    const i = ORDER.indexOf(failing);
    expect({ failing, before: r.report.checks.slice(0, i).filter((c) => c.status === 'fail') }).toEqual({ failing, before: [] });
  }
});

it('fails the endpoint check, naming --ca, when the TLS certificate is not trusted', async () => {
  const emu = await emulator();
  const r = await runCli(['doctor', 'x', '--json', '--timeout', '5', '--endpoint', emu.controlPlaneEndpoint], envOf(emu));
  expect(r.code).toBe(12);
  const report = JSON.parse(r.stdout) as Report;
  expect(report.checks.find((c) => c.check === 'endpoint')!.detail).toMatch(/not trusted .*pass --ca <file>/);
  expect(report.checks.find((c) => c.check === 'clock')!.status).toBe('skip');
});
