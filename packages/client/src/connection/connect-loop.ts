/**
 * The connect loop: wait (backoff, or the user's `reconnect.strategy`), attempt, and on a
 * failure route it (decide.ts) and tell the machine (machine.ts). One loop runs per machine
 * loop id; its events carry that id, so a loop the machine has moved past changes nothing.
 * @packageDocumentation
 */
import { TransportError, ValidationError, type SignalingError } from '@kvs-sig/core';
import { sleep } from '../abort';
import type { Backoff } from '../backoff';
import type { ChannelSetup } from '../channel-setup';
import type { ReconnectPolicy } from '../client-options';
import { describe, toSignalingError } from '../errors';
import type { SafeLogger } from '../logger';
import { badOption } from '../option-checks';
import type { RetryContext } from '../reconnect-options';
import type { SignalingClientEvents } from '../types';
import { decide, type Decision } from './decide';
import type { ConnContext, ConnEvent } from './machine';

/** What an opened socket must offer the loop. */
export interface LoopSocket {
  id: number;
  socket: { close(code: number, reason: string): unknown };
}

/** The client as the loop sees it. */
export interface ConnectLoopHost<C extends LoopSocket> {
  readonly reconnect: ReconnectPolicy;
  readonly backoff: Backoff;
  readonly setup: ChannelSetup;
  readonly log: SafeLogger;
  /** The machine's context now. */
  context(): ConnContext;
  /** One machine step with what its effects act on. */
  dispatch(event: ConnEvent, input: { error?: SignalingError; conn?: C }): void;
  emitReconnecting(event: SignalingClientEvents['reconnecting']): void;
  /** One attempt: resolve, sign, open. */
  attempt(loopId: number, signal: AbortSignal): Promise<C>;
}

export interface LoopRun {
  loopId: number;
  reason: string;
  /** A live socket serves meanwhile (make-before-break): no first wait. */
  replacing: boolean;
  signal: AbortSignal;
  /** What ended the previous connection, when one did (the retry strategy sees it). */
  cause: SignalingError | undefined;
}

/** Runs one connect loop until a socket opens, it gives up, or `signal` aborts. */
export async function runConnectLoop<C extends LoopSocket>(host: ConnectLoopHost<C>, run: LoopRun): Promise<void> {
  const { loopId, replacing, signal } = run;
  let failures = 0;
  let retries = 0;
  let lastError: SignalingError | undefined = run.cause;
  let last: Decision | undefined;
  let why = run.reason;
  for (;;) {
    if (signal.aborted) return;
    // A replacement starts at once (inside the GO_AWAY grace); a first connect too.
    const waitFirst = failures > 0 || (host.context().everOpened && !replacing);
    if (waitFirst) {
      const immediate = failures > 0 && last !== undefined && last.atOnce;
      const builtIn = immediate ? 0 : Math.max(host.backoff.next(), last?.leastDelayMs ?? 0);
      const error = lastError ?? new TransportError('CONNECTION_CLOSED', why);
      retries += 1;
      const decision = retryDelay(host.reconnect, host.log, { attempt: retries, error, reason: why, defaultDelayMs: builtIn });
      if (typeof decision !== 'number') {
        host.dispatch({ type: 'stopped', loopId }, { error: decision });
        return;
      }
      const event: SignalingClientEvents['reconnecting'] = { attempt: failures + 1, delayMs: decision, reason: why };
      if (lastError) event.error = lastError;
      host.emitReconnecting(event);
      try {
        await sleep(decision, signal);
      } catch {
        return;
      }
    }
    try {
      const conn = await host.attempt(loopId, signal);
      if (signal.aborted) {
        void conn.socket.close(1000, 'aborted');
        return;
      }
      host.dispatch({ type: 'opened', loopId, connId: conn.id }, { conn });
      return;
    } catch (error) {
      if (signal.aborted) return;
      const err = toSignalingError(error);
      failures += 1;
      lastError = err;
      why = err.message;
      const ctx = host.context();
      const d = decide(err, {
        everOpened: ctx.everOpened,
        byName: host.setup.byName,
        describe404: host.setup.describe404,
        authFailures: ctx.authFailures,
        skewRetries: ctx.skewRetries,
      });
      last = d;
      if (d.dropCache) host.setup.dropCache();
      if (d.reResolveEndpoint) host.setup.reResolveEndpoint();
      host.log.info(`connection attempt ${failures} failed: ${err.message}`, { code: err.code, fatal: d.giveUp });
      const { enabled, maxAttempts, maxConnectAttempts } = host.reconnect;
      const budget = ctx.everOpened ? maxAttempts : Math.min(maxAttempts, maxConnectAttempts);
      const giveUp = d.giveUp || !enabled || failures >= budget;
      // Every failed attempt shows (an `error` event), before the first open too (a full
      // channel, a control plane that does not resolve): not only in `reconnecting` events.
      // Before the first open the last error is also what connect() rejects with.
      host.dispatch(
        { type: 'failed', loopId, giveUp, refreshCredentials: d.refreshCredentials, authFailures: d.authFailures, skewRetries: d.skewRetries },
        { error: err },
      );
      if (giveUp) return;
    }
  }
}

/**
 * The wait before a retry: the user's `reconnect.strategy` when given, else the built-in
 * backoff. @returns the delay in ms, or the error to end the client with (the strategy
 * said `false`, threw, or returned something that is not a delay).
 */
function retryDelay(reconnect: ReconnectPolicy, log: SafeLogger, context: RetryContext): number | SignalingError {
  const strategy = reconnect.strategy;
  if (strategy === undefined) return context.defaultDelayMs;
  let decided: unknown;
  try {
    decided = strategy({ ...context });
  } catch (error) {
    return new ValidationError('reconnect.strategy', `threw: ${describe(error)}`, 'INVALID_CONFIGURATION', { cause: error });
  }
  if (decided === false) {
    log.info(`reconnect.strategy ended retrying after attempt ${context.attempt - 1}: ${context.error.message}`, { code: context.error.code });
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
