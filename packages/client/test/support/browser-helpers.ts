/**
 * Shared set-up of the browser tests: the browser bundle of the client, a page
 * origin on http://127.0.0.1 (a secure context: `crypto.subtle` is there), and
 * headless Debian `chromium` (test/chromium.ts, playwright-core) or
 * `firefox-esr` (test/firefox.ts, puppeteer-core over WebDriver BiDi) behind
 * one small page interface, so each test runs in both.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { build } from 'esbuild';
import { launchChromium as launchSharedChromium, type Chromium } from '../../../../test/chromium';
import { launchFirefox } from '../../../../test/firefox';

/**
 * Bundles for a page: an IIFE under the browser export conditions, from an entry
 * file or from inline source (resolved from `resolveDir`); `globalName` exposes its exports.
 */
export async function bundleForPage(source: { entry: string } | { contents: string; resolveDir: string }, globalName?: string): Promise<string> {
  const out = await build({
    ...('entry' in source ? { entryPoints: [source.entry] } : { stdin: { contents: source.contents, resolveDir: source.resolveDir, loader: 'ts' as const } }),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    ...(globalName === undefined ? {} : { globalName }),
    write: false,
    conditions: ['@kvs-sig/source', 'browser'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** The browser entry point bundled as an IIFE exposing `globalThis.KvsSig`. */
export function buildBrowserBundle(): Promise<string> {
  return bundleForPage({ entry: path.resolve(__dirname, '../../src/index.browser.ts') }, 'KvsSig');
}

export type { Chromium } from '../../../../test/chromium';

/**
 * Launches headless Chromium (the repo's shared launcher). It trusts the
 * emulator's test certificate through --ignore-certificate-errors; `extraArgs`
 * adds flags (e.g. --disable-web-security).
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Chromium> {
  return launchSharedChromium({ trust: 'any', args: extraArgs });
}

/** The browsers every browser test runs in. */
export const BROWSERS = ['chromium', 'firefox'] as const;
export type BrowserName = (typeof BROWSERS)[number];

/** What the tests do with a page, the same in both drivers. */
export interface TestPage {
  /** Runs `fn` in the page (it is sent as source: it may use only its argument and the page's globals). */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  goto(url: string): Promise<void>;
  close(): Promise<void>;
}

/** A running browser whose every page trusts the emulator's test certificate. */
export interface TestBrowser {
  readonly name: BrowserName;
  newPage(): Promise<TestPage>;
  close(): Promise<void>;
}

/**
 * Launches `name`, trusting any certificate (Chromium: --ignore-certificate-errors;
 * Firefox: the BiDi capability acceptInsecureCerts). `chromiumArgs` are extra
 * Chromium flags; Firefox has no such flags, so tests keep web security on there.
 */
export async function launchBrowser(name: BrowserName, chromiumArgs: readonly string[] = []): Promise<TestBrowser> {
  if (name === 'chromium') {
    const c = await launchChromium(chromiumArgs);
    return {
      name,
      close: () => c.close(),
      newPage: async () => {
        const page = await c.context.newPage();
        return {
          evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg?: A) => page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown),
          goto: async (url) => void (await page.goto(url)),
          close: () => page.close(),
        };
      },
    };
  }
  const f = await launchFirefox({ trust: 'any' });
  return {
    name,
    close: () => f.close(),
    newPage: async () => {
      const page = await f.context.newPage();
      return {
        // puppeteer runs outside jest's module registry (test/firefox.ts), in Node's own realm, and its
        // BiDi serializer refuses objects of another realm (jest's): the argument goes as JSON source.
        evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg?: A) => page.evaluate(`(${fn.toString()})(${JSON.stringify(arg) ?? 'undefined'})`) as Promise<R>,
        goto: async (url) => void (await page.goto(url)),
        close: () => page.close(),
      };
    },
  };
}

/** A page server on http://127.0.0.1:0 whose `/` is an HTML page running the bundle. */
export interface Site {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startSite(bundle: string): Promise<Site> {
  const html = `<!doctype html><meta charset="utf-8"><script>${bundle.replace(/<\/script/gi, '<\\/script')}</script>`;
  const server = http.createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
