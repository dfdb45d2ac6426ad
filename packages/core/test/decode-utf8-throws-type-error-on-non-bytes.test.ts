/**
 * Finding: `decodeUtf8` read `.length` of whatever it was given, so a missing
 * or non-byte argument escaped core as a TypeError instead of a typed error.
 */
import { decodeUtf8, isSignalingError } from '@kvs-sig/core';

test.each([undefined, null, 42, 'text', {}])('decodeUtf8(%p) throws a SignalingError', (input) => {
  let thrown: unknown;
  try {
    decodeUtf8(input as unknown as Uint8Array);
  } catch (e) {
    thrown = e;
  }
  expect(isSignalingError(thrown)).toBe(true);
});
