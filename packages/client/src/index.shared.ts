/**
 * The runtime-neutral part of the public API: everything the Node entry
 * (`index.node.ts`) and the browser entry (`index.browser.ts`) both export.
 * Each entry adds only the classes bound to its platform's defaults.
 * @packageDocumentation
 */

export {
  AbortError,
  ErrorCodes,
  ProtocolError,
  ServiceError,
  SignalingError,
  TimeoutError,
  TransportError,
  ValidationError,
  isSignalingError,
  redactSecrets,
  type ErrorCode,
  type IceCandidatePayload,
  type Role,
  type RtcIceServer,
  type SdpPayload,
  type ChannelInfo,
  type EndpointProtocol,
} from '@kvs-sig/core';
export type { Credentials, CredentialsInput, CredentialsProvider, RequestSigner } from '@kvs-sig/signer';
export { Backoff, backoffDelay, type BackoffOptions } from './backoff';
export {
  LocalStorageCache,
  MemoryCache,
  cacheKey,
  type CacheOptions,
  type CachedChannel,
  type ChannelEndpoints,
  type EndpointCache,
  type LocalStorageCacheOptions,
  type StorageLike,
} from './cache';
export type { CallOptions, ChannelManagerOptions, ChannelRef, IceServerConfig } from './channel-manager';
export { TypedEmitter, type Listener, type OnceOptions, type WaitForOptions } from './emitter';
export { MASTER_SENDER_KEY } from './ice-buffer';
export type { ConnectionOptions, TimeoutOptions, TlsOptions } from './connection-options';
export type { Logger } from './logger';
export type { ReconnectOptions, RetryContext, RetryStrategy } from './reconnect-options';
export type { QueueOptions } from './queue';
export type {
  ClientMetrics,
  ClientState,
  IceCandidateInit,
  SendOptions,
  SignalingClientEvents,
  SignalingClientOptions,
  SignalingMessage,
  StatusResponseEvent,
} from './types';
export type { FetchLike, WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './transport';
