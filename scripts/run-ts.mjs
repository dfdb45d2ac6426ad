#!/usr/bin/env node
// Runs a TypeScript entry point on the workspace sources (no build step):
// tsx compiles on the fly and the `@kvs-sig/source` condition points every
// @kvs-sig/* import at its src/index.ts.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const child = spawn(
  process.execPath,
  // Node flags given to this script (e.g. --expose-gc) must reach the child.
  [...process.execArgv, '--conditions=@kvs-sig/source', '--import', tsx, entry, ...args],
  { stdio: 'inherit' },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
