/**
 * The ICE server cache: GetIceServerConfig results kept until the TURN TTL
 * minus a grace, one fetch shared by every caller, a prefetch that overlaps
 * the WebSocket handshake, the refresh RECONNECT_ICE_SERVER asks for, and the
 * list a C-SDK peer attaches to its SDP_OFFER (adopted in place of a fetch).
 * @packageDocumentation
 */

import { AbortError, SignalingError, ValidationError, toRtcIceServers, type IceServer, type RtcIceServer } from '@kvs-sig/core';
import { managerInternals, type ChannelManagerBase } from './channel-manager';
import type { ChannelSetup } from './channel-setup';
import { describe, toSignalingError } from './errors';
import type { SafeLogger } from './logger';
import type { ClientMetrics } from './types';

/**
 * Every ICE server a reply or an offer lists: core's default cap of 5 is the C
 * SDK's array size, and RTCPeerConnection takes more. One shared object, so the
 * inbox's per-frame parse allocates none. @internal
 */
export const KEEP_EVERY_ICE_SERVER = { maxIceServers: Infinity } as const;

/** Seconds before the TURN TTL runs out at which the cache is refreshed (the C SDK's 30 s). */
const ICE_GRACE_S = 30;
/** The service's TURN TTL, assumed when a reply carries none. */
const DEFAULT_TTL_S = 300;

/** How long servers with this TTL stay cached: TTL minus the grace (at most half the TTL). */
function cacheLifetimeMs(ttlSeconds: number | undefined): number {
  const ttl = ttlSeconds ?? DEFAULT_TTL_S;
  return (ttl - Math.min(ICE_GRACE_S, ttl / 2)) * 1000;
}

/** What the ICE server cache needs from the client. @internal */
export interface IceServersHost {
  readonly channels: ChannelManagerBase;
  /** Where the channel ARN and HTTPS endpoint come from (resolved on demand before `connect()`). */
  readonly setup: ChannelSetup;
  readonly clientId: string | undefined;
  /** The client's live counters (`phases.iceMs`). */
  readonly metrics: ClientMetrics;
  readonly log: SafeLogger;
  emit(event: 'iceServersChanged', payload: { iceServers: RtcIceServer[] }): void;
  /** Counts, logs and emits a failure as `error`. */
  reportError(error: SignalingError): void;
}

/**
 * Cached, shared, refreshable ICE server configuration.
 * @internal
 */
export class IceServers {
  #cache: { servers: RtcIceServer[]; expiresAt: number } | undefined;
  #inflight: Promise<RtcIceServer[]> | undefined;
  #generation = 0;
  /** Aborted by {@link IceServers.close}: stops the fetch under way and every wait on it. */
  readonly #lifetime = new AbortController();

  readonly #host: IceServersHost;

  constructor(host: IceServersHost) {
    this.#host = host;
  }

  /** Forgets the cached servers (a fetch already under way is still shared). */
  clearCache(): void {
    this.#cache = undefined;
  }

  /** The client is closing: the fetch under way stops and every `get()` rejects with `CLIENT_CLOSED`. */
  close(): void {
    this.#cache = undefined;
    this.#lifetime.abort(closedError());
  }

  /** The cached servers (copies), or the shared fetch; `signal` only stops this caller's wait. */
  async get(options: { signal?: AbortSignal }): Promise<RtcIceServer[]> {
    if (this.#lifetime.signal.aborted) throw closedError();
    if (this.#cache && this.#cache.expiresAt > Date.now()) return this.#cache.servers.map(copyServer);
    // The fetch is shared by every caller: one caller's signal only stops its own wait.
    const p = this.#inflight ?? this.#fetch();
    const closed = this.#lifetime.signal;
    const signal = options.signal;
    let onAbort: (() => void) | undefined;
    let onClose: (() => void) | undefined;
    try {
      return await Promise.race([
        p.then((servers) => servers.map(copyServer)),
        new Promise<never>((_, reject) => {
          onClose = () => reject(closedError());
          closed.addEventListener('abort', onClose, { once: true });
          if (signal) {
            onAbort = () => reject(new AbortError('getIceServers() was aborted', { cause: signal.reason }));
            if (signal.aborted) onAbort();
            else signal.addEventListener('abort', onAbort, { once: true });
          }
        }),
      ]);
    } catch (error) {
      // The fetch may fail on its own as the client closes (socket torn down): the caller sees why.
      if (closed.aborted) throw closedError();
      throw error;
    } finally {
      if (onClose) closed.removeEventListener('abort', onClose);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Starts a fetch in the background when the cache is cold and the HTTPS endpoint is known. */
  prefetch(): void {
    if (this.#cache && this.#cache.expiresAt > Date.now()) return;
    if (this.#lifetime.signal.aborted || this.#inflight || !this.#host.setup.endpoints?.httpsEndpoint || !managerInternals(this.#host.channels).canSignRequests) return;
    this.#fetch().catch((error: unknown) => {
      if (this.#lifetime.signal.aborted) return;
      this.#host.log.warn(`GetIceServerConfig failed (getIceServers() will retry): ${describe(error)}`);
    });
  }

  /**
   * Adopts the `IceServerList` an SDP_OFFER carried (C-SDK peers attach theirs) as the cache,
   * with its TTL and the usual grace, so `getIceServers()` needs no GetIceServerConfig call.
   * A list with no TURN URI would leave the app without relays: it is logged and not adopted.
   * @returns whether the list was adopted.
   */
  adoptFromOffer(servers: readonly IceServer[], senderClientId: string | undefined): boolean {
    if (this.#lifetime.signal.aborted) return false;
    const from = senderClientId ?? 'the master';
    if (!servers.some((s) => s.uris.length > 0)) {
      this.#host.log.info(`the SDP_OFFER from ${from} carried an IceServerList without URIs; keeping the current ICE servers`);
      return false;
    }
    const channels = this.#host.channels;
    const cp = managerInternals(channels);
    const rtc = toRtcIceServers(servers, {
      region: channels.region,
      useFipsEndpoint: cp.useFipsEndpoint,
      useDualstackEndpoint: cp.useDualstackEndpoint,
    });
    const ttls = servers.map((s) => s.ttl).filter((t): t is number => t !== undefined);
    const previous = this.#cache?.servers;
    // A fetch already under way must not overwrite what the peer just handed us.
    this.#generation += 1;
    this.#cache = { servers: rtc, expiresAt: Date.now() + cacheLifetimeMs(ttls.length > 0 ? Math.min(...ttls) : undefined) };
    this.#host.log.debug(`ICE servers taken from the SDP_OFFER of ${from}`);
    if (previous === undefined || JSON.stringify(previous) !== JSON.stringify(rtc)) {
      this.#host.emit('iceServersChanged', { iceServers: rtc.map(copyServer) });
    }
    return true;
  }

  #fetch(): Promise<RtcIceServer[]> {
    const generation = this.#generation;
    const signal = this.#lifetime.signal;
    const run = (async () => {
      if (this.#host.setup.arn === undefined || this.#host.setup.endpoints?.httpsEndpoint === undefined) {
        await this.#host.setup.resolve(signal);
      }
      const https = this.#host.setup.endpoints?.httpsEndpoint;
      if (https === undefined) throw new ValidationError('signalingEndpoints.httpsEndpoint', 'no HTTPS signaling endpoint known', 'INVALID_CONFIGURATION');
      const started = Date.now();
      const cfg = await this.#host.channels.getIceServerConfig(
        { channelArn: this.#host.setup.arn!, httpsEndpoint: https, ...(this.#host.clientId === undefined ? {} : { clientId: this.#host.clientId }) },
        { signal },
      );
      this.#host.metrics.phases.iceMs = Date.now() - started;
      const previous = this.#cache?.servers;
      if (generation !== this.#generation && this.#cache !== undefined) {
        // Superseded (an offer's list arrived meanwhile): the cache keeps the newer list.
        return this.#cache.servers;
      }
      this.#cache = { servers: cfg.iceServers, expiresAt: Date.now() + cacheLifetimeMs(cfg.ttlSeconds) };
      if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(cfg.iceServers)) {
        this.#host.emit('iceServersChanged', { iceServers: cfg.iceServers.map(copyServer) });
      }
      return cfg.iceServers;
    })();
    const tracked = run.finally(() => {
      if (this.#inflight === tracked) this.#inflight = undefined;
    });
    this.#inflight = tracked;
    return tracked;
  }

  /** RECONNECT_ICE_SERVER: drops the cache, fetches again and always announces `iceServersChanged`. */
  async refresh(): Promise<void> {
    if (this.#lifetime.signal.aborted) return;
    this.#generation += 1;
    const previous = this.#cache?.servers;
    this.#cache = undefined;
    this.#inflight = undefined;
    try {
      const servers = await this.#fetch();
      // The cache was cleared, so fetch() did not announce: after RECONNECT_ICE_SERVER always tell the app.
      this.#host.emit('iceServersChanged', { iceServers: servers.map(copyServer) });
      if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(servers)) {
        this.#host.log.debug('RECONNECT_ICE_SERVER: the refreshed ICE servers are unchanged');
      }
    } catch (error) {
      // Closing cancels the refresh: that is not a failure to report.
      if (!this.#lifetime.signal.aborted) this.#host.reportError(toSignalingError(error));
    }
  }
}

function closedError(): SignalingError {
  return new SignalingError('CLIENT_CLOSED', 'getIceServers(): the client was closed');
}

/** A copy of `s` the caller may change. @internal */
export function copyServer(s: RtcIceServer): RtcIceServer {
  return { ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls };
}
