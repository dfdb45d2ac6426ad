/**
 * The example pages in Firefox (Debian's firefox-esr over WebDriver BiDi, one
 * browser for the file): a viewer with a fake camera connects to a Node master
 * (werift), to a Firefox master page and to a Chromium master page; video goes
 * both ways between the pages (frames decoded on each side), the Node master
 * receives the viewer's video RTP, and the data channel carries messages both ways.
 */
import type { Page } from 'puppeteer-core';
import { nextMessage } from '@kvs-sig/example-common';
import { launchFirefox, type Firefox } from '../../../test/firefox';
import { spkiHashOf } from '../src/server';
import { launchChromium, nodeMaster, startServers, waitForDecodedFrames, waitUntil, type PageApi, type Servers } from './harness';

jest.setTimeout(90_000);

declare const window: { kvsExample: PageApi };
declare const document: { getElementById(id: string): { mozPaintedFrames?: number } | null };

const closers: Array<() => Promise<unknown>> = [];
let servers: Servers;
let firefox: Firefox;
const pageErrors: string[] = [];

beforeAll(async () => {
  servers = await startServers(closers);
  // The emulator's certificate is self-signed; Firefox has no per-key trust flag (see test/firefox.ts).
  firefox = await launchFirefox({ trust: 'any' });
  closers.push(() => firefox.close());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

async function open(path: string): Promise<Page> {
  const page = await firefox.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${path}: ${String(e)}`));
  await page.goto(`${servers.server.url}${path}`);
  return page;
}

/**
 * Starts the page's session. The options go as JSON: puppeteer refuses objects
 * from jest's sandbox realm as "custom objects".
 */
async function start(page: Page, options: Record<string, unknown>): Promise<void> {
  await page.evaluate((json) => window.kvsExample.start(JSON.parse(json) as Record<string, unknown>), JSON.stringify(options));
}

async function stopAndClose(page: Page): Promise<void> {
  await page.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
  await page.close().catch(() => undefined);
}

async function pageLog(page: Page): Promise<string> {
  return (await page.evaluate(() => window.kvsExample.log).catch(() => [] as string[])).join('\n');
}

async function waitFor(page: Page, what: string, fn: (arg: string) => boolean, arg = ''): Promise<void> {
  try {
    await page.waitForFunction(fn, { timeout: 30_000, polling: 100 }, arg);
  } catch (error) {
    throw new Error(`${what}: ${String(error)}\npage log:\n${await pageLog(page)}`);
  }
}

function decodedFrames(page: Page): Promise<void> {
  return waitForDecodedFrames(() => page.evaluate(() => window.kvsExample.framesDecoded()), 30_000, () => pageLog(page));
}

it('a Firefox viewer page with a camera and a Node master (werift): chat both ways, the master receives the video', async () => {
  const master = nodeMaster(servers.emulator, 'firefox-node');
  const page = await open('/viewer.html');
  try {
    await master.session.connect();
    await start(page, { role: 'VIEWER', channelName: 'firefox-node', clientId: 'firefox-viewer', sendVideo: true });
    const { clientId, channel } = await master.firstChannel;
    expect(clientId).toBe('firefox-viewer');
    await waitFor(page, 'open data channel', () => window.kvsExample.openChannels() > 0);

    const fromBrowser = nextMessage(channel);
    expect(await page.evaluate(() => window.kvsExample.send('hello from firefox'))).toBe(1);
    expect(await fromBrowser).toBe('hello from firefox');
    channel.send('hello from node');
    await waitFor(page, 'message from node', (t) => window.kvsExample.received.includes(t), 'hello from node');
    // werift does not decode video: the viewer's camera arrives as RTP packets.
    await waitUntil(() => master.videoPackets() >= 10, 20_000, 'video packets at the master');
    expect(await page.evaluate(() => window.kvsExample.errors)).toEqual([]);
  } finally {
    await stopAndClose(page);
    await master.close();
  }
});

it('a Firefox master page and a Firefox viewer page, both with a camera: chat both ways, video decoded on each side', async () => {
  const masterPage = await open('/master.html');
  const viewerPage = await open('/viewer.html');
  try {
    await start(masterPage, { role: 'MASTER', channelName: 'firefox-firefox', sendVideo: true });
    await start(viewerPage, { role: 'VIEWER', channelName: 'firefox-firefox', clientId: 'ff-viewer', sendVideo: true });
    await waitFor(viewerPage, 'viewer channel', () => window.kvsExample.openChannels() > 0);
    await waitFor(masterPage, 'master channel', () => window.kvsExample.openChannels() > 0);
    await viewerPage.evaluate(() => window.kvsExample.send('viewer says hi'));
    await waitFor(masterPage, 'message at the master', (t) => window.kvsExample.received.includes(t), 'viewer says hi');
    await masterPage.evaluate(() => window.kvsExample.send('master says hi'));
    await waitFor(viewerPage, 'message at the viewer', (t) => window.kvsExample.received.includes(t), 'master says hi');
    await decodedFrames(viewerPage);
    await decodedFrames(masterPage);
    // Both previews and both far-side views paint frames (none stays black).
    // Firefox paints only the tab in front (a background tab's videos count no
    // painted frames though they decode), so each page is brought to the front.
    for (const page of [viewerPage, masterPage]) {
      await page.bringToFront();
      for (const id of ['local-video', 'remote-video']) {
        await waitFor(page, `${id} painting`, (v) => (document.getElementById(v)?.mozPaintedFrames ?? 0) > 0, id);
      }
    }
    expect(await viewerPage.evaluate(() => window.kvsExample.errors)).toEqual([]);
    expect(await masterPage.evaluate(() => window.kvsExample.errors)).toEqual([]);
  } finally {
    await stopAndClose(masterPage);
    await stopAndClose(viewerPage);
  }
  expect(pageErrors).toEqual([]);
});

it('across engines: a Chromium master page and a Firefox viewer page, both with a camera: chat both ways, video decoded on each side', async () => {
  const { emulator } = servers;
  const chromium = await launchChromium([await spkiHashOf(emulator.controlPlaneEndpoint, emulator.ca!)]);
  const viewerPage = await open('/viewer.html');
  const masterPage = await chromium.context.newPage();
  try {
    await masterPage.goto(`${servers.server.url}/master.html`);
    await masterPage.evaluate((o) => window.kvsExample.start(o), { role: 'MASTER', channelName: 'chromium-firefox', sendVideo: true });
    await start(viewerPage, { role: 'VIEWER', channelName: 'chromium-firefox', clientId: 'ff-to-chromium', sendVideo: true });
    await waitFor(viewerPage, 'viewer channel', () => window.kvsExample.openChannels() > 0);
    await masterPage.waitForFunction(() => window.kvsExample.openChannels() > 0, undefined, { timeout: 30_000 });
    await viewerPage.evaluate(() => window.kvsExample.send('firefox says hi'));
    await masterPage.waitForFunction(() => window.kvsExample.received.includes('firefox says hi'), undefined, { timeout: 10_000 });
    await masterPage.evaluate(() => window.kvsExample.send('chromium says hi'));
    await waitFor(viewerPage, 'message at the viewer', (t) => window.kvsExample.received.includes(t), 'chromium says hi');
    await decodedFrames(viewerPage);
    const deadline = Date.now() + 30_000;
    let frames: number[] = [];
    while (Date.now() < deadline && !(frames.length > 0 && frames.every((n) => n > 0))) {
      frames = await masterPage.evaluate(() => window.kvsExample.framesDecoded());
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(frames.length).toBe(1);
    expect(frames[0]).toBeGreaterThan(0);
    expect(await masterPage.evaluate(() => window.kvsExample.errors)).toEqual([]);
    expect(await viewerPage.evaluate(() => window.kvsExample.errors)).toEqual([]);
  } finally {
    await masterPage.evaluate(() => window.kvsExample.stop()).catch(() => undefined);
    await stopAndClose(viewerPage);
    await chromium.close();
  }
});
