import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const packages = ['core', 'signer', 'client', 'webrtc'];
// @kvs-sig/cli is a command, not a library: it gets the tarball and bin checks, not the library ones.
const tarballs = [...packages, 'cli'];
const bins = [
  { pkg: 'cli', file: 'bin/kvs-sig.js' },
  { pkg: 'emulator', file: 'bin/kvs-sig-emulator.js' },
];

function run(cmd: string, args: string[], cwd = root) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Runs the pnpm that runs us (`npx pnpm@… test` puts none on PATH), else the one on PATH. */
function pnpm(args: string[], cwd: string) {
  const exec = process.env.npm_execpath;
  if (exec && /pnpm/.test(path.basename(exec))) return /\.[cm]?js$/.test(exec) ? run(process.execPath, [exec, ...args], cwd) : run(exec, args, cwd);
  return run('pnpm', args, cwd);
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
    const r = pnpm(['pack', '--pack-destination', out], dir);
    if (r.status !== 0) throw new Error(`pnpm pack failed:\n${r.out}`);
    const tgz = r.out.split('\n').map((l) => l.trim()).find((l) => l.endsWith('.tgz'))!;
    const tarball = path.isAbsolute(tgz) ? tgz : path.join(out, path.basename(tgz));
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
  const r = run(process.execPath, [path.join(root, 'scripts/build.mjs'), ...packages, 'emulator', 'cli']);
  if (r.status !== 0) throw new Error(`build failed:\n${r.out}`);
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

  test('are-the-types-wrong passes for node16 ESM/CJS and bundlers', () => {
    const r = run(bin('attw'), ['--pack', dir, '--format', 'json', '--profile', 'node16']);
    const report = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
    const problems: Array<{ resolutionKind?: string }> = report.analysis?.problems ?? report.problems ?? [];
    // engines is node >=20: the legacy `node10` resolution (TypeScript's old
    // `moduleResolution: node`, which cannot see subpath exports) is out of
    // scope, as attw's node16 profile says; the JSON report still lists it.
    expect(problems.filter((p) => p.resolutionKind !== 'node10')).toEqual([]);
  }, 120_000);

  test('imports from ESM and requires from CJS without the source condition', () => {
    const esm = run(process.execPath, ['--input-type=module', '-e', `import * as m from '@kvs-sig/${name}'; console.log(Object.keys(m).length)`], path.join(root, 'bench'));
    expect(esm.status).toBe(0);
    expect(Number(esm.out.trim().split('\n')[0])).toBeGreaterThan(3);
    const cjs = run(process.execPath, ['-e', `console.log(Object.keys(require('@kvs-sig/${name}')).length)`], path.join(root, 'bench'));
    expect(cjs.status).toBe(0);
    expect(Number(cjs.out.trim().split('\n')[0])).toBeGreaterThan(3);
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
  for (const f of ['index.js', 'index.cjs', 'index.browser.js', 'index.browser.cjs']) expect({ f, has: read(f).includes('#codec') }).toEqual({ f, has: false });
  for (const f of ['index.js', 'index.cjs']) expect(read(f)).toContain('function pureDecodeUtf8(');
  for (const f of ['index.browser.js', 'index.browser.cjs']) expect(read(f)).not.toMatch(/function pure[A-Z]/);
  const manifest = JSON.parse(readFileSync(path.join(root, 'packages/core/package.json'), 'utf8'));
  expect(manifest.exports['.'].browser.import.default).toBe('./dist/index.browser.js');
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
