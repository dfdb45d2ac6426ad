/**
 * What the HTTP routes and the WebSocket handshake share: the emulator's state
 * and the steps every request takes (wait out injected latency, take an
 * injected fault, answer a failure as the service would, record the request).
 * @packageDocumentation
 */

import { isSignalingError, type ServiceError } from '@kvs-sig/core';
import type { AdminTarget } from './admin';
import type { AuthSettings } from './auth';
import { awsError } from './aws-errors';
import type { ChannelStore } from './channels';
import type { OperationContext } from './operations';
import type { SignalingHub } from './signaling';
import { INTERNAL_FAILURE, type Clock, type FaultState, type Log } from './state';
import type { Operation, RequestRecord } from './types';

/** One running emulator, as its request handlers see it. @internal */
export interface RequestContext {
  readonly clock: Clock;
  readonly log: Log;
  readonly logger: (line: string) => void;
  readonly faults: FaultState;
  readonly auth: AuthSettings;
  readonly store: ChannelStore;
  readonly hub: SignalingHub;
  /** What the operation handlers are given (origins filled in once listening). */
  readonly operations: OperationContext;
  readonly scheme: 'http' | 'https';
  readonly wsScheme: 'ws' | 'wss';
  /** True once `close()` has begun: nothing more is recorded. */
  closed(): boolean;
  /** Waits `ms` (injected latency); `close()` ends every wait at once. */
  sleep(ms: number): Promise<void>;
  /** What the admin routes act on. */
  admin(): AdminTarget;
}

export function recordRequest(c: RequestContext, entry: Omit<RequestRecord, 'durationMs' | 'status'>, started: number, status: number): void {
  const durationMs = performance.now() - started;
  c.log.addRequest({ ...entry, status, durationMs });
  c.logger(
    `${entry.operation} ${status}${entry.errorType ? ` ${entry.errorType}` : ''} ${durationMs.toFixed(1)}ms${entry.channelArn ? ` ${entry.channelArn}` : ''}`,
  );
}

export function toServiceError(c: RequestContext, err: unknown, what: string): ServiceError {
  if (isSignalingError(err, 'ServiceError')) return err;
  // A bug in a handler must not take the server down; answer like the service's 5xx.
  c.logger(`${what}: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return awsError(INTERNAL_FAILURE.errorType, INTERNAL_FAILURE.message, INTERNAL_FAILURE.status);
}

export function injectedFault(c: RequestContext, operation: Operation): ServiceError | undefined {
  const e = c.faults.takeFailure(operation);
  return e ? awsError(e.errorType, e.message, e.status) : undefined;
}
