import { defineConfig } from 'tsup';

// One platform-neutral build serves Node and browsers: the session layer uses no
// Node or DOM module, and `@kvs-sig/client` (external) resolves its own Node or
// browser build through its exports conditions.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  target: 'es2022',
  platform: 'neutral',
  external: ['@kvs-sig/client'],
  clean: true,
});
