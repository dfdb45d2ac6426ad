/**
 * The CLI's pure parts: table layout, the TTY-only spinner, error lines, the
 * exit-code mapping and stdin line parsing.
 */
import { PassThrough } from 'node:stream';
import {
  AbortError,
  ErrorCodeClasses,
  isSignalingError,
  ProtocolError,
  ServiceError,
  serviceErrorClasses,
  SignalingError,
  TimeoutError,
  TransportError,
  ValidationError,
  type ErrorClassName,
  type ErrorCode,
  type ErrorCodeOf,
  type ServiceErrorClass,
} from '@kvs-sig/core';
import { parseInputLine } from '../src/cli/connect';
import { ConfigError, ExitCode, exitCodeOf, UsageError, type ExitCodeValue } from '../src/cli/exit-codes';
import { errorJson, errorLine, guardIo, inFlags, keyValues, table, withSpinner, type CliIo } from '../src/cli/output';
import { renderScreen, SPINNER_FRAME } from './helpers';

/** Both streams of a CLI run writing to one terminal screen. */
function terminal(stdoutTTY = true, stderrTTY = true) {
  let all = '';
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { isTTY: stdoutTTY, columns: 100, write: (t: string) => ((out += t), (all += t)) },
    stderr: { isTTY: stderrTTY, write: (t: string) => ((err += t), (all += t)) },
    stdin: new PassThrough(),
    env: {},
  };
  return { io: guardIo(io), screen: () => renderScreen(all), out: () => out, err: () => err };
}

const FRAME = SPINNER_FRAME;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('fits tables to the width: the widest (or named) columns shrink, cells are cut with … or wrapped; --wide keeps them whole', () => {
  expect(table(['NAME', 'TTL', 'ARN'], [['a', 60, 'arn:1'], ['longer-name', undefined, 'arn:2']])).toBe(
    'NAME         TTL  ARN\n' + 'a            60   arn:1\n' + 'longer-name  -    arn:2\n',
  );
  expect(keyValues([['name', 'x'], ['message ttl', undefined]])).toBe('name:        x\nmessage ttl: -\n');
  const long = 'x'.repeat(50);
  const rows = [[`a-${long}`, `b-${long}`]];
  const fitted = table(['ONE', 'TWO'], rows, { width: 80 });
  expect(fitted.split('\n').filter(Boolean).map((l) => l.length)).toEqual([44, 80]);
  expect(fitted).toContain(`a-${'x'.repeat(36)}…  b-${'x'.repeat(36)}…`);
  // Named columns give way first.
  expect(table(['ONE', 'TWO'], rows, { width: 60, shrinkFirst: [1] }).split('\n')[1]).toBe(`a-${long}  b-xxx…`);
  // Wrapped cells continue on the next lines, aligned under their column; breaks prefer separators.
  expect(table(['K', 'TEXT'], [['k', 'the quick brown fox jumps over the lazy dog']], { width: 20, overflow: ['truncate', 'wrap'] })).toBe(
    'K  TEXT\nk  the quick brown\n   fox jumps over\n   the lazy dog\n',
  );
  // Cells with several lines (ICE server URIs) and an unlimited width.
  expect(table(['URLS', 'USER'], [['turn:a\nturns:b', 'u']], { width: Infinity })).toBe('URLS     USER\nturn:a   u\nturns:b\n');
  expect(table(['ONE', 'TWO'], rows, { width: Infinity })).toContain(`a-${long}  b-${long}`);
});

it('never lets output share a line with the spinner, and erases it at the end', async () => {
  const t = terminal();
  await withSpinner(t.io, 'connecting', true, async () => {
    await sleep(200);
    t.io.stdout.write('{"event":"open"}\n');
    await sleep(200);
    t.io.stdout.write('{"event":"ready"}\n');
    t.io.stderr.write('kvs-sig: a warning\n');
    await sleep(200);
  });
  t.io.stdout.write('{"event":"after"}\n');
  expect(t.err()).toMatch(FRAME);
  expect(t.err()).toContain('connecting');
  // On screen: the output lines, whole, and no spinner left anywhere.
  expect(t.screen().filter(Boolean)).toEqual(['{"event":"open"}', '{"event":"ready"}', 'kvs-sig: a warning', '{"event":"after"}']);
  expect(t.out()).not.toMatch(FRAME);
});

it('shows no spinner when stdout or stderr is not a terminal, or in JSON mode', async () => {
  for (const [stdoutTTY, stderrTTY, enabled] of [[false, true, true], [true, false, true], [true, true, false]] as const) {
    const t = terminal(stdoutTTY, stderrTTY);
    expect(await withSpinner(t.io, 'working', enabled, async () => (await sleep(150), 42))).toBe(42);
    expect({ stdoutTTY, stderrTTY, enabled, err: t.err() }).toEqual({ stdoutTTY, stderrTTY, enabled, err: '' });
  }
});

it("names the CLI's flags instead of the library's options", () => {
  const untrusted = new TransportError('CONNECTION_FAILED', "ListSignalingChannels failed: the server's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); for a private CA pass tls: { ca } (Node) or install it in the trust store");
  expect(errorLine(untrusted)).toBe("CONNECTION_FAILED: ListSignalingChannels failed: the server's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); for a private CA pass its CA with --ca <file> (PEM)");
  const insecure = new ValidationError('endpoint', 'http:// refused: set allowInsecureEndpoints: true (loopback hosts only) or use a secure scheme', 'INSECURE_ENDPOINT');
  expect(errorLine(insecure)).toBe('INSECURE_ENDPOINT: --endpoint http:// refused: pass --allow-insecure (loopback hosts only) or use https://');
  expect(errorJson(insecure).message).toBe('--endpoint http:// refused: pass --allow-insecure (loopback hosts only) or use https://');
  expect(inFlags('wssEndpoint: ws:// refused: insecure endpoints are allowed only towards a loopback host')).toBe('wssEndpoint: ws:// refused: insecure endpoints are allowed only towards a loopback host');
});

it("prints the service's exception name and message, and the SDK code otherwise", () => {
  const notFound = new ServiceError('The channel is gone', { errorType: 'ResourceNotFoundException', httpStatus: 404 });
  expect(errorLine(notFound)).toBe('ResourceNotFoundException: The channel is gone');
  expect(errorLine(new TransportError('CONNECTION_FAILED', 'refused'))).toBe('CONNECTION_FAILED: refused');
  expect(errorLine(new UsageError('--role is required'))).toBe('--role is required');
  expect(errorLine(new Error('X-Amz-Signature=abcdef0123456789abcdef'))).not.toContain('abcdef0123456789');
});

it('maps errors to documented exit codes', () => {
  const svc = (errorType: string, httpStatus: number) => new ServiceError('m', { errorType, httpStatus });
  expect(exitCodeOf(new UsageError('x'))).toBe(ExitCode.USAGE);
  expect(exitCodeOf(new ConfigError('x'))).toBe(ExitCode.CONFIG);
  expect(exitCodeOf(new ValidationError('channelName', 'too long'))).toBe(ExitCode.USAGE);
  expect(exitCodeOf(new ValidationError('region', 'missing', 'INVALID_CONFIGURATION'))).toBe(ExitCode.CONFIG);
  expect(exitCodeOf(svc('ResourceNotFoundException', 404))).toBe(ExitCode.NOT_FOUND);
  expect(exitCodeOf(svc('AccessDeniedException', 403))).toBe(ExitCode.AUTH);
  expect(exitCodeOf(svc('ClientLimitExceededException', 400))).toBe(ExitCode.SERVICE);
  expect(exitCodeOf(new TimeoutError('t'))).toBe(ExitCode.NETWORK);
  expect(exitCodeOf(new ProtocolError('INVALID_JSON', 'bad'))).toBe(ExitCode.FAILURE);
  expect(exitCodeOf(Object.assign(new Error('none'), { name: 'CredentialsProviderError' }))).toBe(ExitCode.CONFIG);
  expect(exitCodeOf(new Error('bug'))).toBe(ExitCode.FAILURE);
});

/** An error of `code`, built as the class core raises it as (ErrorCodeClasses). */
function errorOfCode(code: ErrorCode, cls: ErrorClassName): SignalingError {
  switch (cls) {
    case 'ValidationError':
      return new ValidationError('field', 'refused', code as ErrorCodeOf<'ValidationError'>);
    case 'ProtocolError':
      return new ProtocolError(code as ErrorCodeOf<'ProtocolError'>, 'malformed reply');
    case 'ServiceError':
      return new ServiceError('refused', { errorType: 'InternalFailure', httpStatus: 500 }, code as ErrorCodeOf<'ServiceError'>);
    case 'TransportError':
      return new TransportError(code as ErrorCodeOf<'TransportError'>, 'closed');
    case 'TimeoutError':
      return new TimeoutError('late');
    case 'AbortError':
      return new AbortError();
    case 'SignalingError':
      return new SignalingError(code as ErrorCodeOf<'SignalingError'>, 'failed');
  }
}

// Every code core has, with its exit code. Typed over ErrorCode, so a code added to core fails
// type-checking here until someone decides its exit code.
const EXIT_BY_CODE = {
  BAD_PARAM: ExitCode.USAGE,
  MESSAGE_TOO_LARGE: ExitCode.USAGE,
  INVALID_CONFIGURATION: ExitCode.CONFIG,
  INSECURE_ENDPOINT: ExitCode.CONFIG,
  MISSING_CREDENTIALS: ExitCode.CONFIG,
  INVALID_JSON: ExitCode.FAILURE,
  UNEXPECTED_RESPONSE: ExitCode.FAILURE,
  INVALID_TTL: ExitCode.FAILURE,
  INVALID_PROTOCOL: ExitCode.FAILURE,
  INVALID_CHANNEL_NAME: ExitCode.FAILURE,
  INVALID_CHANNEL_TYPE: ExitCode.FAILURE,
  INVALID_ICE_SERVER_URIS_COUNT: ExitCode.FAILURE,
  INVALID_STATUS_RESPONSE: ExitCode.FAILURE,
  ACCESS_KEY_LENGTH_TOO_LARGE: ExitCode.FAILURE,
  SECRET_ACCESS_KEY_LENGTH_TOO_LARGE: ExitCode.FAILURE,
  SESSION_TOKEN_LENGTH_TOO_LARGE: ExitCode.FAILURE,
  EXPIRATION_LENGTH_TOO_LARGE: ExitCode.FAILURE,
  FRAME_TOO_LARGE: ExitCode.FAILURE,
  INVALID_BASE64: ExitCode.FAILURE,
  SERVICE_ERROR: ExitCode.SERVICE,
  CLOCK_SKEW: ExitCode.AUTH,
  DELIVERY_FAILED: ExitCode.SERVICE,
  CREDENTIALS_PROVIDER_FAILED: ExitCode.CONFIG,
  TRANSPORT_UNAVAILABLE: ExitCode.CONFIG,
  CONNECTION_FAILED: ExitCode.NETWORK,
  CONNECTION_CLOSED: ExitCode.NETWORK,
  TIMEOUT: ExitCode.NETWORK,
  ABORTED: ExitCode.INTERRUPTED,
  NOT_OPEN: ExitCode.FAILURE,
  QUEUE_FULL: ExitCode.FAILURE,
  MESSAGE_EXPIRED: ExitCode.FAILURE,
  CLIENT_CLOSED: ExitCode.FAILURE,
  DELIVERY_UNCONFIRMED: ExitCode.FAILURE,
} as const satisfies Record<ErrorCode, ExitCodeValue>;

const codesOfClass = (cls: ErrorClassName) =>
  (Object.entries(ErrorCodeClasses) as [ErrorCode, ErrorClassName][]).filter(([, c]) => c === cls).map(([code]) => code);

test.each(Object.entries(ErrorCodeClasses) as [ErrorCode, ErrorClassName][])('%s, raised as a %s, has its exit code', (code, cls) => {
  const error = errorOfCode(code, cls);
  expect(isSignalingError(error, cls)).toBe(true);
  expect(exitCodeOf(error)).toBe(EXIT_BY_CODE[code]);
});

test('a malformed service reply (every ProtocolError code) exits 1, never as a usage error', () => {
  const codes = codesOfClass('ProtocolError');
  expect(codes).toContain('INVALID_CHANNEL_NAME');
  for (const code of codes) expect([code, exitCodeOf(new ProtocolError(code as ErrorCodeOf<'ProtocolError'>, 'bad'))]).toEqual([code, ExitCode.FAILURE]);
});

test("usage (2) is only for the user's input: ValidationError codes, except configuration ones (3)", () => {
  const config = new Set<ErrorCode>(['INVALID_CONFIGURATION', 'INSECURE_ENDPOINT', 'MISSING_CREDENTIALS']);
  for (const code of codesOfClass('ValidationError')) {
    const error = new ValidationError('channelName', 'refused', code as ErrorCodeOf<'ValidationError'>);
    expect([code, exitCodeOf(error)]).toEqual([code, config.has(code) ? ExitCode.CONFIG : ExitCode.USAGE]);
  }
  const usage = (Object.keys(EXIT_BY_CODE) as ErrorCode[]).filter((code) => EXIT_BY_CODE[code] === ExitCode.USAGE);
  for (const code of usage) expect([code, ErrorCodeClasses[code]]).toEqual([code, 'ValidationError']);
});

it('parses stdin lines for connect and names what is wrong', () => {
  expect(parseInputLine('{"action":"sdp_offer","messagePayload":{"type":"offer","sdp":"v=0"},"correlationId":"c1"}')).toEqual({
    action: 'SDP_OFFER',
    payload: { type: 'offer', sdp: 'v=0' },
    correlationId: 'c1',
  });
  expect(() => parseInputLine('nope')).toThrow('not JSON');
  expect(() => parseInputLine('[1]')).toThrow('expected a JSON object');
  expect(() => parseInputLine('{"action":"PING","payload":{}}')).toThrow('action must be SDP_OFFER, SDP_ANSWER or ICE_CANDIDATE, got "PING"');
  expect(() => parseInputLine('{"action":"SDP_ANSWER","payload":{},"recipientClientId":7}')).toThrow('recipientClientId must be a string');
});

test('exit codes follow core\'s classification of every exception name it knows', () => {
  const expected: Record<ServiceErrorClass, number> = {
    'clock-skew': ExitCode.AUTH,
    credentials: ExitCode.AUTH,
    'access-denied': ExitCode.AUTH,
    'not-found': ExitCode.NOT_FOUND,
    throttling: ExitCode.SERVICE,
    'invalid-argument': ExitCode.SERVICE,
    quota: ExitCode.SERVICE,
    conflict: ExitCode.SERVICE,
    server: ExitCode.SERVICE,
    other: ExitCode.SERVICE,
  };
  for (const [name, cls] of serviceErrorClasses()) {
    expect([name, exitCodeOf(new ServiceError('refused', { errorType: name, httpStatus: 400 }))]).toEqual([name, expected[cls]]);
  }
});
