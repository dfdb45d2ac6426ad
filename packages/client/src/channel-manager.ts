/**
 * Channel helpers over HTTPS: every control-plane and signaling-HTTPS call the
 * SDK makes, signed, timed out, abortable and skew-corrected. The signaling
 * client uses it for its own calls; apps and the CLI use it directly.
 * @packageDocumentation
 */

import {
  ProtocolError,
  SignalingError,
  ValidationError,
  constructDescribeSignalingChannelRequest,
  constructGetIceServerConfigRequest,
  constructGetSignalingChannelEndpointRequest,
  constructConnectWssEndpointRequest,
  isValidRegion,
  parseDescribeSignalingChannelResponse,
  parseGetIceServerConfigResponse,
  parseGetSignalingChannelEndpointResponse,
  parseServiceError,
  resolveControlPlaneEndpoint,
  toRtcIceServers,
  type ChannelInfo,
  type ChannelSelector,
  type SignalingChannelEndpoints,
  type EndpointProtocol,
  type HttpRequest,
  type HttpResponse,
  type MediaStorageConfiguration,
  type MediaStorageStatus,
  type Role,
  type RtcIceServer,
  type Tag,
} from '@kvs-sig/core';
// From the entry that holds no SigV4: the default signer is loaded on demand (loadSigV4OnFirstUse).
import { ClockSkew, createCredentialsProvider, isClockSkewError, type CredentialsProvider, type RequestSigner } from '@kvs-sig/signer/credentials';
import { throwIfAborted } from './abort';
import type { ConnectionOptions } from './connection-options';
import { acquireRequestSlot } from './gate';
import { KEEP_EVERY_ICE_SERVER } from './ice-servers';
import { loadOnFirstUse } from './lazy';
import { SafeLogger } from './logger';
import { badOption, checkEndpointScheme, checkTimeout } from './option-checks';
import type { Platform } from './platform';
import { httpCall, type FetchLike } from './transport';

/** Options of {@link ChannelManager}. @public */
export type ChannelManagerOptions = ConnectionOptions;

/** Per-call options. @public */
export interface CallOptions {
  /** Aborts the call (rejects with `ABORTED`). */
  signal?: AbortSignal;
}

/** ICE servers with their lifetime. @public */
export interface IceServerConfig {
  /** STUN first, then TURN, ready for `RTCPeerConnection`. */
  iceServers: RtcIceServer[];
  /** The smallest TURN TTL in seconds (300 on the service), if any TURN server came back. */
  ttlSeconds: number | undefined;
}

/** A finished HTTP exchange, reported to the client's metrics. @internal */
export interface ExchangeRecord {
  operation: string;
  durationMs: number;
  status: number | undefined;
}

const DEFAULT_REQUEST_MS = 5000;

/** What the lazily loaded channel calls (channel-admin.ts) use of their manager. @internal */
export interface ManagerCalls {
  readonly target: { controlPlaneEndpoint: string };
  call<T>(operation: string, request: HttpRequest, parse: (text: string) => T, options?: CallOptions): Promise<T>;
  describeChannel(ref: ChannelSelector, options?: CallOptions): Promise<ChannelInfo>;
  getEndpoints(input: { channelArn: string; role: Role; protocols?: readonly EndpointProtocol[] }, options?: CallOptions): Promise<SignalingChannelEndpoints>;
}

// One loader per module for every manager: the code is the same for all of them.
const admin = loadOnFirstUse(() => import('./channel-admin'), 'the channel calls module');
const sigv4 = loadOnFirstUse(() => import('./sigv4'), 'the SigV4 signer');

/**
 * What the signaling client uses of its manager beyond the public API. Kept off
 * the public class (so it is not API) and reached through {@link managerInternals}.
 */
export interface ManagerInternals {
  readonly skew: ClockSkew;
  /** Called after every HTTP exchange (the client's metrics). */
  onExchange: ((record: ExchangeRecord) => void) | undefined;
  readonly log: SafeLogger;
  readonly useFipsEndpoint: boolean;
  readonly useDualstackEndpoint: boolean;
  /** True when this manager can sign control-plane requests. */
  readonly canSignRequests: boolean;
  /** Fetches fresh credentials (after a 401/403). No-op with a custom signer. */
  refreshCredentials(): Promise<void>;
  /** Updates the clock offset from a reply's `Date` header. @returns whether the offset changed. */
  learnClock(res: { headers: Record<string, string | string[] | undefined> }): boolean;
  /** The presigned WebSocket URL for a role (signed at the skew-corrected time). */
  presignConnectUrl(input: { wssEndpoint: string; channelArn: string; role: Role; clientId?: string }): Promise<string>;
}

const INTERNALS = new WeakMap<ChannelManagerBase, ManagerInternals>();

/** The client-only side of a manager (see {@link ManagerInternals}). */
export function managerInternals(manager: ChannelManagerBase): ManagerInternals {
  const found = INTERNALS.get(manager);
  if (found === undefined) throw new TypeError('not a ChannelManager');
  return found;
}

/**
 * Control-plane and signaling-HTTPS calls. Platform-neutral: the entry points
 * (`@kvs-sig/client` for Node and browsers) supply default transports.
 * Not exported: its members are the public API of `ChannelManager`.
 */
export class ChannelManagerBase {
  /** The control-plane base URL in use. */
  readonly controlPlaneEndpoint: string;
  /** The region in use. */
  readonly region: string;
  readonly #skew = new ClockSkew();
  #onExchange: ((record: ExchangeRecord) => void) | undefined;
  readonly #log: SafeLogger;
  readonly #allowInsecure: boolean;
  readonly #useFipsEndpoint: boolean;
  readonly #useDualstackEndpoint: boolean;
  readonly #signer: RequestSigner;
  readonly #provider: CredentialsProvider | undefined;
  readonly #fetchFn: FetchLike;
  readonly #disposeFetch: () => Promise<void>;
  readonly #requestMs: number;
  readonly #calls: ManagerCalls;
  #closed = false;

  constructor(options: ChannelManagerOptions, platform: Platform) {
    if (typeof options !== 'object' || options === null) throw badOption('options', 'are required');
    if (typeof options.region !== 'string' || options.region.length === 0) {
      throw badOption('region', 'is required, e.g. "us-west-2"');
    }
    // Host names are built from it (control plane, STUN): a typo would only show as DNS failures.
    const shownRegion = JSON.stringify(options.region.slice(0, 64));
    if (options.endpoint === undefined && !isValidRegion(options.region)) {
      throw badOption('region', `${shownRegion} is not an AWS region name such as "us-west-2", so it cannot form a KVS host name (kinesisvideo.<region>.amazonaws.com); with a custom endpoint any signature-scope region is accepted`);
    }
    this.region = options.region;
    this.#log = new SafeLogger(options.logger);
    this.#allowInsecure = options.allowInsecureEndpoints === true;
    const hasCreds = options.credentials !== undefined && options.credentials !== null;
    const hasSigner = options.requestSigner !== undefined && options.requestSigner !== null;
    if (hasCreds && hasSigner) {
      throw badOption('requestSigner', 'give either credentials or requestSigner, not both');
    }
    if (!hasCreds && !hasSigner) {
      throw new ValidationError('credentials', 'are required (or a requestSigner)', 'MISSING_CREDENTIALS');
    }
    if (hasSigner) {
      if (typeof options.requestSigner?.getSignedUrl !== 'function') {
        throw badOption('requestSigner', 'must have a getSignedUrl(wssEndpoint, queryParams, date) method');
      }
      this.#signer = options.requestSigner;
      this.#provider = undefined;
    } else {
      this.#provider = createCredentialsProvider(options.credentials!);
      this.#signer = loadSigV4OnFirstUse(this.#provider, options.region);
    }
    const endpoint = options.endpoint === undefined ? undefined : checkEndpointScheme(options.endpoint, 'endpoint', this.#allowInsecure);
    this.controlPlaneEndpoint = resolveControlPlaneEndpoint({
      region: options.region,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(options.useFipsEndpoint === undefined ? {} : { useFipsEndpoint: options.useFipsEndpoint }),
      ...(options.useDualstackEndpoint === undefined ? {} : { useDualstackEndpoint: options.useDualstackEndpoint }),
    });
    this.#requestMs = checkTimeout(options.timeouts?.requestMs, 'timeouts.requestMs', DEFAULT_REQUEST_MS);
    if (options.fetch !== undefined) {
      if (typeof options.fetch !== 'function') throw badOption('fetch', 'must be a function');
      this.#fetchFn = options.fetch;
      this.#disposeFetch = async () => undefined;
    } else {
      const made = platform.createFetch(options.tls);
      if (!made) {
        throw new SignalingError(
          'TRANSPORT_UNAVAILABLE',
          'No fetch implementation in this runtime: pass options.fetch (e.g. a polyfill such as cross-fetch, or the fetch of your framework)',
        );
      }
      this.#fetchFn = made.fetch;
      this.#disposeFetch = () => made.dispose();
    }
    this.#useFipsEndpoint = options.useFipsEndpoint === true;
    this.#useDualstackEndpoint = options.useDualstackEndpoint === true;
    // Closures over the private fields: the client and channel-admin.ts reach them without their being members.
    const self = this;
    this.#calls = {
      target: { controlPlaneEndpoint: this.controlPlaneEndpoint },
      call: (operation, request, parse, callOptions) => self.#call(operation, request, parse, callOptions),
      describeChannel: (ref, callOptions) => self.describeChannel(ref, callOptions),
      getEndpoints: (input, callOptions) => self.getEndpoints(input, callOptions),
    };
    INTERNALS.set(this, {
      get skew() {
        return self.#skew;
      },
      get onExchange() {
        return self.#onExchange;
      },
      set onExchange(fn) {
        self.#onExchange = fn;
      },
      get log() {
        return self.#log;
      },
      get useFipsEndpoint() {
        return self.#useFipsEndpoint;
      },
      get useDualstackEndpoint() {
        return self.#useDualstackEndpoint;
      },
      get canSignRequests() {
        return typeof self.#signer.signRequest === 'function';
      },
      refreshCredentials: async () => {
        if (self.#provider) await self.#provider.refresh();
      },
      learnClock: (res) => self.#learnClock(res),
      presignConnectUrl: (input) => self.#presignConnectUrl(input),
    });
  }

  /** Signs and sends one request; corrects the clock and retries once on a skew refusal. */
  async #call<T>(operation: string, request: HttpRequest, parse: (text: string) => T, options: CallOptions = {}): Promise<T> {
    if (this.#closed) throw new SignalingError('CLIENT_CLOSED', `${operation}: the ChannelManager is closed`);
    const signRequest = this.#signer.signRequest?.bind(this.#signer);
    if (!signRequest) {
      throw badOption(
        'requestSigner',
        `${operation} needs requestSigner.signRequest (the signer only presigns URLs); pass channelArn and signalingEndpoints to skip control-plane calls`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(options.signal, operation);
      // Before signing, so a request that waited its turn still carries a fresh signature;
      // requestMs counts from here, not from the start of the wait.
      const release = await acquireRequestSlot(request.url, options.signal, operation);
      let res: HttpResponse | undefined;
      const started = Date.now();
      try {
        const signed = await signRequest(request, this.#skew.now());
        res = await httpCall(this.#fetchFn, signed, { signal: options.signal, timeoutMs: this.#requestMs, operation });
      } finally {
        release();
        this.#onExchange?.({ operation, durationMs: Date.now() - started, status: res?.status });
      }
      const skewChanged = this.#learnClock(res);
      this.#log.debug(`${operation} -> ${res.status}`, { operation, status: res.status, durationMs: Date.now() - started });
      if (res.status >= 200 && res.status < 300) return parse(res.body);
      const error = parseServiceError(res);
      if (attempt === 0 && isClockSkewError(error) && skewChanged) {
        this.#log.info(`${operation}: clock skew corrected (${this.#skew.offsetMs} ms); retrying`, { offsetMs: this.#skew.offsetMs });
        continue;
      }
      throw error;
    }
  }

  #learnClock(res: { headers: Record<string, string | string[] | undefined> }): boolean {
    const raw = res.headers.date;
    const date = Array.isArray(raw) ? raw[0] : raw;
    if (typeof date !== 'string') return false;
    try {
      return this.#skew.update(date);
    } catch {
      return false;
    }
  }

  /**
   * CreateSignalingChannel.
   * @returns the new channel's ARN.
   * @throws ValidationError for bad input; ServiceError (e.g. `ResourceInUseException`); TIMEOUT, ABORTED, CONNECTION_FAILED.
   */
  async createChannel(
    input: { channelName: string; messageTtlSeconds?: number; tags?: readonly Tag[] },
    options?: CallOptions,
  ): Promise<{ channelArn: string }> {
    return (await admin()).createChannel(this.#calls, input, options);
  }

  /**
   * DescribeSignalingChannel, by name or ARN.
   * @throws ServiceError `ResourceNotFoundException` (404) when it does not exist.
   */
  async describeChannel(ref: ChannelSelector, options?: CallOptions): Promise<ChannelInfo> {
    const req = constructDescribeSignalingChannelRequest(ref, this.#calls.target);
    return this.#call('DescribeSignalingChannel', req, parseDescribeSignalingChannelResponse, options);
  }

  /** ListSignalingChannels (one page; pass `nextToken` for the next). */
  async listChannels(
    input: { prefix?: string; maxResults?: number; nextToken?: string } = {},
    options?: CallOptions,
  ): Promise<{ channels: ChannelInfo[]; nextToken?: string }> {
    return (await admin()).listChannels(this.#calls, input, options);
  }

  /**
   * DeleteSignalingChannel, by ARN (optionally at a version) or by name (described first).
   * A channel that is already gone counts as deleted, as in the C SDK.
   */
  async deleteChannel(
    input: { channelArn: string; currentVersion?: string } | { channelName: string },
    options?: CallOptions,
  ): Promise<void> {
    return (await admin()).deleteChannel(this.#calls, input, options);
  }

  /**
   * GetSignalingChannelEndpoint.
   * @throws ProtocolError `UNEXPECTED_RESPONSE` when a requested protocol is missing from the reply.
   */
  async getEndpoints(
    input: { channelArn: string; role: Role; protocols?: readonly EndpointProtocol[] },
    options?: CallOptions,
  ): Promise<SignalingChannelEndpoints> {
    const protocols = input.protocols ?? (['WSS', 'HTTPS'] as const);
    const req = constructGetSignalingChannelEndpointRequest({ channelArn: input.channelArn, role: input.role, protocols }, this.#calls.target);
    const parsed = await this.#call('GetSignalingChannelEndpoint', req, parseGetSignalingChannelEndpointResponse, options);
    const missing = protocols.filter(
      (p) => (p === 'WSS' && !parsed.wssEndpoint) || (p === 'HTTPS' && !parsed.httpsEndpoint) || (p === 'WEBRTC' && !parsed.webrtcEndpoint),
    );
    if (missing.length > 0) {
      throw new ProtocolError('UNEXPECTED_RESPONSE', `GetSignalingChannelEndpoint returned no ${missing.join(', ')} endpoint`);
    }
    const out: SignalingChannelEndpoints = {};
    for (const key of ['wssEndpoint', 'httpsEndpoint', 'webrtcEndpoint'] as const) {
      const url = parsed[key];
      if (url) out[key] = checkEndpointScheme(url, key, this.#allowInsecure);
    }
    return out;
  }

  /**
   * GetIceServerConfig, mapped to `RTCIceServer`s (STUN first, then TURN).
   * Without `httpsEndpoint` the endpoint is looked up first (role VIEWER when a clientId is given).
   */
  async getIceServers(
    input: { channelArn: string; clientId?: string; httpsEndpoint?: string; role?: Role },
    options?: CallOptions,
  ): Promise<RtcIceServer[]> {
    return (await this.getIceServerConfig(input, options)).iceServers;
  }

  /** {@link ChannelManagerBase.getIceServers} with the TTL. */
  async getIceServerConfig(
    input: { channelArn: string; clientId?: string; httpsEndpoint?: string; role?: Role },
    options?: CallOptions,
  ): Promise<IceServerConfig> {
    let https = input.httpsEndpoint;
    if (https === undefined) {
      const role = input.role ?? (input.clientId === undefined ? 'MASTER' : 'VIEWER');
      https = (await this.getEndpoints({ channelArn: input.channelArn, role, protocols: ['HTTPS'] }, options)).httpsEndpoint;
    }
    const req = constructGetIceServerConfigRequest({
      httpsEndpoint: https ?? '',
      channelArn: input.channelArn,
      ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
    });
    const parsed = await this.#call('GetIceServerConfig', req, (t) => parseGetIceServerConfigResponse(t, KEEP_EVERY_ICE_SERVER), options);
    const ttls = parsed.iceServers.map((s) => s.ttl).filter((t): t is number => typeof t === 'number');
    return {
      iceServers: toRtcIceServers(parsed.iceServers, {
        region: this.region,
        useFipsEndpoint: this.#useFipsEndpoint,
        useDualstackEndpoint: this.#useDualstackEndpoint,
      }),
      ttlSeconds: ttls.length > 0 ? Math.min(...ttls) : undefined,
    };
  }

  /** JoinStorageSession (master, WebRTC ingestion). Connect the master's WebSocket first. */
  async joinStorageSession(input: { channelArn: string; webrtcEndpoint?: string }, options?: CallOptions): Promise<void> {
    return (await admin()).joinStorageSession(this.#calls, input, options);
  }

  /** JoinStorageSessionAsViewer (viewer of a WebRTC ingestion session). */
  async joinStorageSessionAsViewer(
    input: { channelArn: string; clientId: string; webrtcEndpoint?: string },
    options?: CallOptions,
  ): Promise<void> {
    return (await admin()).joinStorageSessionAsViewer(this.#calls, input, options);
  }

  /** DescribeMediaStorageConfiguration. */
  async describeMediaStorageConfiguration(ref: ChannelSelector, options?: CallOptions): Promise<MediaStorageConfiguration> {
    return (await admin()).describeMediaStorageConfiguration(this.#calls, ref, options);
  }

  /** UpdateMediaStorageConfiguration. */
  async updateMediaStorageConfiguration(
    input: { channelArn: string; status: MediaStorageStatus; streamArn?: string },
    options?: CallOptions,
  ): Promise<void> {
    return (await admin()).updateMediaStorageConfiguration(this.#calls, input, options);
  }

  async #presignConnectUrl(input: { wssEndpoint: string; channelArn: string; role: Role; clientId?: string }): Promise<string> {
    checkEndpointScheme(input.wssEndpoint, 'wssEndpoint', this.#allowInsecure);
    const { url } = constructConnectWssEndpointRequest(input);
    const query: Record<string, string> = { 'X-Amz-ChannelARN': input.channelArn };
    if (input.role === 'VIEWER' && input.clientId !== undefined) query['X-Amz-ClientId'] = input.clientId;
    // constructConnectWssEndpointRequest validated the inputs; the signer takes endpoint + params.
    void url;
    return this.#signer.getSignedUrl(input.wssEndpoint.replace(/\/+$/, ''), query, this.#skew.now());
  }

  /** Releases pooled connections. Idempotent; later calls reject with `CLIENT_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#disposeFetch();
  }
}

/**
 * The default signer behind a dynamic `import()`: a page that passes a
 * `requestSigner` never references it, so bundlers that split chunks (Vite,
 * webpack, Rollup, esbuild --splitting) keep SigV4 out of that page's code.
 */
function loadSigV4OnFirstUse(credentials: CredentialsProvider, region: string): Required<RequestSigner> {
  let made: Required<RequestSigner> | undefined;
  const signer = async (): Promise<Required<RequestSigner>> => {
    const loaded = await sigv4();
    return (made ??= loaded.createSigV4RequestSigner({ credentials, region }));
  };
  return {
    getSignedUrl: async (wssEndpoint, queryParams, date) => (await signer()).getSignedUrl(wssEndpoint, queryParams, date),
    signRequest: async (request, date) => (await signer()).signRequest(request, date),
  };
}
