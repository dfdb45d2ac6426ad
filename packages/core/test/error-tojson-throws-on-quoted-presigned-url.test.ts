/**
 * Finding: `SignalingError.toJSON()` redacted its own JSON text, and the
 * redaction patterns swallowed the backslash of an escaped quote that follows a
 * signature or credential, so an error whose message quotes a presigned URL
 * made `toJSON()` (and every logger that calls it) throw a SyntaxError.
 */
import { ProtocolError, ServiceError, TransportError } from '@kvs-sig/core';

const SIG = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const URL = `wss://127.0.0.1:4443/?X-Amz-ChannelARN=arn&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-west-2%2Fkinesisvideo%2Faws4_request&X-Amz-Security-Token=IQoJTOKEN&X-Amz-Signature=${SIG}`;

const cases = [
  new ProtocolError('INVALID_PROTOCOL', 'unknown protocol "X-Amz-Signature=abc"'),
  new TransportError('CONNECTION_FAILED', `handshake refused for "${URL}"`),
  new ServiceError(`signature mismatch on '${URL}'`, { errorType: 'AccessDeniedException', httpStatus: 403 }),
  new TransportError('CONNECTION_FAILED', 'outer', { cause: new Error(`inner "${URL}"`) }),
];

test.each(cases.map((e) => [e.message.slice(0, 40), e] as const))('toJSON() of %s… serialises and keeps no secret', (_m, e) => {
  const json = JSON.stringify(e.toJSON());
  expect(json).not.toContain(SIG);
  expect(json).not.toContain('IQoJTOKEN');
  expect((JSON.parse(json) as { code: string }).code).toBe(e.code);
});
