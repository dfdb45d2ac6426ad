/**
 * The weight budget (issue 18): our viewer rows, bundled as the weight
 * benchmark bundles them, may not grow more than 5% over the min+gzip bytes
 * recorded in bench/weight-budgets.json. A page with a backend signer must
 * load no SigV4 code at all, and no viewer page loads the channel calls a
 * viewer never makes.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { BUDGETED, BUDGET_SLACK, SESSION_BASE_ROW, SESSION_ROW, bundleEntry, overBudget } from '../src/weight-bundle';
import type { SplitReport } from '../src/weight-split';
import { measureBudgeted, readBudgets } from '../src/weight-budget';
import * as esbuild from 'esbuild';

jest.setTimeout(60_000);

afterAll(async () => {
  await esbuild.stop();
});

test('every budgeted row is within 5% of its recorded budget', async () => {
  const budgets = readBudgets();
  expect(Object.keys(budgets).sort()).toEqual(BUDGETED.map((e) => e.name).sort());
  const measured = await measureBudgeted();
  for (const [name, bytes] of measured) expect({ name, bytes: bytes > 1000 }).toEqual({ name, bytes: true });
  expect(overBudget(measured, budgets)).toEqual([]);
});

test('the check fails a row that grew more than 5%, and one without a budget', () => {
  const name = BUDGETED[0]!.name;
  expect(overBudget(new Map([[name, 1050]]), { [name]: 1000 })).toEqual([]);
  expect(overBudget(new Map([[name, 1051]]), { [name]: 1000 })).toHaveLength(1);
  expect(overBudget(new Map([[name, 1000]]), {})).toHaveLength(1);
  expect(BUDGET_SLACK).toBe(0.05);
});

test('a viewer with a backend signer loads no SigV4 code; one with credentials loads it on demand', async () => {
  const [creds, backend] = BUDGETED;
  const sigv4 = (files: ReadonlyMap<string, number>) =>
    [...files].filter(([f, b]) => b > 0 && /@smithy\/signature-v4|@aws-crypto|sha256|signer\/src\/(sign|sigv4-browser|internal)\.ts/.test(f)).map(([f]) => f);
  const b = await bundleEntry(backend!);
  expect(sigv4(b.files)).toEqual([]);
  const c = await bundleEntry(creds!);
  expect(sigv4(c.files)).toEqual(expect.arrayContaining([expect.stringContaining('@smithy/signature-v4'), expect.stringContaining('signer/src/sha256-webcrypto.ts')]));
  expect(c.chunks).toBeGreaterThan(b.chunks);
});

test("a viewer session page carries none of @kvs-sig/webrtc's master-only code", async () => {
  const row = BUDGETED.find((e) => e.name === SESSION_ROW)!;
  const s = await bundleEntry(row);
  const webrtc = [...s.files].filter(([f, b]) => f.startsWith('packages/webrtc/src/') && b > 0).map(([f]) => f);
  // The session code is there (the row measures something), the master's is not.
  expect(webrtc).toEqual(expect.arrayContaining(['packages/webrtc/src/viewer.ts', 'packages/webrtc/src/peer.ts']));
  expect(webrtc.filter((f) => /\/(master|storage)[^/]*\.ts$/.test(f))).toEqual([]);
});

test('a viewer page drops the tables it never reads (core marks them pure)', async () => {
  const s = await bundleEntry(BUDGETED.find((e) => e.name === SESSION_BASE_ROW)!);
  // STRICTER_THAN_MODEL's explanations (core/src/errors.ts): public, read by tests and tools, never by a viewer.
  expect(s.code).toContain('ResourceNotFoundException');
  expect(s.code).not.toContain('TagOnCreateList');
});

test('no viewer page loads the channel calls a viewer never makes, under esbuild or Rolldown (Vite 8): they are in a chunk it never fetches', () => {
  const out = execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/src/weight-split.ts'], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', timeout: 120_000 });
  const reports = JSON.parse(out) as SplitReport[];
  expect(reports.map((r) => `${r.bundler} ${r.row}`).sort()).toEqual(BUDGETED.flatMap((e) => [`esbuild ${e.name}`, `rolldown ${e.name}`]).sort());
  for (const r of reports) {
    const page = `${r.bundler}: ${r.row}`;
    expect({ page, loaded: r.loaded }).toEqual({ page, loaded: [] });
    // Split off, not lost: the build holds them in a chunk behind the manager's import().
    expect({ page, unloaded: r.unloaded }).toEqual({
      page,
      unloaded: expect.arrayContaining(['packages/client/src/channel-admin.ts', 'packages/core/src/list-signaling-channels.ts', 'packages/core/src/create-signaling-channel.ts']),
    });
    // What a viewer does call is in the page.
    expect({ page, modules: r.pageModules }).toEqual({ page, modules: expect.arrayContaining(['packages/core/src/describe-signaling-channel.ts', 'packages/client/src/channel-manager.ts']) });
  }
}, 150_000);
