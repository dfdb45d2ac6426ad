/**
 * Shared set-up of the Chromium tests: the browser bundle of the client and a
 * headless Debian `chromium` from the repo's shared launcher (test/chromium.ts).
 */
import * as path from 'node:path';
import { build } from 'esbuild';
import { launchChromium as launchShared, type Chromium } from '../../../test/chromium';

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

export type { Chromium } from '../../../test/chromium';

/**
 * Launches headless Chromium (the repo's shared launcher). It trusts the
 * emulator's test certificate through --ignore-certificate-errors; `extraArgs`
 * adds flags (e.g. --disable-web-security).
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Chromium> {
  return launchShared({ trust: 'any', args: extraArgs });
}
