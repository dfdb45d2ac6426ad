import { build } from 'esbuild';
import { join } from 'node:path';

// What a browser app's bundler does: resolve the package by its exports map with the `browser` condition.
async function browserBundle(code: string) {
  return build({
    stdin: { contents: code, resolveDir: __dirname, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    conditions: ['@kvs-sig/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

test('the browser build bundles without Node modules, undici or a JavaScript SHA-256: it hashes through WebCrypto', async () => {
  const result = await browserBundle(`export * from '@kvs-sig/signer';`);
  expect(result.errors).toEqual([]);
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((i) => i.includes('signer/src/sign.ts'))).toBe(true);
  expect(inputs.some((i) => i.includes('signer/src/sha256-webcrypto.ts'))).toBe(true);
  expect(inputs.filter((i) => /undici|@aws-crypto|sha256-node|^node:|(^|\/)node\.ts$/.test(i))).toEqual([]);
  const code = result.outputFiles[0]!.text;
  expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
});

test('a page that only uses the credentials provider and the clock carries no SigV4 code', async () => {
  const result = await browserBundle(`import { ClockSkew, createCredentialsProvider } from '@kvs-sig/signer'; window.x = [ClockSkew, createCredentialsProvider];`);
  const inputs = Object.entries(result.metafile.outputs)[0]![1].inputs;
  const kept = Object.keys(inputs).filter((i) => inputs[i]!.bytesInOutput > 0);
  expect(kept.some((i) => i.includes('signer/src/clock.ts'))).toBe(true);
  expect(kept.filter((i) => /@smithy|sha256|signer\/src\/(sign|verify|internal)\.ts/.test(i))).toEqual([]);
});

test('the node entries hash through node:crypto and pull in undici only from /node (so the split is real)', async () => {
  const result = await build({
    entryPoints: [join(__dirname, '../src/index.ts'), join(__dirname, '../src/node.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['@kvs-sig/source'],
    outdir: '/nonexistent',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['undici'],
  });
  const byEntry = (name: string) => Object.values(result.metafile.outputs).find((o) => o.entryPoint?.endsWith(name))!;
  expect(byEntry('src/index.ts').imports.map((x) => x.path)).toContain('node:crypto');
  expect(byEntry('src/index.ts').imports.map((x) => x.path)).not.toContain('undici');
  expect(byEntry('src/node.ts').imports.map((x) => x.path)).toContain('undici');
  expect(Object.keys(result.metafile.inputs).filter((i) => /@aws-crypto|sha256-webcrypto/.test(i))).toEqual([]);
});
