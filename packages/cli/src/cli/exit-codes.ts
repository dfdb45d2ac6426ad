/**
 * Exit codes of the `kvs-sig` command. Scripts can branch on them; they are
 * documented in `kvs-sig --help` and the README, and never renumbered.
 * @packageDocumentation
 */
import { classifyServiceError, isSignalingError, type ServiceErrorClass } from '@kvs-sig/core';

/** @public */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** An unexpected failure (a bug, a malformed service reply, or an error outside the categories below). */
  FAILURE: 1,
  /** Bad command line: unknown command or flag, missing or invalid argument. */
  USAGE: 2,
  /** Configuration: no region, no credentials, unreadable CA file, emulator package missing. */
  CONFIG: 3,
  /** The service said the resource does not exist (`ResourceNotFoundException`). */
  NOT_FOUND: 4,
  /** Any other service error (`InvalidArgumentException`, `ResourceInUseException`, throttling, 5xx...). */
  SERVICE: 5,
  /** Network: connection refused or reset, TLS failure, timeout, WebSocket closed. */
  NETWORK: 6,
  /** Authentication or authorisation refused (`AccessDeniedException`, bad signature, expired token, clock skew). */
  AUTH: 7,
  /** Interrupted (Ctrl-C) before a one-shot command finished. */
  INTERRUPTED: 130,
} as const;

/** @public */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per code for `--help`. @internal */
export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected failure (or a malformed service reply)
  2  usage error (unknown command or flag, bad argument)
  3  configuration (no region or credentials, unreadable --ca, emulator not installed)
  4  not found (ResourceNotFoundException)
  5  other service error (InvalidArgument, ResourceInUse, ClientLimitExceeded, 5xx...)
  6  network (refused, TLS, timeout, connection closed)
  7  authentication/authorisation (AccessDenied, bad signature, expired credentials)
  130 interrupted`;

/** Service error classes (core's one table) that mean "authentication or authorisation". */
const AUTH_CLASSES: ReadonlySet<ServiceErrorClass> = new Set<ServiceErrorClass>(['credentials', 'access-denied', 'clock-skew']);

/** A usage error of the command line. @internal */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A configuration error found by the CLI itself (not the SDK). @internal */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Maps any thrown value to its exit code. @public */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof UsageError) return ExitCode.USAGE;
  if (error instanceof ConfigError) return ExitCode.CONFIG;
  if (!isSignalingError(error)) {
    // The AWS credential chain throws its own errors when nothing is configured.
    const name = (error as { name?: unknown })?.name;
    if (name === 'CredentialsProviderError' || name === 'ProviderError') return ExitCode.CONFIG;
    return ExitCode.FAILURE;
  }
  // A ProtocolError is a reply that broke the service contract (core's response parsers raise
  // them), never the user's input, whatever its code's name suggests (INVALID_CHANNEL_NAME is a
  // name in a DescribeSignalingChannel reply); a malformed ServiceError reply is one too.
  if (isSignalingError(error, 'ProtocolError')) return ExitCode.FAILURE;
  const e = error as { code: string; errorType?: unknown; httpStatus?: unknown };
  switch (e.code) {
    // The ValidationError codes the user's own arguments raise.
    case 'BAD_PARAM':
    case 'MESSAGE_TOO_LARGE':
      return ExitCode.USAGE;
    case 'INVALID_CONFIGURATION':
    case 'INSECURE_ENDPOINT':
    case 'MISSING_CREDENTIALS':
    case 'CREDENTIALS_PROVIDER_FAILED':
    case 'TRANSPORT_UNAVAILABLE':
      return ExitCode.CONFIG;
    case 'CLOCK_SKEW':
      return ExitCode.AUTH;
    case 'CONNECTION_FAILED':
    case 'CONNECTION_CLOSED':
    case 'TIMEOUT':
      return ExitCode.NETWORK;
    case 'ABORTED':
      return ExitCode.INTERRUPTED;
    default:
      break;
  }
  if (typeof e.errorType === 'string') {
    const cls = classifyServiceError(error);
    if (cls === 'not-found') return ExitCode.NOT_FOUND;
    if (AUTH_CLASSES.has(cls)) return ExitCode.AUTH;
    return ExitCode.SERVICE;
  }
  return ExitCode.FAILURE;
}
