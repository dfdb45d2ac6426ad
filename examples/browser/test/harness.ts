/**
 * The end-to-end stack of the browser tests: a local coturn, the emulator
 * (TLS, its ICE servers pointing at that coturn), the example server, and
 * Debian's chromium driven by playwright-core.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { startTurnServer, type TurnServer } from '@kvs-sig/example-common';
import { spkiHashOf, startExampleServer, type ExampleServer } from '../src/server';
import { launchChromium as launchShared, type Chromium } from '../../../test/chromium';

/** Launches headless chromium (the repo's shared launcher) that trusts the given certificate keys, with fake media devices. */
export function launchChromium(spki: string[]): Promise<Chromium> {
  return launchShared({
    trust: { spki },
    args: ['--allow-loopback-in-peer-connection', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    contextOptions: { permissions: ['microphone', 'camera'] },
  });
}

/** Everything a browser test talks to; `close()` stops it all. */
export interface Stack {
  turn: TurnServer;
  emulator: Emulator;
  server: ExampleServer;
  context: BrowserContext;
  /** Opens one of the example's pages and fails the test on any page error. */
  open(path: string): Promise<Page>;
  /** Every response body the pages received (to check no secret leaked). */
  responses: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

/** The servers every browser test talks to, whatever the browser. */
export interface Servers {
  turn: TurnServer;
  emulator: Emulator;
  server: ExampleServer;
}

/**
 * Starts coturn, the emulator (ICE servers on that coturn) and the example
 * server; `closers` gets their closers in start order.
 */
export async function startServers(closers: Array<() => Promise<unknown>>): Promise<Servers> {
  const turn = await startTurnServer();
  closers.push(() => turn.close());
  const emulator = await startEmulator({ tls: true, turn: { urls: turn.urls, secret: turn.secret } });
  closers.push(() => emulator.close());
  const server = await startExampleServer({
    region: emulator.region,
    credentials: emulator.credentials,
    controlPlaneEndpoint: emulator.controlPlaneEndpoint,
    ...(emulator.ca ? { ca: emulator.ca } : {}),
  });
  closers.push(() => server.close());
  return { turn, emulator, server };
}

/** Starts coturn, the emulator (ICE servers on that coturn), the example server and chromium trusting the emulator's key. */
export async function startStack(): Promise<Stack> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const { turn, emulator, server } = await startServers(closers);
    const spki = await spkiHashOf(emulator.controlPlaneEndpoint, emulator.ca!);
    const browser = await launchChromium([spki]);
    closers.push(() => browser.close());
    const responses: string[] = [];
    const pageErrors: string[] = [];
    browser.context.on('response', (response) => {
      // Only our own server's replies: the emulator's are TLS and never carry keys either.
      if (!response.url().startsWith(server.url)) return;
      response.text().then(
        (t) => responses.push(t),
        () => undefined,
      );
    });
    return {
      turn,
      emulator,
      server,
      context: browser.context,
      responses,
      pageErrors,
      open: async (path: string) => {
        const page = await browser.context.newPage();
        page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
        await page.goto(`${server.url}${path}`);
        return page;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
