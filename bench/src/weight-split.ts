/**
 * Prints, as JSON, which modules of the channel calls a viewer never makes
 * ({@link CHANNEL_CALL_MODULES}) each budgeted viewer page loads and which sit
 * in chunks it never fetches, bundled by esbuild and by Rolldown (Vite 8).
 * bench/test/weight-budget.test.ts (workspace sources) and
 * test/packaging.test.ts (`--published`: the built packages, as an app
 * installs them) run it in a child process: Rolldown ships ES modules only,
 * which jest's CommonJS runtime cannot load.
 *
 *   node scripts/run-ts.mjs bench/src/weight-split.ts [--published]
 * @packageDocumentation
 */
import * as esbuild from 'esbuild';
import { BUDGETED, CHANNEL_CALL_MODULES, bundleEntry, bundleEntryRolldown, type BundleSize, type Entry } from './weight-bundle';

/** One page under one bundler. */
export interface SplitReport {
  row: string;
  bundler: 'esbuild' | 'rolldown';
  /** Channel-call modules in the chunks the page loads. */
  loaded: string[];
  /** Channel-call modules in chunks the page never loads. */
  unloaded: string[];
  /** Every module with code in the chunks the page loads. */
  pageModules: string[];
}

const present = (files: ReadonlyMap<string, number>, pick: (f: string) => boolean): string[] =>
  [...files].filter(([f, b]) => b > 0 && pick(f)).map(([f]) => f).sort();

async function report(published: boolean): Promise<SplitReport[]> {
  const out: SplitReport[] = [];
  const bundlers: [SplitReport['bundler'], (e: Entry) => Promise<BundleSize>][] = [
    ['esbuild', (e) => bundleEntry(e, { published })],
    ['rolldown', (e) => bundleEntryRolldown(e, { published })],
  ];
  try {
    for (const row of BUDGETED) {
      for (const [bundler, bundle] of bundlers) {
        const s = await bundle(row);
        out.push({
          row: row.name,
          bundler,
          loaded: present(s.files, (f) => CHANNEL_CALL_MODULES.test(f)),
          unloaded: present(s.unloadedFiles, (f) => CHANNEL_CALL_MODULES.test(f)),
          pageModules: present(s.files, (f) => f.startsWith('packages/')),
        });
      }
    }
  } finally {
    await esbuild.stop();
  }
  return out;
}

report(process.argv.includes('--published')).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
