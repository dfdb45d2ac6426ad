/**
 * The transport-conformance suite (support/transport-conformance.ts) against the
 * TLS emulator from Node, in the two kinds of runtime the client meets there:
 * `ws` + undici (the Node platform: ping, handshake status) and undici's WHATWG
 * WebSocket + fetch (browser-like: no ping, an opaque refused handshake). The
 * same cases run on in-memory fakes (unit/) and in Chromium (browser/).
 * Below them, what the client as a whole does over the browser-like transport.
 */
import { Agent, WebSocket as WhatwgWebSocket, fetch as undiciFetch } from 'undici';
import * as browserEntry from '../../src/index.browser';
import { SignalingClient as NodeSignalingClient, type FetchLike, type WebSocketConstructor } from '../../src/index';
import { nodePlatform } from '../../src/platform-node';
import { Harness, offer } from '../support/helpers';
import { transportConformance, type TransportTarget } from '../support/transport-conformance';
import { createTransportProbe, localProbe } from '../support/transport-probe';
import { startEmulatorTransportServer, type EmulatorTransportServer } from '../support/transport-servers';

describe.each(['ws + undici (Node platform)', 'WHATWG WebSocket + fetch (undici)'] as const)('transport conformance: %s against the emulator', (runtime) => {
  let server: EmulatorTransportServer;
  let target: TransportTarget;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    server = await startEmulatorTransportServer();
    const ca = server.harness.emu.ca!;
    if (runtime === 'ws + undici (Node platform)') {
      const http = nodePlatform.createFetch({ ca })!;
      target = { probe: localProbe(createTransportProbe(nodePlatform.createWebSocket({ ca })!, http.fetch)), canPing: true, seesHandshakeStatus: true };
      dispose = () => http.dispose();
    } else {
      const agent = new Agent({ connect: { ca } });
      const fetch: FetchLike = (url, init) => undiciFetch(url, { ...init, dispatcher: agent });
      target = { probe: localProbe(createTransportProbe((url) => new WhatwgWebSocket(url, { dispatcher: agent }), fetch)), canPing: false, seesHandshakeStatus: false };
      dispose = () => agent.close();
    }
  });

  afterAll(async () => {
    // The server first: it ends the silent server's connections, which the fetch pool would wait for.
    await server?.close();
    await dispose?.();
  });

  transportConformance(() => ({ target, server }));
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
