import * as path from 'node:path';
import { build } from 'esbuild';
import { Agent, WebSocket as WhatwgWebSocket, fetch as undiciFetch } from 'undici';
import * as browserEntry from '../src/index.browser';
import { SignalingClient as NodeSignalingClient, type FetchLike, type WebSocketConstructor } from '../src/index';
import { Harness, offer } from './helpers';

const pkg = path.resolve(__dirname, '..');

describe('the browser entry', () => {
  test('bundles for the browser with no Node built-in, no ws and no undici', async () => {
    const result = await build({
      entryPoints: [path.join(pkg, 'src/index.browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      conditions: ['@kvs-sig/source', 'browser'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('packages/client/src/signaling-client.ts'))).toBe(true);
    expect(inputs.filter((i) => /node_modules\/(ws|undici)\//.test(i) || i.startsWith('node:'))).toEqual([]);
    const text = result.outputFiles[0]!.text;
    expect(text).not.toMatch(/require\(["'](ws|undici|node:[a-z]+|fs|net|tls|http|https)["']\)/);
    expect(text).not.toMatch(/^\s*import[^;\n]*from ["'](ws|undici|node:[a-z]+)["']/m);
  });

  test('without a global WebSocket (Node 20) it throws TRANSPORT_UNAVAILABLE with a how-to', () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    let error: unknown;
    try {
      new browserEntry.SignalingClient({
        role: 'MASTER',
        region: 'us-west-2',
        channelName: 'x',
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'TRANSPORT_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/options\.WebSocket/);
  });
});

describe('a WHATWG WebSocket (browser-like: no ping, opaque handshake failures) against the emulator', () => {
  let h: Harness;
  let agent: Agent;
  beforeEach(async () => {
    h = await Harness.start();
    agent = new Agent({ connect: { ca: h.emu.ca! } });
  });
  afterEach(async () => {
    await h.stop();
    await agent.close();
  });

  function browserLike() {
    const dispatcher = agent;
    // The WHATWG constructor, with the emulator's CA: what a browser would be with the CA installed.
    class BrowserWebSocket extends WhatwgWebSocket {
      constructor(url: string) {
        super(url, { dispatcher });
      }
    }
    const fetch: FetchLike = (url, init) => undiciFetch(url, { ...init, dispatcher });
    return { WebSocket: BrowserWebSocket as unknown as WebSocketConstructor, fetch };
  }

  test('connects and relays with injected fetch and WebSocket (browser entry)', async () => {
    await h.createChannel('wg');
    const transports = browserLike();
    const viewer = new browserEntry.SignalingClient({ ...h.base(), ...transports, role: 'VIEWER', channelName: 'wg', clientId: 'v1' });
    const master = h.master('wg');
    try {
      await master.connect();
      await viewer.connect();
      const got = master.waitFor('sdpOffer', { timeoutMs: 3000 });
      await viewer.sendSdpOffer(offer);
      expect((await got).senderClientId).toBe('v1');
    } finally {
      await viewer.close();
    }
  });

  test('without ping, an idle connection is replaced before the idle limit cuts it', async () => {
    await h.stop();
    await agent.close();
    h = await Harness.start({ limits: { idleTimeoutMs: 700 } });
    agent = new Agent({ connect: { ca: h.emu.ca! } });
    await h.createChannel('wg-idle');
    const viewer = new browserEntry.SignalingClient({
      ...h.base(),
      ...browserLike(),
      role: 'VIEWER',
      channelName: 'wg-idle',
      clientId: 'v1',
      keepaliveIntervalMs: 100,
      reconnect: { idleAfterMs: 400 },
    });
    try {
      const closes: unknown[] = [];
      viewer.on('close', (e) => closes.push(e));
      await viewer.connect();
      const reopened = viewer.waitFor('open', { timeoutMs: 3000 });
      expect(await reopened).toEqual({ reconnected: true });
      await new Promise((r) => setTimeout(r, 800));
      expect(closes).toEqual([]);
      expect(viewer.state).toBe('open');
    } finally {
      await viewer.close();
    }
  });

  test('an untrusted TLS certificate fails the first connect at once, naming tls.ca', async () => {
    // The Node entry without tls.ca: its undici pool does not trust the emulator's CA.
    const { tls: _tls, ...untrusted } = h.base();
    const viewer = new NodeSignalingClient({ ...untrusted, role: 'VIEWER', channelName: 'x', clientId: 'v1' });
    try {
      const err = await viewer.connect().catch((e: Error) => e);
      expect(err).toMatchObject({ code: 'CONNECTION_FAILED', retryable: false });
      expect((err as Error).message).toMatch(/not trusted .*tls: \{ ca \}/);
      expect(viewer.state).toBe('idle');
    } finally {
      await viewer.close();
    }
  });

  test('an opaque refused handshake is classified by probing the control plane, then it connects', async () => {
    await h.createChannel('wg-refused');
    h.emu.log.clear();
    h.emu.faults.refuseHandshake(1, { status: 403, errorType: 'AccessDeniedException' });
    const viewer = new browserEntry.SignalingClient({
      ...h.base(),
      ...browserLike(),
      role: 'VIEWER',
      channelName: 'wg-refused',
      clientId: 'v1',
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      const retry = viewer.waitFor('reconnecting');
      await viewer.connect();
      expect((await retry).error?.code).toBe('CONNECTION_FAILED');
      const ops = h.ops().filter((o) => o !== 'GetIceServerConfig');
      // The second attempt re-resolves the endpoint (the probe) before the new handshake.
      expect(ops).toEqual(['DescribeSignalingChannel', 'GetSignalingChannelEndpoint', 'ConnectAsViewer', 'GetSignalingChannelEndpoint', 'ConnectAsViewer']);
    } finally {
      await viewer.close();
    }
  });
});
