#!/usr/bin/env node
// A committed shim, so package managers can link the bin before dist/ exists
// (a fresh workspace install) and users get a clear message instead of a crash.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('kvs-sig: the package is not built (dist/cli.js is missing); run `pnpm build` in the repository first.');
    process.exit(3);
  }
  throw error;
});
