/**
 * Each error code comes with one class wherever it is raised, so code that
 * switches on `code` and code that switches on the class agree. The table is
 * pinned here: moving a code to another class is an API change and must show
 * up in this file. The constructors accept only their own codes (the
 * `@ts-expect-error` lines below fail the type check if that ever loosens).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AbortError,
  ErrorCodeClasses,
  ErrorCodes,
  ProtocolError,
  ServiceError,
  SignalingError,
  TimeoutError,
  TransportError,
  ValidationError,
  isSignalingError,
  type ErrorClassName,
  type ErrorCode,
} from '@kvs-sig/core';

const PINNED: Record<ErrorCode, ErrorClassName> = {
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
};

/** Builds an error of `cls` with `code` (the casts stand for any call site the compiler has already checked). */
function make(cls: ErrorClassName, code: ErrorCode): SignalingError {
  const c = code as never;
  switch (cls) {
    case 'ValidationError':
      return new ValidationError('field', 'bad', c);
    case 'ProtocolError':
      return new ProtocolError(c, 'bad');
    case 'ServiceError':
      return new ServiceError('bad', { errorType: 'SomeException', httpStatus: 400 }, c);
    case 'TransportError':
      return new TransportError(c, 'bad');
    case 'TimeoutError':
      return new TimeoutError('bad');
    case 'AbortError':
      return new AbortError('bad');
    case 'SignalingError':
      return new SignalingError(c, 'bad');
  }
}

test('every code has exactly one class, and the table is the pinned one', () => {
  expect(Object.keys(ErrorCodeClasses).sort()).toEqual(Object.keys(ErrorCodes).sort());
  expect(ErrorCodeClasses).toEqual(PINNED);
});

test.each(Object.entries(PINNED) as Array<[ErrorCode, ErrorClassName]>)('%s is a %s', (code, cls) => {
  const e = make(cls, code);
  expect([e.name, e.code]).toEqual([cls, code]);
});

test('the constructors refuse the codes of other classes (type check)', () => {
  // @ts-expect-error MESSAGE_TOO_LARGE is a ValidationError (the caller's message); the service's is FRAME_TOO_LARGE.
  expect(new ProtocolError('MESSAGE_TOO_LARGE', 'x').code).toBe('MESSAGE_TOO_LARGE');
  // @ts-expect-error FRAME_TOO_LARGE is a ProtocolError.
  expect(new TransportError('FRAME_TOO_LARGE', 'x').code).toBe('FRAME_TOO_LARGE');
  // @ts-expect-error INVALID_CONFIGURATION is a ValidationError (it names the option).
  expect(new SignalingError('INVALID_CONFIGURATION', 'x').code).toBe('INVALID_CONFIGURATION');
  // @ts-expect-error CONNECTION_FAILED is a TransportError.
  expect(new SignalingError('CONNECTION_FAILED', 'x').code).toBe('CONNECTION_FAILED');
});

describe('class checks go through the brand', () => {
  // What an error from a second copy of core (or another realm) looks like to this copy.
  const foreign = (code: ErrorCode, extra: Record<string, unknown> = {}) =>
    Object.defineProperty({ name: 'ServiceError', message: 'm', code, ...extra }, Symbol.for('kvs-sig.error'), { value: true });

  test('isSignalingError(e, cls) recognises a foreign copy by its code, where instanceof cannot', () => {
    const e = foreign('SERVICE_ERROR', { httpStatus: 404, errorType: 'ResourceNotFoundException' });
    expect(e instanceof ServiceError).toBe(false);
    expect([isSignalingError(e), isSignalingError(e, 'ServiceError'), isSignalingError(e, 'ValidationError')]).toEqual([true, true, false]);
    expect(isSignalingError(foreign('MESSAGE_TOO_LARGE'), 'ValidationError')).toBe(true);
    expect(isSignalingError({ code: 'SERVICE_ERROR' }, 'ServiceError')).toBe(false);
    expect(isSignalingError(foreign('NOT_A_CODE' as ErrorCode), 'ServiceError')).toBe(false);
  });

  test.each(Object.entries(PINNED) as Array<[ErrorCode, ErrorClassName]>)('a %s from this copy is a %s to the brand check', (code, cls) => {
    const e = make(cls, code);
    expect(isSignalingError(e, cls)).toBe(true);
    expect(isSignalingError(e, 'SignalingError')).toBe(true);
  });

  test('no package checks our error classes with instanceof (they may come from another copy of core)', () => {
    const root = path.resolve(__dirname, '../../..');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, d.name);
        if (d.isDirectory()) walk(p);
        else if (/\.ts$/.test(d.name) && /instanceof\s+(SignalingError|ValidationError|ProtocolError|ServiceError|TransportError|TimeoutError|AbortError)\b/.test(readFileSync(p, 'utf8'))) {
          offenders.push(path.relative(root, p));
        }
      }
    };
    for (const pkg of readdirSync(path.join(root, 'packages'))) if (pkg !== 'core' && existsSync(path.join(root, 'packages', pkg, 'src'))) walk(path.join(root, 'packages', pkg, 'src'));
    expect(offenders).toEqual([]);
  });
});
