/**
 * Node defaults: `ws` for the WebSocket (Node 20 has no global one) and an
 * undici Agent with keep-alive for HTTPS, both trusting `tls.ca` when given.
 * @packageDocumentation
 */

import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import type { Platform, TlsOptions } from './options';
import type { FetchLike, WebSocketLike } from './transport';

/** @internal */
export const nodePlatform: Platform = {
  name: 'node',
  createFetch(tls: TlsOptions | undefined) {
    // One pool per client: Describe, GetEndpoint and ICE reuse warm connections.
    const agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      ...(tls?.ca === undefined ? {} : { connect: { ca: tls.ca } }),
    });
    const fetch: FetchLike = (url, init) => undiciFetch(url, { ...init, dispatcher: agent });
    return { fetch, dispose: () => agent.close() };
  },
  createWebSocket(tls: TlsOptions | undefined) {
    return (url: string) =>
      new WebSocket(url, {
        perMessageDeflate: false,
        // Far above any real frame (~14 KB): a hostile or broken frame is reported as
        // unknownMessage instead of costing the connection (ws closes with 1009 beyond this).
        maxPayload: 32 * 1024 * 1024,
        ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
      }) as unknown as WebSocketLike;
  },
};
