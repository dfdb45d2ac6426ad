/**
 * The open-time benchmark's browser app: one page, served from its own
 * http://127.0.0.1 origin (a secure context), that opens a viewer the way
 * our client does and the way the official viewer example does, and times it
 * with the page's own clock. The endpoints are other origins, so Chromium
 * applies CORS (preflights included) as it would for a real app.
 * @packageDocumentation
 */
import * as http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import { browserBuild } from './browser-build';

const require = createRequire(import.meta.url);

// What each flow's app writes (as weight.ts's ENTRIES), with the endpoint and the timing the benchmark needs.
const APP = `
import { SignalingClient, MemoryCache } from '@kvs-sig/client';
import { SignalingClient as OfficialClient, Role } from 'amazon-kinesis-video-streams-webrtc';
import { officialViewerChannel } from './official-flow';

const open = [];
// One cache for the page: a client started after another one in the same page finds its endpoints.
const cache = new MemoryCache();

export async function ours({ region, credentials, endpoint, channelName, clientId, shareCache }) {
  const t0 = performance.now();
  const client = new SignalingClient({ role: 'VIEWER', region, credentials, endpoint, channelName, clientId, ...(shareCache ? { cache } : {}) });
  open.push(() => client.close());
  await client.connect();
  const openMs = performance.now() - t0;
  await client.getIceServers();
  return { openMs, readyMs: performance.now() - t0 };
}

export async function official({ region, credentials, endpoint, channelName, clientId }) {
  const t0 = performance.now();
  const { channelARN, wssEndpoint, iceServerList } = await officialViewerChannel({ region, credentials, endpoint, channelName, clientId });
  if (!iceServerList) throw new Error('official flow: no IceServerList');
  const client = new OfficialClient({ channelARN, channelEndpoint: wssEndpoint, clientId, role: Role.VIEWER, region, credentials });
  open.push(() => new Promise((resolve) => { const t = setTimeout(resolve, 2000); client.once('close', () => { clearTimeout(t); resolve(); }); client.close(); }));
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', (err) => reject(new Error('official client error: ' + String(err && err.message || err))));
    client.open();
  });
  const ms = performance.now() - t0;
  return { openMs: ms, readyMs: ms };
}

export async function closeAll() {
  await Promise.all(open.splice(0).map((close) => close()));
}
`;

/** What the page's functions take. */
export interface PageOpenArgs {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };
  /** The control plane's origin. */
  endpoint: string;
  channelName: string;
  clientId: string;
  /** Ours only: use the page's one `MemoryCache`. */
  shareCache?: boolean;
}

/** Times measured with the page's clock, from the first line of app code to open / ready. */
export interface PageTimes {
  openMs: number;
  readyMs: number;
}

type BenchGlobal = { Bench: { ours(a: PageOpenArgs): Promise<PageTimes>; official(a: PageOpenArgs): Promise<PageTimes>; closeAll(): Promise<void> } };

/** The app page's site: serves `/` on http://127.0.0.1:<port>. */
export interface AppSite {
  readonly origin: string;
  close(): Promise<void>;
}

/** Bundles the app (our client from the workspace sources, the official SDK and AWS SDK v3 for the browser) and serves it. */
export function startAppSite(): Promise<AppSite> {
  return serveApp(APP, 'Bench');
}

/**
 * Bundles `app` (our packages from the workspace sources, the official SDK and AWS SDK v3 for the browser) as an IIFE
 * whose exports land on `globalThis[globalName]`, and serves it as the page `/`.
 */
export async function serveApp(app: string, globalName: string): Promise<AppSite> {
  const base = browserBuild(app);
  // The official package's CommonJS entry reads process.env.PACKAGE_VERSION at load, which its own webpack build defines;
  // without it the page throws `process is not defined`, so an app bundling it defines it too.
  const { version } = require('amazon-kinesis-video-streams-webrtc/package.json') as { version: string };
  const define = { ...base.define, 'process.env.PACKAGE_VERSION': JSON.stringify(version) };
  const out = await esbuild.build({ ...base, define, format: 'iife', globalName, minify: true });
  const code = out.outputFiles?.[0]?.text;
  if (!code) throw new Error(`esbuild produced no browser app for ${globalName}`);
  const html = `<!doctype html><meta charset="utf-8"><script>${code.replace(/<\/script/gi, '<\\/script')}</script>`;
  const server = http.createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Runs one flow in `page` (loaded from the site) and returns its times. */
export function openInPage(page: Page, flow: 'ours' | 'official', args: PageOpenArgs): Promise<PageTimes> {
  return page.evaluate(({ flow, args }) => (globalThis as unknown as BenchGlobal).Bench[flow](args), { flow, args });
}

/** Closes every client the page opened (their sockets), waiting for the official ones' `close`. */
export async function closeInPage(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as BenchGlobal).Bench.closeAll());
}
