/**
 * Measures the budgeted weight rows (min+gzip of what the page loads) and
 * prints them against bench/weight-budgets.json; `--write` records the
 * measured sizes as the new budgets. CI runs the same check as a jest test
 * (bench/test/weight-budget.test.ts).
 *
 *   node scripts/run-ts.mjs bench/src/weight-budget.ts [--write]
 * @packageDocumentation
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { BENCH_SRC } from './browser-build';
import { BUDGETED, bundleEntry, overBudget, type Budgets } from './weight-bundle';

/** bench/weight-budgets.json. */
export const BUDGETS_FILE = path.join(BENCH_SRC, '..', 'weight-budgets.json');

/** Reads the committed budgets. */
export function readBudgets(): Budgets {
  return JSON.parse(readFileSync(BUDGETS_FILE, 'utf8')) as Budgets;
}

/** min+gzip bytes of every budgeted row. */
export async function measureBudgeted(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    for (const e of BUDGETED) out.set(e.name, (await bundleEntry(e)).gzipBytes);
  } finally {
    // esbuild keeps a service process alive between builds; stop it so the caller can exit.
    await esbuild.stop();
  }
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const measured = await measureBudgeted();
  if (argv.includes('--write')) {
    writeFileSync(BUDGETS_FILE, `${JSON.stringify(Object.fromEntries(measured), null, 2)}\n`);
    process.stderr.write(`wrote ${BUDGETS_FILE}\n`);
    return 0;
  }
  const budgets = readBudgets();
  for (const [name, bytes] of measured) process.stdout.write(`${name}: ${bytes} B (budget ${budgets[name] ?? 'none'})\n`);
  const over = overBudget(measured, budgets);
  for (const m of over) process.stderr.write(`${m}\n`);
  return over.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(BENCH_SRC, 'weight-budget.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
