/**
 * `@kvs-sig/emulator/testing`: the emulator for your own test suites (jest,
 * vitest, `node:test`, …): start one per suite, make channels, point clients
 * at it (the CA trusted), inject faults and read what it saw.
 * @packageDocumentation
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import {
  constructCreateSignalingChannelRequest,
  parseCreateSignalingChannelResponse,
  parseServiceError,
  type HttpRequest,
} from '@kvs-sig/core';
import { signRequest } from '@kvs-sig/signer';
import { startEmulator } from './server';
import type { Emulator, EmulatorCredentials, EmulatorFaults, EmulatorLog, EmulatorOptions } from './types';

/**
 * What a client needs to reach the emulator, shaped as `@kvs-sig/client`'s
 * options: spread it into `new SignalingClient({ ...emu.connection, role, … })`
 * or `new ChannelManager(emu.connection)`. @public
 */
export interface TestConnection {
  region: string;
  /** The control-plane endpoint, e.g. `https://127.0.0.1:41234`. */
  endpoint: string;
  credentials: EmulatorCredentials;
  /** The emulator's CA (absent with `tls: false`). */
  tls?: { ca: string };
  /** Present (true) with `tls: false`: the client then accepts loopback `http://`/`ws://`. */
  allowInsecureEndpoints?: true;
}

/** Options of {@link TestEmulator.createChannel}. @public */
export interface TestChannelOptions {
  /** Default `SINGLE_MASTER`. */
  channelType?: 'SINGLE_MASTER' | 'FULL_MESH';
  /** 5–120; default 60. */
  messageTtlSeconds?: number;
}

/** A running emulator for one test suite. @public */
export interface TestEmulator {
  /** The whole emulator API (options, connections, credential rotation, …). */
  readonly emulator: Emulator;
  /** Control-plane endpoint (every other endpoint is on the same origin). */
  readonly endpoint: string;
  readonly region: string;
  /** The only credentials it accepts (random unless given). */
  readonly credentials: EmulatorCredentials;
  /** PEM of the CA that signed its certificate (undefined with `tls: false`). */
  readonly ca: string | undefined;
  /** {@link TestEmulator.ca} as a file, for `NODE_EXTRA_CA_CERTS` / `AWS_CA_BUNDLE`. */
  readonly caPath: string | undefined;
  /** Client options that reach this emulator and trust its CA. */
  readonly connection: TestConnection;
  /** Fault injection: latency, failed/throttled calls, refused handshakes, drops, GO_AWAY, clock offset. */
  readonly faults: EmulatorFaults;
  /** What it saw: requests, frames, undelivered messages. */
  readonly log: EmulatorLog;
  /**
   * Creates a signaling channel through the real (signed) API, so it shows
   * in `log` as a `CreateSignalingChannel`. Without a name, a fresh unique one.
   * @throws the service's error (e.g. `ResourceInUseException`) as core's `ServiceError`.
   */
  createChannel(channelName?: string, options?: TestChannelOptions): Promise<{ channelName: string; channelArn: string }>;
  /**
   * Environment for a child process (your app; AWS SDK v3 needs nothing else):
   * `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
   * (`AWS_SESSION_TOKEN`), `AWS_ENDPOINT_URL_KINESIS_VIDEO`, and with TLS
   * `NODE_EXTRA_CA_CERTS` and `AWS_CA_BUNDLE` naming the CA file.
   */
  env(): Record<string, string>;
  /** Turns every fault off and clears the log (channels stay), e.g. in `afterEach`. */
  reset(): void;
  /** Closes every socket and timer and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

let channelCounter = 0;

/**
 * Starts an emulator for a test suite (same options as `startEmulator`;
 * by default `https://127.0.0.1:<free port>` with a fresh CA and random keys).
 * Call it in `beforeAll` / `before` and {@link TestEmulator.stop} in
 * `afterAll` / `after`.
 *
 * @throws ValidationError `INVALID_CONFIGURATION` naming a bad option.
 * @public
 */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator(options);
  const secure = emulator.ca !== undefined;
  const connection = (): TestConnection => ({
    region: emulator.region,
    endpoint: emulator.controlPlaneEndpoint,
    credentials: emulator.credentials,
    ...(emulator.ca !== undefined ? { tls: { ca: emulator.ca } } : { allowInsecureEndpoints: true as const }),
  });
  return {
    emulator,
    endpoint: emulator.controlPlaneEndpoint,
    region: emulator.region,
    get credentials() {
      return emulator.credentials;
    },
    ca: emulator.ca,
    caPath: emulator.caPath,
    // A getter: after `emulator.setCredentials(...)` it carries the new keys.
    get connection() {
      return connection();
    },
    faults: emulator.faults,
    log: emulator.log,
    async createChannel(channelName, channelOptions = {}) {
      const name = channelName ?? `test-${process.pid}-${++channelCounter}-${randomBytes(3).toString('hex')}`;
      const req = constructCreateSignalingChannelRequest({ channelName: name, ...channelOptions }, { controlPlaneEndpoint: emulator.controlPlaneEndpoint });
      const signed = await signRequest(req, { credentials: emulator.credentials, region: emulator.region });
      const res = await send(signed, emulator.ca);
      if (res.status !== 200) throw parseServiceError({ status: res.status, headers: res.headers, body: res.body });
      return { channelName: name, channelArn: parseCreateSignalingChannelResponse(res.body).channelArn };
    },
    env() {
      const c = emulator.credentials;
      return {
        AWS_REGION: emulator.region,
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        ...(c.sessionToken !== undefined ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
        AWS_ENDPOINT_URL_KINESIS_VIDEO: emulator.controlPlaneEndpoint,
        ...(secure && emulator.caPath !== undefined ? { NODE_EXTRA_CA_CERTS: emulator.caPath, AWS_CA_BUNDLE: emulator.caPath } : {}),
      };
    },
    reset() {
      emulator.faults.reset();
      emulator.log.clear();
    },
    stop: () => emulator.close(),
  };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One signed call to the emulator, trusting its CA (no global agent, no pool left open). */
function send(req: HttpRequest, ca: string | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const options = { method: req.method, headers: req.headers, agent: false as const, timeout: 10_000 };
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    };
    const r = url.protocol === 'https:' ? httpsRequest(url, { ...options, ca }, onResponse) : httpRequest(url, options, onResponse);
    r.on('timeout', () => r.destroy(new Error(`${req.method} ${url.pathname} to the emulator timed out`)));
    r.on('error', reject);
    r.end(req.body);
  });
}
