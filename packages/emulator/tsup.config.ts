import { defineConfig } from 'tsup';

// The emulator is a Node server (node:http, node:tls, node:crypto), so it builds for Node.
// No source maps: the output is not minified, so stack traces already read as the
// source does, and maps would double the tarball (as in @kvs-sig/client).
export default defineConfig([
  {
    entry: ['src/index.ts', 'src/testing.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    platform: 'node',
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: false,
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
