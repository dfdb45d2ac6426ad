/**
 * Builds workspace packages for the tests that use them as published (the
 * packaging test, the runtime matrix), at most one build at a time, and only
 * packages whose inputs changed since their last build here. Jest may run
 * those tests side by side: a second build would clean `dist/` under the other
 * test while it packs or runs it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '..');
const cache = path.join(root, 'node_modules/.cache/kvs-sig-build');
const lock = path.join(cache, 'lock');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 10 * 60_000;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** Names, sizes and times of everything a package's build reads. */
function fingerprint(dir: string): string {
  const inputs = [...files(path.join(dir, 'src')), path.join(dir, 'package.json'), path.join(dir, 'tsup.config.ts')].filter((f) => existsSync(f)).sort();
  const hash = createHash('sha256');
  for (const f of inputs) {
    const s = statSync(f);
    hash.update(`${path.relative(dir, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock<T>(fn: () => T): T {
  mkdirSync(cache, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds (scripts/build.mjs) those of `names` (folders under packages/) whose sources changed; throws with the output on failure. */
export function buildPackages(names: readonly string[]): void {
  withLock(() => {
    const stale = names.filter((name) => {
      const dir = path.join(root, 'packages', name);
      const stamp = path.join(cache, `${name}.stamp`);
      return !existsSync(path.join(dir, 'dist')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== fingerprint(dir);
    });
    if (stale.length === 0) return;
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), ...stale], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
    for (const name of stale) writeFileSync(path.join(cache, `${name}.stamp`), fingerprint(path.join(root, 'packages', name)));
  });
}

function runIn(cmd: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.error ? null : r.status, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${String(r.error)}` : ''}` };
}

/** Runs the pnpm that runs us (`npx pnpm@… test` puts none on PATH), else the one on PATH, else the pinned one through npx. */
export function pnpm(args: string[], cwd: string): { status: number | null; out: string } {
  const exec = process.env.npm_execpath;
  if (exec && /pnpm/.test(path.basename(exec))) return /\.[cm]?js$/.test(exec) ? runIn(process.execPath, [exec, ...args], cwd) : runIn(exec, args, cwd);
  const onPath = runIn('pnpm', args, cwd);
  return onPath.status === null ? runIn('npx', ['-y', 'pnpm@10.34.9', ...args], cwd) : onPath;
}

/** Packs `dir` as `pnpm publish` would (workspace ranges and publishConfig applied) into `destination`; returns the tarball's path. */
export function pnpmPack(dir: string, destination: string): string {
  const r = pnpm(['pack', '--pack-destination', destination], dir);
  if (r.status !== 0) throw new Error(`pnpm pack failed in ${dir}:\n${r.out}`);
  const tgz = r.out.split('\n').map((l) => l.trim()).find((l) => l.endsWith('.tgz'))!;
  return path.isAbsolute(tgz) ? tgz : path.join(destination, path.basename(tgz));
}
