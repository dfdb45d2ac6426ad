import { isSignalingError, ProtocolError, ValidationError } from '@kvs-sig/core';
import type { ErrorCode } from '@kvs-sig/core';

/** Runs fn, expects a SignalingError of the given class and code, returns it. */
export function expectError<T extends abstract new (...args: never[]) => Error>(
  fn: () => unknown,
  cls: T,
  code: ErrorCode,
): InstanceType<T> {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected ${cls.name} ${code}, but nothing was thrown`);
  expect(isSignalingError(caught)).toBe(true);
  expect(caught).toBeInstanceOf(cls);
  expect((caught as { code: string }).code).toBe(code);
  return caught as InstanceType<T>;
}

export function expectValidation(fn: () => unknown, field: string, code: ErrorCode = 'BAD_PARAM'): ValidationError {
  const e = expectError(fn, ValidationError, code);
  expect(e.field).toBe(field);
  return e;
}

export function expectProtocol(fn: () => unknown, code: ErrorCode): ProtocolError {
  return expectError(fn, ProtocolError, code);
}

export const A1 = 'arn:aws:kinesisvideo:us-east-1:123456789012:channel/test-channel/1234567890123';
export const ACN = 'arn:aws-cn:kinesisvideo:cn-north-1:123456789012:channel/test-channel/1234567890123';
export const AUSW2 = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/test-channel/1234567890123';
