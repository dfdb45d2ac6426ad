// CI runs only jest: this runs the vitest and node:test versions of the example
// as their users would (each in its own process, with its own runner) and checks
// that every test of each ran and passed. The jest version runs as it is.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

const dir = __dirname;
const req = createRequire(path.join(dir, 'package.json'));
const titles = ['a viewer offer reaches the master and the answer comes back', 'the viewer reconnects after the service drops its connection'];

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('the vitest example passes under vitest', async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kvs-vitest-'));
  try {
    const report = path.join(tmp, 'report.json');
    const vitest = path.join(path.dirname(req.resolve('vitest/package.json')), 'vitest.mjs');
    const r = await run([vitest, 'run', '--reporter=json', `--outputFile=${report}`]);
    expect([r.code, r.out]).toEqual([0, expect.any(String)]);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; testResults: Array<{ name: string; assertionResults: Array<{ title: string; status: string }> }> };
    expect(json.testResults.map((f) => path.relative(dir, f.name))).toEqual([path.join('vitest', 'signaling.test.ts')]);
    expect(json.testResults[0]!.assertionResults.map((a) => [a.title, a.status])).toEqual(titles.map((t) => [t, 'passed']));
    expect(json.numFailedTests).toBe(0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 160_000);

test('the node:test example passes under node --test', async () => {
  const tsx = req.resolve('tsx');
  // The workspace sources, as everywhere in this repository; installed packages need no condition.
  const r = await run(['--conditions=@kvs-sig/source', '--import', tsx, '--test', '--test-reporter=tap', path.join('node-test', 'signaling.test.ts')]);
  expect([r.code, r.out]).toEqual([0, expect.any(String)]);
  for (const t of titles) expect(r.out).toMatch(new RegExp(`^ok \\d+ - ${t}$`, 'm'));
  expect(r.out).toMatch(/^# pass 2$/m);
  expect(r.out).toMatch(/^# fail 0$/m);
}, 160_000);

test('the three versions are one test: vitest is the jest file plus its import, node:test only swaps hooks and asserts', () => {
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const jest = read('jest/signaling.test.ts');
  expect(read('vitest/signaling.test.ts')).toBe(`import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';\n${jest}`);
  // Every line that is neither an import, a hook nor an assertion is the same in node:test.
  const body = (t: string) => t.split('\n').filter((l) => !/^import |^(before|after)(All)?\(|^\s*(expect|assert)[.(]/.test(l));
  expect(body(read('node-test/signaling.test.ts'))).toEqual(body(jest));
});
