import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

// Tests run through swc, which strips types without checking them; this is
// where strict type errors anywhere in the workspace fail the suite.
test('every project type-checks under strict settings', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/typecheck.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`type check failed:\n${r.stdout}\n${r.stderr}`);
  expect(r.stdout).toMatch(/ok {3}packages\/core\/tsconfig\.json/);
}, 240_000);
