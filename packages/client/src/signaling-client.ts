/**
 * The signaling client: channel lookup, endpoints, ICE servers, the WebSocket,
 * typed events, and a connection that heals itself.
 *
 * Theory of operation
 * 1. One connection loop runs at a time. Each attempt resolves what it lacks
 *    (ARN → Describe, or Describe 404 → Create → Describe; endpoints →
 *    GetSignalingChannelEndpoint; both from the cache when warm), signs a fresh
 *    URL and opens a socket; GetIceServerConfig starts right after the socket is
 *    created so it overlaps the handshake and never delays `open`.
 * 2. A failed attempt is routed like the C SDK's state machine: 401/403 →
 *    refresh credentials; 404 → drop the cached ARN/endpoints and describe
 *    again; 5xx, timeout or an unclassified handshake failure → re-resolve the
 *    endpoint (which also probes the control plane, so a browser's opaque
 *    handshake failure gets classified on the next attempt); throttling → back
 *    off; clock skew → correct from the `Date` header and retry at once. Waits
 *    use capped exponential backoff with full jitter.
 * 3. GO_AWAY and the proactive timer replace the connection make-before-break:
 *    the new socket opens while the old one still serves, then the old one is
 *    closed. An unexpected close starts the loop with state `reconnecting`.
 * 4. Sends go through one bounded queue; while the socket is open it drains at
 *    once, otherwise entries wait (bounded by count and by the channel's message
 *    TTL) and every entry settles: written, or rejected with a typed error.
 *
 * This module keeps the public surface and the connection lifecycle (1–3);
 * the other concerns live beside it: `client-options.ts` (option checks),
 * `channel-setup.ts` (ARN and endpoints), `outbox.ts` (4: queue, pacing,
 * delivery confirmation), `inbox.ts` (frames in, dedupe, ICE buffering,
 * iterators), `ice-servers.ts` (the ICE server cache) and `types.ts`.
 * @packageDocumentation
 */

import {
  AbortError,
  ServiceError,
  SignalingError,
  TransportError,
  ValidationError,
  parseServiceError,
  type IceCandidatePayload,
  type Role,
  type RtcIceServer,
  type SdpPayload,
  type WssAction,
} from '@kvs-sig/core';
import { isClockSkewError } from '@kvs-sig/signer/credentials';
import { Backoff } from './backoff';
import type { ChannelEndpoints } from './cache';
import { ChannelSetup } from './channel-setup';
import { ChannelManagerBase, type ExchangeRecord } from './channel-manager';
import { connectGate } from './gate';
import { parseClientOptions, parseFixedEndpoints, resolveWebSocket, type ReconnectPolicy } from './client-options';
import { TypedEmitter, type Listener, type OnceOptions, type WaitForOptions } from './emitter';
import { IceServers } from './ice-servers';
import { Inbox } from './inbox';
import { SafeLogger, badOption, type Platform, type RetryContext } from './options';
import { Outbox, buildFrame, newOutboundLink, type OutboundLink } from './outbox';
import {
  describe,
  openSocket,
  sleep,
  type HandshakeFailure,
  type WebSocketFactory,
} from './transport';
import type {
  ClientMetrics,
  ClientState,
  IceCandidateInit,
  SendOptions,
  SignalingClientEvents,
  SignalingClientOptions,
  SignalingMessage,
} from './types';
import { toSignalingError } from './util';

/** Least wait after "the channel already has the maximum number of viewers". */
const VIEWER_LIMIT_DELAY_MS = 1000;
/** Refusals that fresh credentials can fix, whatever status they come with. */
const AUTH_ERROR_TYPES = new Set(['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidClientTokenId', 'NotAuthorizedException', 'AccessDeniedException']);
/**
 * A connection that closes younger than this counts as a flap: the wait before the next
 * attempt keeps growing across such connections, so a service that accepts and then drops
 * at once is not hammered. Any older connection was a success: the next drop starts the
 * backoff over, whatever the outage before it cost.
 */
const FLAP_MS = 5000;

interface Conn extends OutboundLink {
  id: number;
  openedAt: number;
  timers: Array<ReturnType<typeof setTimeout>>;
}

interface Plan {
  refreshCredentials: boolean;
  authFailures: number;
  skewRetries: number;
}

/**
 * Platform-neutral client; the entry points subclass it with their transports.
 * @internal
 */
export class SignalingClientBase extends TypedEmitter<SignalingClientEvents> {
  /** The role given at construction. */
  readonly role: Role;
  /** The viewer's client id, if any. */
  readonly clientId: string | undefined;
  /** The channel's control-plane helpers, sharing this client's transport and signer. */
  readonly channels: ChannelManagerBase;

  readonly #log: SafeLogger;
  #_state: ClientState = 'idle';
  readonly #setup: ChannelSetup;
  readonly #reconnect: ReconnectPolicy;
  readonly #keepaliveMs: number;
  readonly #handshakeMs: number;
  readonly #wsFactory: WebSocketFactory;
  readonly #joinStorage: boolean;
  readonly #outbox: Outbox;
  readonly #inbox: Inbox;
  readonly #backoff: Backoff;
  readonly #plan: Plan = { refreshCredentials: false, authFailures: 0, skewRetries: 0 };

  private current: Conn | undefined;
  #replacing = false;
  #deferredClose: { code: number; reason: string } | undefined;
  #finalClose: { code: number; reason: string } | undefined;
  #minNextDelayMs = 0;
  #connSeq = 0;
  #loop: Promise<void> | undefined;
  #loopAbort: AbortController | undefined;
  #everOpened = false;
  #openWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #closePromise: Promise<void> | undefined;
  private readonly iceServers: IceServers;
  readonly #m: ClientMetrics = {
    phases: {},
    exchangesBeforeOpen: 0,
    messagesSent: 0,
    messagesReceived: 0,
    reconnects: 0,
    attempts: 0,
    errors: 0,
    duplicatesDropped: 0,
    queued: 0,
  };
  #attemptExchanges = 0;
  #loopStartedAt = 0;
  /** Connections in a row that closed younger than FLAP_MS. */
  #flaps = 0;

  constructor(options: SignalingClientOptions, platform: Platform) {
    super((error, event) => {
      this.channels?.['log'].warn(`a listener of "${String(event)}" threw: ${describe(error)}`);
    });
    if (typeof options !== 'object' || options === null) throw badOption('options', 'are required');
    this.#log = new SafeLogger(options.logger);
    const config = parseClientOptions(options);
    this.role = config.role;
    this.clientId = config.clientId;
    this.#reconnect = config.reconnect;
    this.#backoff = new Backoff({ initialDelayMs: config.reconnect.initialDelayMs, maxDelayMs: config.reconnect.maxDelayMs });
    this.#keepaliveMs = config.keepaliveMs;
    this.#handshakeMs = config.handshakeMs;
    this.#joinStorage = config.joinStorage;
    this.#inbox = new Inbox(
      { iceMode: config.iceMode, dedupeMs: config.dedupeMs },
      {
        emit: (event, payload) => this.emit(event, payload),
        reportError: (error) => this.#reportError(error),
        onGoAway: () => {
          this.#log.info('GO_AWAY: opening a replacement connection');
          this.#loopStartedAt = Date.now();
          this.#startLoop('GO_AWAY');
        },
        onReconnectIceServer: () => void this.iceServers.refresh(),
        onOfferIceServers: (servers, sender) => this.iceServers.adoptFromOffer(servers, sender),
        isClosed: () => this.#_state === 'closed',
        metrics: this.#m,
        log: this.#log,
      },
    );
    this.#outbox = new Outbox(config.queue, config.sendRate, {
      current: () => this.current,
      isClosing: () => this.#_state === 'closing' || this.#_state === 'closed',
      metrics: this.#m,
    });

    this.channels = new ChannelManagerBase(options, platform);
    this.channels.onExchange = (rec) => this.#recordExchange(rec);

    this.#setup = new ChannelSetup(
      {
        role: config.role,
        channelName: config.channelName,
        channelArn: config.channelArn,
        createIfMissing: config.createIfMissing,
        joinStorage: config.joinStorage,
        cache: config.cache,
        cacheKey: config.cacheKey,
        fixedEndpoints: parseFixedEndpoints(options, this.channels.canSignRequests),
      },
      { channels: this.channels, log: this.#log, metrics: this.#m, onMessageTtl: (seconds) => this.#outbox.applyChannelTtl(seconds) },
    );
    this.iceServers = new IceServers({
      channels: this.channels,
      setup: this.#setup,
      clientId: this.clientId,
      metrics: this.#m,
      log: this.#log,
      emit: (event, payload) => this.emit(event, payload),
      reportError: (error) => this.#reportError(error),
    });
    this.#wsFactory = resolveWebSocket(options, platform);
  }

  /** Current state. */
  get state(): ClientState {
    return this.#_state;
  }

  /** The channel ARN, once known. */
  get channelArn(): string | undefined {
    return this.#setup.arn;
  }

  /** The signaling endpoints, once known. */
  get endpoints(): ChannelEndpoints | undefined {
    const endpoints = this.#setup.endpoints;
    return endpoints === undefined ? undefined : { ...endpoints };
  }

  /** A snapshot of timings and counters. */
  metrics(): ClientMetrics {
    return { ...this.#m, phases: { ...this.#m.phases }, queued: this.#outbox.size };
  }

  /** Adds a listener. @returns a function that removes it. */
  override on<K extends keyof SignalingClientEvents>(event: K, listener: Listener<SignalingClientEvents[K]>): () => void {
    return super.on(event, listener);
  }

  /** Adds a listener that runs at most once (removed early if `signal` aborts). */
  override once<K extends keyof SignalingClientEvents>(
    event: K,
    listener: Listener<SignalingClientEvents[K]>,
    options?: OnceOptions,
  ): () => void {
    return super.once(event, listener, options);
  }

  /** Resolves with the next payload of `event` (optionally filtered). */
  override waitFor<K extends keyof SignalingClientEvents>(
    event: K,
    options?: WaitForOptions<SignalingClientEvents[K]>,
  ): Promise<SignalingClientEvents[K]> {
    if (this.#_state === 'closed') {
      return Promise.reject(new SignalingError('CLIENT_CLOSED', `waitFor("${String(event)}"): the client is closed`));
    }
    return super.waitFor(event, options);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connects and resolves when the socket is open. Retries retryable failures
   * per the reconnect policy; rejects on a fatal one (the state goes back to `idle`).
   * Calling it while connecting joins the same attempt; while open it resolves at once.
   * @throws `ABORTED`, `CLIENT_CLOSED`, a ServiceError, a ValidationError, or the last error when attempts run out.
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (this.#_state === 'open') return Promise.resolve();
    if (this.#_state === 'closing' || this.#_state === 'closed') {
      return Promise.reject(new SignalingError('CLIENT_CLOSED', 'connect(): the client is closed; create a new one'));
    }
    if (signal?.aborted) return Promise.reject(new AbortError('connect() was aborted', { cause: signal.reason }));
    const opened = new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        this.#openWaiters = this.#openWaiters.filter((w) => w !== waiter);
        reject(new AbortError('connect() was aborted', { cause: signal?.reason }));
        // Nobody else waits for this first connection: stop trying.
        if (this.#openWaiters.length === 0 && this.#_state === 'connecting') this.#abandonConnect(new AbortError('connect() was aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#openWaiters.push(waiter);
    });
    if (this.#_state === 'idle') {
      // A fresh start: earlier failures of a previous connect() do not count against this one.
      this.#plan.authFailures = 0;
      this.#plan.skewRetries = 0;
      this.#setup.describe404 = false;
      this.#backoff.reset();
      this.#setState('connecting');
      this.#loopStartedAt = Date.now();
      this.#startLoop('connect');
    }
    return opened;
  }

  /**
   * Closes the client in any state: stops reconnecting, closes the socket,
   * rejects queued sends with `CLIENT_CLOSED`, clears every timer and listener.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closePromise = this.#doClose();
    return this.#closePromise;
  }

  async #doClose(): Promise<void> {
    const from = this.#_state;
    if (from !== 'closed') this.#setState('closing');
    const err = new SignalingError('CLIENT_CLOSED', 'the client was closed');
    this.#loopAbort?.abort(err);
    this.iceServers.close();
    const loop = this.#loop;
    const conn = this.current;
    this.current = undefined;
    const closing = conn ? this.#disposeConn(conn, 1000, 'client closed') : Promise.resolve();
    this.#outbox.rejectAll(err);
    this.#outbox.dispose();
    for (const w of this.#openWaiters.splice(0)) w.reject(err);
    await loop?.catch(() => undefined);
    await closing;
    this.#inbox.endIterators();
    await this.channels.close().catch(() => undefined);
    if (from === 'open' || from === 'reconnecting' || from === 'connecting' || this.#finalClose) {
      const { code, reason } = this.#finalClose ?? { code: 1000, reason: 'client closed' };
      this.emit('close', { code, reason, willReconnect: false });
    }
    this.#setState('closed');
    this.cancelWaiters(new SignalingError('CLIENT_CLOSED', 'the client was closed'));
    this.removeAllListeners();
  }

  /** Stops a first connection that failed or was aborted; back to `idle`. */
  #abandonConnect(error: SignalingError): void {
    this.#loopAbort?.abort(error);
    // Detach the aborted loop now so a new connect() can start its own at once.
    this.#loop = undefined;
    this.#loopAbort = undefined;
    this.#replacing = false;
    for (const w of this.#openWaiters.splice(0)) w.reject(error);
    this.#outbox.rejectAll(error);
    if (this.#_state === 'connecting') this.#setState('idle');
  }

  #setState(to: ClientState): void {
    const from = this.#_state;
    if (from === to) return;
    this.#_state = to;
    this.#log.debug(`state ${from} -> ${to}`);
    this.emit('stateChange', { from, to });
  }

  #reportError(error: SignalingError): void {
    this.#m.errors += 1;
    this.#log.warn(error.message, { code: error.code });
    this.emit('error', error);
  }

  // ------------------------------------------------------------ connect loop

  /** @param cause what ended the previous connection, when one did (the retry strategy sees it). */
  #startLoop(reason: string, cause?: SignalingError): void {
    if (this.#loop) return;
    // With a live connection this is a make-before-break replacement (GO_AWAY, lifetime).
    this.#replacing = this.current !== undefined;
    const abort = new AbortController();
    this.#loopAbort = abort;
    const run = this.#runLoop(reason, abort.signal, cause).finally(() => {
      if (this.#loop === run) {
        this.#loop = undefined;
        this.#loopAbort = undefined;
        this.#replacing = false;
      }
    });
    this.#loop = run;
    run.catch(() => undefined);
  }

  async #runLoop(reason: string, signal: AbortSignal, cause: SignalingError | undefined): Promise<void> {
    let failures = 0;
    let retries = 0;
    let lastError: SignalingError | undefined = cause;
    let why = reason;
    for (;;) {
      if (signal.aborted) return;
      // A replacement starts at once (inside the GO_AWAY grace); a first connect too.
      const waitFirst = failures > 0 || (this.#everOpened && !this.#replacing);
      if (waitFirst) {
        const immediate = failures > 0 && lastError !== undefined && this.#retryAtOnce(lastError);
        const builtIn = immediate ? 0 : Math.max(this.#backoff.next(), this.#minNextDelayMs);
        this.#minNextDelayMs = 0;
        const error = lastError ?? new TransportError('CONNECTION_CLOSED', why);
        retries += 1;
        const decision = this.#retryDelay({ attempt: retries, error, reason: why, defaultDelayMs: builtIn });
        if (typeof decision !== 'number') {
          this.#giveUp(decision);
          return;
        }
        const delayMs = decision;
        const event: SignalingClientEvents['reconnecting'] = { attempt: failures + 1, delayMs, reason: why };
        if (lastError) event.error = lastError;
        this.emit('reconnecting', event);
        try {
          await sleep(delayMs, signal);
        } catch {
          return;
        }
      }
      try {
        const conn = await this.#attempt(signal);
        if (signal.aborted) {
          void conn.socket.close(1000, 'aborted');
          return;
        }
        this.#install(conn);
        return;
      } catch (error) {
        if (signal.aborted) return;
        const err = toSignalingError(error);
        failures += 1;
        lastError = err;
        why = err.message;
        const fatal = this.#route(err);
        this.#log.info(`connection attempt ${failures} failed: ${err.message}`, { code: err.code, fatal });
        this.#surfaceDeferredClose();
        const first = !this.#everOpened;
        const budget = first ? Math.min(this.#reconnect.maxAttempts, this.#reconnect.maxConnectAttempts) : this.#reconnect.maxAttempts;
        if (fatal || !this.#reconnect.enabled || failures >= budget) {
          // Before the first open the last error is also what connect() rejects with.
          if (first && this.#_state === 'connecting') this.#reportError(err);
          this.#giveUp(err);
          return;
        }
        // Every failed attempt shows, before the first open too (a full channel, a control
        // plane that does not resolve): not only in `reconnecting` events.
        this.#reportError(err);
      }
    }
  }

  /**
   * The wait before a retry: the user's `reconnect.strategy` when given, else the built-in
   * backoff. @returns the delay in ms, or the error to end the client with (the strategy
   * said `false`, threw, or returned something that is not a delay).
   */
  #retryDelay(context: RetryContext): number | SignalingError {
    const strategy = this.#reconnect.strategy;
    if (strategy === undefined) return context.defaultDelayMs;
    let decided: unknown;
    try {
      decided = strategy({ ...context });
    } catch (error) {
      return new ValidationError('reconnect.strategy', `threw: ${describe(error)}`, 'INVALID_CONFIGURATION', { cause: error });
    }
    if (decided === false) {
      this.#log.info(`reconnect.strategy ended retrying after attempt ${context.attempt - 1}: ${context.error.message}`, { code: context.error.code });
      return context.error;
    }
    if (typeof decided !== 'number' || !Number.isFinite(decided) || decided < 0) {
      return badOption(
        'reconnect.strategy',
        `returned ${typeof decided === 'number' ? String(decided) : JSON.stringify(decided) ?? typeof decided}; it must return a finite delay in ms >= 0, or false`,
      );
    }
    return decided;
  }

  /** The old socket of a replacement closed and the replacement is not there yet: now it shows. */
  #surfaceDeferredClose(): void {
    const d = this.#deferredClose;
    if (!d || this.current) return;
    this.#deferredClose = undefined;
    this.emit('close', { code: d.code, reason: d.reason, willReconnect: true });
    this.#setState('reconnecting');
  }

  #retryAtOnce(error: SignalingError): boolean {
    if (isClockSkewError(error) && this.#plan.skewRetries <= 1) return true;
    return (
      error instanceof ServiceError &&
      (error.httpStatus === 401 || error.httpStatus === 403 || AUTH_ERROR_TYPES.has(error.errorType)) &&
      this.#plan.authFailures <= 1
    );
  }

  /**
   * Decides what the next attempt redoes (the C SDK's routing table).
   * @returns true when retrying cannot help.
   */
  #route(error: SignalingError): boolean {
    if (error instanceof ValidationError) return true;
    if (isClockSkewError(error)) {
      // The offset was learnt from the reply's Date header (HTTP) or is unknown (handshake): re-probe via the control plane.
      this.#plan.skewRetries += 1;
      if (this.#plan.skewRetries > 1) this.#setup.reResolveEndpoint();
      return false;
    }
    if (error instanceof ServiceError) {
      const s = error.httpStatus;
      if (s === 401 || s === 403 || AUTH_ERROR_TYPES.has(error.errorType)) {
        this.#plan.authFailures += 1;
        this.#plan.refreshCredentials = true;
        // Before the first open, repeated refusals are a configuration problem: say so. Once
        // connected, keep healing (keys get rotated, policies get fixed) and report each failure.
        return !this.#everOpened && this.#plan.authFailures > 2;
      }
      if (s === 404) {
        if (error.code === 'DELIVERY_FAILED') return false;
        this.#setup.dropCache();
        // The channel does not exist. Before the first open that is a wrong name or ARN: fail
        // at once. Once connected, a channel looked up by name may be re-created (a master
        // with createChannelIfMissing, an operator): keep looking it up, with the usual
        // backoff and an error per attempt, so the client follows it whatever the timing.
        // An ARN names one incarnation: a re-created channel has another, so give up.
        if (this.#setup.describe404) return !this.#everOpened || !this.#setup.byName;
        return false;
      }
      if (error.errorType === 'ClientLimitExceededException') {
        // "Too many viewers" is not throttling: a slot frees up when a viewer leaves, which
        // takes seconds, so do not knock every 100 ms (the ConnectAs* quota is 3/s per channel).
        if (/maximum number of viewers|too many viewers/i.test(error.message)) this.#minNextDelayMs = VIEWER_LIMIT_DELAY_MS;
        return false;
      }
      if (s >= 500 || s === 408 || s === 429) {
        this.#setup.reResolveEndpoint();
        return false;
      }
      if (s === 400 && error.errorType === 'InvalidArgumentException') return true;
      if (s === 400 && (error.errorType === 'AccountChannelLimitExceededException' || error.errorType === 'TagsPerResourceExceededLimitException')) return true;
      return !error.retryable && s < 500 && s !== 400;
    }
    if (error.code === 'MISSING_CREDENTIALS' || error.code === 'INVALID_CONFIGURATION' || error.code === 'INSECURE_ENDPOINT') return true;
    // An untrusted certificate before the first open is configuration (tls.ca), not weather.
    if (error instanceof TransportError && !error.retryable && !this.#everOpened) return true;
    if (error.code === 'CREDENTIALS_PROVIDER_FAILED') {
      // Before the first open this is almost always configuration: fail fast. Later it is
      // more likely a passing outage of the credentials source: keep healing.
      this.#plan.refreshCredentials = true;
      return !this.#everOpened;
    }
    // Timeouts, network failures, unclassified handshake failures, malformed replies: re-resolve the endpoint.
    this.#setup.reResolveEndpoint();
    return false;
  }

  #giveUp(error: SignalingError): void {
    if (this.#_state === 'connecting' && !this.#everOpened) {
      this.#abandonConnect(error);
      return;
    }
    this.#reportError(error);
    // A failed make-before-break replacement: the old socket still works; the next drop retries.
    if (this.current) return;
    const err = new SignalingError('CLIENT_CLOSED', `the client stopped reconnecting: ${error.message}`, { cause: error });
    this.#outbox.rejectAll(err);
    for (const w of this.#openWaiters.splice(0)) w.reject(err);
    this.#finalClose = { code: 1006, reason: 'reconnect failed' };
    void this.close();
  }

  #recordExchange(rec: ExchangeRecord): void {
    // ICE runs beside the handshake, so it is not a sequential exchange.
    if (rec.operation !== 'GetIceServerConfig') this.#attemptExchanges += 1;
    const phase: Record<string, keyof ClientMetrics['phases']> = {
      DescribeSignalingChannel: 'describeMs',
      CreateSignalingChannel: 'createMs',
      GetSignalingChannelEndpoint: 'endpointMs',
      GetIceServerConfig: 'iceMs',
    };
    const key = phase[rec.operation];
    if (key) this.#m.phases[key] = rec.durationMs;
  }

  /** One connection attempt, in its turn among the process's (gate.ts). */
  async #attempt(signal: AbortSignal): Promise<Conn> {
    const release = await connectGate().acquire(signal);
    try {
      return await this.#attemptNow(signal);
    } finally {
      release();
    }
  }

  /** Resolves what is missing, signs, opens. */
  async #attemptNow(signal: AbortSignal): Promise<Conn> {
    this.#m.attempts += 1;
    this.#attemptExchanges = 0;
    const plan = this.#plan;
    if (plan.refreshCredentials) {
      await this.channels.refreshCredentials();
      plan.refreshCredentials = false;
    }
    await this.#setup.resolve(signal);
    const endpoints = this.#setup.endpoints!;
    const arn = this.#setup.arn!;
    const url = await this.channels.signConnectUrl({
      wssEndpoint: endpoints.wss,
      channelArn: arn,
      role: this.role,
      ...(this.clientId === undefined ? {} : { clientId: this.clientId }),
    });
    if (signal.aborted) throw new AbortError('connect was aborted');
    const conn = await this.#openConn(url, signal);
    plan.authFailures = 0;
    plan.skewRetries = 0;
    this.#setup.describe404 = false;
    this.#m.exchangesBeforeOpen = this.#attemptExchanges + 1;
    return conn;
  }

  /** Opens one socket and starts ICE in parallel with the handshake. */
  #openConn(url: string, signal: AbortSignal): Promise<Conn> {
    return new Promise<Conn>((resolve, reject) => {
      const id = ++this.#connSeq;
      const started = Date.now();
      let conn: Conn | undefined;
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        void socket.close(1000, 'aborted');
        reject(new AbortError('connect was aborted'));
      };
      const socket = openSocket(
        this.#wsFactory,
        url,
        {
          onOpen: () => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            this.#m.phases.connectMs = Date.now() - started;
            conn = { ...newOutboundLink(socket), id, openedAt: Date.now(), timers: [] };
            resolve(conn);
          },
          onFail: (error, handshake) => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            this.#m.phases.connectMs = Date.now() - started;
            reject(this.#classifyHandshake(error, handshake));
          },
          onMessage: (text, raw) => {
            if (!conn) return;
            conn.lastActivity = Date.now();
            this.#inbox.onFrame(text, raw);
          },
          onClose: (code, reason) => {
            if (conn) this.#onConnClosed(conn, code, reason);
          },
          onPong: () => {
            if (conn) this.#outbox.onPong(conn);
          },
        },
        this.#handshakeMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      // In parallel with the handshake, never before it: ICE must not delay `open`.
      this.iceServers.prefetch();
    });
  }

  #classifyHandshake(error: SignalingError, handshake: HandshakeFailure | undefined): SignalingError {
    if (!handshake) return error;
    this.channels.learnClock(handshake);
    const svc = parseServiceError({ status: handshake.status, headers: handshake.headers, body: handshake.body });
    return svc;
  }

  /** Makes `conn` the current connection (closing the one it replaces). */
  #install(conn: Conn): void {
    if (this.#_state === 'closing' || this.#_state === 'closed') {
      void conn.socket.close(1000, 'client closed');
      return;
    }
    const old = this.current;
    this.current = conn;
    this.#deferredClose = undefined;
    this.#replacing = false;
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    // The outage is over: its failed attempts do not lengthen the wait after the next drop.
    this.#backoff.reset();
    if (reconnected) this.#m.reconnects += 1;
    this.#m.connectedAt = conn.openedAt;
    this.#m.timeToOpenMs = conn.openedAt - this.#loopStartedAt;
    this.#startConnTimers(conn);
    if (old) void this.#disposeConn(old, 1000, 'replaced by a new connection');
    this.#setState('open');
    for (const w of this.#openWaiters.splice(0)) w.resolve();
    this.emit('open', { reconnected });
    this.#outbox.flush();
    if (this.#joinStorage) void this.#joinStorageSessionNow();
  }

  async #joinStorageSessionNow(): Promise<void> {
    try {
      const webrtc = this.#setup.endpoints?.webrtc;
      await this.channels.joinStorageSession({ channelArn: this.#setup.arn!, ...(webrtc ? { webrtcEndpoint: webrtc } : {}) });
    } catch (error) {
      this.#reportError(toSignalingError(error));
    }
  }

  #startConnTimers(conn: Conn): void {
    const keepalive = setInterval(() => {
      const pingSentAt = this.#outbox.oldestPingSentAt(conn);
      if (pingSentAt !== undefined && Date.now() - pingSentAt >= this.#keepaliveMs) {
        this.#log.warn('no pong within the keepalive interval; replacing the connection');
        void conn.socket.close(4000, 'keepalive timeout');
        this.#onConnClosed(conn, 1006, 'keepalive timeout');
        return;
      }
      if (pingSentAt !== undefined) return;
      if (!this.#outbox.ping(conn) && Date.now() - conn.lastActivity >= this.#reconnect.idleAfterMs && this.current === conn && !this.#loop) {
        // No ping here (browser): replace the connection before the idle limit cuts it.
        this.#log.info('connection idle near the service limit; replacing it');
        this.#loopStartedAt = Date.now();
        this.#startLoop('idle limit');
      }
    }, Math.min(this.#keepaliveMs, this.#reconnect.idleAfterMs));
    const proactive = setTimeout(() => {
      if (this.current === conn) {
        this.#log.info('connection near its lifetime limit; replacing it');
        this.#loopStartedAt = Date.now();
        this.#startLoop('connection lifetime');
      }
    }, this.#reconnect.proactiveAfterMs);
    conn.timers.push(keepalive, proactive);
  }

  /** Closes a connection we are done with, after the service confirmed what was written to it. */
  async #disposeConn(conn: Conn, code: number, reason: string): Promise<void> {
    this.#stopConnTimers(conn);
    await this.#outbox.drain(conn, 1000);
    await conn.socket.close(code, reason);
    this.#outbox.releaseUnconfirmed(conn);
  }

  #stopConnTimers(conn: Conn): void {
    for (const t of conn.timers) clearTimeout(t);
    conn.timers = [];
    this.#outbox.stopPacing(conn);
  }

  #onConnClosed(conn: Conn, code: number, reason: string): void {
    this.#stopConnTimers(conn);
    const wasCurrent = this.current === conn;
    if (wasCurrent) this.current = undefined;
    this.#outbox.releaseUnconfirmed(conn);
    if (!wasCurrent) return; // an old connection after a swap
    if (this.#_state === 'closing' || this.#_state === 'closed') return;
    if (this.#loop && this.#replacing) {
      // The replacement is under way (the service may close the old socket as the new one
      // arrives): stay quiet unless the replacement fails.
      this.#deferredClose = { code, reason };
      return;
    }
    // A flapping service (connections closed young) sees the waits grow; after a connection
    // that lived, the next drop starts the backoff over (#install reset it).
    this.#flaps = Date.now() - conn.openedAt < FLAP_MS ? Math.min(this.#flaps + 1, 30) : 0;
    // One young connection is not yet a pattern: the first step. Each further one doubles it.
    for (let i = 1; i < this.#flaps; i++) this.#backoff.next();
    const willReconnect = this.#reconnect.enabled;
    this.#log.info(`connection closed (${code}${reason ? ` ${reason}` : ''})`, { code, willReconnect });
    if (code === 1009) {
      this.#reportError(new TransportError('MESSAGE_TOO_LARGE', 'the service sent a frame larger than the WebSocket accepts (32 MiB); the connection closed', { closeCode: code, closeReason: reason }));
    }
    if (!willReconnect) {
      // close() reports it, once, with willReconnect: false.
      this.#finalClose = { code, reason };
      void this.close();
      return;
    }
    this.emit('close', { code, reason, willReconnect });
    this.#setState('reconnecting');
    if (!this.#loop) {
      this.#loopStartedAt = Date.now();
      this.#startLoop(
        `connection closed (${code})`,
        new TransportError('CONNECTION_CLOSED', `the connection closed (${code}${reason ? ` ${reason}` : ''})`, { closeCode: code, closeReason: reason }),
      );
    }
  }

  // ---------------------------------------------------------------- inbound

  /**
   * Releases held ICE candidates of `senderClientId` (the master's when omitted)
   * as `iceCandidate` events and marks its SDP as seen.
   * @returns how many were released.
   */
  drainPendingIceCandidates(senderClientId?: string): number {
    return this.#inbox.drainPendingIceCandidates(senderClientId);
  }

  /** A copy of the candidates held for `senderClientId` (the master's when omitted). */
  getPendingIceCandidates(senderClientId?: string): IceCandidatePayload[] {
    return this.#inbox.getPendingIceCandidates(senderClientId);
  }

  /**
   * Forgets that `senderClientId` sent an SDP and drops its held candidates
   * (before a renegotiation). @returns how many held candidates were dropped.
   */
  resetIceCandidateState(senderClientId?: string): number {
    return this.#inbox.resetIceCandidateState(senderClientId);
  }

  /**
   * Peer messages as an async iterator; ends when the client closes or `signal` aborts.
   */
  messages(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<SignalingMessage> {
    return this.#inbox.messages(options);
  }

  // --------------------------------------------------------------- outbound

  /** Sends an SDP offer. A master must name the viewer; a viewer must not name anyone. */
  sendSdpOffer(offer: SdpPayload, recipientClientId?: string, options?: SendOptions): Promise<void> {
    return this.#send('SDP_OFFER', offer, recipientClientId, options);
  }

  /** Sends an SDP answer. A master must name the viewer; a viewer must not name anyone. */
  sendSdpAnswer(answer: SdpPayload, recipientClientId?: string, options?: SendOptions): Promise<void> {
    return this.#send('SDP_ANSWER', answer, recipientClientId, options);
  }

  /**
   * Sends an ICE candidate. A master must name the viewer; a viewer must not name anyone.
   * Takes `RTCIceCandidate.toJSON()` as is (its `candidate` is typed optional; it must be a string).
   */
  sendIceCandidate(candidate: IceCandidateInit, recipientClientId?: string, options?: SendOptions): Promise<void> {
    return this.#send('ICE_CANDIDATE', candidate, recipientClientId, options);
  }

  #send(action: WssAction, payload: SdpPayload | IceCandidateInit, recipient: string | undefined, options: SendOptions | undefined): Promise<void> {
    const label = action;
    try {
      if (this.#_state === 'closing' || this.#_state === 'closed') {
        throw new SignalingError('CLIENT_CLOSED', `${label}: the client is closed`);
      }
      if (this.#_state === 'idle') throw new SignalingError('NOT_OPEN', `${label}: call connect() first`);
      return this.#outbox.send(buildFrame(this.role, action, payload, recipient, options), label);
    } catch (error) {
      return Promise.reject(toSignalingError(error));
    }
  }

  // -------------------------------------------------------------------- ICE

  /**
   * ICE servers for `RTCPeerConnection` (STUN first, then TURN), cached until
   * the TURN TTL minus a 30 s grace; refreshed on RECONNECT_ICE_SERVER.
   * Before `connect()` it resolves the channel first.
   */
  async getIceServers(options: { signal?: AbortSignal } = {}): Promise<RtcIceServer[]> {
    if (this.#_state === 'closing' || this.#_state === 'closed') throw new SignalingError('CLIENT_CLOSED', 'getIceServers(): the client is closed');
    return this.iceServers.get(options);
  }

}
