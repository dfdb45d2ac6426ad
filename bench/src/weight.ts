/**
 * Benchmark 5: weight. Minified + gzipped bytes of what a browser viewer must
 * load (esbuild, same settings for everyone), and the `npm install` footprint
 * for a Node user (package count and bytes on disk).
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync, lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import ts from 'typescript';
import { bytes, fmt, ratio, recorder, timed, type BenchContext, type BenchResult, type GoalCheck, type Table } from './harness';
import { BUDGETED, CHANNEL_CALL_MODULES, SESSION_BASE_ROW, SESSION_ROW, bundleEntry, bundleEntryRolldown, byPackage, type BundleSize as LoadedBundle, type Entry } from './weight-bundle';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

// Each entry is what an app writes, so tree-shaking keeps exactly what that app needs.
// Ours come first, from BUDGETED (weight-bundle.ts): the rows CI holds to a budget.
const ENTRIES: readonly Entry[] = [
  ...BUDGETED,
  {
    name: 'official flow: SignalingClient + AWS SDK v3 clients',
    // The SDK's browser user agent imports bowser on the first request.
    runs: ['/bowser/'],
    what: "the official viewer example's calls: DescribeSignalingChannel, GetSignalingChannelEndpoint, GetIceServerConfig, then SignalingClient",
    code: `
import { SignalingClient, Role } from 'amazon-kinesis-video-streams-webrtc';
import { KinesisVideoClient, DescribeSignalingChannelCommand, GetSignalingChannelEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoSignalingClient, GetIceServerConfigCommand } from '@aws-sdk/client-kinesis-video-signaling';
const credentials = { accessKeyId: window.AK, secretAccessKey: window.SK };
const kv = new KinesisVideoClient({ region: 'us-west-2', credentials });
const d = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: 'demo' }));
const arn = d.ChannelInfo.ChannelARN;
const e = await kv.send(new GetSignalingChannelEndpointCommand({ ChannelARN: arn,
  SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: Role.VIEWER } }));
const ep = Object.fromEntries(e.ResourceEndpointList.map((x) => [x.Protocol, x.ResourceEndpoint]));
const sig = new KinesisVideoSignalingClient({ region: 'us-west-2', credentials, endpoint: ep.HTTPS });
window.iceServers = (await sig.send(new GetIceServerConfigCommand({ ChannelARN: arn, ClientId: 'viewer-1' }))).IceServerList;
const client = new SignalingClient({ channelARN: arn, channelEndpoint: ep.WSS, clientId: 'viewer-1', role: Role.VIEWER, region: 'us-west-2', credentials });
client.on('open', () => client.sendSdpOffer(window.offer));
client.on('sdpAnswer', (answer) => window.pc.setRemoteDescription(answer));
client.on('iceCandidate', (c) => window.pc.addIceCandidate(c));
client.open();
`,
  },
  {
    name: 'official SignalingClient alone',
    runs: [],
    what: 'signs the URL and holds the socket; the app must get the ARN, endpoints and ICE servers some other way',
    code: `
import { SignalingClient, Role } from 'amazon-kinesis-video-streams-webrtc';
const client = new SignalingClient({ channelARN: window.arn, channelEndpoint: window.wss, clientId: 'viewer-1', role: Role.VIEWER, region: 'us-west-2',
  credentials: { accessKeyId: window.AK, secretAccessKey: window.SK } });
client.on('open', () => client.sendSdpOffer(window.offer));
client.on('sdpAnswer', (answer) => window.pc.setRemoteDescription(answer));
client.on('iceCandidate', (c) => window.pc.addIceCandidate(c));
client.open();
`,
  },
];

/** The mandated SigV4 stack alone (smithy + sha256-js presigning a URL and signing a request): the floor under any full client here. */
const SIGV4_FLOOR: Entry = {
  name: 'SigV4 floor: @smithy/signature-v4 + @aws-crypto/sha256-js alone',
  what: 'presign a URL and sign a request, nothing else (the JavaScript SHA-256 our signer shipped before its WebCrypto build)',
  runs: [],
  code: `
import { SignatureV4 } from '@smithy/signature-v4'; import { Sha256 } from '@aws-crypto/sha256-js';
const s = new SignatureV4({ credentials: { accessKeyId: window.AK, secretAccessKey: window.SK }, region: 'us-west-2', service: 'kinesisvideo', sha256: Sha256 });
window.x = await s.presign({ method: 'GET', protocol: 'wss:', hostname: 'h', path: '/', headers: { host: 'h' }, query: {} }, { expiresIn: 299 });
window.y = await s.sign({ method: 'POST', protocol: 'https:', hostname: 'h', path: '/', headers: { host: 'h' }, body: '{}' });
`,
};

/**
 * The least a viewer can be over our packages: the calls written by hand on
 * core's builders and parsers and the signer, with none of the client's own
 * work (no retries, reconnect, queue, ICE buffering, dedupe, option checks,
 * endpoint cache, typed events). What our `SignalingClient` adds is the
 * difference between this row and ours.
 */
const CORE_SIGNER_FLOOR: Entry = {
  name: 'floor: a hand-written viewer over @kvs-sig/core + @kvs-sig/signer',
  what: 'describe, endpoints, ICE, presign, socket, parse; nothing else (no retry, reconnect, queue, cache, events)',
  runs: [],
  code: `
import { constructDescribeSignalingChannelRequest, parseDescribeSignalingChannelResponse, constructGetSignalingChannelEndpointRequest,
  parseGetSignalingChannelEndpointResponse, constructGetIceServerConfigRequest, parseGetIceServerConfigResponse,
  constructConnectWssEndpointRequest, constructWssMessage, parseWssRecvMessage, resolveControlPlaneEndpoint } from '@kvs-sig/core';
import { createSigV4RequestSigner } from '@kvs-sig/signer';
const signer = createSigV4RequestSigner({ region: 'us-west-2', credentials: { accessKeyId: window.AK, secretAccessKey: window.SK } });
const call = async (req) => { const s = await signer.signRequest(req); return (await fetch(s.url, { method: s.method, headers: s.headers, body: s.body })).text(); };
const cp = resolveControlPlaneEndpoint({ region: 'us-west-2' });
const { channelArn } = parseDescribeSignalingChannelResponse(await call(constructDescribeSignalingChannelRequest({ channelName: 'demo' }, cp)));
const ep = parseGetSignalingChannelEndpointResponse(await call(constructGetSignalingChannelEndpointRequest({ channelArn, role: 'VIEWER', protocols: ['WSS', 'HTTPS'] }, cp)));
window.iceServers = parseGetIceServerConfigResponse(await call(constructGetIceServerConfigRequest({ httpsEndpoint: ep.httpsEndpoint, channelArn, clientId: 'viewer-1' })));
const { url } = constructConnectWssEndpointRequest({ wssEndpoint: ep.wssEndpoint, channelArn, role: 'VIEWER', clientId: 'viewer-1' });
const [base, query] = url.split('?');
const ws = new WebSocket(await signer.getSignedUrl(base, Object.fromEntries(new URLSearchParams(query))));
ws.onmessage = (e) => window.onSignal(parseWssRecvMessage(e.data));
ws.onopen = () => ws.send(constructWssMessage({ action: 'SDP_OFFER', recipientClientId: 'MASTER', messagePayload: window.offer }));
`,
};

/** SigV4 as our signer's browser build does it: smithy with WebCrypto hashing, presigning a URL and signing a request. */
const SIGV4_WEBCRYPTO_FLOOR: Entry = {
  name: 'SigV4 through @kvs-sig/signer (browser build: smithy + WebCrypto)',
  what: "presign a URL and sign a request through our signer (its checks, credentials provider and core's typed errors included), nothing else",
  runs: [],
  code: `
import { createSigV4RequestSigner } from '@kvs-sig/signer';
const s = createSigV4RequestSigner({ region: 'us-west-2', credentials: { accessKeyId: window.AK, secretAccessKey: window.SK } });
window.x = await s.getSignedUrl('wss://h', { 'X-Amz-ChannelARN': window.arn });
window.y = await s.signRequest({ method: 'POST', url: 'https://h/describeSignalingChannel', headers: {}, body: '{}' });
`,
};

/**
 * The least a viewer with a backend signer can be over our packages: the
 * calls written by hand on core's builders and parsers, each signature asked
 * of the backend, none of the client's own work. The floor under the
 * backend-signer row.
 */
const CORE_BACKEND_FLOOR: Entry = {
  name: 'floor: a hand-written viewer over @kvs-sig/core with a backend signer',
  what: 'describe, endpoints, ICE, socket, parse, each request signed by the backend; nothing else',
  runs: [],
  code: `
import { constructDescribeSignalingChannelRequest, parseDescribeSignalingChannelResponse, constructGetSignalingChannelEndpointRequest,
  parseGetSignalingChannelEndpointResponse, constructGetIceServerConfigRequest, parseGetIceServerConfigResponse,
  constructConnectWssEndpointRequest, constructWssMessage, parseWssRecvMessage, resolveControlPlaneEndpoint } from '@kvs-sig/core';
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const call = async (request) => { const s = await (await post('/sign-request', { request })).json(); return (await fetch(s.url, { method: s.method, headers: s.headers, body: s.body })).text(); };
const cp = resolveControlPlaneEndpoint({ region: 'us-west-2' });
const { channelArn } = parseDescribeSignalingChannelResponse(await call(constructDescribeSignalingChannelRequest({ channelName: 'demo' }, cp)));
const ep = parseGetSignalingChannelEndpointResponse(await call(constructGetSignalingChannelEndpointRequest({ channelArn, role: 'VIEWER', protocols: ['WSS', 'HTTPS'] }, cp)));
window.iceServers = parseGetIceServerConfigResponse(await call(constructGetIceServerConfigRequest({ httpsEndpoint: ep.httpsEndpoint, channelArn, clientId: 'viewer-1' })));
const { url } = constructConnectWssEndpointRequest({ wssEndpoint: ep.wssEndpoint, channelArn, role: 'VIEWER', clientId: 'viewer-1' });
const ws = new WebSocket(await (await post('/sign-url', { url })).text());
ws.onmessage = (e) => window.onSignal(parseWssRecvMessage(e.data));
ws.onopen = () => ws.send(constructWssMessage({ action: 'SDP_OFFER', recipientClientId: 'MASTER', messagePayload: window.offer }));
`,
};

interface BundleSize extends LoadedBundle {
  /** Bytes of the string and template literals of the minified output, quotes included (from a parse). */
  stringBytes: number;
  top: { file: string; bytes: number }[];
  /** Every package, largest first. */
  all: { file: string; bytes: number }[];
}

/**
 * Bytes of string and template literal text in `code`, from TypeScript's parse
 * of it: a regex over minified code mistakes template literals holding quotes
 * for strings (an earlier count by regex read 46% here; the parse reads half).
 */
export function stringLiteralBytes(code: string): number {
  const sf = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const literal = new Set([
    ts.SyntaxKind.StringLiteral,
    ts.SyntaxKind.NoSubstitutionTemplateLiteral,
    ts.SyntaxKind.TemplateHead,
    ts.SyntaxKind.TemplateMiddle,
    ts.SyntaxKind.TemplateTail,
  ]);
  let total = 0;
  const visit = (node: ts.Node): void => {
    if (literal.has(node.kind)) total += node.end - node.getStart(sf);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return total;
}

async function bundle(entry: Entry): Promise<BundleSize> {
  const loaded = await bundleEntry(entry);
  const all = byPackage(loaded.files);
  return { ...loaded, stringBytes: stringLiteralBytes(loaded.code), top: all.slice(0, 8), all };
}

/** Sum of the sizes of files under `dir` whose name passes `keep`. */
function footprintFiles(dir: string, keep: (file: string) => boolean): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) total += footprintFiles(p, keep);
    else if (st.isFile() && keep(name)) total += st.size;
  }
  return total;
}

/** Bytes per top-level package of a node_modules directory (nested dependencies counted in their parent), largest first. */
export function topPackages(dir: string, count: number): { name: string; bytes: number }[] {
  const out: { name: string; bytes: number }[] = [];
  const size = (d: string): number => {
    let total = 0;
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) total += size(p);
      else if (st.isFile()) total += st.size;
    }
    return total;
  };
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (name.startsWith('@')) for (const sub of readdirSync(p)) out.push({ name: `${name}/${sub}`, bytes: size(path.join(p, sub)) });
    else out.push({ name, bytes: size(p) });
  }
  return out.sort((a, b) => b.bytes - a.bytes).slice(0, count);
}

/** Walks a node_modules tree: distinct installed package directories and bytes of all files. */
export function footprint(dir: string): { packages: number; bytes: number } {
  let packages = 0;
  let total = 0;
  const walk = (d: string, inNodeModules: boolean): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) {
        if (name === 'node_modules') {
          walk(p, true);
          continue;
        }
        if (inNodeModules && name.startsWith('@')) {
          for (const sub of readdirSync(p)) {
            const sp = path.join(p, sub);
            if (existsSync(path.join(sp, 'package.json'))) packages++;
            if (statSync(sp).isDirectory()) walk(sp, false);
          }
          continue;
        }
        if (inNodeModules && !name.startsWith('.') && existsSync(path.join(p, 'package.json'))) packages++;
        walk(p, false);
      } else if (st.isFile()) total += st.size;
    }
  };
  if (existsSync(dir)) walk(dir, true);
  return { packages, bytes: total };
}

const OUR_PACKAGES = ['core', 'signer', 'client'] as const;

/** Builds (tsup, as `pnpm build` does) and packs our packages from a staged copy, so the working tree is not touched. */
function packOurs(stage: string, log: (m: string) => void): string[] {
  const repo = path.join(stage, 'repo');
  mkdirSync(path.join(repo, 'packages'), { recursive: true });
  cpSync(path.join(root, 'tsconfig.base.json'), path.join(repo, 'tsconfig.base.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(repo, 'node_modules'));
  const tsup = require.resolve('tsup/dist/cli-default.js');
  const tarballs: string[] = [];
  const versions = new Map<string, string>();
  for (const p of OUR_PACKAGES) {
    const pkg = JSON.parse(readFileSync(path.join(root, 'packages', p, 'package.json'), 'utf8')) as { name: string; version: string };
    versions.set(pkg.name, pkg.version);
  }
  for (const p of OUR_PACKAGES) {
    const src = path.join(root, 'packages', p);
    const dst = path.join(repo, 'packages', p);
    mkdirSync(dst);
    for (const f of readdirSync(src)) {
      if (['node_modules', 'dist', 'test', 'coverage'].includes(f)) continue;
      cpSync(path.join(src, f), path.join(dst, f), { recursive: true });
    }
    symlinkSync(path.join(src, 'node_modules'), path.join(dst, 'node_modules'));
    log(`weight: building ${p} with tsup`);
    execFileSync(process.execPath, [tsup], { cwd: dst, stdio: 'pipe' });
    // What `pnpm publish` does to workspace ranges: pin the sibling's version.
    const pj = JSON.parse(readFileSync(path.join(dst, 'package.json'), 'utf8')) as Record<string, Record<string, string> | unknown>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = pj[field] as Record<string, string> | undefined;
      if (!deps) continue;
      for (const [k, v] of Object.entries(deps)) if (v.startsWith('workspace:')) deps[k] = versions.get(k) ?? v;
    }
    delete pj.devDependencies;
    // And publishConfig's fields replace the top-level ones (the exports map without the workspace-only source condition).
    if (pj.publishConfig && typeof pj.publishConfig === 'object') {
      Object.assign(pj, pj.publishConfig);
      delete pj.publishConfig;
    }
    writeFileSync(path.join(dst, 'package.json'), JSON.stringify(pj, null, 2));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', stage, '--loglevel=error'], { cwd: dst, encoding: 'utf8' });
    const info = JSON.parse(out) as { filename: string }[];
    tarballs.push(path.join(stage, (info[0] as { filename: string }).filename));
  }
  return tarballs;
}

function npmInstall(dir: string, specs: readonly string[], extra: readonly string[] = []): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'footprint', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...extra], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 240_000,
  });
}

/** Runs the weight benchmark. @public */
export async function runWeight(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const rec = recorder();
  const notes: string[] = [];
  const goals: GoalCheck[] = [];
  const tables: Table[] = [];

  const sizes = new Map<string, BundleSize>();
  const bundleRows: string[][] = [];
  for (const e of ENTRIES) {
    ctx.log(`weight: bundling ${e.name}`);
    try {
      const s = await bundle(e);
      sizes.set(e.name, s);
      rec.add(e.name, 'bundle.minBytes', s.minBytes, 'B');
      rec.add(e.name, 'bundle.gzipBytes', s.gzipBytes, 'B');
    } catch (err) {
      notes.push(`Could not bundle "${e.name}": ${(err as Error).message.split('\n').slice(0, 6).join(' ')}`);
    }
  }
  const floors = new Map<Entry, BundleSize>();
  for (const e of [CORE_SIGNER_FLOOR, CORE_BACKEND_FLOOR, SIGV4_WEBCRYPTO_FLOOR, SIGV4_FLOOR]) {
    try {
      floors.set(e, await bundle(e));
    } catch (err) {
      notes.push(`Could not bundle "${e.name}": ${(err as Error).message.split('\n').slice(0, 6).join(' ')}`);
    }
  }
  // esbuild keeps a service process alive between builds; stop it so the caller (and jest) can exit.
  await esbuild.stop();
  const vendorMin = path.join(path.dirname(require.resolve('amazon-kinesis-video-streams-webrtc/package.json')), 'dist', 'kvs-webrtc.min.js');
  const vendor = readFileSync(vendorMin);
  const vendorGz = gzipSync(vendor, { level: 9 }).length;
  rec.add('official prebuilt', 'bundle.gzipBytes', vendorGz, 'B');
  const [credsEntry, backendEntry] = BUDGETED as [Entry, Entry];
  const ours = sizes.get(credsEntry.name);
  const backend = sizes.get(backendEntry.name);
  const flow = sizes.get('official flow: SignalingClient + AWS SDK v3 clients');
  const chunkNote = (s: LoadedBundle): string => (s.chunks > 1 ? ` (${s.chunks} chunks)` : '');
  for (const e of ENTRIES) {
    const s = sizes.get(e.name);
    bundleRows.push([e.name, e.what, s ? bytes(s.minBytes) : 'failed', s ? `${bytes(s.gzipBytes)}${chunkNote(s)}` : 'failed', s && ours ? ratio(s.gzipBytes, ours.gzipBytes) : 'n/a']);
  }
  bundleRows.push(['official prebuilt `dist/kvs-webrtc.min.js` (their webpack build, whole library)', 'the file a `<script>` tag loads; includes the `events` polyfill and tslib', bytes(vendor.length), bytes(vendorGz), ours ? ratio(vendorGz, ours.gzipBytes) : 'n/a']);
  // The floors are not clients: they bound what any full client here can weigh.
  for (const [e, s] of floors) {
    rec.add(e.name, 'bundle.gzipBytes', s.gzipBytes, 'B');
    bundleRows.push([e.name, e.what, bytes(s.minBytes), `${bytes(s.gzipBytes)}${chunkNote(s)}`, ours ? ratio(s.gzipBytes, ours.gzipBytes) : 'n/a']);
  }
  tables.push({ title: 'Browser bundle (esbuild --minify --splitting, ESM, platform browser; gzip -9 per chunk; the chunks the page loads)', columns: ['bundle', 'what it does', 'minified', 'min + gzip', 'x ours'], rows: bundleRows });
  const kib = (n: number): string => `${fmt(n / 1024)} KiB`;
  const num = (n: number): string => n.toLocaleString('en-US');
  const pkgOf = (s: BundleSize, name: string): number => s.all.find((t) => t.file === name)?.bytes ?? 0;
  const sigv4Of = (s: BundleSize): number => s.all.filter((t) => /^(@smithy\/|@aws-crypto\/|tslib$)/.test(t.file)).reduce((a, t) => a + t.bytes, 0);
  const signerFloor = floors.get(CORE_SIGNER_FLOOR);
  const backendFloor = floors.get(CORE_BACKEND_FLOOR);
  const webcryptoFloor = floors.get(SIGV4_WEBCRYPTO_FLOOR);
  const jsFloor = floors.get(SIGV4_FLOOR);
  for (const [s, limitKiB, label, floor, floorName] of [
    [ours, 25, 'full viewer with credentials in the page', signerFloor, 'a hand-written viewer over core + signer'],
    [backend, 18, 'full viewer with a backend signer', backendFloor, 'a hand-written viewer over core with a backend signer'],
  ] as const) {
    if (!s) continue;
    goals.push({
      goal: `browser bundle of a ${label} ≤ ${limitKiB} KiB min+gzip`,
      met: s.gzipBytes <= limitKiB * 1024,
      detail: `${bytes(s.gzipBytes)}${floor ? `; the floor under it, ${floorName}, ${bytes(floor.gzipBytes)}` : ''}`,
    });
  }
  const session = sizes.get(SESSION_ROW);
  const sessionBase = sizes.get(SESSION_BASE_ROW);
  if (session && sessionBase) {
    // Issue 15: what @kvs-sig/webrtc's viewer session adds to a viewer page that already has the client.
    const added = session.gzipBytes - sessionBase.gzipBytes;
    goals.push({
      goal: "the session layer's added weight in a browser viewer (viewer session row minus the backend-signer viewer row) ≤ 6 KiB min+gzip",
      met: added <= 6 * 1024,
      detail: `${bytes(added)} (${bytes(session.gzipBytes)} − ${bytes(sessionBase.gzipBytes)})`,
    });
    const webrtcFiles = [...session.files].filter(([f, b]) => f.startsWith('packages/webrtc/') && b > 0).sort((a, b) => b[1] - a[1]);
    tables.push({
      title: "What @kvs-sig/webrtc's viewer session adds (minified bytes per source file in the viewer-session page, before gzip)",
      columns: ['file', 'bytes in output'],
      rows: [...webrtcFiles.map(([f, b]) => [f.replace(/^packages\//, ''), b.toLocaleString('en-US')]), ['total @kvs-sig/webrtc minified', webrtcFiles.reduce((a, [, b]) => a + b, 0).toLocaleString('en-US')], ['page minified, minus the backend-signer viewer', (session.minBytes - sessionBase.minBytes).toLocaleString('en-US')], ['page min + gzip, minus the backend-signer viewer', added.toLocaleString('en-US')]],
    });
    const master = webrtcFiles.filter(([f]) => /webrtc\/src\/(master|storage)/.test(f)).reduce((a, [, b]) => a + b, 0);
    notes.push(
      `**Session layer (issue 15, goal 6 KiB):** \`createViewerSession\` adds ${bytes(added)} min+gzip to the backend-signer viewer: the page is ${(session.minBytes - sessionBase.minBytes).toLocaleString('en-US')} minified bytes larger, and @kvs-sig/webrtc's code in it is ${webrtcFiles.reduce((a, [, b]) => a + b, 0).toLocaleString('en-US')} (the two apps' own code and the client methods each calls differ by the rest). Master-only code (\`master.ts\`, storage sessions) is ${master.toLocaleString('en-US')} bytes of it: a viewer page does not reach it. Measured once and not applied: \`PeerLink\`'s TypeScript \`private\` members (\`peer.ts\`) as \`#private\` fields, whose names minifiers shorten, took 173 B more off (5,779 B), for a change to a third of \`peer.ts\`.`,
    );
  }
  if (ours && backend) {
    // Where the bytes go, package by package, and what is the client's own: the goals' verdicts rest on these.
    const names = [...new Set([...ours.all, ...backend.all].map((t) => t.file))].sort((a, b) => pkgOf(ours, b) - pkgOf(ours, a));
    tables.push({
      title: 'What our viewer bundles are made of (minified bytes per package in the chunks the page loads, before gzip)',
      columns: ['package', 'credentials in the page', 'backend signer'],
      rows: [...names.map((n) => [n, num(pkgOf(ours, n)), num(pkgOf(backend, n))]), ['total minified', num(ours.minBytes), num(backend.minBytes)], ['total min + gzip', num(ours.gzipBytes), num(backend.gzipBytes)]],
    });
    const sigv4Split = ours.chunks - backend.chunks;
    const oneFile = await bundleEntry(credsEntry, { splitting: false }).catch(() => undefined);
    const oneFileBackend = await bundleEntry(backendEntry, { splitting: false }).catch(() => undefined);
    await esbuild.stop();
    // Where the client's and core's own bytes go: what a leaner client would have to act on.
    const own = [...backend.files].filter(([f, b]) => /^packages\/(client|core)\//.test(f) && b > 0).sort((a, b) => b[1] - a[1]);
    tables.push({
      title: 'Where our own code goes in the backend-signer page (minified bytes per source file, before gzip; the 16 largest)',
      columns: ['file', 'bytes in output'],
      rows: own.slice(0, 16).map(([f, b]) => [f.replace(/^packages\//, ''), num(b)]),
    });
    notes.push(
      `**SigV4 only for pages that sign.** The client loads its default signer with \`import()\` on first use, and imports only \`@kvs-sig/signer/credentials\` (providers, clock; no SigV4) statically, so a page with a \`requestSigner\` never loads smithy or a hash: its chunks hold ${num(sigv4Of(backend))} bytes of \`@smithy/*\`, \`@aws-crypto/*\` or tslib and ${num(pkgOf(backend, '@kvs-sig/signer'))} of our signer (the credentials row: ${num(sigv4Of(ours))} and ${num(pkgOf(ours, '@kvs-sig/signer'))}, in ${sigv4Split} more chunk${sigv4Split === 1 ? '' : 's'}). The SigV4 chunk stays in the build output (${num(backend.unloadedBytes)} minified bytes this page never fetches, with smithy's unused event-stream chunk). A bundler that does not split (one IIFE file) inlines the \`import()\` and both pages carry it${oneFile && oneFileBackend ? `: as one file each page is ${bytes(oneFile.gzipBytes)} (credentials) and ${bytes(oneFileBackend.gzipBytes)} (backend signer). The split costs the credentials page ${num(ours.gzipBytes - oneFile.gzipBytes)} B of gzip (chunks compress apart, and import and export lists join them)` : ''}.`,
    );
    if (jsFloor) {
      const webcrypto = ours.files.get('packages/signer/src/sha256-webcrypto.ts') ?? 0;
      const jsHash = pkgOf(jsFloor, '@aws-crypto/sha256-js') + pkgOf(jsFloor, '@aws-crypto/util') + pkgOf(jsFloor, 'tslib');
      notes.push(
        `**WebCrypto hashing:** our signer's browser build plugs \`crypto.subtle\` into smithy's \`sha256\` option. The hash now costs the page ${num(webcrypto)} minified bytes (\`sha256-webcrypto.ts\`), where \`@aws-crypto/sha256-js\` with its helpers and tslib cost ${num(jsHash)} (the smithy + sha256-js row). Node keeps node:crypto.${webcryptoFloor ? ` SigV4 through our signer's browser build, with the signer's own checks and core's typed errors, is ${kib(webcryptoFloor.gzipBytes)} min+gzip.` : ''}`,
      );
    }
    const verdict = (s: BundleSize, limit: number, floor: BundleSize | undefined, floorName: string): string => {
      if (s.gzipBytes <= limit * 1024) return `within ${limit} KiB (${kib(s.gzipBytes)}).`;
      const parts = [`${kib(s.gzipBytes)}, ${kib(s.gzipBytes - limit * 1024)} over ${limit} KiB.`];
      if (floor) {
        parts.push(
          floor.gzipBytes > limit * 1024
            ? `The floor under it, ${floorName} (the same calls, none of the client's retry, reconnect, queue, cache, ICE buffering or typed events), is already ${kib(floor.gzipBytes)}: over the goal before the client adds anything.`
            : `The floor under it, ${floorName}, is ${kib(floor.gzipBytes)}; the client's own features add ${kib(s.gzipBytes - floor.gzipBytes)}, more than the ${kib(limit * 1024 - floor.gzipBytes)} the goal leaves them.`,
        );
      }
      parts.push(`Minified, by package: client ${num(pkgOf(s, '@kvs-sig/client'))}, core ${num(pkgOf(s, '@kvs-sig/core'))}, signer ${num(pkgOf(s, '@kvs-sig/signer'))}, SigV4 dependencies ${num(sigv4Of(s))}; ${fmt((s.stringBytes / s.minBytes) * 100)}% of it is string and template literals (protocol keys, and error messages that name the field, the rule and an example), which minifiers cannot shorten.`);
      return parts.join(' ');
    };
    notes.push(`**Credentials in the page (goal 25 KiB):** ${verdict(ours, 25, signerFloor, 'a hand-written viewer over core + signer')}`);
    notes.push(`**Backend signer (goal 18 KiB):** ${verdict(backend, 18, backendFloor, 'a hand-written viewer over core with a backend signer')}`);
    // Issue 18: the channel calls a viewer never makes sit behind ChannelManager's import(); where do they land?
    const callBytes = (files: ReadonlyMap<string, number>): number => [...files].filter(([f]) => CHANNEL_CALL_MODULES.test(f)).reduce((a, [, b]) => a + b, 0);
    const splitRows: string[][] = [];
    const rolldownSizes = new Map<string, LoadedBundle>();
    for (const e of BUDGETED) {
      const es = sizes.get(e.name);
      const rd = await bundleEntryRolldown(e).catch((err: unknown) => {
        notes.push(`Could not bundle "${e.name}" with Rolldown: ${(err as Error).message.split('\n')[0]}`);
        return undefined;
      });
      if (rd) {
        rolldownSizes.set(e.name, rd);
        rec.add(`${e.name} (rolldown)`, 'bundle.gzipBytes', rd.gzipBytes, 'B');
      }
      for (const [bundler, b] of [['esbuild', es], ['Rolldown', rd]] as const) {
        if (!b) continue;
        splitRows.push([e.name, bundler, `${bytes(b.gzipBytes)}${chunkNote(b)}`, num(callBytes(b.files)), num(callBytes(b.unloadedFiles))]);
      }
    }
    tables.push({
      title: 'The channel calls a viewer never makes (create, list, delete, update, media storage, storage sessions): bytes of their modules in the chunks the page loads, and in chunks it never fetches (esbuild: minified bytes; Rolldown: bytes before minification)',
      columns: ['page', 'bundler', 'page min + gzip', 'channel-call code loaded', 'channel-call code in chunks never fetched'],
      rows: splitRows,
    });
    const rdBackend = rolldownSizes.get(backendEntry.name);
    notes.push(
      `**Operations a viewer never calls** leave its page. \`ChannelManager\` (every client's \`client.channels\`, public API unchanged) loads its create, list, delete, media-storage and storage-session calls from a module of its own with \`import()\` on the first such call, as it loads the SigV4 signer; a viewer makes none, so its page never fetches them: ${num(callBytes(backend.files))} bytes of their code in the backend-signer page under esbuild, ${rdBackend ? num(callBytes(rdBackend.files)) : 'n/a'} under Rolldown (the table above; \`bench/test/weight-budget.test.ts\` and, on the built packages, \`test/packaging.test.ts\` check it stays so). Two changes in core let bundlers split them: its index re-exports with \`export *\` (esbuild 0.28 puts the targets of an index's named re-exports in a chunk the page loads as soon as the page uses any name of that index; the names of modules that also export internal helpers are re-exported from \`public-names.ts\`, and a viewer needs all of those), and its ES modules are published one file per source module (bundlers put a whole module in one chunk, so a one-file core kept every operation in the page). Measured once against the commit before (99113e1), backend-signer page: esbuild 95,947 → 91,810 minified bytes and 31,304 → 31,187 B min+gzip, in 3 chunks instead of 2 (the code the page shares with the SigV4 and channel-call chunks now splits three ways, and each chunk compresses on its own, which takes back most of the 4.1 KB); Rolldown 95,516 → 91,403 and 30,528 → 30,478 B. A bundler that does not split (one IIFE file) inlines the \`import()\`, and the page carries the calls as before.`,
      `**Tables a page never reads:** core's public \`STRICTER_THAN_MODEL\` (where core is stricter than the service model, with the reasons, about 1.3 KB of text) was in every page, because bundlers keep a call at a module's top level (\`Object.freeze([...])\`) unless it is marked pure; marked \`/* @__PURE__ */\`, it leaves every page here (444 B min+gzip off the backend-signer page, measured once; \`bench/test/weight-budget.test.ts\` checks it stays out). A duplicate of core's \`optString\` in \`wss-message.ts\` went with it.`,
    );
    const full = [...sizes.entries()].filter(([n]) => n !== 'official SignalingClient alone' && !BUDGETED.some((b) => b.name === n));
    goals.push({
      goal: 'smallest browser bundle of any full client',
      met: full.every(([, s]) => s.gzipBytes > ours.gzipBytes),
      detail: full.map(([n, s]) => `${n}: ${bytes(s.gzipBytes)}`).join('; '),
    });
  }
  if (flow) tables.push({ title: 'What the official flow bundle is made of (minified bytes per package)', columns: ['package', 'bytes in output'], rows: flow.top.map((t) => [t.file, t.bytes.toLocaleString('en-US')]) });

  // Install footprint.
  const stage = mkdtempSync(path.join(os.tmpdir(), 'kvs-bench-weight-'));
  try {
    ctx.log('weight: packing ours');
    const tarballs = packOurs(stage, ctx.log);
    const tarRows: string[][] = tarballs.map((t) => [path.basename(t), bytes(statSync(t).size)]);
    tables.push({ title: 'Our tarballs (`npm pack` of a tsup build, as published)', columns: ['tarball', 'size'], rows: tarRows });
    for (const t of tarballs) rec.add(path.basename(t), 'tarball.bytes', statSync(t).size, 'B');
    if (ctx.quick) {
      notes.push('Quick mode: the `npm install` footprint is skipped (it needs the registry); the tarballs above were built and packed.');
    } else {
      const installRows: string[][] = [];
      const oursDir = path.join(stage, 'install-ours');
      ctx.log('weight: npm install ours');
      const a = await timed(async () => npmInstall(oursDir, tarballs));
      const fa = footprint(path.join(oursDir, 'node_modules'));
      rec.add('ours', 'install.packages', fa.packages, 'packages');
      rec.add('ours', 'install.bytes', fa.bytes, 'B');
      installRows.push(['ours: `npm install` core + signer + client tarballs', String(fa.packages), bytes(fa.bytes), `${fmt(a.ms / 1000)} s`]);
      const awsCount = topPackages(path.join(oursDir, 'node_modules'), 10_000).filter((t) => /^@(aws-sdk|smithy|aws-crypto)\//.test(t.name)).length;
      const ourDirs = OUR_PACKAGES.map((p) => path.join(oursDir, 'node_modules', '@kvs-sig', p));
      const ownBytes = ourDirs.reduce((a, d) => a + footprintFiles(d, () => true), 0);
      const mapBytes = ourDirs.reduce((a, d) => a + footprintFiles(d, (f) => f.endsWith('.map')), 0);
      const srcBytes = ourDirs.reduce((a, d) => a + footprintFiles(path.join(d, 'src'), () => true), 0);
      const extras =
        mapBytes + srcBytes > 0
          ? `${fmt(((mapBytes + srcBytes) / ownBytes) * 100)}% of it source maps and TypeScript sources`
          : 'built JavaScript (ESM, CommonJS, browser) and declarations only, no source maps or sources';
      notes.push(
        `Our three packages are ${bytes(ownBytes)} of the install, ${extras}. The rest is our dependencies: at least ${awsCount} of the ${fa.packages} installed packages are \`@aws-sdk/*\`, \`@smithy/*\` or \`@aws-crypto/*\` (smithy's signer for the signer package, \`@aws-sdk/credential-providers\` and its nested clients for the client's Node credential chain), plus undici and ws for the Node transports.`,
      );
      tables.push({
        title: 'Largest packages in our install',
        columns: ['package', 'bytes'],
        rows: topPackages(path.join(oursDir, 'node_modules'), 8).map((t) => [t.name, bytes(t.bytes)]),
      });
      for (const [label, extra] of [
        ['official: `npm install amazon-kinesis-video-streams-webrtc@2.9.0`', []],
        ['official with `--omit=optional`', ['--omit=optional']],
      ] as const) {
        const dir = path.join(stage, `install-official${extra.length ? '-omit' : ''}`);
        ctx.log(`weight: ${label}`);
        const b = await timed(async () => npmInstall(dir, ['amazon-kinesis-video-streams-webrtc@2.9.0'], extra));
        const fb = footprint(path.join(dir, 'node_modules'));
        rec.add(extra.length ? 'official --omit=optional' : 'official', 'install.packages', fb.packages, 'packages');
        rec.add(extra.length ? 'official --omit=optional' : 'official', 'install.bytes', fb.bytes, 'B');
        installRows.push([label, String(fb.packages), bytes(fb.bytes), `${fmt(b.ms / 1000)} s`]);
      }
      tables.push({ title: 'Node install footprint (fresh project, `--prefer-offline --ignore-scripts`)', columns: ['install', 'packages', 'bytes on disk (files)', 'install time'], rows: installRows });
      notes.push('The official package also needs the AWS SDK v3 clients for the describe/endpoint/ICE calls its examples make; they are not in its install row (they would only add to it).');
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }

  return {
    name: 'weight',
    title: 'Weight: browser bundle and install footprint',
    method: [
      '- **Bundles:** each row is a small browser app (the code is in `bench/src/weight.ts` and, for our rows, `bench/src/weight-bundle.ts`) bundled by esbuild with the same settings: `--bundle --minify --splitting`, ESM, `platform: browser`, conditions `browser, module, import`. Tree-shaking keeps what that app uses; code splitting puts each dynamic `import()` in its own chunk, as Vite, webpack and Rollup do. A row counts the chunks its page loads: the entry chunk and its static imports, plus the dynamic imports the page runs (the credentials row loads the SigV4 chunk on its first call; the backend-signer row never does). Every row counts the dynamic imports its page runs (the official flow: the `bowser` import of the AWS SDK browser user agent) and no other (the event-stream support of smithy, which no KVS call here uses). min + gzip is the sum of each loaded chunk at gzip level 9. Our viewer rows are also bundled with Rolldown 1.3 (the bundler of Vite 8; same conditions, minified, chunks split the same way) for the channel-call table. Ours is bundled from the workspace sources (the `@kvs-sig/source` condition; the published `dist` is the same code built by tsup).',
      '- **Budgets:** our three viewer rows have budgets in `bench/weight-budgets.json`; `bench/test/weight-budget.test.ts` (part of `pnpm test`) bundles them the same way and fails when one grows more than 5% over its budget. `node scripts/run-ts.mjs bench/src/weight-budget.ts --write` records new budgets.',
      '- The official SDK `require`s Node\'s `events` without declaring it (JS #321): browser apps must install the `events` polyfill, which we did (`events@3`), so the official rows include it as they would in any app.',
      '- **Install:** our core, signer and client are staged in a temp dir, built with tsup (as `pnpm build` does), their `workspace:*` ranges pinned as `pnpm publish` does, packed with `npm pack`, and installed together into an empty project; the official package is installed from the npm registry into another. Packages are counted as installed `package.json` directories under `node_modules`; bytes are the sum of file sizes.',
    ].join('\n'),
    tables,
    measurements: rec.list,
    goals,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
