/**
 * The browser build in a real Chromium (Debian's, headless): the page's own
 * `fetch` and `WebSocket`, no ping, opaque handshake failures, against the TLS
 * emulator. The page trusts the emulator's certificate through
 * --ignore-certificate-errors and reaches it cross-origin through
 * --disable-web-security (a real app would use a trusted certificate and CORS).
 */
import type { Page } from 'playwright-core';
import { buildBrowserBundle, launchChromium, type Chromium } from './browser-helpers';
import { Harness } from './helpers';

jest.setTimeout(60_000);

let h: Harness;
let browser: Chromium;
let page: Page;
let bundle: string;

beforeAll(async () => {
  bundle = await buildBrowserBundle();
  browser = await launchChromium(['--disable-web-security']);
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  h = await Harness.start();
  page = await browser.context.newPage();
  // A secure context, as a real app's page: the default signer hashes through WebCrypto, which
  // about:blank lacks. Playwright answers the navigation itself; nothing listens.
  await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>client</title>' }));
  await page.goto('http://localhost/');
  await page.addScriptTag({ content: bundle });
});

afterEach(async () => {
  await page.evaluate(() => (globalThis as unknown as { client?: { close(): Promise<void> } }).client?.close()).catch(() => undefined);
  await page.close();
  await h.stop();
});

test("the page bundle carries core's browser codec (the natives only), not the pure-JS fallback", () => {
  // esbuild marks each bundled source file with a path comment.
  expect(bundle).toContain('core/src/codec-browser.ts');
  expect(bundle).not.toContain('core/src/codec.ts');
});

type Win = { KvsSig: typeof import('../src/index.browser'); client: import('../src/index.browser').SignalingClient; answer: Promise<unknown> };

test('a browser viewer connects with the page globals and exchanges SDP with a Node master', async () => {
  const master = h.master('in-browser', { createChannelIfMissing: true });
  await master.connect();
  const offerSeen = master.waitFor('sdpOffer', { timeoutMs: 10_000 });
  const base = h.base();
  const opened = await page.evaluate(
    async ({ region, endpoint, credentials }) => {
      const w = globalThis as unknown as Win;
      const client = new w.KvsSig.SignalingClient({ role: 'VIEWER', region, endpoint, credentials, channelName: 'in-browser', clientId: 'browser-1' });
      w.client = client;
      w.answer = client.waitFor('sdpAnswer', { timeoutMs: 10_000 });
      await client.connect();
      await client.sendSdpOffer({ type: 'offer', sdp: 'v=0\r\n' });
      return { state: client.state, exchanges: client.metrics().exchangesBeforeOpen };
    },
    { region: base.region, endpoint: base.endpoint!, credentials: h.emu.credentials },
  );
  expect(opened).toEqual({ state: 'open', exchanges: 3 });
  expect((await offerSeen).senderClientId).toBe('browser-1');
  // Non-ASCII text takes the page's TextEncoder/TextDecoder path of core's browser codec.
  await master.sendSdpAnswer({ type: 'answer', sdp: 'v=1\r\ns=café 😀\r\n' }, 'browser-1');
  const after = await page.evaluate(async () => {
    const w = globalThis as unknown as Win;
    const answer = await w.answer;
    const servers = await w.client.getIceServers();
    return { answer, stun: servers[0] };
  });
  expect(after.answer).toEqual({ payload: { type: 'answer', sdp: 'v=1\r\ns=café 😀\r\n' }, senderClientId: undefined });
  expect(after.stun).toEqual({ urls: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443' });
});

test('in the browser, a refused handshake (status hidden) is classified by the control-plane probe and a drop is healed', async () => {
  await h.createChannel('br-refused');
  h.emu.log.clear();
  h.emu.faults.refuseHandshake(1, { status: 500 });
  const base = h.base();
  const codes = await page.evaluate(
    async ({ region, endpoint, credentials }) => {
      const w = globalThis as unknown as Win;
      const client = new w.KvsSig.SignalingClient({
        role: 'VIEWER', region, endpoint, credentials, channelName: 'br-refused', clientId: 'browser-2',
        reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      });
      w.client = client;
      const errors: string[] = [];
      client.on('reconnecting', (e) => errors.push(e.error?.code ?? ''));
      await client.connect();
      return errors;
    },
    { region: base.region, endpoint: base.endpoint!, credentials: h.emu.credentials },
  );
  expect(codes).toEqual(['CONNECTION_FAILED']);
  const ops = h.ops().filter((o) => o !== 'GetIceServerConfig');
  expect(ops).toEqual(['DescribeSignalingChannel', 'GetSignalingChannelEndpoint', 'ConnectAsViewer', 'GetSignalingChannelEndpoint', 'ConnectAsViewer']);

  h.emu.faults.dropConnections({ role: 'VIEWER' });
  const reopened = await page.evaluate(async () => {
    const w = globalThis as unknown as Win;
    return w.client.waitFor('open', { timeoutMs: 10_000 });
  });
  expect(reopened).toEqual({ reconnected: true });
});
