/**
 * The platform seam: the defaults an entry point (Node or browser) supplies
 * for `fetch` and `WebSocket` when the user injects none.
 * @packageDocumentation
 */

import type { TlsOptions } from './connection-options';
import type { FetchLike, WebSocketFactory } from './transport';

/** Platform defaults an entry point supplies. @internal */
export interface Platform {
  readonly name: 'node' | 'browser';
  /** A fetch for these TLS options, with a disposer for its connection pool. */
  createFetch(tls: TlsOptions | undefined): { fetch: FetchLike; dispose(): Promise<void> } | undefined;
  /** A WebSocket factory for these TLS options. */
  createWebSocket(tls: TlsOptions | undefined): WebSocketFactory | undefined;
}
