/**
 * The browser example's backend: serves the master and viewer pages (bundled
 * with esbuild from the client's browser build) and holds the AWS credentials.
 * It presigns WebSocket URLs and signs and forwards control-plane calls for the
 * pages, so no key or session token ever reaches a browser.
 *
 * Run: `node scripts/run-ts.mjs examples/browser/src/server.ts --emulator`
 * (or `--endpoint https://… --ca ca.pem`, or nothing for AWS with the standard
 * credential chain and `--region`/`AWS_REGION`).
 * @packageDocumentation
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { createSigV4RequestSigner, type CredentialsInput, type CredentialsProvider } from '@kvs-sig/signer';

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '..', 'public');
const pageEntry = join(here, 'page', 'app.ts');

/** Options of {@link startExampleServer}. @public */
export interface ExampleServerOptions {
  /** AWS region the pages sign for. */
  region: string;
  /** The keys; they stay in this process. */
  credentials: CredentialsInput | CredentialsProvider;
  /** A control-plane endpoint other than AWS's (the emulator's). */
  controlPlaneEndpoint?: string;
  /** PEM CA to trust for upstream calls (the emulator's). */
  ca?: string;
  /** Listen address. @default '127.0.0.1' */
  host?: string;
  /** Listen port. @default 0 (any free port) */
  port?: number;
  /** Called for each proxied call, for a log. */
  onRequest?: (line: string) => void;
}

/** A running example server. @public */
export interface ExampleServer {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** The page bundle as served (tests check it carries no secret). */
  bundle: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
const SKEW_LIMIT_MS = 15 * 60 * 1000;
/** Only the presign parameters a signaling client needs; anything else could be abused to sign other things. */
const PRESIGN_KEYS = new Set(['X-Amz-ChannelARN', 'X-Amz-ClientId']);
/** Control-plane and signaling operations the pages may call. */
const ALLOWED_PATHS = new Set([
  '/describeSignalingChannel',
  '/createSignalingChannel',
  '/getSignalingChannelEndpoint',
  '/v1/get-ice-server-config',
  '/listSignalingChannels',
]);
const AWS_HOST = /^[a-z0-9.-]*kinesisvideo[a-z0-9.-]*\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$/i;
const PASSED_RESPONSE_HEADERS = ['content-type', 'date', 'x-amzn-errortype', 'x-amzn-requestid'];

class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Bundles the page for the browser from the client's browser build. @public */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [pageEntry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@kvs-sig/source', 'browser'],
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the page');
  return file.text;
}

/**
 * Starts the example server.
 * @public
 */
export async function startExampleServer(options: ExampleServerOptions): Promise<ExampleServer> {
  const signer = createSigV4RequestSigner({ credentials: options.credentials, region: options.region });
  const bundle = await bundlePage();
  const emulatorHost = options.controlPlaneEndpoint ? new URL(options.controlPlaneEndpoint).hostname : undefined;
  const hostAllowed = (hostname: string): boolean =>
    emulatorHost !== undefined ? hostname === emulatorHost : AWS_HOST.test(hostname);
  const config = JSON.stringify({ region: options.region, endpoint: options.controlPlaneEndpoint ?? null });

  const presign = async (body: unknown): Promise<unknown> => {
    const input = body as { endpoint?: unknown; queryParams?: unknown; date?: unknown };
    if (typeof input.endpoint !== 'string') throw new HttpFailure(400, 'endpoint: a wss:// URL is required');
    const url = parseUrl(input.endpoint, 'endpoint');
    if (url.protocol !== 'wss:') throw new HttpFailure(400, 'endpoint: only wss:// endpoints are presigned');
    if (!hostAllowed(url.hostname)) throw new HttpFailure(403, `endpoint: host ${url.hostname} is not a KVS signaling host`);
    if (typeof input.queryParams !== 'object' || input.queryParams === null) throw new HttpFailure(400, 'queryParams: an object is required');
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.queryParams)) {
      if (!PRESIGN_KEYS.has(key)) throw new HttpFailure(400, `queryParams.${key}: not a signaling parameter`);
      if (typeof value !== 'string') throw new HttpFailure(400, `queryParams.${key}: must be a string`);
      query[key] = value;
    }
    let date: Date | undefined;
    if (input.date !== undefined) {
      date = new Date(String(input.date));
      if (Number.isNaN(date.getTime()) || Math.abs(date.getTime() - Date.now()) > SKEW_LIMIT_MS) {
        throw new HttpFailure(400, 'date: must be an ISO time within 15 minutes of the server clock');
      }
    }
    return { url: await signer.getSignedUrl(input.endpoint, query, date) };
  };

  const proxy = async (body: unknown): Promise<unknown> => {
    const input = body as { url?: unknown; method?: unknown; body?: unknown };
    if (typeof input.url !== 'string') throw new HttpFailure(400, 'url: required');
    const url = parseUrl(input.url, 'url');
    if (url.protocol !== 'https:' && !(emulatorHost && url.protocol === 'http:')) throw new HttpFailure(400, 'url: https:// required');
    if (!hostAllowed(url.hostname)) throw new HttpFailure(403, `url: host ${url.hostname} is not a KVS host`);
    if (!ALLOWED_PATHS.has(url.pathname)) throw new HttpFailure(403, `url: ${url.pathname} is not an operation the pages may call`);
    if (input.method !== 'POST') throw new HttpFailure(400, 'method: KVS operations are POST');
    const payload = typeof input.body === 'string' ? input.body : '';
    const signed = await signer.signRequest({
      method: 'POST',
      url: url.toString(),
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    options.onRequest?.(`proxy ${url.pathname}`);
    return forward(signed.url, signed.headers, signed.body ?? '', options.ca);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpFailure ? error.status : 502;
      const message = error instanceof Error ? error.message : String(error);
      send(res, status, 'application/json', JSON.stringify({ message }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET') {
      if (path === '/bundle/app.js') return send(res, 200, 'text/javascript; charset=utf-8', bundle);
      if (path === '/config.json') return send(res, 200, 'application/json', config);
      const page = path === '/' ? 'index.html' : path.slice(1);
      if (/^(?:index|master|viewer|official-viewer)\.html$/.test(page)) {
        return send(res, 200, 'text/html; charset=utf-8', await readFile(join(publicDir, page), 'utf8'));
      }
      if (path === '/vendor/kvs-webrtc.min.js') {
        // The official SDK's browser bundle, for the interoperability page only.
        const file = createRequire(import.meta.url).resolve('amazon-kinesis-video-streams-webrtc/dist/kvs-webrtc.min.js');
        return send(res, 200, 'text/javascript; charset=utf-8', await readFile(file, 'utf8'));
      }
      throw new HttpFailure(404, `${path}: not found`);
    }
    if (req.method === 'POST' && (path === '/api/presign' || path === '/api/aws')) {
      const body = await readJson(req);
      const reply = path === '/api/presign' ? await presign(body) : await proxy(body);
      return send(res, 200, 'application/json', JSON.stringify(reply));
    }
    throw new HttpFailure(405, `${req.method ?? '?'} ${path}: not allowed`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    bundle,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * base64(SHA-256(SubjectPublicKeyInfo)) of the certificate a TLS endpoint
 * presents: the value Chromium's `--ignore-certificate-errors-spki-list` takes,
 * so a browser can reach the emulator's self-signed WebSocket endpoint.
 * @public
 */
export function spkiHashOf(endpoint: string, ca: string): Promise<string> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: url.hostname, port: Number(url.port || 443), ca }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      const spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
      resolve(createHash('sha256').update(spki).digest('base64'));
    });
    socket.once('error', reject);
  });
}

function parseUrl(text: string, field: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new HttpFailure(400, `${field}: not a URL`);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpFailure(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpFailure(400, 'body: not JSON');
  }
}

function forward(
  url: string,
  headers: Record<string, string>,
  body: string,
  ca: string | undefined,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const requestFn = target.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = requestFn(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, ...(ca ? { ca } : {}), timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const passed: Record<string, string> = {};
          for (const name of PASSED_RESPONSE_HEADERS) {
            const value = res.headers[name];
            if (typeof value === 'string') passed[name] = value;
          }
          resolve({ status: res.statusCode ?? 502, headers: passed, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('upstream timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      emulator: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      ca: { type: 'string' },
      region: { type: 'string' },
      port: { type: 'string', default: '8080' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: server.ts [--emulator | --endpoint URL --ca FILE] [--region R] [--port 8080]');
    return;
  }
  let closeEmulator: (() => Promise<void>) | undefined;
  let serverOptions: ExampleServerOptions;
  if (values.emulator) {
    const { startEmulator } = await import('@kvs-sig/emulator');
    const emulator = await startEmulator({});
    closeEmulator = () => emulator.close();
    serverOptions = { region: emulator.region, credentials: emulator.credentials, controlPlaneEndpoint: emulator.controlPlaneEndpoint, ca: emulator.ca };
    console.log(`emulator at ${emulator.controlPlaneEndpoint}`);
  } else {
    const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('no region: pass --region or set AWS_REGION');
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    const chain = fromNodeProviderChain();
    serverOptions = {
      region,
      credentials: async () => chain(),
      ...(values.endpoint ? { controlPlaneEndpoint: values.endpoint } : {}),
      ...(values.ca ? { ca: await readFile(values.ca, 'utf8') } : {}),
    };
  }
  const server = await startExampleServer({ ...serverOptions, port: Number(values.port), onRequest: (l) => console.log(l) });
  console.log(`pages at ${server.url}/master.html and ${server.url}/viewer.html (Ctrl-C to stop)`);
  if (serverOptions.controlPlaneEndpoint && serverOptions.ca) {
    // Browsers do not trust the emulator's generated CA: name its key to Chromium.
    const spki = await spkiHashOf(serverOptions.controlPlaneEndpoint, serverOptions.ca);
    console.log(`the emulator's certificate is self-signed; start Chromium with:\n  chromium --user-data-dir=$(mktemp -d) --ignore-certificate-errors-spki-list=${spki} ${server.url}/viewer.html`);
  }
  const stop = async () => {
    await server.close();
    await closeEmulator?.();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
