/**
 * The transport-conformance suite (support/transport-conformance.ts) in headless
 * Chromium: the transport runs in a page on its own origin with the page's own
 * WebSocket and fetch (no ping, a refused handshake's status hidden, CORS),
 * against the TLS emulator. The same cases run on in-memory fakes (unit/) and
 * from Node (integration/).
 */
import * as path from 'node:path';
import { bundleForPage, launchBrowser, startSite, type Site, type TestBrowser, type TestPage } from '../support/browser-helpers';
import { transportConformance, type TransportTarget } from '../support/transport-conformance';
import type { RemoteProbe, TransportProbe } from '../support/transport-probe';
import { startEmulatorTransportServer, type EmulatorTransportServer } from '../support/transport-servers';

jest.setTimeout(30_000);

/** The probe for the page: `globalThis.transportProbe` over the page's own WebSocket and fetch. */
function buildProbeBundle(): Promise<string> {
  const contents = [
    "import { createTransportProbe } from './transport-probe';",
    'globalThis.transportProbe = createTransportProbe((url) => new WebSocket(url), (url, init) => fetch(url, init));',
  ].join('\n');
  return bundleForPage({ contents, resolveDir: path.join(__dirname, '../support') });
}

/** The page's probe (globalThis.transportProbe) as seen from Node. */
function pageProbe(page: TestPage): RemoteProbe {
  const call =
    <K extends keyof TransportProbe>(method: K) =>
    (...args: unknown[]) =>
      page.evaluate(
        ({ method, args }: { method: string; args: unknown[] }) =>
          (globalThis as unknown as { transportProbe: Record<string, (...a: unknown[]) => unknown> }).transportProbe[method]!(...args),
        { method, args },
      );
  const methods: Array<keyof TransportProbe> = ['open', 'events', 'state', 'send', 'ping', 'close', 'http'];
  return Object.fromEntries(methods.map((m) => [m, call(m)])) as unknown as RemoteProbe;
}

describe('transport conformance: Chromium (the page WebSocket and fetch) against the emulator', () => {
  let server: EmulatorTransportServer;
  let site: Site;
  let browser: TestBrowser;
  let page: TestPage;
  let target: TransportTarget;

  beforeAll(async () => {
    [server, site, browser] = await Promise.all([startEmulatorTransportServer(), buildProbeBundle().then(startSite), launchBrowser('chromium')]);
    page = await browser.newPage();
    await page.goto(`${site.origin}/`);
    target = { probe: pageProbe(page), canPing: false, seesHandshakeStatus: false };
  });

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  transportConformance(() => ({ target, server }));
});
