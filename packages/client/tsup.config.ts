import { defineConfig } from 'tsup';

// Two builds: the Node entry (ws + undici) and the browser entry (globals only,
// no Node module). The kvs-sig command is the @kvs-sig/cli package.
const shared = {
  format: ['esm', 'cjs'] as ('esm' | 'cjs')[],
  dts: true,
  // No source maps: the output is not minified, so stack traces already read as the
  // source does, and maps were over half of every tarball.
  sourcemap: false,
  target: 'es2022',
};

export default defineConfig([
  {
    ...shared,
    entry: ['src/index.node.ts'],
    platform: 'node',
    clean: true,
  },
  {
    ...shared,
    entry: ['src/index.browser.ts'],
    platform: 'browser',
    clean: false,
  },
]);
