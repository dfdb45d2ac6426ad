/**
 * The browser build in real browsers (Debian's Chromium and Firefox ESR,
 * headless): the page's own `fetch` and `WebSocket`, no ping, opaque handshake
 * failures, against the TLS emulator. The page is served from its own origin
 * (http://127.0.0.1:<port>, a secure context) and reaches the emulator
 * cross-origin under CORS, as a real app does; the browsers accept the
 * emulator's test certificate (see ../support/browser-helpers.ts).
 */
import { BROWSERS, buildBrowserBundle, launchBrowser, startSite, type Site, type TestBrowser, type TestPage } from '../support/browser-helpers';
import { Harness } from '../support/helpers';

jest.setTimeout(60_000);

let bundle: string;
let site: Site;

beforeAll(async () => {
  bundle = await buildBrowserBundle();
  site = await startSite(bundle);
});

afterAll(async () => {
  await site?.close();
});

test("the page bundle carries core's browser codec (the natives only), not the pure-JS fallback", () => {
  // esbuild marks each bundled source file with a path comment.
  expect(bundle).toContain('core/src/codec-browser.ts');
  expect(bundle).not.toContain('core/src/codec.ts');
});

describe.each(BROWSERS)('in %s', (browserName) => {
  let h: Harness;
  let browser: TestBrowser;
  let page: TestPage;

  beforeAll(async () => {
    // Loopback candidates for the WebRTC test (Firefox: a profile preference, see test/firefox.ts).
    browser = await launchBrowser(browserName, ['--allow-loopback-in-peer-connection']);
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    h = await Harness.start();
    page = await browser.newPage();
    await page.goto(`${site.origin}/`);
  });

  afterEach(async () => {
    await page.evaluate(() => (globalThis as unknown as { client?: { close(): Promise<void> } }).client?.close()).catch(() => undefined);
    await page.close();
    await h.stop();
  });

  type Win = { KvsSig: typeof import('../../src/index.browser'); client: import('../../src/index.browser').SignalingClient; answer: Promise<unknown> };

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

  test('a WebRTC data channel opens between a master and a viewer in the page, signaled through the emulator', async () => {
    await h.createChannel('br-webrtc');
    const base = h.base();
    const result = await page.evaluate(
      async ({ region, endpoint, credentials }) => {
        const { SignalingClient } = (globalThis as unknown as Win).KvsSig;
        const common = { region, endpoint, credentials, channelName: 'br-webrtc' };
        const master = new SignalingClient({ ...common, role: 'MASTER' });
        const viewer = new SignalingClient({ ...common, role: 'VIEWER', clientId: 'browser-rtc' });
        const masterPc = new RTCPeerConnection();
        const viewerPc = new RTCPeerConnection();
        try {
          master.on('sdpOffer', async ({ payload, senderClientId }) => {
            await masterPc.setRemoteDescription(payload as RTCSessionDescriptionInit);
            await masterPc.setLocalDescription(await masterPc.createAnswer());
            await master.sendSdpAnswer(masterPc.localDescription!.toJSON() as { type: 'answer'; sdp: string }, senderClientId);
          });
          master.on('iceCandidate', ({ payload }) => void masterPc.addIceCandidate(payload));
          viewer.on('sdpAnswer', ({ payload }) => void viewerPc.setRemoteDescription(payload as RTCSessionDescriptionInit));
          viewer.on('iceCandidate', ({ payload }) => void viewerPc.addIceCandidate(payload));
          masterPc.onicecandidate = (e) => void (e.candidate && master.sendIceCandidate(e.candidate.toJSON(), 'browser-rtc'));
          viewerPc.onicecandidate = (e) => void (e.candidate && viewer.sendIceCandidate(e.candidate.toJSON()));
          const received = new Promise<string>((resolve) => {
            masterPc.ondatachannel = (e) => (e.channel.onmessage = (m) => resolve(String(m.data)));
          });
          const channel = viewerPc.createDataChannel('kvs');
          channel.onopen = () => channel.send('hello over WebRTC');
          await master.connect();
          await viewer.connect();
          await viewerPc.setLocalDescription(await viewerPc.createOffer());
          await viewer.sendSdpOffer(viewerPc.localDescription!.toJSON() as { type: 'offer'; sdp: string });
          const message = await Promise.race([received, new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`no data channel message; ice ${viewerPc.iceConnectionState}`)), 15_000))]);
          return { message, state: channel.readyState };
        } finally {
          masterPc.close();
          viewerPc.close();
          await Promise.all([master.close(), viewer.close()]);
        }
      },
      { region: base.region, endpoint: base.endpoint!, credentials: h.emu.credentials },
    );
    expect(result).toEqual({ message: 'hello over WebRTC', state: 'open' });
  });
});
