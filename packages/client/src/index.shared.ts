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
  type IceCandidateInit,
  type Role,
  type RtcIceServer,
  type SdpPayload,
  type SignalingChannelEndpoints,
  type StatusResponse,
  type ChannelInfo,
  type ChannelSelector,
  type EndpointProtocol,
} from '@kvs-sig/core';
export type { Credentials, CredentialsInput, CredentialsProvider, RequestSigner } from '@kvs-sig/signer';
export {
  LocalStorageCache,
  MemoryCache,
  type CacheOptions,
  type CachedChannel,
  type EndpointCache,
  type LocalStorageCacheOptions,
  type StorageLike,
} from './cache';
export type { CallOptions, ChannelManagerOptions, IceServerConfig } from './channel-manager';
export type { Listener, OnceOptions, WaitForOptions } from './emitter';
export type { ConnectionOptions, TimeoutOptions, TlsOptions } from './connection-options';
export type { Logger } from './logger';
export type { ReconnectOptions, RetryContext, RetryStrategy } from './reconnect-options';
export type { QueueOptions } from './queue';
export type {
  ClientMetrics,
  ClientState,
  SendOptions,
  SignalingClientEvents,
  SignalingClientOptions,
  SignalingMessage,
} from './types';
export type { FetchLike, WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './transport';
