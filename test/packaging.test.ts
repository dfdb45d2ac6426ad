import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const packages = ['core', 'signer', 'client'];
const bins = [
  { pkg: 'client', file: 'bin/kvs-sig.js' },
  { pkg: 'emulator', file: 'bin/kvs-sig-emulator.js' },
];

function run(cmd: string, args: string[], cwd = root) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

// Users install the built packages, not our sources: build them once and check
// what npm would publish (exports map, ESM + CJS, declarations) as a user sees it.
beforeAll(() => {
  const r = run(process.execPath, [path.join(root, 'scripts/build.mjs'), ...packages, 'emulator']);
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

test('@kvs-sig/core: the browser build carries only the native codec, and no build keeps a #codec import', () => {
  const dist = path.join(root, 'packages/core/dist');
  const read = (f: string) => readFileSync(path.join(dist, f), 'utf8');
  for (const f of ['index.js', 'index.cjs', 'index.browser.js', 'index.browser.cjs']) expect({ f, has: read(f).includes('#codec') }).toEqual({ f, has: false });
  for (const f of ['index.js', 'index.cjs']) expect(read(f)).toContain('function pureDecodeUtf8(');
  for (const f of ['index.browser.js', 'index.browser.cjs']) expect(read(f)).not.toMatch(/function pure[A-Z]/);
  const manifest = JSON.parse(readFileSync(path.join(root, 'packages/core/package.json'), 'utf8'));
  expect(manifest.exports['.'].browser.import.default).toBe('./dist/index.browser.js');
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
