#!/usr/bin/env node
// The whole test suite: installs the system packages the browser and TURN tests
// need (Debian's chromium, firefox-esr, coturn and awscli) when they are missing and we may, runs
// every jest project, and ends with one line `N passed, N failed` taken from
// jest's JSON results (jest's own closing lines are not a stable format).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from './workspace.mjs';

const systemPackages = [
  { pkg: 'chromium', file: '/usr/bin/chromium' },
  // The AWS CLI: an outside client of the emulator (packages/emulator/test/awscli.test.ts).
  { pkg: 'awscli', file: '/usr/bin/aws' },
  { pkg: 'coturn', file: '/usr/bin/turnserver' },
  { pkg: 'firefox-esr', file: '/usr/bin/firefox-esr' },
];

function ensureSystemPackages() {
  const missing = systemPackages.filter((p) => !existsSync(p.file)).map((p) => p.pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.warn(`[test] missing system packages: ${missing.join(', ')}; install them (apt-get install ${missing.join(' ')}) or the browser/TURN tests fail.`);
    return;
  }
  console.log(`[test] installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) console.warn('[test] apt-get install failed; the browser/TURN tests will report it');
}

ensureSystemPackages();

const jest = createRequire(import.meta.url).resolve('jest/package.json').replace(/package\.json$/, 'bin/jest.js');
const results = join(root, '.jest-results.json');
rmSync(results, { force: true });
const run = spawnSync(
  process.execPath,
  // --forceExit: on 2 cores jest runs every file in band, in its own process (maxWorkers = cores - 1), and
  // werift keeps the two UDP sockets of a peer connection that carried media open after close()
  // (reproduced with two bare werift peers), so the process would never exit. The results are
  // written before the exit; leaks of our own are caught by the leak tests, not by this.
  [jest, '--json', `--outputFile=${results}`, '--forceExit', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that fails to load has no test results of its own: count it.
  failed += r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
} else {
  failed = 1;
}
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
