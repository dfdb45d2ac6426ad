/**
 * Code a page loads only when it first needs it, behind a dynamic `import()`:
 * bundlers that split chunks (Vite, webpack, Rollup, esbuild --splitting) put
 * the module in a chunk of its own that a page not calling it never fetches.
 * @packageDocumentation
 */

import { TransportError } from '@kvs-sig/core';

/**
 * A loader that imports once and shares the module. A failed load rejects as a
 * retryable `CONNECTION_FAILED` TransportError and is not kept, so the next
 * call tries again (a chunk the network lost).
 */
export function loadOnFirstUse<T>(load: () => Promise<T>, what: string): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((cause: unknown) => {
      loading = undefined;
      throw new TransportError('CONNECTION_FAILED', `loading ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }));
}
