import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Two builds: the Node entry (ws + undici) and the browser entry (globals only,
// no Node module). The CLI (owned by the apps engineer) is built when present.
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
    entry: ['src/index.node.ts', ...(existsSync('src/cli.ts') ? ['src/cli.ts'] : [])],
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
