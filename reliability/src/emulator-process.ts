/**
 * Runs the emulator in a child process (emulator-child.ts) so a scenario can
 * freeze it (SIGSTOP/SIGCONT), kill it (SIGKILL) and restart it on the same
 * port with the same certificate, keys and account. Everything else goes
 * through the emulator's public admin API (`/_emulator/...`). The logs of every
 * incarnation are collected before it is killed, so a run can be accounted for
 * across a restart.
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as https from 'node:https';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { generateCertificates } from '@kvs-sig/emulator';
import type { EmulatorCredentials, EmulatorLimits, FrameRecord, UndeliveredRecord } from '@kvs-sig/emulator';
import { RELIABILITY_MD } from './report';

const ROOT = path.dirname(RELIABILITY_MD);
const CHILD = path.join(ROOT, 'reliability', 'src', 'emulator-child.ts');

/** Options of {@link startEmulatorProcess}. @public */
export interface EmulatorProcessOptions {
  limits?: Partial<EmulatorLimits>;
  /** Channels the child creates at every start (a restart re-creates them: same name, new ARN). */
  channels?: string[];
}

/** An emulator in a child process. @public */
export class EmulatorProcess {
  readonly region = 'us-west-2';
  readonly credentials: EmulatorCredentials;
  readonly ca: string;
  endpoint = '';
  /** Frames and undelivered records of the incarnations killed so far. */
  private readonly pastFrames: FrameRecord[] = [];
  private readonly pastUndelivered: UndeliveredRecord[] = [];
  private child: ChildProcess | undefined;
  private port = 0;
  private frozen = false;

  private constructor(
    private readonly tls: { cert: string; key: string; ca: string; dir: string },
    private readonly accountId: string,
    private readonly options: EmulatorProcessOptions,
  ) {
    this.ca = tls.ca;
    this.credentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(20).toString('base64') };
  }

  /** Generates the certificate and keys once and starts the first incarnation. */
  static async start(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
    const certs = await generateCertificates();
    const p = new EmulatorProcess({ cert: certs.cert, key: certs.key, ca: certs.ca, dir: certs.dir }, String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999)), options);
    try {
      await p.spawn();
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  private async spawn(): Promise<void> {
    const tsx = createRequire(path.join(ROOT, 'package.json')).resolve('tsx');
    const config = { port: this.port, tls: { cert: this.tls.cert, key: this.tls.key, ca: this.tls.ca }, credentials: this.credentials, accountId: this.accountId, limits: this.options.limits, channels: this.options.channels };
    const child = spawn(process.execPath, ['--conditions=@kvs-sig/source', '--import', tsx, CHILD, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT });
    this.child = child;
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the emulator child did not start within 30 s')), 30_000);
      const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      rl.once('line', (l) => {
        clearTimeout(timer);
        rl.close();
        resolve(l);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the emulator child exited with ${code} before it was ready`));
      });
    });
    const info = JSON.parse(line) as { endpoint: string; port: number };
    this.endpoint = info.endpoint;
    this.port = info.port;
  }

  /** The process id of the running incarnation. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGSTOP: the process stops dead; the kernel still accepts connections into its backlog. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT. */
  thaw(): void {
    this.child?.kill('SIGCONT');
    this.frozen = false;
  }

  /** Keeps this incarnation's logs, then SIGKILL (no close frames, no FIN from the application). */
  async kill(): Promise<void> {
    await this.collect();
    await this.killChild('SIGKILL');
  }

  /** Starts a new incarnation on the same port with the same certificate, keys and account. */
  async restart(): Promise<void> {
    await this.spawn();
  }

  private async killChild(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (this.frozen) child.kill('SIGCONT');
    this.frozen = false;
    child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  private async collect(): Promise<void> {
    if (!this.child || this.frozen) return;
    this.pastFrames.push(...(await this.admin<FrameRecord[]>('GET', '/_emulator/log/frames')));
    this.pastUndelivered.push(...(await this.admin<UndeliveredRecord[]>('GET', '/_emulator/log/undelivered')));
  }

  /** Frames of every incarnation (the running one's fetched now). */
  async frames(): Promise<FrameRecord[]> {
    return [...this.pastFrames, ...(this.child ? await this.admin<FrameRecord[]>('GET', '/_emulator/log/frames') : [])];
  }

  /** Undelivered records of every incarnation. */
  async undelivered(): Promise<UndeliveredRecord[]> {
    return [...this.pastUndelivered, ...(this.child ? await this.admin<UndeliveredRecord[]>('GET', '/_emulator/log/undelivered') : [])];
  }

  /** One call of the admin API (loopback, unsigned), bounded to 10 s. */
  admin<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const url = new URL(route, this.endpoint);
    const text = body === undefined ? '' : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(url, { method, ca: this.ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, timeout: 10_000, agent: false }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`admin ${method} ${route}: ${res.statusCode} ${data}`));
          else resolve(JSON.parse(data) as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`admin ${method} ${route} timed out`)));
      req.on('error', reject);
      req.end(text);
    });
  }

  /** Stops the running incarnation (thawing it first) and removes the certificate files. */
  async stop(): Promise<void> {
    await this.killChild('SIGTERM');
    rmSync(this.tls.dir, { recursive: true, force: true });
  }
}

/** Starts an emulator child process. @public */
export function startEmulatorProcess(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  return EmulatorProcess.start(options);
}

