/**
 * Runs the benchmarks and writes BENCHMARKS.md at the repo root.
 *
 *   pnpm bench                      # everything, about 5–8 minutes on 2 cores; writes BENCHMARKS.md
 *   pnpm bench --quick              # tiny counts: a smoke run, numbers meaningless (printed only)
 *   pnpm bench --only signing,weight   # a subset (printed only)
 *   pnpm bench --out /tmp/b.md      # write the report there (any run)
 * The report is always printed to stdout; progress goes to stderr.
 * @packageDocumentation
 */
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS, renderReport, type BenchEntry } from './report';
import { parseArgs, type BenchContext, type BenchResult } from './harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), BENCHMARKS.map((b) => b.name));
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: pnpm bench [--quick] [--only <name>[,<name>]] [--out <file>]`);
    return 2;
  }
  const ctx: BenchContext = { quick: opts.quick, log: (m) => process.stderr.write(`${m}\n`) };
  const selected: BenchEntry[] = opts.only.length ? BENCHMARKS.filter((b) => opts.only.includes(b.name)) : [...BENCHMARKS];
  const results: BenchResult[] = [];
  const failures: { name: string; error: string }[] = [];
  const t0 = performance.now();
  for (const entry of selected) {
    ctx.log(`== ${entry.name}`);
    try {
      const run = await entry.load();
      const load0 = os.loadavg()[0] ?? 0;
      const result = await run(ctx);
      results.push({ ...result, load: [load0, os.loadavg()[0] ?? 0] });
      ctx.log(`== ${entry.name} done in ${result.seconds.toFixed(1)} s`);
    } catch (e) {
      // One broken benchmark must not hide the others; the report says what failed.
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      failures.push({ name: entry.name, error });
      ctx.log(`== ${entry.name} FAILED: ${error}`);
    }
  }
  const argv = process.argv.slice(2);
  const command = `pnpm bench${argv.length ? ` ${argv.join(' ')}` : ''}`;
  const md = renderReport({ results, failures, quick: opts.quick, command, totalSeconds: (performance.now() - t0) / 1000 });
  process.stdout.write(md);
  // A partial or quick run must not replace the full report; it prints, and writes only where told.
  const partial = opts.quick || opts.only.length > 0;
  if (opts.out !== null || !partial) {
    const out = path.resolve(root, opts.out ?? 'BENCHMARKS.md');
    writeFileSync(out, md);
    ctx.log(`wrote ${out}`);
  } else {
    ctx.log('partial run (--quick or --only): BENCHMARKS.md left as is; pass --out <file> to write this report');
  }
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
