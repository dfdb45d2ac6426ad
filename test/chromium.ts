/**
 * The one headless Chromium launcher of the repo: the client's browser tests,
 * the browser example's tests and the benchmarks import it by relative path.
 * Debian's `chromium`, driven by playwright-core.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's chromium (scripts/test.mjs installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags every caller wants: no sandbox (containers), no GPU, TCP only, and no background traffic to skew what is counted. */
const COMMON_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Options of {@link launchChromium}. */
export interface LaunchChromiumOptions {
  /**
   * Which TLS certificates the browser accepts besides the system's: `'any'`
   * (--ignore-certificate-errors), or the base64 SHA-256 of the keys to trust
   * (--ignore-certificate-errors-spki-list), the narrower choice.
   */
  readonly trust?: 'any' | { readonly spki: readonly string[] };
  /** More command-line flags (e.g. --disable-web-security, fake media devices). */
  readonly args?: readonly string[];
  /** Applied to `context` and to every {@link Chromium.newContext}. */
  readonly contextOptions?: BrowserContextOptions;
}

/** A running Chromium; `close()` ends it and every context. */
export interface Chromium {
  readonly browser: Browser;
  /** A first context, opened at launch. */
  readonly context: BrowserContext;
  /** A context that shares nothing with the others (cookies, storage, HTTP cache, CORS preflight cache, connection pool). */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Launches headless Chromium on a throw-away profile (playwright creates and removes it). */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/test.mjs does it)`);
  const trust = options.trust === undefined ? [] : options.trust === 'any' ? ['--ignore-certificate-errors'] : [`--ignore-certificate-errors-spki-list=${options.trust.spki.join(',')}`];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...COMMON_ARGS, ...trust, ...(options.args ?? [])] });
  try {
    const newContext = (): Promise<BrowserContext> => browser.newContext(options.contextOptions);
    const context = await newContext();
    return { browser, context, newContext, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
