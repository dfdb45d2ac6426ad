#!/usr/bin/env node
// Builds every publishable package (ESM + CJS + declarations) with tsup.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { dirs, root } from './workspace.mjs';

const tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
const only = process.argv.slice(2);
let failed = 0;
for (const dir of dirs('packages')) {
  if (!existsSync(join(dir, 'tsup.config.ts'))) continue;
  if (only.length && !only.some((o) => dir.endsWith(o))) continue;
  const r = spawnSync(process.execPath, [tsup], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`build failed: ${relative(root, dir)}`);
  }
}
process.exit(failed ? 1 : 0);
