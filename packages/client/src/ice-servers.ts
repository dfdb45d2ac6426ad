/**
 * The ICE server cache: GetIceServerConfig results kept until the TURN TTL
 * minus a grace, one fetch shared by every caller, a prefetch that overlaps
 * the WebSocket handshake, and the refresh RECONNECT_ICE_SERVER asks for.
 * @packageDocumentation
 */

import { AbortError, SignalingError, type RtcIceServer } from '@kvs-sig/core';
import type { ChannelManagerBase } from './channel-manager';
import type { ChannelSetup } from './channel-setup';
import type { SafeLogger } from './options';
import { describe, linkSignal } from './transport';
import type { ClientMetrics } from './types';
import { toSignalingError } from './util';

const ICE_GRACE_S = 30;

/** What the ICE server cache needs from the client. @internal */
export interface IceServersHost {
  readonly channels: ChannelManagerBase;
  /** Where the channel ARN and HTTPS endpoint come from (resolved on demand before `connect()`). */
  readonly setup: ChannelSetup;
  readonly clientId: string | undefined;
  /** The client's live counters (`phases.iceMs`). */
  readonly metrics: ClientMetrics;
  readonly log: SafeLogger;
  /** The running connect loop's signal, if any. */
  loopSignal(): AbortSignal | undefined;
  emit(event: 'iceServersChanged', payload: { iceServers: RtcIceServer[] }): void;
  /** Counts, logs and emits a failure as `error`. */
  reportError(error: SignalingError): void;
}

/**
 * Cached, shared, refreshable ICE server configuration.
 * @internal
 */
export class IceServers {
  private cache: { servers: RtcIceServer[]; expiresAt: number } | undefined;
  private inflight: Promise<RtcIceServer[]> | undefined;
  private generation = 0;

  constructor(private readonly host: IceServersHost) {}

  /** Forgets the cached servers (a fetch already under way is still shared). */
  clearCache(): void {
    this.cache = undefined;
  }

  /** The cached servers (copies), or the shared fetch; `signal` only stops this caller's wait. */
  async get(options: { signal?: AbortSignal }): Promise<RtcIceServer[]> {
    if (this.cache && this.cache.expiresAt > Date.now()) return this.cache.servers.map(copyServer);
    // The fetch is shared by every caller: one caller's signal only stops its own wait.
    const p = this.inflight ?? this.fetch(undefined);
    if (options.signal) {
      const link = linkSignal(options.signal, undefined);
      try {
        return await Promise.race([
          p.then((servers) => servers.map(copyServer)),
          new Promise<never>((_, reject) =>
            link.signal.addEventListener('abort', () => reject(new AbortError('getIceServers() was aborted')), { once: true }),
          ),
        ]);
      } finally {
        link.dispose();
      }
    }
    return (await p).map(copyServer);
  }

  /** Starts a fetch in the background when the cache is cold and the HTTPS endpoint is known. */
  prefetch(): void {
    if (this.cache && this.cache.expiresAt > Date.now()) return;
    if (this.inflight || !this.host.setup.endpoints?.https || !this.host.channels.canSignRequests) return;
    this.fetch(undefined).catch((error: unknown) => {
      this.host.log.warn(`GetIceServerConfig failed (getIceServers() will retry): ${describe(error)}`);
    });
  }

  private fetch(signal: AbortSignal | undefined): Promise<RtcIceServer[]> {
    const generation = this.generation;
    const run = (async () => {
      if (this.host.setup.arn === undefined || this.host.setup.endpoints?.https === undefined) {
        const abort = this.host.loopSignal() ?? new AbortController().signal;
        await this.host.setup.resolve(signal ?? abort);
      }
      const https = this.host.setup.endpoints?.https;
      if (https === undefined) throw new SignalingError('INVALID_CONFIGURATION', 'no HTTPS signaling endpoint known (signalingEndpoints.https)');
      const started = Date.now();
      const cfg = await this.host.channels.getIceServerConfig(
        { channelArn: this.host.setup.arn!, httpsEndpoint: https, ...(this.host.clientId === undefined ? {} : { clientId: this.host.clientId }) },
        signal === undefined ? {} : { signal },
      );
      this.host.metrics.phases.iceMs = Date.now() - started;
      const ttl = cfg.ttlSeconds ?? 300;
      const grace = Math.min(ICE_GRACE_S, ttl / 2);
      const previous = this.cache?.servers;
      if (generation === this.generation || this.cache === undefined) {
        this.cache = { servers: cfg.iceServers, expiresAt: Date.now() + (ttl - grace) * 1000 };
      }
      if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(cfg.iceServers)) {
        this.host.emit('iceServersChanged', { iceServers: cfg.iceServers.map(copyServer) });
      }
      return cfg.iceServers;
    })();
    const tracked = run.finally(() => {
      if (this.inflight === tracked) this.inflight = undefined;
    });
    this.inflight = tracked;
    return tracked;
  }

  /** RECONNECT_ICE_SERVER: drops the cache, fetches again and always announces `iceServersChanged`. */
  async refresh(): Promise<void> {
    this.generation += 1;
    const previous = this.cache?.servers;
    this.cache = undefined;
    this.inflight = undefined;
    try {
      const servers = await this.fetch(undefined);
      // The cache was cleared, so fetch() did not announce: after RECONNECT_ICE_SERVER always tell the app.
      this.host.emit('iceServersChanged', { iceServers: servers.map(copyServer) });
      if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(servers)) {
        this.host.log.debug('RECONNECT_ICE_SERVER: the refreshed ICE servers are unchanged');
      }
    } catch (error) {
      this.host.reportError(toSignalingError(error));
    }
  }

}

/** A copy of `s` the caller may change. @internal */
export function copyServer(s: RtcIceServer): RtcIceServer {
  return { ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls };
}
