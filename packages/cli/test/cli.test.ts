/**
 * The `kvs-sig` command, spawned as a user runs it (on the TypeScript sources)
 * against a TLS emulator started here, with credentials from the standard AWS
 * chain (environment variables) and nothing else.
 */
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEmulatorBin } from '../src/cli/emulator';
import { ConfigError } from '../src/cli/exit-codes';
import { spawn } from 'node:child_process';
import { CliSession, cli, isolatedEnv, renderScreen, root, runCli, SPINNER_FRAME, spawnCli } from './helpers';

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
      [['doctor', '--help'], /Usage: kvs-sig doctor[\s\S]*17  turn/],
      [['emulator', '--help'], /Usage: kvs-sig-emulator/],
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

  it('has one usage convention: a bare command or group prints its usage on stderr, exit 2; a bad command gets one hint', async () => {
    const [bare, group, bogus] = await Promise.all([runCli([], env), runCli(['channel'], env), runCli(['bogus'], env)]);
    expect([bare.code, group.code, bogus.code]).toEqual([2, 2, 2]);
    expect([bare.stdout, group.stdout, bogus.stdout]).toEqual(['', '', '']);
    expect(bare.stderr).toMatch(/^Usage: kvs-sig <command>/);
    expect(group.stderr).toMatch(/^Usage: kvs-sig channel <create\|describe\|list\|delete>/);
    expect(bogus.stderr).toBe(`kvs-sig: unknown command "bogus"\nRun 'kvs-sig --help' for usage.\n`);
  });

  it("prints the package's version", async () => {
    const r = await runCli(['--version'], env);
    expect(r).toEqual({ code: 0, stdout: `${(require('../package.json') as { version: string }).version}\n`, stderr: '' });
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

    const [table, wide] = await Promise.all([runCli(['channel', 'list', ...flags], env), runCli(['channel', 'list', '--wide', ...flags], env)]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+TTL\s+CREATED\s+ARN$/);
    expect(table.stdout).toMatch(/^cli-one\s+ACTIVE\s+30\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+arn:aws:\S*…$/m);
    for (const l of table.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    // --wide prints the whole ARN.
    const arn = parsed.channels.find((c) => c.channelName === 'cli-one') as unknown as { channelArn: string };
    expect(wide.stdout).toMatch(new RegExp(`^cli-one\\s+ACTIVE\\s+30\\s+\\S+ \\S+\\s+${arn.channelArn}$`, 'm'));

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

  it('exits 6 when the emulator TLS certificate is not trusted, and says to pass --ca', async () => {
    const r = await runCli(['channel', 'list', '--endpoint', emu.controlPlaneEndpoint], env);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^kvs-sig: CONNECTION_FAILED: .*not trusted .*pass its CA with --ca <file> \(PEM\)\n$/);
    expect(r.stderr).not.toContain('tls:');
  });

  it('takes a loopback http:// endpoint only with --allow-insecure, and says so', async () => {
    const plain = await startEmulator({ tls: false });
    try {
      const own = isolatedEnv({ AWS_ACCESS_KEY_ID: plain.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: plain.credentials.secretAccessKey, AWS_REGION: plain.region });
      const [refused, allowed] = await Promise.all([
        runCli(['channel', 'list', '--endpoint', plain.controlPlaneEndpoint], own),
        runCli(['channel', 'list', '--endpoint', plain.controlPlaneEndpoint, '--allow-insecure'], own),
      ]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toBe('kvs-sig: INSECURE_ENDPOINT: --endpoint http:// refused: pass --allow-insecure (loopback hosts only) or use https://\n');
      expect(allowed).toEqual({ code: 0, stdout: 'no channels\n', stderr: '' });
    } finally {
      await plain.close();
    }
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
    const ep = JSON.parse(json.stdout) as { wssEndpoint: string; httpsEndpoint: string };
    expect(ep.wssEndpoint).toMatch(/^wss:\/\//);
    expect(ep.httpsEndpoint).toMatch(/^https:\/\//);
    expect(ice.code).toBe(0);
    const servers = (JSON.parse(ice.stdout) as { iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }> }).iceServers;
    expect([servers[0]!.urls].flat()[0]).toMatch(/^stuns?:/);
    const turn = servers.find((s) => [s.urls].flat().some((u) => u.startsWith('turn')));
    expect(turn?.username).toMatch(/^\d+:/);
    expect(turn?.credential).toBeTruthy();
    // Tables never show TURN passwords; one URI per line keeps them within 80 columns.
    expect(iceTable.code).toBe(0);
    expect(iceTable.stdout.split('\n')[0]).toMatch(/^URLS\s+USERNAME$/);
    expect(iceTable.stdout).not.toContain(turn!.credential!);
    for (const l of iceTable.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    for (const url of [turn!.urls].flat()) expect(iceTable.stdout).toMatch(new RegExp(`^(\\S+\\s+)?${url.replace(/[?.]/g, '\\$&')}(\\s|$)`, 'm'));
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

  it('on a terminal (a pty), shows its spinner on a line of its own and never next to the JSON events', async () => {
    // util-linux `script` runs the command on a pseudo-terminal: stdout and stderr are both TTYs.
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, '--conditions=@kvs-sig/source', '--import', require.resolve('tsx'), cli];
    const args = ['connect', 'cli-tty', '--role', 'master', '--create', ...flags];
    // `exec`: the shell script starts must not outlive node (it would report Ctrl-C as its own exit 130).
    const child = spawn('script', ['-qefc', `exec ${[...command, ...args].map(quote).join(' ')}`, '/dev/null'], { cwd: root, env: { ...env, TERM: 'xterm' } });
    let screen = '';
    child.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!screen.includes('"event":"ready"') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(screen).toContain('"event":"ready"');
    } finally {
      // Ctrl-C on the terminal: SIGINT to the CLI, which closes the session.
      child.stdin.write('\x03');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }
    expect({ code: await exited, screen }).toEqual({ code: 0, screen });
    expect(screen).toMatch(SPINNER_FRAME);
    // The terminal itself echoes Ctrl-C as ^C.
    const lines = renderScreen(screen)
      .map((l) => l.replace(/^\^C/, ''))
      .filter((l) => l.trim());
    // Every line on screen is a whole JSON event: no spinner before, after or inside one.
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(expect.arrayContaining(['open', 'ready']));
  });

  it('exits 4 when the channel does not exist and --create is not given', async () => {
    const r = await runCli(['connect', 'cli-absent', '--role', 'master', ...flags], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ResourceNotFoundException');
  });
});

describe('emulator', () => {
  /** A user project whose @kvs-sig/emulator is a stand-in that prints its argv and exits 9. */
  function fakeProject(): string {
    const dir = mkdtempSync(join(tmpdir(), 'kvs-sig-cli-'));
    const pkg = join(dir, 'node_modules', '@kvs-sig', 'emulator');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"user-app","private":true}');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@kvs-sig/emulator', version: '9.9.9', bin: { 'kvs-sig-emulator': './bin/fake.js' } }));
    writeFileSync(join(pkg, 'bin', 'fake.js'), "process.stdout.write(JSON.stringify(process.argv.slice(2)) + '\\n'); process.stderr.write('fake emulator\\n'); process.exit(9);\n");
    return dir;
  }

  it("runs the project's own kvs-sig-emulator bin with the same arguments and exits with its code", async () => {
    const dir = fakeProject();
    try {
      const args = ['--port', '0', '--turn-url', 'turn:127.0.0.1:3478', '--json', '--limit', 'idleTimeoutMs=5000'];
      const r = await runCli(['emulator', ...args], isolatedEnv({}), '', dir);
      expect(r).toEqual({ code: 9, stdout: `${JSON.stringify(args)}\n`, stderr: 'fake emulator\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the bin from the first directory that has the package, and says how to install it when none has', () => {
    const dir = fakeProject();
    const empty = mkdtempSync(join(tmpdir(), 'kvs-sig-cli-empty-'));
    try {
      expect(findEmulatorBin([empty, dir])).toBe(join(dir, 'node_modules', '@kvs-sig', 'emulator', 'bin', 'fake.js'));
      expect(() => findEmulatorBin([empty])).toThrow(new ConfigError('the emulator is not installed: add the @kvs-sig/emulator package (npm install -D @kvs-sig/emulator)'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("starts the emulator with the emulator's own flags, which the other commands can use, and stops on SIGINT", async () => {
    const child = spawnCli(['emulator', '--json', '--region', 'eu-west-1'], isolatedEnv({}));
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const first = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      child.on('close', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const info = JSON.parse(await first) as { endpoint: string; region: string; caPath: string; accessKeyId: string; secretAccessKey: string };
      expect(info.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(info.region).toBe('eu-west-1');
      const own = isolatedEnv({ AWS_ACCESS_KEY_ID: info.accessKeyId, AWS_SECRET_ACCESS_KEY: info.secretAccessKey, AWS_REGION: info.region });
      const created = await runCli(['channel', 'create', 'from-cli-emulator', '--json', '--endpoint', info.endpoint, '--ca', info.caPath], own);
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ channelName: 'from-cli-emulator' });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
