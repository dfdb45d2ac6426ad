import { defineConfig } from 'tsup';

// Two builds of the same entry: the default one, whose `#codec` is codec.ts
// (native codecs when present, pure JS otherwise), and the browser one (the
// `browser` export condition), whose `#codec` is codec-browser.ts (natives
// only). `#codec` is resolved here, at build time, so the published files hold
// no `#` import and need no `imports` support from the app's bundler.
const shared = {
  format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
  dts: true,
  // No source maps: the output is not minified, so stack traces already read as the
  // source does, and maps were over half of every tarball.
  sourcemap: false,
  platform: 'neutral' as const,
  target: 'es2022',
};

export default defineConfig([
  { ...shared, entry: ['src/index.ts'], clean: true },
  {
    ...shared,
    entry: { 'index.browser': 'src/index.ts' },
    clean: false,
    esbuildOptions(options) {
      options.conditions = ['browser'];
    },
  },
]);
