import { AbortError, ErrorCodes, isSignalingError, ProtocolError, redactSecrets, ServiceError, SignalingError, TimeoutError, TransportError, ValidationError } from '@kvs-sig/core';

describe('error hierarchy', () => {
  test('classes, codes, defaults', () => {
    const v = new ValidationError('tags[2].key', 'is empty');
    expect(v).toBeInstanceOf(SignalingError);
    expect(v.name).toBe('ValidationError');
    expect(v.code).toBe('BAD_PARAM');
    expect(v.field).toBe('tags[2].key');
    expect(v.message).toBe('tags[2].key: is empty');
    expect(v.retryable).toBe(false);
    const t = new TransportError('CONNECTION_CLOSED', 'closed', { closeCode: 1006, closeReason: 'abnormal' });
    expect([t.retryable, t.closeCode, t.closeReason]).toEqual([true, 1006, 'abnormal']);
    expect(new TransportError('CONNECTION_FAILED', 'x', { retryable: false }).retryable).toBe(false);
    expect([new TimeoutError('slow').code, new TimeoutError('slow').retryable]).toEqual(['TIMEOUT', true]);
    expect([new AbortError().code, new AbortError().message]).toEqual(['ABORTED', 'The operation was aborted']);
    const s = new ServiceError('nope', { errorType: 'ResourceNotFoundException', httpStatus: 404 });
    expect([s.code, s.requestId, s.retryable]).toEqual(['SERVICE_ERROR', undefined, false]);
  });
  test('every code has a meaning', () => {
    for (const [code, meaning] of Object.entries(ErrorCodes)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });
  test('isSignalingError works across copies (Symbol.for brand) and refuses look-alikes', () => {
    const foreign = Object.assign(new Error('x'), { code: 'BAD_PARAM' });
    expect(isSignalingError(foreign)).toBe(false);
    Object.defineProperty(foreign, Symbol.for('kvs-sig.error'), { value: true });
    expect(isSignalingError(foreign)).toBe(true);
    for (const v of [null, undefined, 'x', 1, {}]) expect(isSignalingError(v)).toBe(false);
  });
  test('redactSecrets removes signatures, credentials, tokens and secrets', () => {
    const text = [
      'wss://v.example.com?X-Amz-Credential=AKIA%2F20240101&X-Amz-Signature=abcdef0123&X-Amz-Security-Token=tok%2B',
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIA/2024/us-east-1/kinesisvideo/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef',
      'x-amz-security-token: FQoGZXIvYXdzE',
      '{"secretAccessKey":"wJalr\\"XUtnFEMI","sessionToken":"IQoJb3JpZ2lu","password":"pw"}',
    ].join('\n');
    const out = redactSecrets(text);
    for (const secret of ['AKIA%2F', 'abcdef0123', 'tok%2B', 'AKIA/2024', '0123456789abcdef0123456789abcdef', 'FQoGZXIvYXdzE', 'wJalr', 'IQoJb3JpZ2lu', '"pw"']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Security-Token=[REDACTED]\n');
    expect(out).toContain('wss://v.example.com?');
  });
  test('messages and toJSON are redacted; causes are described', () => {
    const e = new ProtocolError('INVALID_JSON', 'bad reply from https://x?X-Amz-Signature=deadbeef', { cause: new SyntaxError('Unexpected token in "sessionToken":"abc"') });
    expect(e.message).not.toContain('deadbeef');
    const json = e.toJSON();
    expect(json).toMatchObject({ name: 'ProtocolError', code: 'INVALID_JSON', retryable: false, cause: { name: 'SyntaxError' } });
    expect(JSON.stringify(json)).not.toContain('"abc"');
    const nested = new TransportError('CONNECTION_FAILED', 'outer', { cause: new ValidationError('f', 'inner') });
    expect(nested.toJSON().cause).toMatchObject({ name: 'ValidationError', field: 'f', code: 'BAD_PARAM' });
    expect(new TimeoutError('t', { cause: 'secretAccessKey="zzz"' }).toJSON().cause).toBe('secretAccessKey="[REDACTED]"');
    expect(new TimeoutError('t', { cause: 42 }).toJSON().cause).toBeUndefined();
    expect(new ServiceError('m', { errorType: 'E', httpStatus: 500, requestId: 'r', retryable: true }).toJSON()).toMatchObject({ errorType: 'E', httpStatus: 500, requestId: 'r', retryable: true });
  });
});
