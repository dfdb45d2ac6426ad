import { defineConfig } from 'vitest/config';

// Only for this repository: run on the workspace sources of @kvs-sig/* (the
// `@kvs-sig/source` export condition) so no build is needed. A project that
// installs the packages from npm needs no vitest config at all.
const conditions = ['@kvs-sig/source', 'node', 'import', 'default'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: { include: ['vitest/**/*.test.ts'], testTimeout: 20_000 },
});
