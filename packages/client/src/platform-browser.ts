/**
 * Browser (and React Native, workers, Deno, Bun) defaults: the global `fetch`
 * and `WebSocket`. Pulls in no Node module. `tls` does not apply: the runtime's
 * trust store decides.
 * @packageDocumentation
 */

import type { Platform } from './platform';
import type { FetchLike, WebSocketConstructor } from './transport';

/** @internal */
export const browserPlatform: Platform = {
  name: 'browser',
  createFetch() {
    const f = (globalThis as { fetch?: FetchLike }).fetch;
    if (typeof f !== 'function') return undefined;
    const bound: FetchLike = (url, init) => f.call(globalThis, url, init);
    return { fetch: bound, dispose: async () => undefined };
  },
  createWebSocket() {
    const Ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Ctor !== 'function') return undefined;
    return (url: string) => new Ctor(url);
  },
};
