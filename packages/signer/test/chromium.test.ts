/**
 * The browser build (WebCrypto hashing) in headless Chromium, checked against
 * software nobody here wrote: the official KVS JS SDK's presigner (the same
 * randomised oracle as presign.test.ts) and smithy with `@aws-crypto/sha256-js`
 * for header signing, both run in Node.
 */
import { build } from 'esbuild';
import fc from 'fast-check';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Page } from 'playwright-core';
import { launchChromium, type Chromium } from '../../../test/chromium';
import type { Credentials } from '../src';
import { officialPresign, presignCase, rawUrl } from './oracle';

let browser: Chromium;
let page: Page;

beforeAll(async () => {
  // The package as a browser app's bundler resolves it: the `browser` export condition.
  const out = await build({
    stdin: { contents: `export * from '@kvs-sig/signer';`, resolveDir: __dirname, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'KvsSigner',
    conditions: ['@kvs-sig/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(out.metafile.inputs);
  // The build under test is the WebCrypto one, with no JavaScript SHA-256 to fall back on.
  expect(inputs.some((i) => i.endsWith('sha256-webcrypto.ts'))).toBe(true);
  expect(inputs.filter((i) => /@aws-crypto|sha256-node/.test(i))).toEqual([]);
  browser = await launchChromium();
  page = await browser.context.newPage();
  // WebCrypto exists only in secure contexts: an http://localhost page is one (as an https:// page),
  // about:blank is not. Playwright answers the navigation itself; nothing listens.
  await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>signer</title>' }));
  await page.goto('http://localhost/');
  await page.addScriptTag({ content: out.outputFiles[0]!.text });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Wire {
  region: string;
  endpoint: string;
  raw: string;
  params: Record<string, string>;
  credentials: Credentials;
  dateMs: number;
}

test('the page has WebCrypto', async () => {
  expect(await page.evaluate(() => typeof globalThis.crypto?.subtle?.digest)).toBe('function');
});

test('presignWssUrl and getSignedUrl in Chromium are byte-identical to the official SigV4RequestSigner (randomised)', async () => {
  const cases = fc.sample(presignCase, 300);
  const wire: Wire[] = cases.map((c) => ({ region: c.region, endpoint: c.endpoint, raw: rawUrl(c), params: c.params, credentials: c.credentials, dateMs: c.date.getTime() }));
  const ours = await page.evaluate(async (all: Wire[]) => {
    const s = (globalThis as unknown as { KvsSigner: typeof import('../src/index.browser') }).KvsSigner;
    const out: [string, string][] = [];
    for (const c of all) {
      const signingDate = new Date(c.dateMs);
      const a = await s.presignWssUrl(c.raw, { region: c.region, credentials: c.credentials, signingDate });
      const b = await s.createSigV4RequestSigner({ region: c.region, credentials: c.credentials }).getSignedUrl(c.endpoint, c.params, signingDate);
      out.push([a, b]);
    }
    return out;
  }, wire);
  for (const [i, c] of cases.entries()) {
    const official = await officialPresign(c);
    expect(ours[i]).toEqual([official, official]);
  }
}, 60_000);

test('signRequest in Chromium matches smithy with @aws-crypto/sha256-js, and verify accepts it there (randomised)', async () => {
  const at = new Date('2024-01-02T03:04:05Z');
  const inputs = fc.sample(
    fc.record({
      body: fc.json(),
      token: fc.option(fc.string({ minLength: 1, maxLength: 50 }), { nil: undefined }),
      path: fc.constantFrom('/describeSignalingChannel', '/v1/get-ice-server-config', '/a b/ü', '/x/%2F/y'),
      secret: fc.string({ minLength: 1, maxLength: 40 }),
    }),
    60,
  );
  const requests = inputs.map((x) => ({
    request: { method: 'POST' as const, url: `https://kinesisvideo.us-west-2.amazonaws.com${x.path}`, headers: { 'content-type': 'application/json' }, body: x.body },
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: x.secret, ...(x.token === undefined ? {} : { sessionToken: x.token }) },
  }));
  const ours = await page.evaluate(
    async ({ all, ms }) => {
      const s = (globalThis as unknown as { KvsSigner: typeof import('../src/index.browser') }).KvsSigner;
      const out: { headers: Record<string, string>; ok: boolean }[] = [];
      for (const r of all) {
        const signed = await s.signRequest(r.request, { credentials: r.credentials, region: 'us-west-2', signingDate: new Date(ms) });
        const v = await s.verify(signed, { credentials: r.credentials, now: new Date(ms) });
        out.push({ headers: signed.headers, ok: v.ok });
      }
      return out;
    },
    { all: requests, ms: at.getTime() },
  );
  for (const [i, r] of requests.entries()) {
    const u = new URL(r.request.url);
    const reference = await new SignatureV4({ credentials: r.credentials, region: 'us-west-2', service: 'kinesisvideo', sha256: Sha256 }).sign(
      new SmithyRequest({ method: 'POST', protocol: u.protocol, hostname: u.hostname, path: u.pathname, headers: { ...r.request.headers, host: u.host }, body: r.request.body }),
      { signingDate: at },
    );
    expect(ours[i]).toEqual({ headers: reference.headers, ok: true });
  }
}, 60_000);
