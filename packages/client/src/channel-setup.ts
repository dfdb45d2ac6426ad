/**
 * Channel setup: what a connection attempt needs before it can sign a URL,
 * the channel's ARN and its signaling endpoints. Warm from the endpoint cache;
 * otherwise DescribeSignalingChannel (Describe 404 → Create → wait until
 * ACTIVE when allowed) and GetSignalingChannelEndpoint. The connect loop marks
 * what must be looked up again after a failure ({@link ChannelSetup.reResolveEndpoint},
 * {@link ChannelSetup.dropCache}).
 * @packageDocumentation
 */

import { ProtocolError, ServiceError, isSignalingError, type ChannelInfo, type Role, type SignalingChannelEndpoints } from '@kvs-sig/core';
import { isCachedChannel, type EndpointCache } from './cache';
import type { ChannelManagerBase } from './channel-manager';
import type { SafeLogger } from './logger';
import { sleep } from './abort';
import { describe } from './errors';
import type { ClientMetrics } from './types';

/** The validated channel options. @internal */
export interface ChannelSetupConfig {
  role: Role;
  channelName: string | undefined;
  channelArn: string | undefined;
  createIfMissing: boolean;
  /** Also resolve the WEBRTC endpoint (JoinStorageSession). */
  joinStorage: boolean;
  cache: EndpointCache;
  cacheKey: string;
  /** `signalingEndpoints` given by the caller: never looked up. */
  fixedEndpoints: SignalingChannelEndpoints | undefined;
}

/** What channel setup needs from the client. @internal */
export interface ChannelSetupHost {
  readonly channels: ChannelManagerBase;
  readonly log: SafeLogger;
  /** The client's live counters (`phases.endpointMs`). */
  readonly metrics: ClientMetrics;
  /** The channel's message TTL became known. */
  onMessageTtl(seconds: number): void;
}

/**
 * Resolves and caches the channel's ARN and endpoints.
 * @internal
 */
export class ChannelSetup {
  /** Describe said 404 and creating is not allowed: nothing to retry. */
  describe404 = false;
  #arnValue: string | undefined;
  #_endpoints: SignalingChannelEndpoints | undefined;
  #messageTtlSeconds: number | undefined;
  #describeDue = false;
  #endpointDue = false;
  readonly #role: Role;
  readonly #channelName: string | undefined;
  readonly #createIfMissing: boolean;
  readonly #joinStorage: boolean;
  readonly #cache: EndpointCache;
  readonly #cacheKeyValue: string;
  readonly #fixedEndpoints: SignalingChannelEndpoints | undefined;

  constructor(config: ChannelSetupConfig, private readonly host: ChannelSetupHost) {
    this.#role = config.role;
    this.#channelName = config.channelName;
    this.#arnValue = config.channelArn;
    this.#createIfMissing = config.createIfMissing;
    this.#joinStorage = config.joinStorage;
    this.#cache = config.cache;
    this.#cacheKeyValue = config.cacheKey;
    this.#fixedEndpoints = config.fixedEndpoints;
    if (config.fixedEndpoints) this.#_endpoints = { ...config.fixedEndpoints };
  }

  /** True when the channel is looked up by name (a re-created channel can be found again). */
  get byName(): boolean {
    return this.#channelName !== undefined;
  }

  /** The channel ARN, once known. */
  get arn(): string | undefined {
    return this.#arnValue;
  }

  /** The signaling endpoints, once known (the live object: copy before handing it out). */
  get endpoints(): SignalingChannelEndpoints | undefined {
    return this.#_endpoints;
  }

  /** The next attempt looks the endpoint up again (unless the caller fixed the endpoints). */
  reResolveEndpoint(): void {
    if (!this.#fixedEndpoints) this.#endpointDue = true;
  }

  /** The channel may be gone: forget the cached ARN (if a name is known) and endpoints, and describe again. */
  dropCache(): void {
    if (this.#channelName !== undefined) this.#arnValue = undefined;
    if (!this.#fixedEndpoints) this.#_endpoints = undefined;
    this.#describeDue = true;
    this.#endpointDue = !this.#fixedEndpoints;
    void settle(() => this.#cache.delete(this.#cacheKeyValue)).catch(() => undefined);
  }

  /** Fills `arn` and `endpoints` (cache, Describe/Create, GetSignalingChannelEndpoint) as needed. */
  async resolve(signal: AbortSignal): Promise<void> {
    if (!this.#describeDue && !this.#endpointDue && this.#arnValue !== undefined && this.#_endpoints !== undefined) return;
    if (!this.#describeDue && !this.#endpointDue && (this.#arnValue === undefined || this.#_endpoints === undefined)) {
      // A broken cache costs a miss, never the connection.
      const hit = await settle(() => this.#cache.get(this.#cacheKeyValue)).catch(() => undefined);
      if (isCachedChannel(hit) && (this.#arnValue === undefined || hit.channelArn === this.#arnValue)) {
        this.#arnValue = hit.channelArn;
        this.#_endpoints = this.#fixedEndpoints ?? hit.endpoints;
        if (hit.messageTtlSeconds !== undefined) this.#applyTtl(hit.messageTtlSeconds);
        this.host.log.debug('channel and endpoints from the cache');
        return;
      }
    }
    // After a 404 describe again (by ARN when no name is known): a deleted channel then ends the loop.
    if (this.#arnValue === undefined || this.#describeDue) {
      await this.#describe(signal);
    }
    if (this.#_endpoints === undefined || this.#endpointDue) {
      const started = Date.now();
      this.#_endpoints = await this.host.channels.getEndpoints(
        { channelArn: this.#arnValue!, role: this.#role, protocols: this.#joinStorage ? ['WSS', 'HTTPS', 'WEBRTC'] : ['WSS', 'HTTPS'] },
        { signal },
      );
      this.host.metrics.phases.endpointMs = Date.now() - started;
    }
    this.#describeDue = false;
    this.#endpointDue = false;
    const entry = {
      channelArn: this.#arnValue!,
      endpoints: this.#_endpoints,
      storedAt: Date.now(),
      ...(this.#messageTtlSeconds === undefined ? {} : { messageTtlSeconds: this.#messageTtlSeconds }),
    };
    await settle(() => this.#cache.set(this.#cacheKeyValue, entry)).catch((e: unknown) => {
      this.host.log.warn(`endpoint cache write failed: ${describe(e)}`);
    });
  }

  async #describe(signal: AbortSignal): Promise<void> {
    const ref = this.#channelName !== undefined ? { channelName: this.#channelName } : { channelArn: this.#arnValue! };
    let info: ChannelInfo;
    try {
      info = await this.host.channels.describeChannel(ref, { signal });
    } catch (error) {
      if (!(isSignalingError(error, 'ServiceError') && error.httpStatus === 404)) throw error;
      if (!this.#createIfMissing || this.#channelName === undefined) {
        this.describe404 = true;
        throw error;
      }
      this.host.log.info(`channel ${this.#channelName} does not exist; creating it`);
      try {
        await this.host.channels.createChannel({ channelName: this.#channelName }, { signal });
      } catch (createError) {
        // Another client may have created it meanwhile: describe again either way.
        if (!(isSignalingError(createError, 'ServiceError') && createError.errorType === 'ResourceInUseException')) throw createError;
      }
      info = await this.#waitActive(ref, signal);
    }
    if (info.channelStatus === 'CREATING') info = await this.#waitActive(ref, signal);
    if (info.channelStatus === 'DELETING') {
      this.describe404 = true;
      throw new ServiceError('the channel is being deleted', { errorType: 'ResourceNotFoundException', httpStatus: 404 });
    }
    if (!info.channelArn) throw new ProtocolError('UNEXPECTED_RESPONSE', 'DescribeSignalingChannel returned no ChannelARN');
    if (this.#arnValue !== info.channelArn) this.#_endpoints = this.#fixedEndpoints;
    this.#arnValue = info.channelArn;
    if (info.messageTtlSeconds !== undefined) this.#applyTtl(info.messageTtlSeconds);
  }

  async #waitActive(ref: { channelName: string } | { channelArn: string }, signal: AbortSignal): Promise<ChannelInfo> {
    for (let i = 0; ; i++) {
      const info = await this.host.channels.describeChannel(ref, { signal });
      if (info.channelStatus !== 'CREATING' || i >= 20) return info;
      await sleep(Math.min(100 * 2 ** i, 2000), signal);
    }
  }

  #applyTtl(seconds: number): void {
    this.#messageTtlSeconds = seconds;
    this.host.onMessageTtl(seconds);
  }
}

/** Runs a possibly-sync, possibly-throwing user callback as a promise. */
async function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  return fn();
}
