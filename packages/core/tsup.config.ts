import { readdirSync } from 'node:fs';
import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

// The ES modules ship one file per source module, as written, so an app's
// bundler can put an operation a page never calls into a lazily loaded chunk
// (bundlers assign whole modules to chunks: a single-file core would keep every
// operation the app reaches anywhere in the chunk of the page). Two trees: the
// default one, whose `#codec` is codec.ts (native codecs when present, pure JS
// otherwise), and the browser one (the `browser` export condition), whose
// `#codec` is codec-browser.ts (natives only). CommonJS stays one bundled file
// per tree. `#codec` is resolved here, at build time, so the published files
// hold no `#` import and need no `imports` support from the app's bundler.
const shared: Options = {
  dts: false,
  // No source maps: the output is not minified, so stack traces already read as the
  // source does, and maps were over half of every tarball.
  sourcemap: false,
  platform: 'neutral',
  target: 'es2022',
};

const modules = readdirSync('src')
  .filter((f) => f.endsWith('.ts') && f !== 'codec.ts' && f !== 'codec-browser.ts')
  .map((f) => `src/${f}`);

/** Keeps every relative import (and `#codec`, resolved to `codec`) as an import of the sibling `.js` file. */
function perModule(): Plugin {
  return {
    name: 'kvs-core-per-module',
    setup(build) {
      build.onResolve({ filter: /^#codec$/ }, () => ({ path: './codec.js', external: true }));
      build.onResolve({ filter: /^\.\.?\// }, (args) => (args.kind === 'entry-point' ? undefined : { path: `${args.path}.js`, external: true }));
    },
  };
}

export default defineConfig([
  // Declarations (one file per module format) and the CommonJS builds.
  { ...shared, format: ['cjs'], entry: ['src/index.ts'], dts: true, clean: true },
  { ...shared, format: ['esm'], entry: ['src/index.ts'], dts: { only: true } },
  {
    ...shared,
    format: ['cjs'],
    entry: { 'index.browser': 'src/index.ts' },
    esbuildOptions(options) {
      options.conditions = ['browser'];
    },
  },
  // ES modules, one file per source module.
  { ...shared, format: ['esm'], entry: [...modules, 'src/codec.ts'], outDir: 'dist/esm', esbuildPlugins: [perModule()] },
  {
    ...shared,
    format: ['esm'],
    entry: { ...Object.fromEntries(modules.map((m) => [m.slice(4, -3), m])), codec: 'src/codec-browser.ts' },
    outDir: 'dist/browser',
    esbuildPlugins: [perModule()],
  },
]);
