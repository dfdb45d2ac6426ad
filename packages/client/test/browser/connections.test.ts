/**
 * How many TLS connections the browser build opens in a real Chromium and
 * Firefox on a cold connect, and how many CORS preflights it costs. The page
 * is served from its own origin (http://127.0.0.1:<port>, a secure context)
 * and reaches the emulator cross-origin, so the browser applies CORS as it
 * would for a real app. The
 * control plane, the HTTPS signaling endpoint and the WSS endpoint are three
 * origins, as on AWS: each is a counting TCP proxy in front of the one emulator
 * port (the emulator advertises the proxies as its endpoints).
 */
import * as net from 'node:net';
import { ChannelManager } from '../../src/index';
import { BROWSERS, buildBrowserBundle, launchBrowser, startSite, type Site, type TestBrowser, type TestPage } from '../support/browser-helpers';
import { Harness } from '../support/helpers';

jest.setTimeout(60_000);

/** A TCP proxy on 127.0.0.1:0 that counts the connections it accepts and those that open with a TLS ClientHello. */
class CountingProxy {
  accepted = 0;
  tlsHandshakes = 0;
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** `target` is asked at each connection, so the proxy can start before the server behind it. */
  static async start(target: () => number): Promise<CountingProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new CountingProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => {
      self.accepted++;
      const upstream = net.connect({ host: '127.0.0.1', port: target() });
      client.once('data', (head: Buffer) => {
        // A TLS handshake record (22) holding a ClientHello (1).
        if (head[0] === 0x16 && head[5] === 0x01) self.tlsHandshakes++;
      });
      client.pipe(upstream);
      upstream.pipe(client);
      for (const s of [client, upstream]) {
        self.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          self.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
    });
    return self;
  }

  origin(scheme: string): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  counts(): { connections: number; tlsHandshakes: number } {
    return { connections: this.accepted, tlsHandshakes: this.tlsHandshakes };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

type Win = { KvsSig: typeof import('../../src/index.browser'); client?: import('../../src/index.browser').SignalingClient };

let site: Site;

beforeAll(async () => {
  site = await startSite(await buildBrowserBundle());
});

afterAll(async () => {
  await site?.close();
});

describe.each(BROWSERS)('in %s', (browserName) => {
  let browser: TestBrowser;
  let siteOrigin: string;
  let h: Harness;
  let cp: CountingProxy;
  let https: CountingProxy;
  let wss: CountingProxy;
  let page: TestPage;

  beforeAll(async () => {
    siteOrigin = site.origin;
    browser = await launchBrowser(browserName);
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    let emulatorPort = 0;
    const target = (): number => emulatorPort;
    [cp, https, wss] = await Promise.all([CountingProxy.start(target), CountingProxy.start(target), CountingProxy.start(target)]);
    h = await Harness.start({ advertisedEndpoints: { https: https.origin('https'), wss: wss.origin('wss') } });
    emulatorPort = Number(new URL(h.emu.controlPlaneEndpoint).port);
    // Straight to the emulator (not through the proxies), so the counts start at 0.
    const mgr = new ChannelManager(h.base());
    await mgr.createChannel({ channelName: 'reuse' });
    await mgr.close();
    h.emu.log.clear();
    page = await browser.newPage();
    await page.goto(`${siteOrigin}/`);
  });

  afterEach(async () => {
    await page?.evaluate(() => (globalThis as unknown as Win).client?.close()).catch(() => undefined);
    await page?.close();
    await h?.stop();
    await Promise.all([cp, https, wss].map((p) => p?.close()));
  });

  test('a cold connect: one TLS connection each to the control plane (Describe then GetEndpoint), the HTTPS endpoint and the WSS endpoint; a CORS preflight before each POST', async () => {
    const opened = await page.evaluate(
      async ({ region, endpoint, credentials }) => {
        const w = globalThis as unknown as Win;
        const client = new w.KvsSig.SignalingClient({ role: 'VIEWER', region, endpoint, credentials, channelName: 'reuse', clientId: 'b1' });
        w.client = client;
        await client.connect({ signal: AbortSignal.timeout(10_000) });
        const servers = await client.getIceServers();
        return { state: client.state, exchanges: client.metrics().exchangesBeforeOpen, servers: servers.length };
      },
      { region: h.emu.region, endpoint: cp.origin('https'), credentials: h.emu.credentials },
    );
    expect(opened).toEqual({ state: 'open', exchanges: 3, servers: 3 });
    // Room for a late spare socket to show up in the counts.
    await new Promise((r) => setTimeout(r, 300));

    const ops = h.ops();
    expect(ops.slice(0, 2)).toEqual(['DescribeSignalingChannel', 'GetSignalingChannelEndpoint']);
    expect([...ops.slice(2)].sort()).toEqual(['ConnectAsViewer', 'GetIceServerConfig']);
    expect({ controlPlane: cp.counts(), https: https.counts(), wss: wss.counts() }).toEqual({
      controlPlane: { connections: 1, tlsHandshakes: 1 },
      https: { connections: 1, tlsHandshakes: 1 },
      wss: { connections: 1, tlsHandshakes: 1 },
    });

    // Signed cross-origin POSTs (Authorization, X-Amz-*, application/json) are not "simple": each URL is preflighted once.
    const preflights = h.emu.log.preflights();
    expect(preflights.map((p) => [p.path, p.origin, p.requestMethod])).toEqual([
      ['/describeSignalingChannel', siteOrigin, 'POST'],
      ['/getSignalingChannelEndpoint', siteOrigin, 'POST'],
      ['/v1/get-ice-server-config', siteOrigin, 'POST'],
    ]);
    for (const p of preflights) expect(p.requestHeaders?.split(',')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-amz-date']));
  });

  test('a second client in the same page rides on the warm connections (and, in Chromium, the cached preflights): only its WebSocket is a new connection', async () => {
    const connect = (clientId: string) =>
      page.evaluate(
        async ({ region, endpoint, credentials, clientId }) => {
          const w = globalThis as unknown as Win & { clients?: import('../../src/index.browser').SignalingClient[] };
          const client = new w.KvsSig.SignalingClient({ role: 'VIEWER', region, endpoint, credentials, channelName: 'reuse', clientId });
          (w.clients ??= []).push(client);
          await client.connect({ signal: AbortSignal.timeout(10_000) });
          await client.getIceServers();
          return client.state;
        },
        { region: h.emu.region, endpoint: cp.origin('https'), credentials: h.emu.credentials, clientId },
      );
    try {
      expect(await connect('b1')).toBe('open');
      expect(h.emu.log.preflights()).toHaveLength(3);
      h.emu.log.clear();
      expect(await connect('b2')).toBe('open');
      await new Promise((r) => setTimeout(r, 300));
      expect(h.ops().sort()).toEqual(['ConnectAsViewer', 'DescribeSignalingChannel', 'GetIceServerConfig', 'GetSignalingChannelEndpoint']);
      // access-control-max-age: Chromium keeps each URL's preflight and sends none this time.
      // Firefox ESR driven over WebDriver BiDi preflights each URL again (observed: its
      // preflight cache is not used in that session), which is the browser's choice, not ours.
      const again = h.emu.log.preflights().map((p) => p.path);
      expect(again).toEqual(browserName === 'chromium' ? [] : ['/describeSignalingChannel', '/getSignalingChannelEndpoint', '/v1/get-ice-server-config']);
      // The counters do count: the second WebSocket is a second connection.
      expect({ controlPlane: cp.counts(), https: https.counts(), wss: wss.counts() }).toEqual({
        controlPlane: { connections: 1, tlsHandshakes: 1 },
        https: { connections: 1, tlsHandshakes: 1 },
        wss: { connections: 2, tlsHandshakes: 2 },
      });
    } finally {
      await page.evaluate(async () => {
        const w = globalThis as unknown as { clients?: { close(): Promise<void> }[] };
        await Promise.all((w.clients ?? []).map((c) => c.close()));
      });
    }
  });
});
