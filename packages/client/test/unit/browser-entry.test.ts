/**
 * The browser entry without a browser: what its bundle pulls in, and its error
 * when the runtime has no WebSocket. Real browsers run it in browser/.
 */
import * as path from 'node:path';
import { build } from 'esbuild';
import * as browserEntry from '../../src/index.browser';

const pkg = path.resolve(__dirname, '../..');

describe('the browser entry', () => {
  test('bundles for the browser with no Node built-in, no ws and no undici', async () => {
    const result = await build({
      entryPoints: [path.join(pkg, 'src/index.browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      conditions: ['@kvs-sig/source', 'browser'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('packages/client/src/signaling-client.ts'))).toBe(true);
    expect(inputs.filter((i) => /node_modules\/(ws|undici)\//.test(i) || i.startsWith('node:'))).toEqual([]);
    const text = result.outputFiles[0]!.text;
    expect(text).not.toMatch(/require\(["'](ws|undici|node:[a-z]+|fs|net|tls|http|https)["']\)/);
    expect(text).not.toMatch(/^\s*import[^;\n]*from ["'](ws|undici|node:[a-z]+)["']/m);
  });

  test('without a global WebSocket (Node 20) it throws TRANSPORT_UNAVAILABLE with a how-to', () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    let error: unknown;
    try {
      new browserEntry.SignalingClient({
        role: 'MASTER',
        region: 'us-west-2',
        channelName: 'x',
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'TRANSPORT_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/options\.WebSocket/);
  });
});
