/**
 * The end-to-end stack of the browser tests: a local coturn, the emulator
 * (TLS, its ICE servers pointing at that coturn), the example server, and
 * Debian's chromium driven by playwright-core.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { SignalingClient } from '@kvs-sig/client';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { startTurnServer, Werift, type TurnServer } from '@kvs-sig/example-common';
import { createMasterSession, type DataChannelLike, type MasterSession } from '@kvs-sig/webrtc';
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

/** A Node master (werift) on the emulator: its signaling client, its session and the video RTP packets it received. */
export interface NodeMaster {
  signaling: SignalingClient;
  session: MasterSession;
  /** The first viewer's id and its chat channel, once open. */
  firstChannel: Promise<{ clientId: string; channel: DataChannelLike }>;
  /** RTP packets received on viewers' video tracks (werift does not decode video, so packets are what it can count). */
  videoPackets(): number;
  close(): Promise<void>;
}

/** Creates (does not connect) a Node master session on `channelName`. */
export function nodeMaster(emulator: Emulator, channelName: string): NodeMaster {
  const signaling = new SignalingClient({
    role: 'MASTER',
    region: emulator.region,
    channelName,
    credentials: emulator.credentials,
    endpoint: emulator.controlPlaneEndpoint,
    tls: { ca: emulator.ca! },
    createChannelIfMissing: true,
  });
  const session = createMasterSession({ signaling, RTCPeerConnection: Werift });
  let packets = 0;
  session.on('track', ({ track }) => {
    if (track.kind !== 'video') return;
    (track as unknown as { onReceiveRtp: { subscribe(f: () => void): unknown } }).onReceiveRtp.subscribe(() => packets++);
  });
  const firstChannel = new Promise<{ clientId: string; channel: DataChannelLike }>((resolve) =>
    session.on('dataChannel', ({ clientId, channel }) => {
      if (channel.readyState === 'open') resolve({ clientId, channel });
      else channel.addEventListener('open', () => resolve({ clientId, channel }));
    }),
  );
  return {
    signaling,
    session,
    firstChannel,
    videoPackets: () => packets,
    close: async () => {
      await session.close();
      await signaling.close();
    },
  };
}

/** Resolves when `predicate` holds (polling every 20 ms); rejects after `ms`. */
export async function waitUntil(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the example pages expose on `window.kvsExample` to the browser tests. */
export interface PageApi {
  start(options: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
  send(text: string): number;
  openChannels(): number;
  selectedCandidateTypes(): Promise<string[]>;
  framesDecoded(): Promise<number[]>;
  readonly received: string[];
  readonly errors: string[];
  readonly log: string[];
}

/**
 * Waits until every peer connection of a page has decoded video frames
 * (inbound-rtp framesDecoded > 0). `frames` reads them from the page (Playwright
 * and Puppeteer evaluate alike); `log` adds the page's log to the failure.
 */
export async function waitForDecodedFrames(frames: () => Promise<number[]>, ms: number, log: () => Promise<string> = async () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  let last: number[] = [];
  while (Date.now() < deadline) {
    last = await frames();
    if (last.length > 0 && last.every((n) => n > 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const pageLog = await log();
  throw new Error(`no decoded video frames: ${JSON.stringify(last)}${pageLog ? `\npage log:\n${pageLog}` : ''}`);
}
