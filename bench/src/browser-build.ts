/**
 * How the benchmarks bundle app code for a browser (esbuild, platform
 * browser): the weight benchmark measures these bundles, the open-time
 * benchmark runs them in Chromium.
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as esbuild from 'esbuild';

/** bench/src. */
export const BENCH_SRC = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(BENCH_SRC, '..', '..');

/**
 * Points `@kvs-sig/client` at its browser entry when its exports map has no
 * `browser` condition yet (the entry exists; only the map would select it).
 */
function clientBrowserEntry(): esbuild.Plugin[] {
  const dir = path.join(root, 'packages', 'client');
  const pj = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  const hasBrowser = JSON.stringify(pj.exports ?? {}).includes('"browser"');
  const entry = path.join(dir, 'src', 'index.browser.ts');
  if (hasBrowser || !existsSync(entry)) return [];
  return [{ name: 'kvs-client-browser-entry', setup: (b) => void b.onResolve({ filter: /^@kvs-sig\/client$/ }, () => ({ path: entry })) }];
}

/**
 * The esbuild options every browser bundle of the benchmarks shares; `code` is
 * the app's entry, resolved from bench/src. `published` resolves our packages
 * to their built `dist` (as an app installing them does; build them first)
 * instead of the workspace sources.
 */
export function browserBuild(code: string, { published = false }: { published?: boolean } = {}): esbuild.BuildOptions {
  return {
    plugins: clientBrowserEntry(),
    stdin: { contents: code, resolveDir: BENCH_SRC, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    // Our sources through the workspace condition (tsup's dist is the same code, built); `browser` first like every bundler.
    conditions: [...(published ? [] : ['@kvs-sig/source']), 'browser', 'module', 'import', 'default'],
    mainFields: ['browser', 'module', 'main'],
    // The official SDK requires Node's `events` without declaring it (JS #321); apps install the polyfill, as we did here.
    nodePaths: [path.join(root, 'bench', 'node_modules'), path.join(root, 'node_modules')],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  };
}
