/**
 * Shared set-up of the Chromium tests: the browser bundle of the client and a
 * headless Debian `chromium` driven by playwright-core, with a throw-away profile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';

/** The browser entry point bundled as an IIFE exposing `globalThis.KvsSig`. */
export async function buildBrowserBundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.resolve(__dirname, '../src/index.browser.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'KvsSig',
    write: false,
    conditions: ['@kvs-sig/source', 'browser'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** A running Chromium; `close()` also removes its profile. */
export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium. It trusts the emulator's test certificate through
 * --ignore-certificate-errors; `extraArgs` adds flags (e.g. --disable-web-security).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Chromium> {
  const profile = await mkdtemp(path.join(tmpdir(), 'kvs-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--ignore-certificate-errors',
        ...extraArgs,
      ],
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
