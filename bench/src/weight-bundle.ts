/**
 * How the weight benchmark bundles a browser app and counts what the page
 * loads, and the rows that carry a budget (checked in CI by
 * bench/test/weight-budget.test.ts against bench/weight-budgets.json).
 * @packageDocumentation
 */
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { BENCH_SRC, browserBuild } from './browser-build';

/** A browser entry point to bundle: what an app writes, so tree-shaking keeps exactly what that app needs. */
export interface Entry {
  readonly name: string;
  readonly what: string;
  readonly code: string;
  /**
   * The dynamic `import()`s this page runs, as parts of the imported module's
   * path (e.g. `packages/client/src/sigv4.ts`). The page loads its entry chunk,
   * what that imports statically, and the chunks of these; a page with a backend
   * signer never runs the import of SigV4, and no page here runs smithy's
   * event-stream support.
   */
  readonly runs: readonly string[];
}

/** The app code of a viewer after it built its client: handlers, connect, ICE, offer. */
const VIEWER_CALLS = `
client.on('sdpAnswer', (answer) => window.pc.setRemoteDescription(answer));
client.on('iceCandidate', (c) => window.pc.addIceCandidate(c));
await client.connect();
window.iceServers = await client.getIceServers?.();
client.sendSdpOffer(window.offer);
`;

/** A requestSigner that asks the page's backend for every signature: the keys never reach the page. */
const BACKEND_SIGNER = `
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const requestSigner = {
  getSignedUrl: async (wssEndpoint, queryParams, date) => (await post('/sign-url', { wssEndpoint, queryParams, date })).text(),
  signRequest: async (request, date) => (await post('/sign-request', { request, date })).json(),
};`;

/** The row of the backend-signer viewer whose peer connection is `@kvs-sig/webrtc`'s viewer session. */
export const SESSION_ROW = "ours: full viewer with @kvs-sig/webrtc's viewer session (backend signer)";
/** The row it is measured against: the session layer's added weight is the difference. */
export const SESSION_BASE_ROW = 'ours: full viewer, backend signer (@kvs-sig/client + requestSigner)';

/**
 * Our rows with a budget: the key is the row's name in bench/weight-budgets.json.
 * To add a row: add an entry here whose code is the app a user writes, run
 * `node scripts/run-ts.mjs bench/src/weight-budget.ts --write` to record its
 * budget, and commit both; the weight benchmark and the CI check pick it up.
 */
export const BUDGETED: readonly Entry[] = [
  {
    name: 'ours: full viewer, credentials in the page (@kvs-sig/client)',
    what: 'channel name → describe, endpoints, ICE, SigV4 signing in the page (WebCrypto), socket, typed events, reconnect',
    runs: ['packages/client/src/sigv4.ts'],
    code: `
import { SignalingClient } from '@kvs-sig/client';
const client = new SignalingClient({ role: 'VIEWER', region: 'us-west-2', channelName: 'demo', clientId: 'viewer-1',
  credentials: { accessKeyId: window.AK, secretAccessKey: window.SK } });
${VIEWER_CALLS}`,
  },
  {
    name: SESSION_BASE_ROW,
    what: 'the same client; the keys stay on a backend that signs each URL and request (the design the README recommends)',
    runs: [],
    code: `
import { SignalingClient } from '@kvs-sig/client';
${BACKEND_SIGNER}
const client = new SignalingClient({ role: 'VIEWER', region: 'us-west-2', channelName: 'demo', clientId: 'viewer-1', requestSigner });
${VIEWER_CALLS}`,
  },
  {
    name: SESSION_ROW,
    what: "the backend-signer viewer, with @kvs-sig/webrtc's createViewerSession doing the peer connection: offer/answer, trickle ICE, re-offers, ICE restart, data channels, metrics and quality",
    runs: [],
    code: `
import { SignalingClient } from '@kvs-sig/client';
import { createViewerSession } from '@kvs-sig/webrtc';
${BACKEND_SIGNER}
const signaling = new SignalingClient({ role: 'VIEWER', region: 'us-west-2', channelName: 'demo', clientId: 'viewer-1', requestSigner });
const session = createViewerSession({ signaling, tracks: window.tracks, dataChannels: [{ label: 'chat' }] });
session.on('track', (e) => window.onTrack(e));
session.on('dataChannel', (e) => window.onChannel(e));
await session.connect();
`,
  },
];

/** What a page loads for one entry. */
export interface BundleSize {
  /** Minified bytes of the chunks the page loads. */
  minBytes: number;
  /** Their gzip -9 bytes, each chunk compressed on its own (as a server sends them). */
  gzipBytes: number;
  /** The minified code of those chunks, in load order. */
  code: string;
  /** Minified bytes per input file (metafile path) in those chunks. */
  files: Map<string, number>;
  /** How many chunks the page loads. */
  chunks: number;
  /** Minified bytes the build emitted that this page never loads (chunks behind dynamic imports it does not run). */
  unloadedBytes: number;
  /** Bytes per input file in the chunks this page never loads. */
  unloadedFiles: Map<string, number>;
}

/**
 * The modules of the channel calls a viewer never makes (create, list, delete,
 * update, media storage, storage sessions): `ChannelManager` loads them with
 * `import()` on first use, so a viewer page must not load any of them.
 */
export const CHANNEL_CALL_MODULES =
  /^packages\/(client\/(src|dist)\/channel-admin(-\w+)?|core\/(src|dist\/browser)\/((create|delete|update|list)-signaling-channels?|media-storage-configuration|join-storage-session))\.(ts|js)$/;

/** How to bundle a row. */
export interface BundleOptions {
  /** Split dynamic imports into chunks (default); without, one file, as an IIFE build would be. */
  splitting?: boolean;
  /** Bundle our packages' built `dist` (see {@link browserBuild}), not the workspace sources. */
  published?: boolean;
}

/** Bundles `entry` (esbuild, minified ESM with code splitting, as Vite, webpack and Rollup split dynamic imports) and counts what the page loads. */
export async function bundleEntry(entry: Entry, { splitting = true, published = false }: BundleOptions = {}): Promise<BundleSize> {
  const result = await esbuild.build({
    ...browserBuild(entry.code, { published }),
    minify: true,
    format: 'esm',
    // Without splitting every dynamic import is inlined: one file, as an IIFE build would be.
    splitting,
    outdir: '/weight-out',
    write: false,
    metafile: true,
    legalComments: 'none',
  });
  const outputs = result.metafile.outputs;
  const start = Object.keys(outputs).find((k) => outputs[k]?.entryPoint !== undefined);
  if (start === undefined) throw new Error(`esbuild produced no entry chunk for ${entry.name}`);
  const loaded: string[] = [];
  const visit = (file: string): void => {
    if (loaded.includes(file)) return;
    loaded.push(file);
    for (const imp of outputs[file]?.imports ?? []) {
      if (imp.external) continue;
      if (imp.kind === 'import-statement') visit(imp.path);
      else if (imp.kind === 'dynamic-import') {
        const source = outputs[imp.path]?.entryPoint ?? '';
        if (entry.runs.some((part) => source.includes(part))) visit(imp.path);
      }
    }
  };
  visit(start);
  // Metafile paths are relative to the working directory, output files absolute.
  const text = new Map(result.outputFiles.map((f) => [f.path, f] as const));
  let minBytes = 0;
  let gzipBytes = 0;
  let code = '';
  let unloadedBytes = 0;
  const files = new Map<string, number>();
  const unloadedFiles = new Map<string, number>();
  for (const [name, out] of Object.entries(outputs)) {
    if (name.endsWith('.map')) continue;
    const f = text.get(path.resolve(name));
    if (!f) throw new Error(`esbuild output ${name} is missing from the files it returned`);
    const isLoaded = loaded.includes(name);
    const perFile = isLoaded ? files : unloadedFiles;
    for (const [input, v] of Object.entries(out.inputs)) perFile.set(input, (perFile.get(input) ?? 0) + v.bytesInOutput);
    if (!isLoaded) {
      unloadedBytes += f.contents.length;
      continue;
    }
    minBytes += f.contents.length;
    gzipBytes += gzipSync(f.contents, { level: 9 }).length;
    code += f.text;
  }
  return { minBytes, gzipBytes, code, files, chunks: loaded.length, unloadedBytes, unloadedFiles };
}

/**
 * Bundles `entry` with Rolldown (the bundler of Vite 8), with the settings of
 * {@link bundleEntry}: browser platform, the same conditions, minified ESM,
 * dynamic imports split into chunks; counts what the page loads the same way.
 * `files` holds Rolldown's rendered bytes per module (before minification).
 * Rolldown ships ES modules only, so it is imported when first used: jest's
 * CommonJS runtime cannot load it (bench/src/weight-split.ts runs it for the tests).
 */
export async function bundleEntryRolldown(entry: Entry, { published = false }: Pick<BundleOptions, 'published'> = {}): Promise<BundleSize> {
  const { rolldown } = await import('rolldown');
  const options = browserBuild(entry.code, { published });
  const id = '\0entry.js';
  const build = await rolldown({
    input: 'entry',
    cwd: BENCH_SRC,
    platform: 'browser',
    resolve: { conditionNames: options.conditions ?? [], mainFields: options.mainFields ?? [] },
    plugins: [{ name: 'weight-entry', resolveId: (spec) => (spec === 'entry' ? id : null), load: (module) => (module === id ? entry.code : null) }],
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    logLevel: 'silent',
  });
  try {
    const { output } = await build.generate({ format: 'esm', minify: true });
    const chunks = new Map(output.flatMap((o) => (o.type === 'chunk' ? [[o.fileName, o] as const] : [])));
    const start = [...chunks.values()].find((c) => c.isEntry);
    if (!start) throw new Error(`rolldown produced no entry chunk for ${entry.name}`);
    const loaded: string[] = [];
    const visit = (file: string): void => {
      if (loaded.includes(file)) return;
      loaded.push(file);
      const chunk = chunks.get(file);
      for (const imp of chunk?.imports ?? []) visit(imp);
      for (const imp of chunk?.dynamicImports ?? []) {
        const source = chunks.get(imp)?.facadeModuleId ?? '';
        if (entry.runs.some((part) => source.includes(part))) visit(imp);
      }
    };
    visit(start.fileName);
    let minBytes = 0;
    let gzipBytes = 0;
    let code = '';
    let unloadedBytes = 0;
    const files = new Map<string, number>();
    const unloadedFiles = new Map<string, number>();
    for (const [name, chunk] of chunks) {
      const bytes = Buffer.from(chunk.code);
      const isLoaded = loaded.includes(name);
      const perFile = isLoaded ? files : unloadedFiles;
      for (const [module, info] of Object.entries(chunk.modules)) {
        const file = path.relative(path.resolve(BENCH_SRC, '..', '..'), module);
        perFile.set(file, (perFile.get(file) ?? 0) + info.renderedLength);
      }
      if (!isLoaded) {
        unloadedBytes += bytes.length;
        continue;
      }
      minBytes += bytes.length;
      gzipBytes += gzipSync(bytes, { level: 9 }).length;
      code += chunk.code;
    }
    return { minBytes, gzipBytes, code, files, chunks: loaded.length, unloadedBytes, unloadedFiles };
  } finally {
    await build.close();
  }
}

/** Minified bytes per package (workspace packages as `@kvs-sig/<dir>`), largest first. */
export function byPackage(files: ReadonlyMap<string, number>): { file: string; bytes: number }[] {
  const sums = new Map<string, number>();
  for (const [file, bytes] of files) {
    let name: string;
    const ws = /^packages\/([^/]+)\//.exec(file);
    if (ws) name = `@kvs-sig/${ws[1]}`;
    else {
      const rel = file.replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '');
      const parts = rel.split('/');
      name = rel.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
    }
    sums.set(name, (sums.get(name) ?? 0) + bytes);
  }
  return [...sums.entries()].map(([file, bytes]) => ({ file, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Budgets: row name → min+gzip bytes recorded. */
export type Budgets = Record<string, number>;

/** How far a row may grow over its budget before the CI check fails. */
export const BUDGET_SLACK = 0.05;

/** The rows over budget by more than the slack (and rows with no budget), as messages. */
export function overBudget(measured: ReadonlyMap<string, number>, budgets: Budgets): string[] {
  const out: string[] = [];
  for (const [name, bytes] of measured) {
    const budget = budgets[name];
    if (budget === undefined) out.push(`"${name}" has no budget in bench/weight-budgets.json`);
    else if (bytes > budget * (1 + BUDGET_SLACK)) {
      out.push(`"${name}" is ${bytes} B min+gzip, ${(((bytes - budget) / budget) * 100).toFixed(1)}% over its budget of ${budget} B (more than ${BUDGET_SLACK * 100}%)`);
    }
  }
  return out;
}
