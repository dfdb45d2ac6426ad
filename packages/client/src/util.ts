/**
 * Small helpers the client's modules share: running user callbacks and
 * turning anything thrown into a {@link SignalingError}.
 * @packageDocumentation
 */

import { TransportError, isSignalingError, type SignalingError } from '@kvs-sig/core';
import { describe } from './transport';

/** Runs a possibly-sync, possibly-throwing user callback as a promise. @internal */
export async function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  return fn();
}

/** `error` as a SignalingError (an unknown failure becomes a retryable `CONNECTION_FAILED`). @internal */
export function toSignalingError(error: unknown): SignalingError {
  if (isSignalingError(error)) return error;
  return new TransportError('CONNECTION_FAILED', describe(error), { cause: error });
}

/**
 * Every ICE server a reply or an offer lists: core's default cap of 5 is the C
 * SDK's array size, and RTCPeerConnection takes more. One shared object, so the
 * inbox's per-frame parse allocates none. @internal
 */
export const KEEP_EVERY_ICE_SERVER = { maxIceServers: Infinity } as const;
