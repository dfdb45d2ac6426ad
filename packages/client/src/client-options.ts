/**
 * Validation of {@link SignalingClientOptions}: every check the client's
 * constructor makes, in the order it makes them, so the first bad option is
 * the one named. The checks that need the channel helpers (fixed endpoints vs
 * a signer that cannot sign) or the platform (WebSocket) come after those.
 * @packageDocumentation
 */

import { SignalingError, ValidationError, isValidChannelArn, isValidChannelName, type Role, type SignalingChannelEndpoints } from '@kvs-sig/core';
import { MemoryCache, cacheKey, type EndpointCache } from './cache';
import { badOption, checkClientId, checkEndpointScheme, checkNonNegative, checkPositiveCount, checkTimeout } from './option-checks';
import type { SendRate } from './outbox';
import type { Platform } from './platform';
import type { QueueOptions } from './queue';
import type { ReconnectOptions, RetryStrategy } from './reconnect-options';
import { factoryFromConstructor, type WebSocketFactory } from './transport';
import type { SignalingClientOptions } from './types';

/** Attempts of a first connect() before it rejects (reconnect.maxConnectAttempts). @internal */
export const DEFAULT_CONNECT_ATTEMPTS = 8;

/** The reconnect policy with its defaults filled in. @internal */
export type ReconnectPolicy = Required<Omit<ReconnectOptions, 'maxAttempts' | 'maxConnectAttempts' | 'strategy'>> & {
  maxAttempts: number;
  maxConnectAttempts: number;
  enabled: boolean;
  strategy: RetryStrategy | undefined;
};

/** Validated client options (everything that needs no channel helpers or platform). @internal */
export interface ClientConfig {
  role: Role;
  clientId: string | undefined;
  channelName: string | undefined;
  channelArn: string | undefined;
  createIfMissing: boolean;
  reconnect: ReconnectPolicy;
  keepaliveMs: number;
  handshakeMs: number;
  iceMode: boolean | 'manual';
  dedupeMs: number;
  sendRate: SendRate;
  joinStorage: boolean;
  queue: QueueOptions;
  cache: EndpointCache;
  cacheKey: string;
}

/**
 * Validates the options that need nothing but themselves.
 * @throws ValidationError naming the first bad option.
 * @internal
 */
export function parseClientOptions(options: SignalingClientOptions): ClientConfig {
  if (options.role !== 'MASTER' && options.role !== 'VIEWER') {
    throw badOption('role', `must be 'MASTER' or 'VIEWER', got ${JSON.stringify(options.role)}`);
  }
  const role = options.role;
  if (options.role === 'MASTER' && options.clientId !== undefined) {
    throw badOption('clientId', 'must be absent for a MASTER (the service identifies the master by role)');
  }
  if (options.role === 'VIEWER') {
    if (options.clientId === undefined) throw badOption('clientId', 'is required for a VIEWER');
    checkClientId(options.clientId);
  }
  const hasName = options.channelName !== undefined;
  const hasArn = options.channelArn !== undefined;
  if (hasName === hasArn) {
    throw badOption('channelName', 'give exactly one of channelName or channelArn');
  }
  if (hasName && !isValidChannelName(options.channelName)) {
    throw new ValidationError('channelName', 'must be 1–256 characters of [a-zA-Z0-9_.-]');
  }
  if (hasArn && !isValidChannelArn(options.channelArn)) {
    throw badOption('channelArn', 'is not a signaling channel ARN (arn:aws:kinesisvideo:<region>:<account>:channel/<name>/<id>)');
  }
  const createIfMissing = options.createChannelIfMissing === true;
  if (createIfMissing && !hasName) {
    throw badOption('createChannelIfMissing', 'needs channelName (a channel is created by name)');
  }
  const rc = options.reconnect;
  if (rc !== undefined && rc !== false && (typeof rc !== 'object' || rc === null)) {
    throw badOption('reconnect', 'must be false or an object');
  }
  const r = rc === false || rc === undefined ? {} : rc;
  const reconnect: ReconnectPolicy = {
    enabled: rc !== false,
    initialDelayMs: checkNonNegative(r.initialDelayMs, 'reconnect.initialDelayMs', 100),
    maxDelayMs: checkNonNegative(r.maxDelayMs, 'reconnect.maxDelayMs', 10_000),
    maxAttempts: r.maxAttempts === undefined ? Infinity : checkPositiveCount(r.maxAttempts, 'reconnect.maxAttempts'),
    // A first connect() settles by default: a full channel or an unreachable control plane is reported, not waited on forever.
    maxConnectAttempts: r.maxConnectAttempts === undefined ? DEFAULT_CONNECT_ATTEMPTS : checkPositiveCount(r.maxConnectAttempts, 'reconnect.maxConnectAttempts'),
    proactiveAfterMs: checkTimeout(r.proactiveAfterMs, 'reconnect.proactiveAfterMs', 44 * 60_000),
    idleAfterMs: checkTimeout(r.idleAfterMs, 'reconnect.idleAfterMs', 9 * 60_000),
    strategy: r.strategy,
  };
  if (r.strategy !== undefined && typeof r.strategy !== 'function') {
    throw badOption('reconnect.strategy', 'must be a function (context) => delay in ms or false');
  }
  const keepaliveMs = checkTimeout(options.keepaliveIntervalMs, 'keepaliveIntervalMs', 30_000);
  const handshakeMs = checkTimeout(options.timeouts?.handshakeMs, 'timeouts.handshakeMs', 5000);
  const iceMode = options.iceBuffering ?? true;
  if (iceMode !== true && iceMode !== false && iceMode !== 'manual') {
    throw badOption('iceBuffering', "must be true, false or 'manual'");
  }
  const joinStorage = options.joinStorageSession === true;
  const dedupeMs = checkNonNegative(options.dedupeWindowMs, 'dedupeWindowMs', 30_000);
  const rate = options.sendRate;
  if (rate !== undefined && rate !== false && (typeof rate !== 'object' || rate === null)) {
    throw badOption('sendRate', 'must be false or an object');
  }
  const sendRate: SendRate =
    rate === false
      ? { sdp: Infinity, ice: Infinity }
      : {
          sdp: rate?.sdpPerSecond === undefined ? 5 : checkPositiveCount(rate.sdpPerSecond, 'sendRate.sdpPerSecond'),
          ice: rate?.icePerSecond === undefined ? 20 : checkPositiveCount(rate.icePerSecond, 'sendRate.icePerSecond'),
        };
  if (joinStorage && role !== 'MASTER') {
    throw badOption('joinStorageSession', 'is for a MASTER; a viewer calls channels.joinStorageSessionAsViewer');
  }
  const q = options.queue ?? {};
  if (q.maxMessages !== undefined) checkPositiveCount(q.maxMessages, 'queue.maxMessages');
  if (q.maxAgeMs !== undefined) checkTimeout(q.maxAgeMs, 'queue.maxAgeMs', 0);
  const cache = options.cache ?? new MemoryCache();
  if (typeof cache.get !== 'function' || typeof cache.set !== 'function' || typeof cache.delete !== 'function') {
    throw badOption('cache', 'must have get, set and delete methods');
  }
  return {
    role,
    clientId: options.clientId,
    channelName: options.channelName,
    channelArn: options.channelArn,
    createIfMissing,
    reconnect,
    keepaliveMs,
    handshakeMs,
    iceMode,
    dedupeMs,
    sendRate,
    joinStorage,
    queue: q,
    cache,
    cacheKey: cacheKey(options.region, hasName ? { channelName: options.channelName! } : { channelArn: options.channelArn! }, role),
  };
}

/**
 * Validates `signalingEndpoints` (a copy, or undefined when the endpoints are looked up).
 * @param canSignRequests whether the request signer can sign control-plane calls.
 * @throws ValidationError when they are malformed, given without `channelArn`, or missing where nothing can look them up.
 * @internal
 */
export function parseFixedEndpoints(options: SignalingClientOptions, canSignRequests: boolean): SignalingChannelEndpoints | undefined {
  if (options.signalingEndpoints !== undefined) {
    const ep = options.signalingEndpoints;
    if (options.channelArn === undefined) throw badOption('signalingEndpoints', 'needs channelArn');
    if (typeof ep !== 'object' || ep === null || typeof ep.wssEndpoint !== 'string') {
      throw badOption('signalingEndpoints.wssEndpoint', 'is required (a wss:// URL)');
    }
    checkEndpointScheme(ep.wssEndpoint, 'signalingEndpoints.wssEndpoint', options.allowInsecureEndpoints === true);
    return { ...ep };
  }
  if (!canSignRequests) {
    throw badOption(
      'signalingEndpoints',
      'are required when requestSigner has no signRequest (control-plane calls cannot be signed)',
    );
  }
  return undefined;
}

/**
 * The WebSocket factory: `options.WebSocket`, else the platform's default.
 * @throws ValidationError for a non-constructor; `TRANSPORT_UNAVAILABLE` when the runtime has none.
 * @internal
 */
export function resolveWebSocket(options: SignalingClientOptions, platform: Platform): WebSocketFactory {
  if (options.WebSocket !== undefined) {
    if (typeof options.WebSocket !== 'function') throw badOption('WebSocket', 'must be a constructor');
    return factoryFromConstructor(options.WebSocket);
  }
  const made = platform.createWebSocket(options.tls);
  if (!made) {
    throw new SignalingError(
      'TRANSPORT_UNAVAILABLE',
      'No WebSocket implementation in this runtime: pass options.WebSocket (in Node: `import WebSocket from "ws"`; in React Native: the global WebSocket)',
    );
  }
  return made;
}
