import { build } from 'esbuild';
import { join } from 'node:path';

// The main entry must bundle for browsers: no Node built-ins, no undici.
test('the main entry bundles for the browser without Node modules or undici', async () => {
  const result = await build({
    entryPoints: [join(__dirname, '../src/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    conditions: ['@kvs-sig/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((i) => i.includes('signer/src/sign.ts'))).toBe(true);
  expect(inputs.filter((i) => /undici|^node:|(^|\/)node\.ts$/.test(i))).toEqual([]);
  const code = result.outputFiles[0]!.text;
  expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
});

test('the node entry does pull in undici (so the split is real)', async () => {
  const result = await build({
    entryPoints: [join(__dirname, '../src/node.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['@kvs-sig/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['undici'],
  });
  const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
  expect(imports).toContain('undici');
});
