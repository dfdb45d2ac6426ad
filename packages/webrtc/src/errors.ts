/**
 * The session layer's errors: one class, stable codes, a `Symbol.for` brand
 * (as the client's errors have), so two copies of the package still match.
 * @packageDocumentation
 */

/**
 * Every code a session error carries, with its meaning. Codes are never renamed.
 * @public
 */
export const SessionErrorCodes = {
  INVALID_OPTIONS: 'An option is missing or wrong; `field` names it',
  NO_PEER_CONNECTION: 'No RTCPeerConnection constructor: pass `RTCPeerConnection`',
  OFFER_UNANSWERED: 'Every offer went unanswered: the master is offline or refuses this viewer',
  ICE_FAILED: 'The peer connection failed and every ICE restart failed too',
  NEGOTIATION_FAILED: 'Creating or applying a description failed',
  SENDER_FAILED: 'A video sender switched off and on for a key frame after the connection came back could not be switched on again; `cause` has the stack error',
  SIGNALING_FAILED: 'The signaling client failed or closed, so the session cannot connect',
  VIEWER_LIMIT: 'The master already serves `maxViewers` viewers',
  PEER_REPLACED: 'A newer offer from the same viewer replaced this peer',
  NOT_CONNECTED: 'The call needs a peer connection: call connect() first',
  SESSION_CLOSED: 'The session was closed',
  STORAGE_NOT_ENABLED: "Storage session: the channel's media storage is not ENABLED (DescribeMediaStorageConfiguration, or the service refused JoinStorageSession for it)",
  STORAGE_NO_TURN: 'Storage session: no TURN server in the channel ICE servers or `configuration.iceServers` (the media server needs one)',
  STORAGE_TRACKS: 'Storage session: the master does not send both a video (H.264) and an audio (Opus) track, or its answer did not negotiate them',
  STORAGE_JOIN_FAILED: 'Storage session: JoinStorageSession (or DescribeMediaStorageConfiguration) failed in a way retries cannot fix; `cause` has the service error',
  STORAGE_NO_OFFER: 'Storage session: the media server sent no offer after every JoinStorageSession of a cycle; the next signaling open tries again',
} as const;

/** @public */
export type SessionErrorCode = keyof typeof SessionErrorCodes;

const BRAND = Symbol.for('kvs-sig.session-error');

/** Options of {@link SessionError}. @public */
export interface SessionErrorOptions {
  cause?: unknown;
  /** The option at fault (`INVALID_OPTIONS`). */
  field?: string;
  /** The viewer concerned (master side). */
  clientId?: string;
}

/**
 * What every session method rejects with and every `error` event carries.
 * Check with {@link isSessionError}; a signaling failure is its `cause`.
 * @public
 */
export class SessionError extends Error {
  readonly code: SessionErrorCode;
  readonly field: string | undefined;
  readonly clientId: string | undefined;

  constructor(code: SessionErrorCode, message: string, options: SessionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionError';
    this.code = code;
    this.field = options.field;
    this.clientId = options.clientId;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain description (stack omitted). */
  toJSON(): Record<string, unknown> {
    const cause = this.cause as { toJSON?: () => unknown; message?: string } | undefined;
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.clientId !== undefined ? { clientId: this.clientId } : {}),
      ...(cause !== undefined ? { cause: typeof cause.toJSON === 'function' ? cause.toJSON() : String(cause.message ?? cause) } : {}),
    };
  }
}

/** True for any {@link SessionError}, from any copy of this package. @public */
export function isSessionError(value: unknown): value is SessionError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** @internal */
export function invalid(field: string, message: string): SessionError {
  return new SessionError('INVALID_OPTIONS', `${field}: ${message}`, { field });
}
