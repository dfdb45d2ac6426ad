/**
 * The fault-injection API ({@link Emulator.faults}): checks each call's
 * arguments and sets the fault state the HTTP routes and the WebSocket
 * handshake read.
 * @packageDocumentation
 */

import { invalidOption } from './options';
import type { MediaServer } from './media-server';
import type { SignalingHub } from './signaling';
import { INTERNAL_FAILURE, THROTTLED, isOperation, type Clock, type FaultState } from './state';
import type { ConnectionFilter, EmulatorFaults, InjectedError, Operation } from './types';

/** The fault API over this emulator's fault state, clock and connections. @internal */
export function createFaultApi(faults: FaultState, clock: Clock, hub: SignalingHub, mediaServer: MediaServer): EmulatorFaults {
  return {
    setLatency(ms, operations) {
      nonNegative('ms', ms);
      if (operations === undefined) {
        faults.latencyMs = ms;
        return;
      }
      for (const op of operations) faults.latencyByOperation.set(checkOperation(op), ms);
    },
    failNext(operation, count, error) {
      faults.queueFailure(checkOperation(operation), checkCount(count), { ...INTERNAL_FAILURE, ...stripUndefined(error) });
    },
    throttleNext(operation, count) {
      faults.queueFailure(checkOperation(operation), checkCount(count), THROTTLED);
    },
    refuseHandshake(count, opts = {}) {
      if (opts.role !== undefined && opts.role !== 'MASTER' && opts.role !== 'VIEWER') throw invalidOption('role', 'must be MASTER or VIEWER');
      faults.queueRefusal(checkCount(count), opts.status ?? INTERNAL_FAILURE.status, opts.errorType ?? INTERNAL_FAILURE.errorType, opts.role);
    },
    dropConnections: (filter?: ConnectionFilter) => hub.dropConnections(filter),
    goAway: (filter?: ConnectionFilter) => hub.goAway(filter),
    reconnectIceServer: (filter?: ConnectionFilter) => hub.reconnectIceServer(filter),
    setClockOffset(ms) {
      clock.offsetMs = finite('ms', ms);
    },
    dropStorageOffers(count) {
      mediaServer.offersToDrop = checkCount(count);
    },
    reset() {
      faults.reset();
      clock.offsetMs = 0;
      mediaServer.offersToDrop = 0;
    },
  };
}

function checkOperation(op: unknown): Operation {
  if (!isOperation(op)) throw invalidOption('operation', `is not a known operation: ${String(op)}`);
  return op;
}

function checkCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw invalidOption('count', `must be a positive integer, got ${String(count)}`);
  return count;
}

/** @internal */
export function nonNegative(field: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw invalidOption(field, `must be a non-negative number, got ${String(ms)}`);
  return ms;
}

/** @internal */
export function finite(field: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalidOption(field, `must be a finite number, got ${String(ms)}`);
  return ms;
}

function stripUndefined(e: InjectedError | undefined): InjectedError {
  const out: InjectedError = {};
  if (e?.status !== undefined) {
    if (!Number.isInteger(e.status) || e.status < 400 || e.status > 599) throw invalidOption('error.status', 'must be an HTTP error status 400-599');
    out.status = e.status;
  }
  if (e?.errorType !== undefined) out.errorType = e.errorType;
  if (e?.message !== undefined) out.message = e.message;
  return out;
}
