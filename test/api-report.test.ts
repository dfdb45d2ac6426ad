/**
 * The checked-in API reports (api/<package>.api.md) match the packages' public
 * API, so every change to it shows up in review as a diff of those files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const UPDATE = 'node scripts/api-report.mjs';

test('api/*.api.md are the current public API of every published package (update with `node scripts/api-report.mjs`)', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'kvs-sig-api-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/api-report.mjs'), '--out', out], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${UPDATE} failed:\n${r.stdout}${r.stderr}`);
    const fresh = readdirSync(out).sort();
    const checkedIn = readdirSync(path.join(root, 'api')).filter((f) => f.endsWith('.api.md')).sort();
    const stale = [
      ...fresh.filter((f) => !checkedIn.includes(f) || readFileSync(path.join(out, f), 'utf8') !== readFileSync(path.join(root, 'api', f), 'utf8')),
      ...checkedIn.filter((f) => !fresh.includes(f)),
    ];
    if (stale.length > 0) {
      throw new Error(`The public API changed: ${stale.map((f) => `api/${f}`).join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale.\nRun \`${UPDATE}\` and commit the result (review the diff: it is the API change).`);
    }
    expect(fresh.length).toBeGreaterThanOrEqual(6);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
