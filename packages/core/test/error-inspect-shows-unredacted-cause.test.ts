/**
 * Finding: `console.log(err)` / `util.inspect(err)` of a SignalingError printed
 * its `cause` as given, so a wrapped socket error or cause string that quoted a
 * presigned URL showed the session token and the signature.
 */
import { inspect } from 'node:util';
import { TransportError } from '@kvs-sig/core';

const SIG = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const TOKEN = 'IQoJinspectTOKEN0123';
const URL = `wss://h/?X-Amz-Security-Token=${TOKEN}&X-Amz-Signature=${SIG}`;

test.each([
  ['an Error cause', new TransportError('CONNECTION_FAILED', 'handshake failed', { cause: new Error(`ws failed for ${URL}`) })],
  ['a string cause', new TransportError('CONNECTION_FAILED', 'handshake failed', { cause: URL })],
  ['a nested SignalingError cause', new TransportError('CONNECTION_FAILED', 'outer', { cause: new TransportError('CONNECTION_FAILED', 'inner', { cause: new Error(URL) }) })],
])('util.inspect of an error with %s shows neither token nor signature', (_label, e) => {
  const shown = inspect(e, { depth: 8 });
  expect(shown).toContain(e.message);
  expect(shown).not.toContain(SIG);
  expect(shown).not.toContain(TOKEN);
});
