/**
 * Exports shared by the Node and browser entry points.
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
export type { ConnectionOptions, Logger, ReconnectOptions, RetryContext, RetryStrategy, TimeoutOptions, TlsOptions } from './options';
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
