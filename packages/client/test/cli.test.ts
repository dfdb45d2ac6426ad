/**
 * The `kvs-sig` command, spawned as a user runs it (on the TypeScript sources)
 * against a TLS emulator started here, with credentials from the standard AWS
 * chain (environment variables) and nothing else.
 */
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'packages', 'client', 'src', 'cli.ts');

/** Environment with only what a test gives: no shared AWS files, no instance metadata lookups. */
function isolatedEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: '/nonexistent/kvs-sig-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/kvs-sig-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Starts the CLI on its TypeScript sources, exactly as the README's development command does. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=@kvs-sig/source', '--import', 'tsx', cli, ...args], { cwd: root, env });
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion, feeding `input` on stdin. */
function runCli(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** A long-running CLI process whose stdout JSON lines can be awaited. */
class CliSession {
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private buffer = '';
  private waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const text = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  /** Resolves with the first line (already seen or future) that matches. */
  waitFor(match: (l: Record<string, unknown>) => boolean, ms = 15_000): Promise<Record<string, unknown>> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line within ${ms} ms; got ${JSON.stringify(this.lines)} / ${this.stderr}`)), ms);
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  send(value: unknown): void {
    this.child.stdin.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  }

  /** Sends SIGINT and resolves with the exit code (SIGKILL after 10 s). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

jest.setTimeout(60_000);

let emu: Emulator;
let env: NodeJS.ProcessEnv;
let flags: string[];

beforeAll(async () => {
  emu = await startEmulator({ tls: true });
  env = isolatedEnv({
    AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
    AWS_REGION: emu.region,
  });
  flags = ['--endpoint', emu.controlPlaneEndpoint, '--ca', emu.caPath!];
});

afterAll(async () => {
  await emu.close();
});

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);

describe('help and usage', () => {
  it('prints help for the program and every command, exit 0', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--help'], /Usage: kvs-sig <command>[\s\S]*Exit codes:[\s\S]*130 interrupted/],
      [['channel', '--help'], /kvs-sig channel create <name>/],
      [['channel', 'create', '--help'], /Usage: kvs-sig channel create <name>/],
      [['channel', 'describe', '--help'], /Usage: kvs-sig channel describe/],
      [['channel', 'list', '--help'], /Usage: kvs-sig channel list/],
      [['channel', 'delete', '--help'], /Usage: kvs-sig channel delete/],
      [['endpoints', '--help'], /Usage: kvs-sig endpoints/],
      [['ice-servers', '--help'], /Usage: kvs-sig ice-servers/],
      [['connect', '--help'], /Usage: kvs-sig connect[\s\S]*JSON line/],
      [['emulator', '--help'], /Usage: kvs-sig emulator/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, env)));
    results.forEach((r, i) => {
      expect({ args: cases[i]![0], code: r.code }).toEqual({ args: cases[i]![0], code: 0 });
      expect(r.stdout).toMatch(cases[i]![1]);
      expect(r.stdout).toContain('--json');
    });
  });

  it('exits 2 on usage errors and says what is wrong', async () => {
    const [unknown, badFlag, noName, badRole] = await Promise.all([
      runCli(['frobnicate'], env),
      runCli(['channel', 'list', '--bogus'], env),
      runCli(['channel', 'describe', ...flags], env),
      runCli(['connect', 'x', '--role', 'boss', ...flags], env),
    ]);
    expect([unknown.code, badFlag.code, noName.code, badRole.code]).toEqual([2, 2, 2, 2]);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(badFlag.stderr).toContain("Unknown option '--bogus'");
    expect(noName.stderr).toContain('missing channel name');
    expect(badRole.stderr).toContain('--role must be master or viewer');
  });

  it('exits 3 without a region and without credentials', async () => {
    const [noRegion, noCreds] = await Promise.all([
      runCli(['channel', 'list', ...flags], { ...env, AWS_REGION: undefined }),
      runCli(['channel', 'list', ...flags], { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }),
    ]);
    expect(noRegion.code).toBe(3);
    expect(noRegion.stderr).toContain('no region');
    expect(noCreds.code).toBe(3);
    expect(noCreds.stderr).toMatch(/credentials/i);
  });
});

describe('channels', () => {
  it('creates, describes, lists and deletes a channel; tables for people, JSON for machines', async () => {
    const created = await runCli(['channel', 'create', 'cli-one', '--ttl', '30', '--tag', 'team=apps', ...flags], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created: cli-one\narn:\s+arn:aws:kinesisvideo:.*:channel\/cli-one\//);

    const described = await runCli(['channel', 'describe', 'cli-one', ...flags], env);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^name:\s+cli-one$/m);
    expect(described.stdout).toMatch(/^status:\s+ACTIVE$/m);
    expect(described.stdout).toMatch(/^message ttl:\s+30 s$/m);

    const listed = await runCli(['channel', 'list', '--prefix', 'cli-', '--json', ...flags], env);
    expect(listed.code).toBe(0);
    const parsed = JSON.parse(listed.stdout) as { channels: Array<{ channelName: string; messageTtlSeconds: number }> };
    expect(parsed.channels.map((c) => c.channelName)).toContain('cli-one');

    const table = await runCli(['channel', 'list', ...flags], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+TTL\s+CREATED\s+ARN$/);
    expect(table.stdout).toMatch(/^cli-one\s+ACTIVE\s+30\s/m);

    const deleted = await runCli(['channel', 'delete', 'cli-one', ...flags], env);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('deleted cli-one\n');

    const gone = await runCli(['channel', 'describe', 'cli-one', ...flags], env);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toMatch(/^kvs-sig: ResourceNotFoundException: /);
    expect(gone.stdout).toBe('');
    noStack(gone.stderr);
  });

  it('reports the service exception by name: exit 5 for ResourceInUse, 4 for deleting a missing channel', async () => {
    expect((await runCli(['channel', 'create', 'cli-dup', ...flags], env)).code).toBe(0);
    const [dup, missing] = await Promise.all([
      runCli(['channel', 'create', 'cli-dup', ...flags], env),
      runCli(['channel', 'delete', 'cli-never-was', ...flags], env),
    ]);
    expect(dup.code).toBe(5);
    expect(dup.stderr).toMatch(/^kvs-sig: ResourceInUseException: .*cli-dup/);
    noStack(dup.stderr);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('ResourceNotFoundException');
  });

  it('prints errors as JSON with --json, and a stack trace only with --debug', async () => {
    const [json, debug] = await Promise.all([
      runCli(['channel', 'describe', 'cli-nothing', '--json', ...flags], env),
      runCli(['channel', 'describe', 'cli-nothing', '--debug', ...flags], env),
    ]);
    expect(json.code).toBe(4);
    const err = JSON.parse(json.stderr.trim()) as { error: { errorType: string; httpStatus: number; code: string }; exitCode: number };
    expect(err.error).toMatchObject({ errorType: 'ResourceNotFoundException', httpStatus: 404, code: 'SERVICE_ERROR' });
    expect(err.exitCode).toBe(4);
    expect(debug.code).toBe(4);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('exits 7 when the signature is refused and never prints the secret', async () => {
    const wrong = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET';
    const r = await runCli(['channel', 'list', ...flags], { ...env, AWS_SECRET_ACCESS_KEY: wrong });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^kvs-sig: \w+Exception: /);
    expect(r.stderr + r.stdout).not.toContain(wrong);
  });

  it('exits 6 when the emulator TLS certificate is not trusted (no --ca)', async () => {
    const r = await runCli(['channel', 'list', '--endpoint', emu.controlPlaneEndpoint], env);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('CONNECTION_FAILED');
  });
});

describe('endpoints and ICE servers', () => {
  it('prints the endpoints of a role and the ICE servers with TURN credentials in JSON', async () => {
    expect((await runCli(['channel', 'create', 'cli-ep', ...flags], env)).code).toBe(0);
    const origin = new URL(emu.controlPlaneEndpoint).host;
    const [table, json, ice, iceTable] = await Promise.all([
      runCli(['endpoints', 'cli-ep', '--role', 'viewer', ...flags], env),
      runCli(['endpoints', 'cli-ep', '--protocols', 'wss,https', '--json', ...flags], env),
      runCli(['ice-servers', 'cli-ep', '--role', 'viewer', '--client-id', 'v-1', '--json', ...flags], env),
      runCli(['ice-servers', 'cli-ep', ...flags], env),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^WSS\\s+wss://${origin.replace(/\./g, '\\.')}`, 'm'));
    expect(json.code).toBe(0);
    const ep = JSON.parse(json.stdout) as { wss: string; https: string };
    expect(ep.wss).toMatch(/^wss:\/\//);
    expect(ep.https).toMatch(/^https:\/\//);
    expect(ice.code).toBe(0);
    const servers = (JSON.parse(ice.stdout) as { iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }> }).iceServers;
    expect([servers[0]!.urls].flat()[0]).toMatch(/^stuns?:/);
    const turn = servers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn')));
    expect(turn?.username).toMatch(/^\d+:/);
    expect(turn?.credential).toBeTruthy();
    // Tables never show TURN passwords.
    expect(iceTable.code).toBe(0);
    expect(iceTable.stdout.split('\n')[0]).toMatch(/^URLS\s+USERNAME$/);
    expect(iceTable.stdout).not.toContain(turn!.credential!);
  });

  it('needs --client-id for a viewer', async () => {
    const r = await runCli(['ice-servers', 'cli-ep', '--role', 'viewer', ...flags], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--client-id is required');
  });
});

describe('connect', () => {
  it('relays stdin JSON lines between a master and a viewer and prints every event as JSON', async () => {
    const master = new CliSession(spawnCli(['connect', 'cli-live', '--role', 'master', '--create', ...flags], env));
    let viewer: CliSession | undefined;
    let codes: Array<number | null> = [];
    try {
      await master.waitFor((l) => l.event === 'ready');
      expect(master.lines).toContainEqual({ event: 'open', reconnected: false });
      // The viewer starts once the master has created the channel.
      viewer = new CliSession(spawnCli(['connect', 'cli-live', '--role', 'viewer', '--client-id', 'cli-viewer', ...flags], env));
      await viewer.waitFor((l) => l.event === 'ready' && l.clientId === 'cli-viewer');

      const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
      viewer.send({ action: 'SDP_OFFER', payload: { type: 'offer', sdp } });
      const offer = await master.waitFor((l) => l.event === 'sdpOffer');
      expect(offer).toEqual({ event: 'sdpOffer', payload: { type: 'offer', sdp }, senderClientId: 'cli-viewer' });

      master.send({ action: 'sdp_answer', messagePayload: { type: 'answer', sdp }, recipientClientId: 'cli-viewer', correlationId: 'c-1' });
      expect(await master.waitFor((l) => l.event === 'sent')).toMatchObject({ action: 'SDP_ANSWER', recipientClientId: 'cli-viewer', correlationId: 'c-1' });
      expect(await viewer.waitFor((l) => l.event === 'sdpAnswer')).toMatchObject({ payload: { type: 'answer', sdp } });

      const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0 };
      viewer.send({ action: 'ICE_CANDIDATE', payload: candidate });
      expect(await master.waitFor((l) => l.event === 'iceCandidate')).toEqual({ event: 'iceCandidate', payload: candidate, senderClientId: 'cli-viewer' });

      // Bad lines are reported with their line number and the session goes on.
      viewer.send('this is not json');
      viewer.send({ action: 'SDP_OFFER', payload: 'not an object' });
      viewer.send({ action: 'SDP_OFFER', payload: { type: 'offer', sdp }, recipientClientId: 'someone' });
      const notJson = await viewer.waitFor((l) => l.event === 'inputError' && l.line === 3);
      expect(notJson.message).toBe('not JSON');
      expect((await viewer.waitFor((l) => l.event === 'inputError' && l.line === 4)).message).toBe('payload must be a JSON object');
      // A viewer may not name a recipient: the client refuses with a typed error.
      expect(await viewer.waitFor((l) => l.event === 'inputError' && l.line === 5)).toMatchObject({ action: 'SDP_OFFER', error: { code: expect.any(String) } });
    } finally {
      codes = await Promise.all([master.stop(), viewer ? viewer.stop() : Promise.resolve(null)]);
    }
    expect(codes).toEqual([0, 0]);
    // Read after exit: stderr and stdout are separate pipes with no ordering between them.
    expect(viewer?.stderr).toContain('stdin line 3: not JSON');
    expect(master.lines.at(-1)).toEqual({ event: 'stateChange', from: 'closing', to: 'closed' });
  });

  it('with --exit-on-eof, sends what stdin holds and exits 0 when it ends', async () => {
    const master = new CliSession(spawnCli(['connect', 'cli-eof', '--role', 'master', '--create', ...flags], env));
    try {
      await master.waitFor((l) => l.event === 'ready');
      const sdp = 'v=0\r\n';
      const r = await runCli(
        ['connect', 'cli-eof', '--role', 'viewer', '--client-id', 'eof-viewer', '--exit-on-eof', ...flags],
        env,
        `${JSON.stringify({ action: 'SDP_OFFER', payload: { type: 'offer', sdp } })}\n`,
      );
      expect(r.code).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string });
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['open', 'ready', 'sent', 'close']));
      expect(await master.waitFor((l) => l.event === 'sdpOffer')).toMatchObject({ senderClientId: 'eof-viewer' });
    } finally {
      expect(await master.stop()).toBe(0);
    }
  });

  it('exits 4 when the channel does not exist and --create is not given', async () => {
    const r = await runCli(['connect', 'cli-absent', '--role', 'master', ...flags], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ResourceNotFoundException');
  });
});

describe('emulator', () => {
  it('says how to install the emulator when @kvs-sig/emulator cannot be found, exit 3', async () => {
    // Simulates a user project without the (private, optional) emulator package:
    // a resolve hook refuses it and the working directory has no node_modules.
    const hook = `export async function resolve(s, c, next) { if (s === '@kvs-sig/emulator') { const e = new Error("Cannot find package '@kvs-sig/emulator'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const r = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=@kvs-sig/source', '--import', require.resolve('tsx'), '--import', `data:text/javascript,${encodeURIComponent(register)}`, cli, 'emulator'],
        { cwd: tmpdir(), env },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('kvs-sig: the emulator is not installed: add the @kvs-sig/emulator package (npm install -D @kvs-sig/emulator, or run from the kvs-sig repository)\n');
  });

  it('starts the emulator, which the other commands can use, and stops on SIGINT', async () => {
    const child = spawnCli(['emulator', '--json'], isolatedEnv({}));
    let out = '';
    const first = new Promise<string>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const info = JSON.parse(await first) as { endpoint: string; region: string; caPath: string; credentials: { accessKeyId: string; secretAccessKey: string } };
      expect(info.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const own = isolatedEnv({
        AWS_ACCESS_KEY_ID: info.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: info.credentials.secretAccessKey,
        AWS_REGION: info.region,
      });
      const created = await runCli(['channel', 'create', 'from-cli-emulator', '--json', '--endpoint', info.endpoint, '--ca', info.caPath], own);
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ channelName: 'from-cli-emulator' });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
