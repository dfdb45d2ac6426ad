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
 * This module keeps the public surface and the wiring: it runs the effects of the
 * connection machine. The lifecycle's decisions live in `connection/`: `machine.ts`
 * (states, events and effects: a pure table), `decide.ts` (2: what a failure means for the
 * next attempt, over core's `classifyServiceError`), `connect-loop.ts` (1: wait, attempt,
 * route) and `socket-timers.ts` (keepalive, idle and lifetime limits). Beside them:
 * `client-options.ts` (option checks), `channel-setup.ts` (ARN and endpoints), `outbox.ts`
 * (4: queue, pacing, delivery confirmation), `inbox.ts` (frames in, dedupe, ICE buffering,
 * iterators), `ice-servers.ts` (the ICE server cache) and `types.ts`.
 * @packageDocumentation
 */

import {
  AbortError,
  ProtocolError,
  SignalingError,
  TransportError,
  parseServiceError,
  type IceCandidateInit,
  type Role,
  type RtcIceServer,
  type SdpPayload,
  type SignalingChannelEndpoints,
  type WssAction,
} from '@kvs-sig/core';
import { Backoff } from './backoff';
import { ChannelSetup } from './channel-setup';
import { ChannelManagerBase, managerInternals, type ExchangeRecord, type ManagerInternals } from './channel-manager';
import { runConnectLoop, type ConnectLoopHost } from './connection/connect-loop';
import { startSocketTimers, stopSocketTimers, type SocketTimerHost, type TimedSocket } from './connection/socket-timers';
import { initialContext, publicState, transition, type ConnContext, type ConnEffect, type ConnEvent, type ConnState } from './connection/machine';
import { connectGate } from './gate';
import { parseClientOptions, parseFixedEndpoints, resolveWebSocket, type ReconnectPolicy } from './client-options';
import { TypedEmitter, type Listener, type OnceOptions, type WaitForOptions } from './emitter';
import { describe, toSignalingError } from './errors';
import { IceServers } from './ice-servers';
import { Inbox } from './inbox';
import { SafeLogger } from './logger';
import { badOption } from './option-checks';
import type { Platform } from './platform';
import { Outbox, buildFrame, newOutboundLink } from './outbox';
import { openSocket, type HandshakeFailure, type WebSocketFactory } from './transport';
import type {
  ClientMetrics,
  ClientState,
  SendOptions,
  SignalingClientEvents,
  SignalingClientOptions,
  SignalingMessage,
} from './types';

/** One socket of this client: its id (the machine's), its send state and its timers. */
interface Conn extends TimedSocket {
  id: number;
  openedAt: number;
  /** Replaced after its keepalive expired, still read until the service closes it (see #retire). */
  retiredTimer?: ReturnType<typeof setTimeout>;
}

/** What an effect of the machine acts on, besides the effect itself. */
interface EffectInput {
  /** The attempt's or the loop's error. */
  error?: SignalingError;
  /** The socket an attempt opened. */
  conn?: Conn;
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
  readonly #cp: ManagerInternals;

  readonly #log: SafeLogger;
  /** The connection machine's state and context (connection/machine.ts); only #dispatch changes them. */
  #state: ConnState = 'idle';
  #ctx: ConnContext = initialContext();
  /** The public state as last announced by `stateChange`: the projection of #state. */
  #shown: ClientState = 'idle';
  readonly #setup: ChannelSetup;
  readonly #reconnect: ReconnectPolicy;
  readonly #keepaliveMs: number;
  readonly #handshakeMs: number;
  readonly #wsFactory: WebSocketFactory;
  readonly #joinStorage: boolean;
  readonly #outbox: Outbox;
  readonly #inbox: Inbox;
  readonly #backoff: Backoff;

  private current: Conn | undefined;
  /** Sockets given up on but still read (see #retire); closed with the client. */
  readonly #retired = new Set<Conn>();
  #connSeq = 0;
  #loop: Promise<void> | undefined;
  #loopAbort: AbortController | undefined;
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
  /** The client as the connect loop sees it (connection/connect-loop.ts). */
  readonly #loopHost: ConnectLoopHost<Conn>;
  /** The client as a socket's timers see it (connection/socket-timers.ts). */
  readonly #timerHost: SocketTimerHost<Conn>;

  constructor(options: SignalingClientOptions, platform: Platform) {
    super((error, event) => {
      this.#cp?.log.warn(`a listener of "${String(event)}" threw: ${describe(error)}`);
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
          this.#dispatch({ type: 'replace', reason: 'GO_AWAY' });
        },
        onReconnectIceServer: () => void this.iceServers.refresh(),
        onOfferIceServers: (servers, sender) => this.iceServers.adoptFromOffer(servers, sender),
        isClosed: () => this.#shown === 'closed',
        metrics: this.#m,
        log: this.#log,
      },
    );
    this.#outbox = new Outbox(config.queue, config.sendRate, {
      current: () => this.current,
      isClosing: () => this.#shown === 'closing' || this.#shown === 'closed',
      metrics: this.#m,
    });

    this.channels = new ChannelManagerBase(options, platform);
    this.#cp = managerInternals(this.channels);
    this.#cp.onExchange = (rec) => this.#recordExchange(rec);

    this.#setup = new ChannelSetup(
      {
        role: config.role,
        channelName: config.channelName,
        channelArn: config.channelArn,
        createIfMissing: config.createIfMissing,
        joinStorage: config.joinStorage,
        cache: config.cache,
        cacheKey: config.cacheKey,
        fixedEndpoints: parseFixedEndpoints(options, this.#cp.canSignRequests),
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
    this.#loopHost = {
      reconnect: this.#reconnect,
      backoff: this.#backoff,
      setup: this.#setup,
      log: this.#log,
      context: () => this.#ctx,
      dispatch: (event, input) => this.#dispatch(event, input),
      emitReconnecting: (event) => this.emit('reconnecting', event),
      attempt: (loopId, signal) => this.#attempt(loopId, signal),
    };
    this.#timerHost = {
      keepaliveMs: this.#keepaliveMs,
      idleAfterMs: this.#reconnect.idleAfterMs,
      proactiveAfterMs: this.#reconnect.proactiveAfterMs,
      oldestPingSentAt: (conn) => this.#outbox.oldestPingSentAt(conn),
      ping: (conn) => this.#outbox.ping(conn),
      onKeepaliveTimeout: (conn) => {
        this.#log.warn('no pong within the keepalive interval; replacing the connection');
        this.#retire(conn);
        this.#onConnClosed(conn, 1006, 'keepalive timeout', true);
      },
      onIdle: (conn) => {
        if (this.current !== conn || this.#state !== 'open') return;
        // No ping here (browser): replace the connection before the idle limit cuts it.
        this.#log.info('connection idle near the service limit; replacing it');
        this.#dispatch({ type: 'replace', reason: 'idle limit' });
      },
      onLifetime: (conn) => {
        if (this.current !== conn) return;
        this.#log.info('connection near its lifetime limit; replacing it');
        this.#dispatch({ type: 'replace', reason: 'connection lifetime' });
      },
    };
  }

  /** Current state. */
  get state(): ClientState {
    return this.#shown;
  }

  /** The channel ARN, once known. */
  get channelArn(): string | undefined {
    return this.#setup.arn;
  }

  /** The signaling endpoints, once known. */
  get endpoints(): SignalingChannelEndpoints | undefined {
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
    if (this.#shown === 'closed') {
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
    if (this.#shown === 'open') return Promise.resolve();
    if (this.#shown === 'closing' || this.#shown === 'closed') {
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
        if (this.#openWaiters.length === 0) this.#dispatch({ type: 'abort' }, { error: new AbortError('connect() was aborted') });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#openWaiters.push(waiter);
    });
    // From idle a fresh start; while connecting or reconnecting it joins the running attempt.
    this.#dispatch({ type: 'connect' });
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
    const from = this.#shown;
    const err = new SignalingError('CLIENT_CLOSED', 'the client was closed');
    this.#dispatch({ type: 'close' }, { error: err });
    this.iceServers.close();
    const loop = this.#loop;
    const conn = this.current;
    this.current = undefined;
    const closing = Promise.all([
      conn ? this.#disposeConn(conn, 1000, 'client closed') : undefined,
      ...[...this.#retired].map((r) => this.#endRetired(r, 1000, 'client closed')),
    ]);
    this.#outbox.rejectAll(err);
    this.#outbox.dispose();
    for (const w of this.#openWaiters.splice(0)) w.reject(err);
    await loop?.catch(() => undefined);
    await closing;
    this.#inbox.endIterators();
    await this.channels.close().catch(() => undefined);
    const final = this.#ctx.finalClose;
    if (from === 'open' || from === 'reconnecting' || from === 'connecting' || final) {
      const { code, reason } = final ?? { code: 1000, reason: 'client closed' };
      this.emit('close', { code, reason, willReconnect: false });
    }
    this.#dispatch({ type: 'closed' });
    this.cancelWaiters(new SignalingError('CLIENT_CLOSED', 'the client was closed'));
    this.removeAllListeners();
  }

  /** Runs one step of the connection machine, then its effects in order. */
  #dispatch(event: ConnEvent, input: EffectInput = {}): void {
    const out = transition(this.#state, event, this.#ctx);
    this.#state = out.state;
    this.#ctx = out.context;
    for (const effect of out.effects) this.#run(effect, input);
  }

  #run(effect: ConnEffect, input: EffectInput): void {
    switch (effect.type) {
      case 'state':
        return this.#showState();
      case 'reset-outage':
        // A fresh start: earlier failures of a previous connect() do not count against this one.
        this.#setup.describe404 = false;
        this.#backoff.reset();
        return;
      case 'start-loop': {
        const cause = effect.cause
          ? new TransportError('CONNECTION_CLOSED', `the connection closed (${effect.cause.code}${effect.cause.reason ? ` ${effect.cause.reason}` : ''})`, {
              closeCode: effect.cause.code,
              closeReason: effect.cause.reason,
            })
          : undefined;
        this.#loopStartedAt = Date.now();
        return this.#startLoop(effect.loopId, effect.reason, effect.replacing, cause);
      }
      case 'install':
        return this.#install(input.conn!, effect.reconnected);
      case 'announce-open':
        for (const w of this.#openWaiters.splice(0)) w.resolve();
        this.emit('open', { reconnected: effect.reconnected });
        this.#outbox.flush();
        if (this.#joinStorage) void this.#joinStorageSessionNow();
        return;
      case 'discard-socket':
        void input.conn?.socket.close(1000, this.#shown === 'closing' || this.#shown === 'closed' ? 'client closed' : 'aborted');
        return;
      case 'report-error':
        return this.#reportError(input.error!);
      case 'abandon': {
        // Stops a first connection that failed or was aborted. The aborted loop is detached
        // now so a new connect() can start its own at once.
        const error = input.error!;
        this.#loopAbort?.abort(error);
        this.#loop = undefined;
        this.#loopAbort = undefined;
        for (const w of this.#openWaiters.splice(0)) w.reject(error);
        this.#outbox.rejectAll(error);
        return;
      }
      case 'emit-close':
        this.emit('close', { code: effect.code, reason: effect.reason, willReconnect: true });
        return;
      case 'backoff-steps':
        for (let i = 0; i < effect.steps; i++) this.#backoff.next();
        return;
      case 'report-too-large':
        this.#reportError(
          new ProtocolError('FRAME_TOO_LARGE', `the service sent a frame larger than the WebSocket accepts (32 MiB); the connection closed (${effect.code})`, { retryable: true }),
        );
        return;
      case 'shut-down': {
        if (effect.rejectPending) {
          const error = input.error!;
          const err = new SignalingError('CLIENT_CLOSED', `the client stopped reconnecting: ${error.message}`, { cause: error });
          this.#outbox.rejectAll(err);
          for (const w of this.#openWaiters.splice(0)) w.reject(err);
        }
        void this.close();
        return;
      }
      case 'stop-loop':
        this.#loopAbort?.abort(input.error);
        return;
    }
  }

  /** Announces the machine's public state, when it differs from the last one announced. */
  #showState(): void {
    const from = this.#shown;
    const to = publicState(this.#state);
    if (from === to) return;
    this.#shown = to;
    this.#log.debug(`state ${from} -> ${to}`);
    this.emit('stateChange', { from, to });
  }

  #reportError(error: SignalingError): void {
    this.#m.errors += 1;
    this.#log.warn(error.message, { code: error.code });
    this.emit('error', error);
  }

  // ------------------------------------------------------------ connect loop

  /**
   * Runs connect loop `loopId` (the machine's id: its events are ignored once another loop
   * runs). @param replacing a live socket serves meanwhile (make-before-break: no first wait).
   * @param cause what ended the previous connection, when one did (the retry strategy sees it).
   */
  #startLoop(loopId: number, reason: string, replacing: boolean, cause: SignalingError | undefined): void {
    const abort = new AbortController();
    this.#loopAbort = abort;
    const run = runConnectLoop(this.#loopHost, { loopId, reason, replacing, signal: abort.signal, cause }).finally(() => {
      if (this.#loop === run) {
        this.#loop = undefined;
        this.#loopAbort = undefined;
      }
    });
    this.#loop = run;
    run.catch(() => undefined);
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
  async #attempt(loopId: number, signal: AbortSignal): Promise<Conn> {
    const release = await connectGate().acquire(signal);
    try {
      return await this.#attemptNow(loopId, signal);
    } finally {
      release();
    }
  }

  /** Resolves what is missing, signs, opens. */
  async #attemptNow(loopId: number, signal: AbortSignal): Promise<Conn> {
    this.#m.attempts += 1;
    this.#attemptExchanges = 0;
    if (this.#ctx.refreshCredentials) {
      await this.#cp.refreshCredentials();
      this.#dispatch({ type: 'refreshed', loopId });
    }
    await this.#setup.resolve(signal);
    const endpoints = this.#setup.endpoints!;
    const arn = this.#setup.arn!;
    const url = await this.#cp.presignConnectUrl({
      wssEndpoint: endpoints.wssEndpoint ?? '',
      channelArn: arn,
      role: this.role,
      ...(this.clientId === undefined ? {} : { clientId: this.clientId }),
    });
    if (signal.aborted) throw new AbortError('connect was aborted');
    const conn = await this.#openConn(url, signal);
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
            this.#inbox.onFrame(text, raw, !this.#retired.has(conn));
          },
          onClose: (code, reason) => {
            if (!conn) return;
            if (this.#retired.has(conn)) this.#endRetired(conn);
            else this.#onConnClosed(conn, code, reason);
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
    this.#cp.learnClock(handshake);
    const svc = parseServiceError({ status: handshake.status, headers: handshake.headers, body: handshake.body });
    return svc;
  }

  /** Makes `conn` the current connection (closing the one it replaces). */
  #install(conn: Conn, reconnected: boolean): void {
    const old = this.current;
    this.current = conn;
    this.#setup.describe404 = false;
    // The outage is over: its failed attempts do not lengthen the wait after the next drop.
    this.#backoff.reset();
    if (reconnected) this.#m.reconnects += 1;
    this.#m.connectedAt = conn.openedAt;
    this.#m.timeToOpenMs = conn.openedAt - this.#loopStartedAt;
    startSocketTimers(conn, this.#timerHost);
    if (old) void this.#disposeConn(old, 1000, 'replaced by a new connection');
  }

  async #joinStorageSessionNow(): Promise<void> {
    try {
      const webrtc = this.#setup.endpoints?.webrtcEndpoint;
      await this.channels.joinStorageSession({ channelArn: this.#setup.arn!, ...(webrtc ? { webrtcEndpoint: webrtc } : {}) });
    } catch (error) {
      this.#reportError(toSignalingError(error));
    }
  }

  /** Closes a connection we are done with, after the service confirmed what was written to it. */
  async #disposeConn(conn: Conn, code: number, reason: string): Promise<void> {
    this.#stopConnTimers(conn);
    await this.#outbox.drain(conn, 1000);
    await conn.socket.close(code, reason);
    this.#outbox.releaseUnconfirmed(conn);
  }

  #stopConnTimers(conn: Conn): void {
    stopSocketTimers(conn);
    this.#outbox.stopPacing(conn);
  }

  /**
   * A socket whose keepalive expired is replaced but not closed: it is read until the service
   * closes it (which it does when the replacement arrives), for at most the queue's age limit
   * (the channel's message TTL). A stalled service (a frozen process, a network path that
   * heals) may still relay frames into it when it resumes, before it learns the socket is
   * gone: closing it at once lost them, with their senders told they were sent. Frames that
   * arrive twice this way are dropped by the duplicate check; its pongs confirm what we wrote
   * to it. Nothing more is written to it, and its GO_AWAY or RECONNECT_ICE_SERVER is ignored.
   */
  #retire(conn: Conn): void {
    this.#retired.add(conn);
    conn.retiredTimer = setTimeout(() => this.#endRetired(conn, 4000, 'keepalive timeout'), this.#outbox.maxAgeMs);
  }

  /** Stops reading a retired socket: the service closed it, the bound passed, or the client closes. */
  #endRetired(conn: Conn, code?: number, reason?: string): Promise<void> {
    if (!this.#retired.delete(conn)) return Promise.resolve();
    clearTimeout(conn.retiredTimer);
    conn.late = [];
    return code === undefined ? Promise.resolve() : conn.socket.close(code, reason);
  }

  #onConnClosed(conn: Conn, code: number, reason: string, retired = false): void {
    this.#stopConnTimers(conn);
    const wasCurrent = this.current === conn;
    if (wasCurrent) this.current = undefined;
    this.#outbox.releaseUnconfirmed(conn, retired);
    if (wasCurrent && this.#state === 'open') {
      this.#log.info(`connection closed (${code}${reason ? ` ${reason}` : ''})`, { code, willReconnect: this.#reconnect.enabled });
    }
    // An old socket after a swap, or one closing with the client, changes nothing (the machine
    // knows the current socket's id); during a replacement the close is held.
    this.#dispatch({ type: 'dropped', connId: conn.id, code, reason, openedAt: conn.openedAt, now: Date.now(), reconnect: this.#reconnect.enabled });
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
  getPendingIceCandidates(senderClientId?: string): IceCandidateInit[] {
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
      if (this.#shown === 'closing' || this.#shown === 'closed') {
        throw new SignalingError('CLIENT_CLOSED', `${label}: the client is closed`);
      }
      if (this.#shown === 'idle') throw new SignalingError('NOT_OPEN', `${label}: call connect() first`);
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
    if (this.#shown === 'closing' || this.#shown === 'closed') throw new SignalingError('CLIENT_CLOSED', 'getIceServers(): the client is closed');
    return this.iceServers.get(options);
  }

}
