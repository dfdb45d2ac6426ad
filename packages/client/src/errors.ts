/**
 * Anything thrown, as the client reports it: a short secret-free text, or a
 * {@link SignalingError} (an unknown failure becomes a retryable `CONNECTION_FAILED`).
 * @packageDocumentation
 */

import { TransportError, isSignalingError, type SignalingError } from '@kvs-sig/core';

/** A short, secret-free description of an unknown thrown value. @internal */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const extra = cause instanceof Error ? ` (${cause.message})` : '';
    return `${error.message}${extra}`;
  }
  return String(error);
}

/** `error` as a SignalingError (an unknown failure becomes a retryable `CONNECTION_FAILED`). @internal */
export function toSignalingError(error: unknown): SignalingError {
  if (isSignalingError(error)) return error;
  return new TransportError('CONNECTION_FAILED', describe(error), { cause: error });
}
