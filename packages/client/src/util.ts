/**
 * Small helpers the client's modules share: running user callbacks and
 * turning anything thrown into a {@link SignalingError}.
 * @packageDocumentation
 */

import { SignalingError, isSignalingError } from '@kvs-sig/core';
import { describe } from './transport';

/** Runs a possibly-sync, possibly-throwing user callback as a promise. @internal */
export async function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  return fn();
}

/** `error` as a SignalingError (an unknown failure becomes a retryable `CONNECTION_FAILED`). @internal */
export function toSignalingError(error: unknown): SignalingError {
  if (isSignalingError(error)) return error;
  return new SignalingError('CONNECTION_FAILED', describe(error), { cause: error, retryable: true });
}
