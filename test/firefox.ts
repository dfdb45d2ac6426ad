/**
 * The one headless Firefox launcher of the repo, beside test/chromium.ts:
 * Debian's `firefox-esr`, driven by puppeteer-core over WebDriver BiDi (never a
 * downloaded browser: Playwright's Firefox needs its own patched build).
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, PuppeteerNode } from 'puppeteer-core';

/**
 * puppeteer-core 25 ships only ES modules, which jest's own module loader
 * (CommonJS here) cannot load; Node's require can (require(esm), Node 20.19+).
 * Jest swaps `createRequire` for its own, so a Node module object loads it,
 * outside jest's registry.
 */
function puppeteer(): PuppeteerNode {
  type NodeModule = { filename: string; paths: string[]; require(id: string): unknown };
  const { Module } = require('node:module') as { Module: { new (id: string): NodeModule; _nodeModulePaths(dir: string): string[] } };
  const loader = new Module(__filename);
  loader.filename = __filename;
  loader.paths = Module._nodeModulePaths(__dirname);
  return (loader.require('puppeteer-core') as { default: PuppeteerNode }).default;
}

/** Debian's firefox-esr (scripts/test.mjs installs it when missing). */
export const FIREFOX = '/usr/bin/firefox-esr';

/** Options of {@link launchFirefox}. */
export interface LaunchFirefoxOptions {
  /**
   * `'any'`: accept every TLS certificate, such as the emulator's self-signed
   * one, through the BiDi session capability `acceptInsecureCerts` (Firefox then
   * skips certificate errors for the whole session, fetch and WebSocket included).
   * Firefox has no per-key trust flag like Chromium's spki list, and adding a CA
   * to a profile needs NSS's certutil or an enterprise policy in the install
   * directory, so this is the narrowest choice a test can make alone.
   */
  readonly trust?: 'any';
  /** More `about:config` preferences for the throw-away profile. */
  readonly prefs?: Readonly<Record<string, unknown>>;
}

/** A running Firefox; `close()` ends it. */
export interface Firefox {
  readonly browser: Browser;
  /** A first context, opened at launch. */
  readonly context: BrowserContext;
  /** A context that shares nothing with the others (cookies, storage, cache). */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Preferences every caller wants: a fake camera and microphone with no
 * permission prompt (getUserMedia for WebRTC), host candidates on loopback
 * without the mDNS obfuscation, and no background traffic.
 */
const COMMON_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
};

/** Launches headless Firefox on a throw-away profile (puppeteer creates and removes it). */
export async function launchFirefox(options: LaunchFirefoxOptions = {}): Promise<Firefox> {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing: apt-get install firefox-esr (scripts/test.mjs does it)`);
  const browser = await puppeteer().launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts: options.trust === 'any',
    extraPrefsFirefox: { ...COMMON_PREFS, ...options.prefs },
  });
  try {
    const context = await browser.createBrowserContext();
    return { browser, context, newContext: () => browser.createBrowserContext(), close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
