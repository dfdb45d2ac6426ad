import * as https from 'node:https';
import * as http from 'node:http';
import { presignWssUrl, signRequest } from '@kvs-sig/signer';
import WebSocket from 'ws';
import { startEmulator, type Emulator, type EmulatorCredentials, type EmulatorOptions } from '../src';

/** A reply as the tests see it. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

/** Sends raw bytes (already signed or deliberately not) over HTTPS/HTTP trusting the emulator's CA. */
export function rawRequest(
  emu: Emulator,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; origin?: string } = {},
): Promise<Reply> {
  const url = new URL(path, init.origin ?? emu.controlPlaneEndpoint);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      { method: init.method ?? 'POST', headers: init.headers ?? {}, ...(emu.ca ? { ca: emu.ca } : {}), agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body ?? '');
  });
}

export interface CallOptions {
  credentials?: EmulatorCredentials;
  region?: string;
  signingDate?: Date;
  /** Body text as is (otherwise JSON.stringify(body)). */
  rawBody?: string;
  origin?: string;
}

/** A SigV4-signed POST, as an SDK would send it. */
export async function call(emu: Emulator, path: string, body: unknown = {}, o: CallOptions = {}): Promise<Reply> {
  const text = o.rawBody ?? JSON.stringify(body);
  const url = new URL(path, o.origin ?? emu.controlPlaneEndpoint).toString();
  const signed = await signRequest(
    { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: text },
    {
      credentials: o.credentials ?? emu.credentials,
      region: o.region ?? emu.region,
      ...(o.signingDate ? { signingDate: o.signingDate } : {}),
    },
  );
  return rawRequest(emu, path, { headers: signed.headers, body: text, ...(o.origin ? { origin: o.origin } : {}) });
}

/** Creates a channel and returns its ARN. */
export async function createChannel(emu: Emulator, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call(emu, '/createSignalingChannel', { ChannelName: name, ...extra });
  if (r.status !== 200) throw new Error(`create ${name}: ${r.status} ${r.text}`);
  return r.json.ChannelARN as string;
}

/** Creates a stream with 24 h retention (so a channel can store into it) and returns its ARN. */
export async function createStream(emu: Emulator, name: string): Promise<string> {
  const r = await call(emu, '/createStream', { StreamName: name, DataRetentionInHours: 24 });
  if (r.status !== 200) throw new Error(`create stream ${name}: ${r.status} ${r.text}`);
  return r.json.StreamARN as string;
}

export interface WsOptions {
  clientId?: string;
  credentials?: EmulatorCredentials;
  region?: string;
  signingDate?: Date;
  endpoint?: string;
  /** Extra query (already in the unsigned URL). */
  query?: Record<string, string>;
}

/** The presigned URL a client would open. */
export async function wssUrl(emu: Emulator, arn: string, o: WsOptions = {}): Promise<string> {
  const endpoint = o.endpoint ?? emu.controlPlaneEndpoint.replace(/^http/, 'ws');
  const q = new URLSearchParams({ 'X-Amz-ChannelARN': arn, ...(o.clientId !== undefined ? { 'X-Amz-ClientId': o.clientId } : {}), ...o.query });
  return presignWssUrl(`${endpoint}?${q.toString()}`, {
    credentials: o.credentials ?? emu.credentials,
    region: o.region ?? emu.region,
    ...(o.signingDate ? { signingDate: o.signingDate } : {}),
  });
}

/** A connected socket with a frame queue. */
export class Peer {
  readonly received: string[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(String(data));
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = String(reason);
        for (const w of this.waiters.splice(0)) w();
        resolve(code);
      });
    });
  }

  /** Waits for the next unread frame (parsed JSON). */
  async next(timeoutMs = 3000): Promise<Record<string, unknown>> {
    const text = await this.nextText(timeoutMs);
    return JSON.parse(text) as Record<string, unknown>;
  }

  private cursor = 0;

  async nextText(timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) {
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) while waiting for a frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received[this.cursor++]!;
  }

  /** Every frame received and not read yet (parsed JSON), without waiting. */
  drain(): Record<string, unknown>[] {
    const out = this.received.slice(this.cursor).map((t) => JSON.parse(t) as Record<string, unknown>);
    this.cursor = this.received.length;
    return out;
  }

  /** Asserts nothing more arrives within `ms`. */
  async expectSilence(ms = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (this.cursor < this.received.length) throw new Error(`unexpected frame: ${this.received[this.cursor]}`);
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(this.closeCode ?? 1005);
    this.ws.close();
    return this.closed;
  }
}

/** Opens a signed WebSocket; rejects with the status (and error type) when the handshake is refused. */
export async function connect(emu: Emulator, arn: string, o: WsOptions = {}): Promise<Peer> {
  const url = await wssUrl(emu, arn, o);
  return openUrl(emu, url);
}

export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string | undefined,
    readonly body: string,
    readonly headers: http.IncomingHttpHeaders,
  ) {
    super(`handshake refused: ${status} ${errorType ?? ''} ${body}`);
  }
}

export function openUrl(emu: Emulator, url: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...(emu.ca ? { ca: emu.ca } : {}) });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        reject(new HandshakeRefused(res.statusCode ?? 0, res.headers['x-amzn-errortype'] as string | undefined, body, res.headers));
        ws.terminate();
      });
    });
    ws.once('open', () => resolve(new Peer(ws)));
    ws.once('error', (err) => reject(err));
  });
}

/** Expects a refused handshake and returns it. */
export async function refused(p: Promise<Peer>): Promise<HandshakeRefused> {
  try {
    const peer = await p;
    await peer.close();
  } catch (err) {
    if (err instanceof HandshakeRefused) return err;
    throw err;
  }
  throw new Error('the handshake was accepted');
}

/** base64 of a JSON payload, as the clients send it. */
export function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj), 'utf8').toString('base64');
}

export function decode(payload: unknown): unknown {
  return JSON.parse(Buffer.from(String(payload), 'base64').toString('utf8'));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts an emulator for one test file. */
export async function withEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator(options);
}
