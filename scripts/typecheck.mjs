#!/usr/bin/env node
// Type-checks every project (strict) and exits non-zero on the first error set.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { root, tsconfigs } from './workspace.mjs';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let failed = 0;
for (const config of tsconfigs()) {
  const r = spawnSync(process.execPath, [tsc, '-p', config, '--noEmit'], { cwd: root, encoding: 'utf8' });
  const name = relative(root, config);
  if (r.status === 0) {
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}\n${r.stdout}${r.stderr}`);
  }
}
process.exit(failed ? 1 : 0);
