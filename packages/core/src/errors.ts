/**
 * The SDK's one error hierarchy.
 *
 * ```
 * SignalingError            code, message, cause, retryable
 * ├─ ValidationError        bad caller input (names the field)
 * ├─ ProtocolError          a reply or frame that breaks the contract
 * ├─ ServiceError           the service's own error: errorType, httpStatus, requestId
 * ├─ TransportError         network / WebSocket failure: closeCode, closeReason
 * ├─ TimeoutError
 * └─ AbortError
 * ```
 *
 * Identity is checked with {@link isSignalingError} (a `Symbol.for` brand), so two
 * copies of this package, or errors from another realm, still match.
 * Messages and `toJSON()` pass through {@link redactSecrets}.
 *
 * @packageDocumentation
 */

/**
 * Every error code the SDK produces, with its meaning. Codes are never renamed.
 * The first group mirrors `SignalingResult_t` of the C library
 * `amazon-kinesis-video-streams-signaling` (without the `SIGNALING_RESULT_` prefix).
 * @public
 */
export const ErrorCodes = {
  // Mirrors of the C library's result codes.
  BAD_PARAM: 'An input is missing or does not meet the service constraints',
  INVALID_JSON: 'The reply is not valid JSON, or is empty where content is required',
  UNEXPECTED_RESPONSE: 'The reply is valid JSON but not of the expected shape',
  INVALID_TTL: 'A TTL is not an integer in its allowed range',
  INVALID_PROTOCOL: 'An endpoint protocol is not WSS, HTTPS or WEBRTC',
  INVALID_CHANNEL_NAME: 'A channel name is too long or has characters the service rejects',
  INVALID_CHANNEL_TYPE: 'A channel type is not SINGLE_MASTER',
  INVALID_ICE_SERVER_URIS_COUNT: 'An ICE server lists more URIs than allowed',
  INVALID_STATUS_RESPONSE: 'A STATUS_RESPONSE frame carries an empty statusResponse',
  ACCESS_KEY_LENGTH_TOO_LARGE: 'The IoT accessKeyId is too long',
  SECRET_ACCESS_KEY_LENGTH_TOO_LARGE: 'The IoT secretAccessKey is too long',
  SESSION_TOKEN_LENGTH_TOO_LARGE: 'The IoT sessionToken is too long',
  EXPIRATION_LENGTH_TOO_LARGE: 'The IoT expiration is too long',
  // Codes of the SDK itself.
  MESSAGE_TOO_LARGE: 'A message payload exceeds the service size limit',
  FRAME_TOO_LARGE: 'The service sent a frame beyond its own message size limit (or beyond what the WebSocket accepts)',
  INVALID_BASE64: 'A payload is not valid base64, or not UTF-8 JSON once decoded',
  INVALID_CONFIGURATION: 'Options that cannot work together, or a missing region/endpoint',
  INSECURE_ENDPOINT: 'An http:// or ws:// endpoint was given without allowing it (loopback only)',
  SERVICE_ERROR: 'The service answered with an error (see errorType and httpStatus)',
  MISSING_CREDENTIALS: 'Credentials are missing a required field',
  CREDENTIALS_PROVIDER_FAILED: 'The credentials provider threw or returned nothing',
  CLOCK_SKEW: 'The signature was refused as expired or not yet current',
  TRANSPORT_UNAVAILABLE: 'No fetch or WebSocket implementation is available in this runtime',
  CONNECTION_FAILED: 'A network request or WebSocket handshake failed',
  CONNECTION_CLOSED: 'The WebSocket closed unexpectedly',
  TIMEOUT: 'An operation did not finish in time',
  ABORTED: 'The operation was aborted by its AbortSignal',
  NOT_OPEN: 'The client is not open and cannot queue this send',
  QUEUE_FULL: 'The outbound queue is full',
  MESSAGE_EXPIRED: 'A queued message outlived the channel message TTL before it could be sent',
  DELIVERY_UNCONFIRMED: 'A message was written to a connection that was lost before the service confirmed reading it, and was not confirmed within the channel message TTL: it may or may not have been delivered',
  CLIENT_CLOSED: 'The client was closed',
  DELIVERY_FAILED: 'The service reported that a message could not be delivered',
} as const;

/** @public */
export type ErrorCode = keyof typeof ErrorCodes;

/** The classes of the hierarchy. @public */
export type ErrorClassName = 'SignalingError' | 'ValidationError' | 'ProtocolError' | 'ServiceError' | 'TransportError' | 'TimeoutError' | 'AbortError';

/**
 * The one class each code comes with, wherever it is raised: code a caller
 * switches on always means the same kind of failure. The constructors accept
 * only their own codes (checked by the compiler).
 * @public
 */
export const ErrorCodeClasses = {
  BAD_PARAM: 'ValidationError',
  INVALID_JSON: 'ProtocolError',
  UNEXPECTED_RESPONSE: 'ProtocolError',
  INVALID_TTL: 'ProtocolError',
  INVALID_PROTOCOL: 'ProtocolError',
  INVALID_CHANNEL_NAME: 'ProtocolError',
  INVALID_CHANNEL_TYPE: 'ProtocolError',
  INVALID_ICE_SERVER_URIS_COUNT: 'ProtocolError',
  INVALID_STATUS_RESPONSE: 'ProtocolError',
  ACCESS_KEY_LENGTH_TOO_LARGE: 'ProtocolError',
  SECRET_ACCESS_KEY_LENGTH_TOO_LARGE: 'ProtocolError',
  SESSION_TOKEN_LENGTH_TOO_LARGE: 'ProtocolError',
  EXPIRATION_LENGTH_TOO_LARGE: 'ProtocolError',
  MESSAGE_TOO_LARGE: 'ValidationError',
  FRAME_TOO_LARGE: 'ProtocolError',
  INVALID_BASE64: 'ProtocolError',
  INVALID_CONFIGURATION: 'ValidationError',
  INSECURE_ENDPOINT: 'ValidationError',
  SERVICE_ERROR: 'ServiceError',
  MISSING_CREDENTIALS: 'ValidationError',
  CREDENTIALS_PROVIDER_FAILED: 'SignalingError',
  CLOCK_SKEW: 'ServiceError',
  TRANSPORT_UNAVAILABLE: 'SignalingError',
  CONNECTION_FAILED: 'TransportError',
  CONNECTION_CLOSED: 'TransportError',
  TIMEOUT: 'TimeoutError',
  ABORTED: 'AbortError',
  NOT_OPEN: 'SignalingError',
  QUEUE_FULL: 'SignalingError',
  MESSAGE_EXPIRED: 'SignalingError',
  CLIENT_CLOSED: 'SignalingError',
  DELIVERY_FAILED: 'ServiceError',
  DELIVERY_UNCONFIRMED: 'SignalingError',
} as const satisfies Record<ErrorCode, ErrorClassName>;

/** The codes that belong to class `C` (see {@link ErrorCodeClasses}). @public */
export type ErrorCodeOf<C extends ErrorClassName> = { [K in ErrorCode]: (typeof ErrorCodeClasses)[K] extends C ? K : never }[ErrorCode];

/**
 * A rule where core's builders refuse input that the service model accepts
 * (`BAD_PARAM`, naming `field`). Everywhere else the builders accept exactly
 * what the models (kinesisvideo 2017-09-30, kinesis-video-signaling 2019-12-04,
 * kinesis-video-webrtc-storage 2018-05-10) accept.
 * @public
 */
export interface StricterThanModel {
  /** Operations the rule applies to. */
  readonly operations: readonly string[];
  /** The input field core names in its refusal. */
  readonly field: string;
  readonly rule: string;
  readonly why: string;
}

/** Every place core is deliberately stricter than the service model, and why. @public */
// Pure: a page that never reads the table drops it (a call is kept by bundlers unless marked).
export const STRICTER_THAN_MODEL: readonly StricterThanModel[] = /* @__PURE__ */ Object.freeze([
  {
    operations: [
      'DescribeSignalingChannel', 'UpdateSignalingChannel', 'DeleteSignalingChannel', 'GetSignalingChannelEndpoint',
      'DescribeMediaStorageConfiguration', 'UpdateMediaStorageConfiguration', 'GetIceServerConfig', 'SendAlexaOfferToMaster',
      'JoinStorageSession', 'JoinStorageSessionAsViewer',
    ],
    field: 'channelArn',
    rule: "the ARN's resource type is 'channel'",
    why: "The models' ARN pattern takes any resource type ([a-z]+). Any other type where a channel is meant can only end in ResourceNotFoundException, and the C-SDK checks for 'channel/' too.",
  },
  {
    operations: ['DescribeSignalingChannel', 'DescribeMediaStorageConfiguration'],
    field: 'channelName',
    rule: 'exactly one of channelName and channelArn',
    why: 'Both are optional in the model, but the service refuses a request with neither, and with both core could not tell that they name the same channel.',
  },
  {
    operations: ['UpdateMediaStorageConfiguration'],
    field: 'streamArn',
    rule: "streamArn is required when status is 'ENABLED'",
    why: 'The model leaves StreamARN optional; the service refuses ENABLED without a stream to store into.',
  },
  {
    operations: ['CreateSignalingChannel'],
    field: 'tags[i].key',
    rule: 'tag keys are distinct',
    why: "The model's TagOnCreateList allows a key twice; the later value would silently replace the earlier one.",
  },
]);

const BRAND = Symbol.for('kvs-sig.error');

/**
 * Removes secrets from text: SigV4 signatures, credentials and session tokens in
 * URLs and headers, and `secretAccessKey`/`sessionToken` JSON members.
 * @public
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"'<>]*/gi, '$1[REDACTED]')
    .replace(/((?:x-amz-security-token|x-amz-signature)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^"',&\s}]+/gi, '$1[REDACTED]')
    .replace(/(Signature=)[0-9a-f]{16,}/gi, '$1[REDACTED]')
    // Stops at '&' and skips values already redacted, so the rest of a URL survives.
    .replace(/(Credential=)(?!\[REDACTED\])[^,&\s"']+/gi, '$1[REDACTED]')
    .replace(/("?(?:secretAccessKey|sessionToken|SecretAccessKey|SessionToken|password|credential)"?\s*[:=]\s*)"(?:[^"\\]|\\.)*"/g, '$1"[REDACTED]"');
}

/** Options shared by every error constructor. @public */
export interface SignalingErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

/**
 * Base class of every error the SDK throws or emits.
 * @public
 */
export class SignalingError extends Error {
  /** Stable machine-readable code; see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** Whether the same call may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(code: ErrorCodeOf<'SignalingError'>, message: string, options: SignalingErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain, secret-free description (stack omitted). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) out[k] = v;
    out.name = this.name;
    out.code = this.code;
    out.message = this.message;
    out.retryable = this.retryable;
    if (this.cause !== undefined) out.cause = describeCause(this.cause);
    // Redact value by value: redacting the serialised text could swallow the
    // backslash of an escaped quote next to a secret and leave invalid JSON.
    return redactJson(toPlain(out)) as Record<string, unknown>;
  }

  /**
   * What `console.log(err)` / `util.inspect(err)` prints, redacted: Node's own
   * rendering shows `cause` and own fields as they are, and a wrapped socket
   * error or cause string may quote a presigned URL.
   */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: Record<string, unknown>, inspect?: (value: unknown, options?: Record<string, unknown>) => string): string {
    if (typeof inspect !== 'function') return redactSecrets(this.stack ?? `${this.name}: ${this.message}`);
    return redactSecrets(inspect(this, { ...options, customInspect: false }));
  }
}

// A JSON-safe copy (what JSON.stringify would keep); values it cannot serialise are dropped.
function toPlain(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  } catch {
    if (typeof value !== 'object' || value === null) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
    }
    return out;
  }
}

const SECRET_KEY = /^(?:secretAccessKey|sessionToken|password|credential|x-amz-security-token|x-amz-signature|authorization)$/i;

function redactJson(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? '[REDACTED]' : redactJson(v);
  return out;
}

function describeCause(cause: unknown): unknown {
  if (isSignalingError(cause)) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: redactSecrets(cause.message) };
  if (typeof cause === 'string') return redactSecrets(cause);
  return undefined;
}

/** Each class name of the hierarchy and its type (see {@link isSignalingError}). @public */
export interface ErrorClasses {
  SignalingError: SignalingError;
  ValidationError: ValidationError;
  ProtocolError: ProtocolError;
  ServiceError: ServiceError;
  TransportError: TransportError;
  TimeoutError: TimeoutError;
  AbortError: AbortError;
}

/**
 * True for any error of this hierarchy, from any copy of the package (a
 * `Symbol.for` brand, where `instanceof` would fail across two copies or
 * realms). With `cls`, true only for that class: the class of a branded error
 * is the one its code belongs to ({@link ErrorCodeClasses}).
 * @example `if (isSignalingError(e, 'ServiceError') && e.httpStatus === 404) …`
 * @public
 */
export function isSignalingError<C extends ErrorClassName = 'SignalingError'>(value: unknown, cls?: C): value is ErrorClasses[C] {
  if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) return false;
  if (cls === undefined || cls === 'SignalingError') return true;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(ErrorCodeClasses, code) && ErrorCodeClasses[code as ErrorCode] === cls;
}

/** The caller passed something the service (or the SDK) would reject. @public */
export class ValidationError extends SignalingError {
  /** The offending input field, e.g. `channelName` or `tags[3].key`. */
  readonly field: string;
  constructor(field: string, message: string, code: ErrorCodeOf<'ValidationError'> = 'BAD_PARAM', options?: SignalingErrorOptions) {
    super(code as ErrorCodeOf<'SignalingError'>, `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A reply or frame from the service that breaks the protocol contract. @public */
export class ProtocolError extends SignalingError {
  constructor(code: ErrorCodeOf<'ProtocolError'>, message: string, options?: SignalingErrorOptions) {
    super(code as ErrorCodeOf<'SignalingError'>, message, options);
  }
}

/** Fields of a {@link ServiceError}. @public */
export interface ServiceErrorDetails {
  /** The exception name, e.g. `ResourceNotFoundException`. */
  errorType: string;
  httpStatus: number;
  requestId?: string;
  retryable?: boolean;
  cause?: unknown;
}

/** The service's own error reply (HTTP status >= 400, a refused handshake, or a failed STATUS_RESPONSE). @public */
export class ServiceError extends SignalingError {
  readonly errorType: string;
  readonly httpStatus: number;
  readonly requestId: string | undefined;
  constructor(message: string, details: ServiceErrorDetails, code: ErrorCodeOf<'ServiceError'> = 'SERVICE_ERROR') {
    super(code as ErrorCodeOf<'SignalingError'>, `${details.errorType} (${details.httpStatus}): ${message}`, {
      cause: details.cause,
      retryable: details.retryable ?? false,
    });
    this.errorType = details.errorType;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
  }
}

/** Fields of a {@link TransportError}. @public */
export interface TransportErrorDetails extends SignalingErrorOptions {
  closeCode?: number;
  closeReason?: string;
}

/** A network or WebSocket failure. @public */
export class TransportError extends SignalingError {
  readonly closeCode: number | undefined;
  readonly closeReason: string | undefined;
  constructor(code: ErrorCodeOf<'TransportError'>, message: string, details: TransportErrorDetails = {}) {
    super(code as ErrorCodeOf<'SignalingError'>, message, { retryable: true, ...details });
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
  }
}

/** An operation that did not finish within its time limit. @public */
export class TimeoutError extends SignalingError {
  constructor(message: string, options: SignalingErrorOptions = {}) {
    super('TIMEOUT' as ErrorCodeOf<'SignalingError'>, message, { retryable: true, ...options });
  }
}

/** An operation stopped by its AbortSignal. @public */
export class AbortError extends SignalingError {
  constructor(message = 'The operation was aborted', options: SignalingErrorOptions = {}) {
    super('ABORTED' as ErrorCodeOf<'SignalingError'>, message, options);
  }
}
