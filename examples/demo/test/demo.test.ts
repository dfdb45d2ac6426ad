/**
 * The README's first command: `pnpm demo` runs `node scripts/run-ts.mjs
 * examples/demo/src/main.ts`. Run here exactly that way, as a user would.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

const root = join(__dirname, '..', '..', '..');

function runDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), 'examples/demo/src/main.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ms = String.raw`\d+(?:\.\d)? (?:ms|s)`;

it('runs the whole flow against the embedded emulator and a local TURN server, prints every phase, exits 0', async () => {
  const r = await runDemo([]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^kvs-sig demo · emulator https:\/\/127\.0\.0\.1:\d+ .*TURN turn:127\.0\.0\.1:\d+/);
  for (const phase of ['describe', 'endpoints', 'ICE servers', 'connect']) {
    // Both columns: the master's and the viewer's timing.
    expect(r.stdout).toMatch(new RegExp(`^  ${phase}\\s+${ms}\\s+${ms}$`, 'm'));
  }
  for (const phase of ['offer', 'answer', 'data channel', 'first data']) {
    expect(r.stdout).toMatch(new RegExp(`^  ${phase}\\s+-\\s+${ms}$`, 'm'));
  }
  expect(r.stdout).toContain('master → viewer: "hello from the master"');
  expect(r.stdout).toContain('viewer → master: "hello from the viewer" (echoed back: "echo: hello from the viewer")');
  expect(r.stdout).toMatch(/done in .+, everything closed\n$/);
  // Short and readable.
  expect(r.stdout.trim().split('\n').length).toBeLessThanOrEqual(20);
});

it('works without TURN (STUN only) too', async () => {
  const r = await runDemo(['--no-turn', '--channel', 'demo-stun-only']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('STUN only (no local TURN server) · channel demo-stun-only');
  expect(r.stdout).toContain('everything closed');
});

it('fails with a clear message and exit 1: --aws without a region, or the global timeout', async () => {
  const [aws, slow] = await Promise.all([runDemo(['--aws'], { AWS_REGION: undefined }), runDemo(['--timeout', '0.05'])]);
  expect(aws.code).toBe(1);
  expect(aws.stderr).toBe('demo failed: --aws needs a region: pass --region or set AWS_REGION\n');
  expect(slow.code).toBe(1);
  expect(slow.stderr).toMatch(/demo: timed out after 0\.05 s during "\w[\w ]*"/);
});
