/**
 * A local coturn for the demo and the relay tests: loopback only, no TLS,
 * TURN REST credentials (`use-auth-secret`), killed by `close()`.
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's coturn binary. @public */
export const TURNSERVER_PATH = '/usr/bin/turnserver';

/** A running coturn. @public */
export interface TurnServer {
  /** `turn:` URIs for the emulator's `turn.urls`. */
  urls: string[];
  /** The `static-auth-secret` (for the emulator's `turn.secret`). */
  secret: string;
  port: number;
  /** What coturn printed (for diagnostics). */
  output(): string;
  /** Kills coturn and removes its files. Safe to call twice. */
  close(): Promise<void>;
  /** Kills coturn at once, synchronously (for exit paths that cannot wait). */
  kill(): void;
}

/** Options of {@link startTurnServer}. @public */
export interface TurnServerOptions {
  /** Default: a random secret. */
  secret?: string;
  /** Path of the binary. Default {@link TURNSERVER_PATH}. */
  binary?: string;
  /** Give up after this long without a listener. Default 10 s. */
  startTimeoutMs?: number;
}

/** True if coturn is installed. @public */
export function hasTurnServer(binary = TURNSERVER_PATH): boolean {
  return existsSync(binary);
}

/** A port free for both TCP and UDP on 127.0.0.1 (TURN listens on both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free TCP+UDP port on 127.0.0.1');
}

/**
 * Starts coturn on 127.0.0.1 (relay on 127.0.0.1 too, loopback peers allowed)
 * and resolves once it listens.
 * @public
 */
export async function startTurnServer(options: TurnServerOptions = {}): Promise<TurnServer> {
  const binary = options.binary ?? TURNSERVER_PATH;
  if (!hasTurnServer(binary)) {
    throw new Error(`coturn is not installed (${binary} missing): apt-get install coturn`);
  }
  const secret = options.secret ?? randomBytes(16).toString('hex');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kvs-sig-turn-'));
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=kvs-sig.local',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--allow-loopback-peers',
    '--fingerprint',
    '--log-file=stdout',
    '--simple-log',
    '--verbose',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--userdb=${join(dir, 'turndb')}`,
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Bounded: coturn logs every allocation.
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A child outlives its parent: if this process exits without close(), take coturn along.
  const killAtExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAtExit);

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    process.removeListener('exit', killAtExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForListener(port, child, () => output, options.startTimeoutMs ?? 10_000);
  } catch (error) {
    await close();
    throw error;
  }
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  return { urls: [`turn:127.0.0.1:${port}?transport=udp`], secret, port, output: () => output, close, kill };
}

/** Waits until coturn accepts TCP connections on its port (it opens UDP and TCP together). */
async function waitForListener(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { connect } = await import('node:net');
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`coturn exited with ${child.exitCode}: ${output().slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`coturn did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${output().slice(-2000)}`);
}
