import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPackages, pnpmPack, root } from './built';
import { startTurnServer } from '@kvs-sig/example-common';
import { readmeJestExample } from './readme-blocks';

const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const manifestOf = (name: string) => JSON.parse(readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')) as Record<string, unknown>;
const workspace = readdirSync(path.join(root, 'packages')).filter((d) => existsSync(path.join(root, 'packages', d, 'package.json')));
/** Every package that is published (not `private`): a new one is covered as soon as it is. */
const tarballs = workspace.filter((name) => manifestOf(name).private !== true);
/** The libraries among them; a command such as @kvs-sig/cli gets the tarball and bin checks, not the library ones. */
const packages = tarballs.filter((name) => (manifestOf(name).exports as Record<string, unknown> | undefined)?.['.'] !== undefined);
/** Every bin of the workspace, published or not. */
const bins = workspace.flatMap((pkg) => Object.values((manifestOf(pkg).bin as Record<string, string> | undefined) ?? {}).map((file) => ({ pkg, file: path.posix.normalize(file) })));

function run(cmd: string, args: string[], cwd = root) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Every file path an exports map can resolve to, under any condition. */
function exportTargets(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (node === null || typeof node !== 'object') return [];
  return Object.values(node).flatMap(exportTargets);
}

/** The exports map without the workspace-only `@kvs-sig/source` condition. */
function withoutSource(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== '@kvs-sig/source').map(([k, v]) => [k, withoutSource(v)]));
}

/** Packs `dir` as `pnpm publish` would (workspace ranges and publishConfig applied) and lists the tarball. */
function packed(dir: string): { files: Set<string>; manifest: Record<string, unknown>; text: (file: string) => string } {
  const out = mkdtempSync(path.join(os.tmpdir(), 'kvs-pack-'));
  try {
    const tarball = pnpmPack(dir, out);
    const list = run('tar', ['tzf', tarball]);
    const files = new Set(list.out.split('\n').map((l) => l.trim().replace(/^package\//, '')).filter(Boolean));
    const contents = new Map<string, string>();
    for (const f of files) if (/\.(c?js|json)$/.test(f)) contents.set(f, run('tar', ['xzOf', tarball, `package/${f}`]).out);
    return { files, manifest: JSON.parse(contents.get('package.json')!) as Record<string, unknown>, text: (f) => contents.get(f) ?? '' };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// Users install the built packages, not our sources: build them once and check
// what npm would publish (exports map, ESM + CJS, declarations) as a user sees it.
beforeAll(() => {
  buildPackages([...new Set([...tarballs, ...bins.map((b) => b.pkg)])]);
}, 240_000);

describe.each(packages)('@kvs-sig/%s as published', (name) => {
  const dir = path.join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));

  test('declares the module basics', () => {
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.type).toBe('module');
    expect(manifest.exports['.']).toBeDefined();
    expect(manifest.engines?.node).toBe('>=20');
  });

  test('publint finds nothing to fix', () => {
    const r = run(bin('publint'), ['--strict', dir]);
    expect(r.out).not.toMatch(/Errors?:|Warnings?:/);
    expect(r.status).toBe(0);
  });

  test('are-the-types-wrong finds no problem under any resolution, node10 included', () => {
    const r = run(bin('attw'), ['--pack', dir, '--format', 'json']);
    const report = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
    // node10 (TypeScript's `moduleResolution: node`) cannot see subpath exports:
    // a subpath such as @kvs-sig/signer/node resolves through `typesVersions`.
    const problems: unknown[] = report.analysis?.problems ?? report.problems ?? [];
    expect(problems).toEqual([]);
    const kinds = new Set(Object.values(report.analysis?.entrypoints ?? {}).flatMap((e) => Object.keys((e as { resolutions?: object }).resolutions ?? {})));
    expect([...kinds].sort()).toEqual(['bundler', 'node10', 'node16-cjs', 'node16-esm']);
  }, 120_000);

  test('imports from ESM and requires from CJS without the source condition', () => {
    const esm = run(process.execPath, ['--input-type=module', '-e', `import * as m from '@kvs-sig/${name}'; console.log(Object.keys(m).length)`], dir);
    expect(esm.status).toBe(0);
    // The emulator's main entry has three values (startEmulator, DEFAULT_LIMITS, generateCertificates).
    const least = name === 'emulator' ? 3 : 4;
    expect(Number(esm.out.trim().split('\n')[0])).toBeGreaterThanOrEqual(least);
    const cjs = run(process.execPath, ['-e', `console.log(Object.keys(require('@kvs-sig/${name}')).length)`], dir);
    expect(cjs.status).toBe(0);
    expect(Number(cjs.out.trim().split('\n')[0])).toBeGreaterThanOrEqual(least);
    expect(existsSync(path.join(dir, 'dist/index.d.ts')) || existsSync(path.join(dir, 'dist/index.node.d.ts'))).toBe(true);
  });
});

describe.each(tarballs)('@kvs-sig/%s tarball (pnpm pack)', (name) => {
  const dir = path.join(root, 'packages', name);
  let tar: ReturnType<typeof packed>;
  beforeAll(() => {
    tar = packed(dir);
  }, 120_000);

  test('ships no sources and no source maps, and no code names a missing map', () => {
    const files = [...tar.files];
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((f) => /\.c?js$/.test(f))) expect(tar.text(f)).not.toMatch(/sourceMappingURL=/);
  });

  test('every export target, main/module/types and bin resolves to a shipped file; the source condition is gone', () => {
    const m = tar.manifest;
    const repo = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    // publishConfig.exports must stay the workspace map minus the source condition.
    expect(m.exports).toEqual(withoutSource(repo.exports));
    expect(JSON.stringify(m)).not.toContain('@kvs-sig/source');
    expect(m.publishConfig).toBeUndefined();
    const targets = [...exportTargets(m.exports), m.main, m.module, m.types, ...Object.values((m.bin as Record<string, string>) ?? {})].filter((t) => t !== undefined);
    for (const t of targets) expect([t, tar.files.has(path.posix.normalize(String(t)))]).toEqual([t, true]);
    for (const [k, v] of Object.entries((m.dependencies as Record<string, string>) ?? {})) expect([k, v]).toEqual([k, expect.not.stringMatching(/^workspace:/)]);
    // A package-internal `#…` import map must not point at sources that are not shipped.
    for (const t of exportTargets(m.imports)) expect([t, tar.files.has(path.posix.normalize(t))]).toEqual([t, true]);
  });

  test('every relative import of the shipped code and bin shims is shipped', () => {
    let seen = 0;
    for (const f of [...tar.files].filter((f) => /\.c?js$/.test(f))) {
      for (const [, spec] of tar.text(f).matchAll(/(?:from\s*|import\(\s*|require\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec!));
        expect([f, spec, tar.files.has(target)]).toEqual([f, spec, true]);
        seen++;
      }
    }
    // A shared chunk or a bin shim is reached only through such an import: it must have been seen.
    if ([...tar.files].some((f) => /^(bin\/|dist\/chunk-)/.test(f))) expect(seen).toBeGreaterThan(0);
  });
});

test('@kvs-sig/core: the browser build carries only the native codec, and no build keeps a #codec import', () => {
  const dist = path.join(root, 'packages/core/dist');
  const read = (f: string) => readFileSync(path.join(dist, f), 'utf8');
  const esm = (tree: string) => readdirSync(path.join(dist, tree)).map((f) => `${tree}/${f}`);
  const all = ['index.cjs', 'index.browser.cjs', ...esm('esm'), ...esm('browser')];
  expect(all.filter((f) => read(f).includes('#codec'))).toEqual([]);
  for (const f of ['index.cjs', 'esm/codec.js']) expect(read(f)).toContain('function pureDecodeUtf8(');
  for (const f of ['index.browser.cjs', ...esm('browser')]) expect({ f, pure: /function pure[A-Z]/.test(read(f)) }).toEqual({ f, pure: false });
  const manifest = JSON.parse(readFileSync(path.join(root, 'packages/core/package.json'), 'utf8'));
  expect(manifest.exports['.'].browser.import.default).toBe('./dist/browser/index.js');
});

test('@kvs-sig/core: the ES modules are one file per source module, so bundlers can split operations apart', () => {
  const dist = path.join(root, 'packages/core/dist');
  const sources = readdirSync(path.join(root, 'packages/core/src')).filter((f) => f.endsWith('.ts') && !f.startsWith('codec'));
  for (const tree of ['esm', 'browser']) {
    const files = readdirSync(path.join(dist, tree));
    expect({ tree, missing: sources.map((f) => f.replace(/\.ts$/, '.js')).filter((f) => !files.includes(f)) }).toEqual({ tree, missing: [] });
    // An operation's module holds its own code only: the rest is imported from its siblings.
    const list = readFileSync(path.join(dist, tree, 'list-signaling-channels.js'), 'utf8');
    expect(list).toContain('/listSignalingChannels');
    expect(list).not.toContain('/deleteSignalingChannel');
    expect(list).toMatch(/from "\.\/validate\.js"/);
  }
});

describe('a browser viewer over the built packages (issue 18)', () => {
  interface SplitReport {
    row: string;
    bundler: string;
    loaded: string[];
    unloaded: string[];
    pageModules: string[];
  }

  test('loads none of the channel calls a viewer never makes, under esbuild and Rolldown: they sit in a chunk it never fetches', () => {
    // bench/src/weight-split.ts bundles the weight benchmark's viewer pages; --published resolves our packages to dist/.
    const r = run(process.execPath, ['scripts/run-ts.mjs', 'bench/src/weight-split.ts', '--published']);
    expect(r.status).toBe(0);
    const reports = JSON.parse(r.out.slice(0, r.out.indexOf('\n'))) as SplitReport[];
    expect(new Set(reports.map((x) => x.bundler))).toEqual(new Set(['esbuild', 'rolldown']));
    for (const x of reports) {
      const page = `${x.bundler}: ${x.row}`;
      expect({ page, loaded: x.loaded }).toEqual({ page, loaded: [] });
      expect({ page, unloaded: x.unloaded }).toEqual({
        page,
        unloaded: expect.arrayContaining([expect.stringMatching(/^packages\/client\/dist\/channel-admin-\w+\.js$/), 'packages/core/dist/browser/list-signaling-channels.js', 'packages/core/dist/browser/create-signaling-channel.js']),
      });
      // The page is made of the built files, and holds what a viewer calls.
      expect({ page, modules: x.pageModules }).toEqual({ page, modules: expect.arrayContaining(['packages/client/dist/index.browser.js', 'packages/core/dist/browser/describe-signaling-channel.js']) });
    }
  }, 180_000);

  test.each([
    ['ESM', 'import { ChannelManager } from "@kvs-sig/client";', '--input-type=module'],
    ['CommonJS', 'const { ChannelManager } = require("@kvs-sig/client");', '--input-type=commonjs'],
  ])('the built client (%s) loads its channel calls on first use and sends the call', (_kind, load, type) => {
    const script = `${load}
const sent = [];
const fetch = async (url, init) => { sent.push([url, init.body]); return { status: 200, headers: new Headers(), text: async () => '{"ChannelInfoList":[]}' }; };
const m = new ChannelManager({ region: 'us-west-2', fetch, requestSigner: { getSignedUrl: async (e) => e, signRequest: async (r) => r } });
m.listChannels({ prefix: 'cam' }).then(async (r) => { console.log(JSON.stringify({ r, sent })); await m.close(); }, (e) => { console.error(e); process.exit(1); });`;
    const r = run(process.execPath, [type, '-e', script], path.join(root, 'packages', 'client'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n')[0]!)).toEqual({
      r: { channels: [] },
      sent: [['https://kinesisvideo.us-west-2.amazonaws.com/listSignalingChannels', JSON.stringify({ ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'cam' } })]],
    });
  });
});

describe('@kvs-sig/cli as published', () => {
  const dir = path.join(root, 'packages', 'cli');

  test('publint finds nothing to fix', () => {
    const r = run(bin('publint'), ['--strict', dir]);
    expect(r.out).not.toMatch(/Errors?:|Warnings?:/);
    expect(r.status).toBe(0);
  });

  test('the library no longer depends on the AWS credential chain; the CLI does', () => {
    const deps = (pkg: string) => Object.keys(JSON.parse(readFileSync(path.join(root, 'packages', pkg, 'package.json'), 'utf8')).dependencies ?? {});
    expect(deps('client')).not.toContain('@aws-sdk/credential-providers');
    expect(deps('cli')).toEqual(expect.arrayContaining(['@aws-sdk/credential-providers', '@kvs-sig/client', '@kvs-sig/core', '@kvs-sig/signer']));
  });

  test('uses the other packages only through their entry points, and prints its own version', () => {
    const code = readFileSync(path.join(dir, 'dist/cli.js'), 'utf8');
    expect(code).not.toMatch(/@kvs-sig\/[a-z]+\/(src|dist)|\.\.\/(client|core|signer)\//);
    const r = run(process.execPath, [path.join(dir, 'bin/kvs-sig.js'), '--version'], dir);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
  });

  test('`kvs-sig emulator` runs the built kvs-sig-emulator with its own flags', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.join(dir, 'bin/kvs-sig.js'), 'emulator', '--json', '--region', 'eu-north-1'], { cwd: os.tmpdir() });
    let out = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('close', (code) => reject(new Error(`exited ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(JSON.parse(line)).toMatchObject({ region: 'eu-north-1', endpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) });
    expect(await exited).toBe(0);
  }, 30_000);
});

describe.each(bins)('the $file command of @kvs-sig/$pkg', ({ pkg, file }) => {
  const dir = path.join(root, 'packages', pkg);

  test('is the bin in package.json and ships in `files`', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(Object.values(manifest.bin)).toEqual([`./${file}`]);
    expect(manifest.files).toContain('bin');
  });

  test('runs the built CLI and prints its usage', () => {
    const r = run(process.execPath, [path.join(dir, file), '--help'], dir);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/usage/i);
  });
});

describe('@kvs-sig/emulator is published', () => {
  const dir = path.join(root, 'packages/emulator');
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  let tar: ReturnType<typeof packed>;
  beforeAll(() => {
    tar = packed(dir);
  }, 120_000);

  test('is public, with the kvs-sig-emulator bin and the testing subpath', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ 'kvs-sig-emulator': './bin/kvs-sig-emulator.js' });
    expect(Object.keys(manifest.exports)).toEqual(['.', './testing', './package.json']);
    expect(tar.manifest.private).toBeUndefined();
  });

  test('the tarball holds only dist, bin, the README and package.json; no code spawns openssl', () => {
    const outside = [...tar.files].filter((f) => !/^(dist\/[^/]+\.(c?js|d\.c?ts)|bin\/kvs-sig-emulator\.js|README\.md|package\.json)$/.test(f));
    expect(outside).toEqual([]);
    expect([...tar.files]).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/testing.js', 'dist/testing.cjs', 'dist/testing.d.ts', 'dist/testing.d.cts', 'dist/cli.js']));
    for (const f of [...tar.files].filter((f) => /\.c?js$/.test(f))) expect([f, /["'`]openssl["'`]/.test(tar.text(f))]).toEqual([f, false]);
  });

  test('are-the-types-wrong finds nothing, node10 included (typesVersions for ./testing)', () => {
    const r = run(bin('attw'), ['--pack', dir, '--format', 'json']);
    const report = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
    expect(report.analysis?.problems ?? report.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints)).toEqual(['.', './testing', './package.json']);
  }, 120_000);

  test('werift is an optional peer, never bundled: the built emulator loads the one installed, from ESM and CJS', () => {
    expect(manifest.peerDependencies).toEqual({ werift: expect.any(String) });
    expect(manifest.peerDependenciesMeta).toEqual({ werift: { optional: true } });
    expect(manifest.dependencies.werift).toBeUndefined();
    // A bundler leaves the path of every module it inlines in a comment: no third-party code is inlined.
    for (const f of [...tar.files].filter((f) => /\.c?js$/.test(f))) expect([f, tar.text(f).includes('node_modules/')]).toEqual([f, false]);
    // 'webrtc' refuses to start when werift cannot be loaded: starting proves the built code found it.
    const code = (load: string) => `${load}.then(async (m) => { const e = await m.startEmulator({ mediaServer: 'webrtc' }); console.log('started'); await e.close(); })`;
    const esm = run(process.execPath, ['--input-type=module', '-e', code(`import('@kvs-sig/emulator')`)], path.join(root, 'bench'));
    expect([esm.status, esm.out.trim()]).toEqual([0, 'started']);
    const cjs = run(process.execPath, ['-e', code(`Promise.resolve(require('@kvs-sig/emulator'))`)], path.join(root, 'bench'));
    expect([cjs.status, cjs.out.trim()]).toEqual([0, 'started']);
  }, 60_000);

  test('@kvs-sig/emulator/testing imports from ESM and requires from CJS', () => {
    const code = (load: string) => `${load}.then(async (t) => { const e = await t.startTestEmulator(); const c = await e.createChannel(); console.log(typeof c.channelArn, e.endpoint.slice(0, 8)); await e.stop(); })`;
    const esm = run(process.execPath, ['--input-type=module', '-e', code(`import('@kvs-sig/emulator/testing')`)], path.join(root, 'bench'));
    expect([esm.status, esm.out.trim()]).toEqual([0, 'string https://']);
    const cjs = run(process.execPath, ['-e', code(`Promise.resolve(require('@kvs-sig/emulator/testing'))`)], path.join(root, 'bench'));
    expect([cjs.status, cjs.out.trim()]).toEqual([0, 'string https://']);
  }, 60_000);
});

// The "must show": a user with no clone of this repository installs the packed
// tarballs with npm, runs `npx kvs-sig-emulator`, and runs the README's jest test.
describe('from packed tarballs in a fresh npm project (no repository clone)', () => {
  const userPackages = ['core', 'signer', 'client', 'emulator', 'cli'];
  let project: string;
  /** The environment of a user's shell: nothing from the pnpm and jest that run us. */
  const userEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|pnpm_|JEST_|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$)/i.test(k)) env[k] = v;
    return { ...env, NO_COLOR: '1', CI: '1' };
  };
  const exec = (cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: project, env: userEnv() });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });

  beforeAll(async () => {
    project = mkdtempSync(path.join(os.tmpdir(), 'kvs-user-app-'));
    const tarballs = path.join(project, 'tarballs');
    mkdirSync(tarballs);
    const deps: Record<string, string> = {};
    for (const name of userPackages) deps[`@kvs-sig/${name}`] = `file:tarballs/${path.basename(pnpmPack(path.join(root, 'packages', name), tarballs))}`;
    const { test: readmeTest, config } = readmeJestExample();
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify(
        {
          name: 'kvs-user-app',
          private: true,
          devDependencies: { ...deps, jest: '^30.5.2', '@swc/jest': '^0.2.39', '@swc/core': '^1.16.22' },
          // The tarballs name each other by version (0.1.0); take ours, not the registry's.
          overrides: Object.fromEntries(Object.keys(deps).map((d) => [d, `$${d}`])),
        },
        null,
        2,
      ),
    );
    writeFileSync(path.join(project, 'jest.config.js'), config);
    writeFileSync(path.join(project, 'kvs.test.ts'), readmeTest);
    const r = await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], 300_000);
    if (r.code !== 0) throw new Error(`npm install failed (the npm registry must be reachable):\n${r.out}`);
  }, 420_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test('the packages come from the tarballs, not the registry or the repository', () => {
    for (const name of userPackages) {
      const dir = path.join(project, 'node_modules/@kvs-sig', name);
      expect([name, lstatSync(dir).isSymbolicLink()]).toEqual([name, false]);
      expect(existsSync(path.join(dir, 'src'))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe(JSON.parse(readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')).version);
    }
    const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const name of userPackages) expect(lock.packages[`node_modules/@kvs-sig/${name}`]?.resolved).toMatch(/^file:tarballs\//);
  });

  test('`npx kvs-sig-emulator` prints its endpoint, serves it, and stops on SIGTERM', async () => {
    // Detached: its own process group, which SIGTERM reaches as a terminal's or a container's stop does.
    const child = spawn('npx', ['kvs-sig-emulator'], { cwd: project, env: userEnv(), detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Press Ctrl-C to stop/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const endpoint = /endpoint\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const caPath = /CA certificate\s+(\S+ca\.pem)/.exec(out)?.[1];
      expect([endpoint, caPath, out]).toEqual([expect.any(String), expect.any(String), expect.stringContaining('kvs-sig emulator running')]);
      // It answers over TLS with the CA it printed.
      const info = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        httpsGet(`${endpoint}/_emulator/info`, { ca: readFileSync(caPath!, 'utf8') }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        }).on('error', reject);
      });
      expect(info.status).toBe(200);
      expect(JSON.parse(info.body)).toMatchObject({ controlPlaneEndpoint: endpoint, region: 'us-west-2' });
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      expect(out).toContain('SIGTERM: stopping');
      // Stopped: its CA file is removed and its port refuses connections. (Not the process
      // group: in a container whose init does not reap, an exited orphan stays a zombie.)
      expect(existsSync(caPath!)).toBe(false);
      const port = Number(new URL(endpoint!).port);
      const refused = await new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(refused).toBe('ECONNREFUSED');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 90_000);

  test('the bin exits 0 on SIGTERM', async () => {
    const child = spawn(path.join(project, 'node_modules/.bin/kvs-sig-emulator'), ['--json'], { cwd: project, env: userEnv() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const code = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    const deadline = Date.now() + 60_000;
    while (!out.includes('\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(out)).toMatchObject({ endpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), region: 'us-west-2' });
    child.kill('SIGTERM');
    expect(await code).toBe(0);
  }, 90_000);

  test("the README's jest test drives a master and a viewer through the emulator", async () => {
    const r = await exec('npx', ['jest', '--ci', '--colors=false'], 180_000);
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/Tests:\s+2 passed, 2 total/)]);
    expect(r.out).toContain('✓ a viewer offer reaches the master and the answer comes back');
    expect(r.out).toContain('✓ the viewer reconnects after the service drops its connection');
  }, 200_000);

  test('`npx kvs-sig doctor` passes every check against `npx kvs-sig-emulator` with a TURN server', async () => {
    // A real TURN server behind GetIceServerConfig, as in AWS: doctor's last check gathers a relay candidate through it.
    const turn = await startTurnServer();
    const child = spawn('npx', ['kvs-sig-emulator', '--json', '--turn-url', turn.urls[0]!, '--turn-secret', turn.secret], { cwd: project, env: userEnv(), detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      const info = JSON.parse(out) as { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; caPath: string };
      const env = { ...userEnv(), AWS_ACCESS_KEY_ID: info.accessKeyId, AWS_SECRET_ACCESS_KEY: info.secretAccessKey, AWS_REGION: info.region };
      const kvs = (args: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve, reject) => {
          const c = spawn('npx', ['kvs-sig', ...args, '--endpoint', info.endpoint, '--ca', info.caPath], { cwd: project, env });
          let text = '';
          c.stdout.on('data', (d: Buffer) => (text += d));
          c.stderr.on('data', (d: Buffer) => (text += d));
          c.on('error', reject);
          c.on('close', (code) => resolve({ code, out: text }));
        });
      const created = await kvs(['channel', 'create', 'doctor-check']);
      expect([created.code, created.out]).toEqual([0, expect.any(String)]);
      const doctor = await kvs(['doctor', 'doctor-check', '--json']);
      expect([doctor.code, doctor.out]).toEqual([0, expect.any(String)]);
      const report = JSON.parse(doctor.out) as { exitCode: number; checks: { check: string; status: string }[] };
      expect(report.exitCode).toBe(0);
      expect(report.checks.map((c) => c.status)).toEqual(report.checks.map(() => 'ok'));
      expect(report.checks.map((c) => c.check)).toEqual(expect.arrayContaining(['credentials', 'clock', 'channel', 'websocket', 'turn']));
    } finally {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
      await turn.close();
    }
  }, 180_000);
});
