import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPackages, pnpmPack, root } from './built';

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
    expect(Number(esm.out.trim().split('\n')[0])).toBeGreaterThan(3);
    const cjs = run(process.execPath, ['-e', `console.log(Object.keys(require('@kvs-sig/${name}')).length)`], dir);
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
