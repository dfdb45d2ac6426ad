/**
 * Running the `kvs-sig` command in tests: spawned on its TypeScript sources,
 * as the README's development command runs it, with only the environment a
 * test gives.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..', '..');
export const cli = join(root, 'packages', 'cli', 'src', 'cli.ts');

/** Environment with only what a test gives: no shared AWS files, no instance metadata lookups. */
export function isolatedEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
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
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd = root): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=@kvs-sig/source', '--import', require.resolve('tsx'), cli, ...args], { cwd, env });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion, feeding `input` on stdin. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, input = '', cwd = root): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** A long-running CLI process whose stdout JSON lines can be awaited. */
export class CliSession {
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


/**
 * What a terminal shows after `text` (stdout and stderr interleaved, as they
 * share a screen): `\r` returns to column 0, `ESC[K` erases to the end of the
 * line, other escape sequences are dropped.
 */
export function renderScreen(text: string): string[] {
  const screen: string[] = [''];
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const row = screen.length - 1;
    const esc = /^\x1b\[[0-9;?]*([A-Za-z])/.exec(text.slice(i, i + 16));
    if (esc) {
      if (esc[1] === 'K') screen[row] = screen[row]!.slice(0, col);
      i += esc[0].length - 1;
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      screen.push('');
      col = 0;
    } else {
      const line = screen[row]!.padEnd(col);
      screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  return screen;
}

/** A frame of the CLI's spinner. */
export const SPINNER_FRAME = /[\u280b\u2819\u2839\u2838\u283c\u2834\u2826\u2827\u2807\u280f]/;
