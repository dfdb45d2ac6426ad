import { defineConfig } from 'tsup';

// One build of every entry, so the ESM entries share their common modules as
// chunks (the client imports `./credentials` statically and the main entry on
// demand; one ClockSkew, one provider). The default entry hashes through
// node:crypto, the browser entry (the `browser` export condition) through WebCrypto.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'index.browser': 'src/index.browser.ts',
    node: 'src/node.ts',
    credentials: 'src/entry-credentials.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // No source maps: the output is not minified, so stack traces already read as the
  // source does, and maps were over half of every tarball.
  sourcemap: false,
  platform: 'neutral',
  external: ['node:crypto'],
  target: 'es2022',
});
