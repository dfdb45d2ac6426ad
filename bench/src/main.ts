/**
 * Runs the benchmarks and writes BENCHMARKS.md at the repo root.
 *
 *   pnpm bench                      # everything, about 5–8 minutes on 2 cores; writes BENCHMARKS.md
 *   pnpm bench --quick              # tiny counts: a smoke run, numbers meaningless (printed only)
 *   pnpm bench --only signing,weight   # a subset (printed only)
 *   pnpm bench --out /tmp/b.md      # write the report there (any run)
 * The report is always printed to stdout; progress goes to stderr.
 *
 * Each benchmark runs in a Node process of its own. `process.cpuUsage` is
 * process-wide, so work left over from the benchmark before (sockets closing,
 * timers, a collector catching up on its heap) would otherwise be charged to the
 * next one's batches: a full run read core's ICE parse at 1.56x the floor,
 * against 1.03x when message-cost ran alone.
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS, renderReport } from './report';
import { parseArgs, type BenchContext, type BenchResult } from './harness';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..', '..');
const CHILD_FLAG = '--child';

/** Child side: runs one benchmark and writes its result as JSON to `resultFile`. */
async function child(name: string, quick: boolean, resultFile: string): Promise<number> {
  const entry = BENCHMARKS.find((b) => b.name === name);
  if (!entry) throw new Error(`unknown benchmark '${name}'`);
  const ctx: BenchContext = { quick, log: (m) => process.stderr.write(`${m}\n`) };
  const run = await entry.load();
  const load0 = os.loadavg()[0] ?? 0;
  const result = await run(ctx);
  writeFileSync(resultFile, JSON.stringify({ ...result, load: [load0, os.loadavg()[0] ?? 0] }));
  return 0;
}

/** Parent side: runs `name` in a fresh Node process with this process's flags (tsx, conditions). */
function runIsolated(name: string, quick: boolean, dir: string): Promise<BenchResult> {
  const resultFile = path.join(dir, `${name}.json`);
  const args = [...process.execArgv, self, CHILD_FLAG, name, resultFile, ...(quick ? ['--quick'] : [])];
  return new Promise((resolve, reject) => {
    // The child's stdout goes to our stderr: only the report belongs on stdout. On POSIX a
    // shell first lifts the open-files limit to the hard one (scale holds ~15,000 sockets).
    const [cmd, argv] =
      process.platform === 'win32'
        ? [process.execPath, args]
        : ['/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...args]];
    const proc = spawn(cmd, argv, { stdio: ['ignore', 2, 2] });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`benchmark process exited with ${signal ?? `code ${String(code)}`} (its output is above)`));
      try {
        resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as BenchResult);
      } catch (e) {
        reject(new Error(`benchmark process exited 0 but left no readable result: ${(e as Error).message}`));
      }
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === CHILD_FLAG) return child(argv[1] ?? '', argv.includes('--quick'), argv[2] ?? '');
  let opts;
  try {
    opts = parseArgs(argv, BENCHMARKS.map((b) => b.name));
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: pnpm bench [--quick] [--only <name>[,<name>]] [--out <file>]`);
    return 2;
  }
  const log = (m: string): void => void process.stderr.write(`${m}\n`);
  const selected = opts.only.length ? BENCHMARKS.filter((b) => opts.only.includes(b.name)) : [...BENCHMARKS];
  const results: BenchResult[] = [];
  const failures: { name: string; error: string }[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvs-bench-'));
  const t0 = performance.now();
  try {
    for (const entry of selected) {
      log(`== ${entry.name} (own process)`);
      try {
        const result = await runIsolated(entry.name, opts.quick, dir);
        results.push(result);
        log(`== ${entry.name} done in ${result.seconds.toFixed(1)} s`);
      } catch (e) {
        // One broken benchmark must not hide the others; the report says what failed.
        const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
        failures.push({ name: entry.name, error });
        log(`== ${entry.name} FAILED: ${error}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const command = `pnpm bench${argv.length ? ` ${argv.join(' ')}` : ''}`;
  const md = renderReport({ results, failures, quick: opts.quick, command, totalSeconds: (performance.now() - t0) / 1000 });
  process.stdout.write(md);
  // A partial or quick run must not replace the full report; it prints, and writes only where told.
  const partial = opts.quick || opts.only.length > 0;
  if (opts.out !== null || !partial) {
    const out = path.resolve(root, opts.out ?? 'BENCHMARKS.md');
    writeFileSync(out, md);
    log(`wrote ${out}`);
  } else {
    log('partial run (--quick or --only): BENCHMARKS.md left as is; pass --out <file> to write this report');
  }
  return failures.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
