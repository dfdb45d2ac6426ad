import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../src';
import { call, connect, createChannel, refused } from './helpers';

const repo = join(__dirname, '..', '..', '..');
const runTs = join(repo, 'scripts', 'run-ts.mjs');
const cli = join(__dirname, '..', 'src', 'cli.ts');

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [runTs, cli, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function firstLine(read: () => string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes('\n')) {
    if (Date.now() > deadline) throw new Error(`no output within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return read().split('\n')[0]!;
}

test('kvs-sig-emulator --json prints endpoint, region, credentials and CA path; serves signed calls; stops cleanly on SIGTERM', async () => {
  const p = run(['--json', '--region', 'eu-west-1', '--access-key-id', 'AKIACLITEST', '--secret-access-key', 'clisecret']);
  try {
    const info = JSON.parse(await firstLine(p.stdout)) as Record<string, string>;
    expect(info).toMatchObject({ region: 'eu-west-1', accessKeyId: 'AKIACLITEST', secretAccessKey: 'clisecret' });
    expect(info.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(info.caPath!)).toBe(true);
    const emu = {
      controlPlaneEndpoint: info.endpoint,
      region: info.region,
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
      ca: readFileSync(info.caPath!, 'utf8'),
    } as unknown as Emulator;
    const arn = await createChannel(emu, 'from-cli');
    expect(arn).toMatch(/^arn:aws:kinesisvideo:eu-west-1:/);
    expect((await call(emu, '/describeSignalingChannel', { ChannelName: 'from-cli' })).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(existsSync(info.caPath!)).toBe(false);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
}, 40_000);

test('the human-readable banner and --no-tls; SIGINT stops it', async () => {
  const p = run(['--no-tls', '--port', '0']);
  try {
    await firstLine(p.stdout);
    await new Promise((r) => setTimeout(r, 200));
    expect(p.stdout()).toMatch(/endpoint +http:\/\/127\.0\.0\.1:\d+/);
    expect(p.stdout()).toMatch(/CA certificate +\(none/);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
}, 40_000);

test('--limit overrides limits and --ice-server-count sets the GetIceServerConfig list; bad values are refused by name', async () => {
  const p = run(['--json', '--no-tls', '--limit', 'maxViewersPerChannel=1', '--limit', 'idleTimeoutMs=60000', '--ice-server-count', '7']);
  try {
    const info = JSON.parse(await firstLine(p.stdout)) as Record<string, string>;
    const emu = { controlPlaneEndpoint: info.endpoint, region: info.region, credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey } } as unknown as Emulator;
    const arn = await createChannel(emu, 'lim');
    const v1 = await connect(emu, arn, { clientId: 'one' });
    const second = await refused(connect(emu, arn, { clientId: 'two' }));
    expect([second.status, second.errorType]).toEqual([400, 'ClientLimitExceededException']);
    await v1.close();
    expect(((await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn })).json.IceServerList as unknown[]).length).toBe(7);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
  const bad = run(['--limit', 'nope=1']);
  expect(await bad.exit).toBe(2);
  expect(bad.stderr()).toMatch(/limits\.nope/);
  const badCount = run(['--ice-server-count', 'many']);
  expect(await badCount.exit).toBe(2);
  expect(badCount.stderr()).toMatch(/--ice-server-count must be a non-negative integer/);
}, 40_000);

test('a bad flag exits 2 with the usage', async () => {
  const p = run(['--port', 'abc']);
  expect(await p.exit).toBe(2);
  expect(p.stderr()).toMatch(/--port must be a number/);
  expect(p.stderr()).toMatch(/Usage: kvs-sig-emulator/);
}, 40_000);
