import { defineConfig } from 'tsup';

// One ESM bundle behind the committed bin shim; the other @kvs-sig packages and
// werift stay external (dependencies), so the CLI shares them with the app.
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  clean: true,
});
