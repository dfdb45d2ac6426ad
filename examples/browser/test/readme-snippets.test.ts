/**
 * The README's TypeScript snippets compile against the real packages, and its
 * error-code and exit-code tables match the code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { ErrorCodes } from '@kvs-sig/client';
import { DOCTOR_CHECKS } from '../../../packages/cli/src/cli/doctor';
import { ExitCode } from '../../../packages/cli/src/cli/exit-codes';

jest.setTimeout(60_000);

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function tsSnippets(): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

it('every ts snippet type-checks (strict) against the workspace packages', () => {
  const snippets = tsSnippets();
  expect(snippets.length).toBeGreaterThanOrEqual(6);
  // Inside the browser example so its dependencies (client, signer, emulator, werift, AWS providers) resolve.
  const dir = join(__dirname, '..', `.readme-snippets-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const files = snippets.map((code, i) => {
      const file = join(dir, `snippet-${i + 1}.ts`);
      // Top-level await needs a module.
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    const configPath = join(__dirname, '..', 'tsconfig.json');
    const config = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(__dirname, '..'));
    const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.includes(d.file.fileName))
      .map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const snippet = d.file ? files.indexOf(d.file.fileName) + 1 : 0;
        return `snippet ${snippet}${where ? ` line ${where.line + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the error table lists every ErrorCodes entry with its meaning, and nothing else', () => {
  const section = readme.split(/^## Errors\s*$/m)[1]!.split(/^## /m)[0]!;
  const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
  expect(Object.fromEntries(rows)).toEqual(ErrorCodes);
});

it('the CLI exit-code table matches ExitCode', () => {
  const section = readme.split(/^## The `kvs-sig` command line\s*$/m)[1]!.split(/^##+ /m)[0]!;
  const codes = [...section.matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
  expect(codes.sort((a, b) => a - b)).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
});

it("the doctor's table lists its checks in order with their exit codes", () => {
  const section = readme.split(/^### `kvs-sig doctor`\s*$/m)[1]!.split(/^##+ /m)[0]!;
  const rows = [...section.matchAll(/^\| (\d+) \| `([a-z-]+)` \| /gm)].map((m) => [Number(m[1]), m[2]]);
  expect(rows).toEqual(DOCTOR_CHECKS.map((c) => [c.exitCode, c.check]));
});

it('the Node viewer and many-viewer master session snippets run: a message crosses their data channel through the emulator', () => {
  const snippets = tsSnippets();
  const viewer = snippets.find((s) => s.includes("role: 'VIEWER'") && s.includes("from 'werift'"));
  const master = snippets.find((s) => s.includes("role: 'MASTER'") && s.includes('createMasterSession'));
  expect(viewer).toBeDefined();
  expect(master).toBeDefined();
  // The same code, pointed at a local emulator (with a local coturn) instead of AWS.
  const local = (code: string) =>
    code
      .replace(/^import .*\n/gm, '')
      .replace("region: 'us-west-2',", 'region: emulator.region,')
      .replace('credentials: fromNodeProviderChain(),', 'credentials: emulator.credentials, endpoint: emulator.controlPlaneEndpoint, tls: { ca: emulator.ca! },');
  const viewerCode = local(viewer!)
    .replace("console.log('master:', String(e.data))", "{ console.log('master:', String(e.data)); process.exit(0); }")
    .replace("session.on('stateChange', ({ to }) => console.log('session', to));\n", '');
  expect(viewerCode).toContain('process.exit(0)');
  const program = `import { SignalingClient } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import { startTurnServer } from '@kvs-sig/example-common';
import { createMasterSession, createViewerSession, type PeerConnectionConstructor } from '@kvs-sig/webrtc';
import { RTCPeerConnection as Werift } from 'werift';
setTimeout(() => { console.log('timed out'); process.exit(1); }, 20_000);
const turn = await startTurnServer();
const emulator = await startEmulator({ turn: { urls: turn.urls, secret: turn.secret } });
{
${local(master!)}
}
{
${viewerCode}
}
`;
  const file = join(__dirname, '..', `.readme-run-${process.pid}.mts`);
  writeFileSync(file, program);
  try {
    const r = spawnSync(process.execPath, ['--conditions=@kvs-sig/source', '--import', require.resolve('tsx'), file], { encoding: 'utf8', timeout: 40_000 });
    expect(r.stdout).toBe('joined viewer-1\nmaster: echo: hello\n');
    expect(r.status).toBe(0);
  } finally {
    rmSync(file, { force: true });
  }
});
