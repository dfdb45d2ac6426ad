/**
 * The Node master and viewer apps, run as a user runs them: one master (with
 * its embedded emulator and a local coturn) serving three viewers at once over
 * real WebRTC data channels.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

const root = join(__dirname, '..', '..', '..');

class App {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (c: Buffer) => (this.out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (this.err += c.toString()));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  static start(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): App {
    const child = spawn(process.execPath, ['--conditions=@kvs-sig/source', '--import', 'tsx', join(root, entry), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...env },
    });
    return new App(child);
  }

  async waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.out.match(pattern);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} within ${ms} ms in:\n${this.out}\n${this.err}`);
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode} before ${String(pattern)}:\n${this.out}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

it('one master serves three viewers at once; messages go both ways and to all', async () => {
  const master = App.start('examples/node-master/src/main.ts', ['--channel', 'apps-room']);
  const viewers: App[] = [];
  try {
    const join = await master.waitFor(/AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_REGION=(\S+) node scripts\/run-ts\.mjs examples\/node-viewer\/src\/main\.ts (.+)\n/);
    await master.waitFor(/master on channel apps-room/);
    const [, accessKeyId, secret, region, args] = join;
    const env = { AWS_ACCESS_KEY_ID: accessKeyId!, AWS_SECRET_ACCESS_KEY: secret!, AWS_REGION: region! };
    // The embedded emulator's ICE servers point at a real coturn, so no --stun-only.
    expect(args).not.toContain('--stun-only');
    for (const id of ['v1', 'v2', 'v3']) {
      viewers.push(App.start('examples/node-viewer/src/main.ts', [...args!.split(' '), '--client-id', id, '--message', `hi from ${id}`], env));
    }
    for (const [i, v] of viewers.entries()) {
      await v.waitFor(/data channel open in/);
      await v.waitFor(new RegExp(`master: echo: hi from v${i + 1}\\n`));
      await v.waitFor(new RegExp(`master: welcome, v${i + 1}\\n`));
    }
    for (const id of ['v1', 'v2', 'v3']) await master.waitFor(new RegExp(`viewer ${id}: hi from ${id}\\n`));
    // All three are connected at the same time: a stdin line reaches every one.
    master.child.stdin.write('news for everyone\n');
    await master.waitFor(/sent to 3 viewer\(s\)/);
    for (const v of viewers) await v.waitFor(/master: news for everyone\n/);
  } finally {
    const codes = await Promise.all(viewers.map((v) => v.stop()));
    const masterCode = await master.stop();
    expect(codes).toEqual(viewers.map(() => 0));
    expect(masterCode).toBe(0);
  }
  expect(master.out).toContain('master stopped');
});

it('a viewer with --once exits 0 after the reply; a viewer with no master gives up with a clear message; a viewer whose master stops exits 0', async () => {
  const master = App.start('examples/node-master/src/main.ts', ['--channel', 'apps-once', '--stun-only']);
  try {
    const join = await master.waitFor(/AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_REGION=(\S+) node scripts\/run-ts\.mjs examples\/node-viewer\/src\/main\.ts (.+)\n/);
    await master.waitFor(/master on channel apps-once/);
    const [, accessKeyId, secret, region, args] = join;
    const env = { AWS_ACCESS_KEY_ID: accessKeyId!, AWS_SECRET_ACCESS_KEY: secret!, AWS_REGION: region! };
    expect(args).toContain('--stun-only');
    const once = App.start('examples/node-viewer/src/main.ts', [...args!.split(' '), '--message', 'ping', '--once'], env);
    expect(await once.exited).toBe(0);
    expect(once.out).toContain('master: echo: ping');

    // Same emulator, a channel with no master: the viewer times out and says why.
    const lonely = App.start('examples/node-viewer/src/main.ts', [...args!.replace('apps-once', 'apps-nobody').split(' '), '--timeout', '3'], env);
    expect(await lonely.exited).toBe(1);
    expect(lonely.err).toMatch(/node-viewer: (ResourceNotFoundException|no data channel)/);

    // A viewer that stays: when the master stops, it says so and exits 0.
    const stay = App.start('examples/node-viewer/src/main.ts', [...args!.split(' '), '--client-id', 'stay'], env);
    await stay.waitFor(/data channel open in/);
    await stay.waitFor(/master: welcome, stay\n/);
    expect(await master.stop()).toBe(0);
    expect(await stay.exited).toBe(0);
    expect(stay.out).toContain('master left');
  } finally {
    expect(await master.stop()).toBe(0);
  }
});

it('refuses a bad command line with exit 2 and a message', async () => {
  const noChannel = App.start('examples/node-master/src/main.ts', []);
  const both = App.start('examples/node-viewer/src/main.ts', ['--channel', 'x', '--aws', '--endpoint', 'https://127.0.0.1:1']);
  expect(await noChannel.exited).toBe(2);
  expect(noChannel.err).toContain('--channel is required');
  expect(await both.exited).toBe(1);
  expect(both.err).toContain('give --aws or --endpoint, not both');
});
