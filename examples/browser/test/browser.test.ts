/**
 * End to end in a real browser (Debian's chromium): the example pages, the
 * official KVS JS SDK and Node peers signal through the emulator, open WebRTC
 * data channels and exchange messages; one test forces TURN relay through a
 * local coturn. The AWS secret never reaches a page.
 */
import type { Page } from 'playwright-core';
import { ChannelManager } from '@kvs-sig/client';
import { nextMessage } from '@kvs-sig/example-common';
import { nodeMaster, startStack, waitForDecodedFrames, waitUntil, type PageApi, type Stack } from './harness';

jest.setTimeout(60_000);

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

declare const window: { kvsExample: PageApi; officialViewer: { start(o: unknown): void; open(): boolean; send(t: string): void; stop(): void; received: string[]; errors: string[]; log: string[] } };
declare const document: {
  getElementById(id: string): { srcObject: { getVideoTracks(): unknown[] } | null; getVideoPlaybackQuality(): { totalVideoFrames: number } } | null;
};

async function startPage(page: Page, options: Record<string, unknown>): Promise<void> {
  await page.evaluate((o) => window.kvsExample.start(o), options);
}

async function waitForOpenChannel(page: Page, count = 1): Promise<void> {
  try {
    await page.waitForFunction((n) => window.kvsExample.openChannels() >= n, count, { timeout: 20_000 });
  } catch (error) {
    const log = await page.evaluate(() => window.kvsExample.log);
    throw new Error(`no open data channel; page log:\n${log.join('\n')}\n${String(error)}`);
  }
}

/** Waits until every peer connection of the page has decoded video frames. */
function decodedFrames(page: Page): Promise<void> {
  return waitForDecodedFrames(() => page.evaluate(() => window.kvsExample.framesDecoded()), 20_000);
}

/** Waits until the page's <video id> has painted frames (a black, stalled element has none). */
async function waitForPaintedFrames(page: Page, id: 'local-video' | 'remote-video'): Promise<void> {
  await page.waitForFunction((v) => (document.getElementById(v)?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0, id, { timeout: 20_000 });
}

async function waitForReceived(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => window.kvsExample.received.includes(t), text, { timeout: 10_000 });
}

it('a browser viewer page with a camera and a Node master (werift) exchange messages over a data channel; the master receives the video', async () => {
  const master = nodeMaster(stack.emulator, 'browser-node');
  const page = await stack.open('/viewer.html');
  try {
    await master.session.connect();
    await startPage(page, { role: 'VIEWER', channelName: 'browser-node', clientId: 'browser-viewer', sendVideo: true });
    const { clientId, channel } = await master.firstChannel;
    expect(clientId).toBe('browser-viewer');
    await waitForOpenChannel(page);

    const fromBrowser = nextMessage(channel);
    expect(await page.evaluate(() => window.kvsExample.send('hello from the browser'))).toBe(1);
    expect(await fromBrowser).toBe('hello from the browser');
    channel.send('hello from node');
    await waitForReceived(page, 'hello from node');
    // werift does not decode video: the viewer's camera arrives as RTP packets.
    await waitUntil(() => master.videoPackets() >= 10, 20_000, 'video packets at the master');
    expect(await page.evaluate(() => window.kvsExample.errors)).toEqual([]);
  } finally {
    await page.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
    await page.close();
    await master.close();
  }
});

it('a browser master page and a browser viewer page, both sending a camera, connect, chat both ways and decode video both ways', async () => {
  const masterPage = await stack.open('/master.html');
  const viewerPage = await stack.open('/viewer.html');
  try {
    await startPage(masterPage, { role: 'MASTER', channelName: 'browser-browser', sendVideo: true });
    await startPage(viewerPage, { role: 'VIEWER', channelName: 'browser-browser', clientId: 'page-viewer', sendVideo: true });
    await waitForOpenChannel(viewerPage);
    await waitForOpenChannel(masterPage);
    await viewerPage.evaluate(() => window.kvsExample.send('viewer says hi'));
    await waitForReceived(masterPage, 'viewer says hi');
    await masterPage.evaluate(() => window.kvsExample.send('master says hi'));
    await waitForReceived(viewerPage, 'master says hi');
    // Each side sends its (fake) camera: each decodes the other's, and both
    // pages paint their own preview and the far side's video.
    await decodedFrames(viewerPage);
    await decodedFrames(masterPage);
    for (const page of [viewerPage, masterPage]) {
      await waitForPaintedFrames(page, 'local-video');
      await waitForPaintedFrames(page, 'remote-video');
    }
    const log = await viewerPage.evaluate(() => window.kvsExample.log);
    expect(log).toEqual(expect.arrayContaining(['open {"reconnected":false}', 'sdpAnswer from master']));
  } finally {
    await masterPage.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
    await viewerPage.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
    await masterPage.close();
    await viewerPage.close();
  }
});

it('the page works by hand: fields, Start, the chat box and the live log', async () => {
  const masterPage = await stack.open('/master.html');
  const viewerPage = await stack.open('/viewer.html');
  try {
    // The master through its form too: role preselected, region filled from the server's config.
    await masterPage.waitForFunction(() => (document as unknown as { getElementById(id: string): { value: string } }).getElementById('region').value !== '');
    await masterPage.fill('#channel', 'browser-ui');
    await masterPage.uncheck('#send-video');
    await masterPage.click('#start');
    await masterPage.waitForFunction(() => window.kvsExample.log.some((l) => l.startsWith('open ')));

    await viewerPage.fill('#channel', 'browser-ui');
    await viewerPage.fill('#client-id', 'typed-viewer');
    expect(await viewerPage.inputValue('#role')).toBe('VIEWER');
    await viewerPage.click('#start');
    await waitForOpenChannel(viewerPage);
    await viewerPage.fill('#chat-input', 'typed by hand');
    await viewerPage.press('#chat-input', 'Enter');
    await waitForReceived(masterPage, 'typed by hand');
    expect(await viewerPage.inputValue('#chat-input')).toBe('');
    // The live log shows the signaling events and the chat, with the viewer's id on the master side.
    const masterLog = await masterPage.textContent('#log');
    expect(masterLog).toMatch(/sdpOffer from typed-viewer/);
    expect(masterLog).toMatch(/chat < typed-viewer: typed by hand/);
    expect(await viewerPage.textContent('#log')).toMatch(/chat > typed by hand \(1 peer\)/);
  } finally {
    await masterPage.click('#stop').catch(() => undefined);
    await viewerPage.click('#stop').catch(() => undefined);
    await masterPage.close();
    await viewerPage.close();
  }
});

it('forced TURN relay (iceTransportPolicy relay) connects through the local coturn', async () => {
  const masterPage = await stack.open('/master.html');
  const viewerPage = await stack.open('/viewer.html');
  try {
    await startPage(masterPage, { role: 'MASTER', channelName: 'browser-relay', iceTransportPolicy: 'relay', sendVideo: false });
    await startPage(viewerPage, { role: 'VIEWER', channelName: 'browser-relay', clientId: 'relay-viewer', iceTransportPolicy: 'relay', receiveVideo: false });
    await waitForOpenChannel(viewerPage);
    await viewerPage.evaluate(() => window.kvsExample.send('through the relay'));
    await waitForReceived(masterPage, 'through the relay');
    const types = await viewerPage.evaluate(() => window.kvsExample.selectedCandidateTypes());
    expect(types).toEqual(['relay/relay']);
    expect(await masterPage.evaluate(() => window.kvsExample.selectedCandidateTypes())).toEqual(['relay/relay']);
    // coturn saw the allocations.
    expect(stack.turn.output()).toMatch(/ALLOCATE/i);
  } finally {
    await masterPage.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
    await viewerPage.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
    await masterPage.close();
    await viewerPage.close();
  }
});

it("the official KVS JS SDK's SignalingClient in the browser talks to our Node master through the emulator", async () => {
  const { emulator } = stack;
  const master = nodeMaster(emulator, 'browser-official');
  const manager = new ChannelManager({
    region: emulator.region,
    credentials: emulator.credentials,
    endpoint: emulator.controlPlaneEndpoint,
    tls: { ca: emulator.ca! },
  });
  const page = await stack.open('/official-viewer.html');
  try {
    await master.session.connect();
    const channelARN = master.signaling.channelArn!;
    const endpoints = await manager.getEndpoints({ channelArn: channelARN, role: 'VIEWER' });
    const iceServers = await manager.getIceServers({ channelArn: channelARN, clientId: 'official-viewer', httpsEndpoint: endpoints.httpsEndpoint! });
    await page.evaluate((o) => window.officialViewer.start(o), {
      channelARN,
      channelEndpoint: endpoints.wssEndpoint!,
      region: emulator.region,
      clientId: 'official-viewer',
      iceServers,
    });
    const { clientId, channel } = await master.firstChannel;
    expect(clientId).toBe('official-viewer');
    await page.waitForFunction(() => window.officialViewer.open(), undefined, { timeout: 20_000 });
    const got = nextMessage(channel);
    await page.evaluate(() => window.officialViewer.send('from the official SDK'));
    expect(await got).toBe('from the official SDK');
    channel.send('from kvs-sig');
    await page.waitForFunction(() => window.officialViewer.received.includes('from kvs-sig'), undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => window.officialViewer.errors)).toEqual([]);
  } finally {
    await page.evaluate(() => window.officialViewer.stop()).catch(() => undefined);
    await page.close();
    await master.close();
    await manager.close();
  }
});

describe('the example server keeps the keys', () => {
  it('never sends the secret key to a page: not in any response, the bundle or the pages', async () => {
    const secret = stack.emulator.credentials.secretAccessKey;
    // A page that goes through the whole flow (proxied control plane, presigned URL).
    const page = await stack.open('/master.html');
    await startPage(page, { role: 'MASTER', channelName: 'browser-keys', sendVideo: false });
    await page.evaluate(() => window.kvsExample.stop());
    await page.close();
    await waitUntil(() => stack.responses.some((r) => r.includes('X-Amz-Signature=')));
    expect(stack.responses.length).toBeGreaterThan(3);
    // Presigned URLs went to the pages: they carry a signature, never the key.
    expect(stack.responses.some((r) => r.includes('X-Amz-Signature='))).toBe(true);
    for (const body of stack.responses) expect(body).not.toContain(secret);
    expect(stack.server.bundle).not.toContain(secret);
    for (const path of ['/', '/master.html', '/viewer.html', '/official-viewer.html', '/config.json', '/bundle/app.js']) {
      const text = await (await fetch(`${stack.server.url}${path}`)).text();
      expect(text).not.toContain(secret);
    }
    expect(stack.pageErrors).toEqual([]);
  });

  it("bundles the client's browser build: no Node module in the page", () => {
    const { bundle } = stack.server;
    // esbuild marks each source file it bundled with a path comment.
    expect(bundle).toContain('packages/client/src/index.browser.ts');
    expect(bundle).toContain('packages/client/src/platform-browser.ts');
    expect(bundle).not.toContain('platform-node');
    expect(bundle).not.toMatch(/^\s*import\b[^\n]*\bfrom\s*["'](?:node:[a-z_/]+|ws|undici)["']/m);
    expect(bundle).not.toMatch(/\brequire\(["'](?:node:[a-z_/]+|ws|undici)["']\)/);
  });

  it('refuses to presign or proxy for anything but KVS signaling on the configured host', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${stack.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const foreign = await post('/api/presign', { endpoint: 'wss://example.com/', queryParams: { 'X-Amz-ChannelARN': 'x' } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toContain('example.com');
    const extra = await post('/api/presign', { endpoint: `wss://${new URL(stack.emulator.controlPlaneEndpoint).host}`, queryParams: { 'X-Amz-Expires': '604800' } });
    expect(extra.status).toBe(400);
    const op = await post('/api/aws', { url: `${stack.emulator.controlPlaneEndpoint}/deleteSignalingChannel`, method: 'POST', body: '{}' });
    expect(op.status).toBe(403);
    expect(((await op.json()) as { message: string }).message).toContain('/deleteSignalingChannel');
    const notJson = await fetch(`${stack.server.url}/api/aws`, { method: 'POST', body: 'nope' });
    expect(notJson.status).toBe(400);
  });
});
