/**
 * Options to reach the service, shared by {@link SignalingClient} and
 * {@link ChannelManager}: region, credentials or signer, endpoints, fetch,
 * time limits, TLS trust and logger.
 * @packageDocumentation
 */

import type { CredentialsInput, CredentialsProvider, RequestSigner } from '@kvs-sig/signer';
import type { Logger } from './logger';
import type { FetchLike } from './transport';

/** TLS settings for the Node transports. @public */
export interface TlsOptions {
  /**
   * The CA certificates (PEM) to trust, e.g. a local emulator's (as Node's own
   * `ca` option). Node, Bun and Deno; browsers use their own trust store.
   */
  ca?: string | string[];
}

/** Time limits. @public */
export interface TimeoutOptions {
  /** Limit of each HTTPS call (control plane, ICE), from when it leaves the process's queue for its origin. @default 5000 */
  requestMs?: number;
  /** Limit of each WebSocket handshake (its attempt waits its turn among the process's before it starts). @default 5000 */
  handshakeMs?: number;
}

/** Options to reach the service, shared by {@link SignalingClient} and {@link ChannelManager}. @public */
export interface ConnectionOptions {
  /** AWS region, e.g. `us-west-2`. */
  region: string;
  /**
   * AWS credentials: static keys, an async function returning them (refreshed
   * before they expire), or a `{ get, refresh }` provider. Give this or `requestSigner`.
   */
  credentials?: CredentialsInput | CredentialsProvider;
  /**
   * Signs for you (e.g. a backend that holds the keys, so a browser never does).
   * Without `signRequest` it can only sign the WebSocket URL: then pass
   * `channelArn` and `signalingEndpoints` to the client. Give this or `credentials`.
   */
  requestSigner?: RequestSigner;
  /** Custom control-plane endpoint (`https://…`). @default the regional endpoint */
  endpoint?: string;
  /** Use the FIPS control-plane endpoint. @default false */
  useFipsEndpoint?: boolean;
  /** Use the dual-stack (IPv6) endpoint. @default false */
  useDualstackEndpoint?: boolean;
  /**
   * `fetch` to use; yours is used as is (no shared pool, nothing closed for you).
   * @default Node entry: undici with keep-alive, one pool per `tls` trust shared by every client and manager of the process; browser entry: `globalThis.fetch`
   */
  fetch?: FetchLike;
  /** Time limits. */
  timeouts?: TimeoutOptions;
  /** Receives diagnostics; never secrets. */
  logger?: Logger;
  /** Trusted CA certificates, in place of Node's default roots (Node transports only). */
  tls?: TlsOptions;
  /** Accept `http://` and `ws://` endpoints, and only towards a loopback host. @default false */
  allowInsecureEndpoints?: boolean;
}
