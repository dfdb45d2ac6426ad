import { defineConfig } from 'tsup';

// The emulator is a Node server (node:http, node:tls, node:crypto), so it builds for Node.
// One build for the library, the testing subpath and the CLI, so the ESM files share one
// chunk instead of each carrying the server; the CLI's unused CJS twin is left out of the
// tarball by `files` (as in @kvs-sig/client). No source maps: the output is not minified,
// so stack traces already read as the source does, and maps would double the tarball.
export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/testing.ts'] },
  clean: true,
  sourcemap: false,
  platform: 'node',
  target: 'node20',
});
