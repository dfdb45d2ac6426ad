import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

// Two builds: the Node entry (ws + undici) and the browser entry (globals only,
// no Node module). The kvs-sig command is the @kvs-sig/cli package.
/** ws's MIT notice, which must travel with the copy of ws bundled into the Deno build. */
function wsLicense(): string {
  const require = createRequire(import.meta.url);
  const text = readFileSync(require.resolve('ws/package.json').replace(/package\.json$/, 'LICENSE'), 'utf8');
  return `/*! ws (https://github.com/websockets/ws), bundled:\n${text.trim().replace(/\*\//g, '* /')}\n*/`;
}

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
  // With `@kvs-sig/client/internal` (what the other @kvs-sig packages share with the client, not API)
  // in the same build, so a browser page bundling both the client and @kvs-sig/webrtc gets the
  // emitter once (a shared chunk) instead of twice.
  {
    ...shared,
    entry: ['src/index.browser.ts', 'src/internal.ts'],
    platform: 'browser',
    clean: false,
  },
  // Deno (the `deno` export condition): the Node entry, but with ws bundled and
  // its two load-time environment reads (WS_NO_BUFFER_UTIL, WS_NO_UTF_8_VALIDATE)
  // fixed at build time, since Deno refuses them without --allow-env. The native
  // add-ons they would enable do not load in Deno anyway. Bundled CommonJS calls
  // `require` for Node built-ins, which Deno's ES modules lack: the banner makes one.
  {
    ...shared,
    entry: { 'index.deno': 'src/index.node.ts' },
    format: ['esm'],
    dts: false,
    platform: 'node',
    clean: false,
    noExternal: ['ws'],
    external: ['bufferutil', 'utf-8-validate'],
    banner: () => ({
      js: `${wsLicense()}\nimport { createRequire as __kvsCreateRequire } from 'node:module';\nconst require = __kvsCreateRequire(import.meta.url);`,
    }),
    esbuildOptions(options) {
      options.define = { ...options.define, 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' };
    },
  },
]);
