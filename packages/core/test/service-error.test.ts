import { classifyServiceError, isSignalingError, parseServiceError, ServiceError, serviceErrorClasses } from '@kvs-sig/core';

describe('parseServiceError', () => {
  test('name from x-amzn-errortype (any case, text after : dropped), message, request id', () => {
    const e = parseServiceError({
      status: 404,
      headers: { 'X-Amzn-ErrorType': 'ResourceNotFoundException:http://internal.amazon.com/coral/', 'X-Amzn-RequestId': 'req-1' },
      body: '{"Message":"The requested channel is not found"}',
    });
    expect(e).toBeInstanceOf(ServiceError);
    expect(isSignalingError(e)).toBe(true);
    expect(e.code).toBe('SERVICE_ERROR');
    expect(e.errorType).toBe('ResourceNotFoundException');
    expect(e.httpStatus).toBe(404);
    expect(e.requestId).toBe('req-1');
    expect(e.retryable).toBe(false);
    expect(e.message).toBe('ResourceNotFoundException (404): The requested channel is not found');
  });
  test('name from body __type / code with the namespace stripped; header array values', () => {
    expect(parseServiceError({ status: 400, headers: {}, body: '{"__type":"com.amazonaws.kinesisvideo#InvalidArgumentException","message":"bad"}' }).errorType).toBe('InvalidArgumentException');
    expect(parseServiceError({ status: 400, headers: {}, body: '{"code":"VersionMismatchException"}' }).errorType).toBe('VersionMismatchException');
    expect(parseServiceError({ status: 403, headers: { 'x-amzn-errortype': ['AccessDeniedException'], 'x-amzn-requestid': ['r'] }, body: '' }).requestId).toBe('r');
  });
  test.each([
    [400, 'ClientLimitExceededException', true],
    [400, 'ThrottlingException', true],
    [429, 'TooManyRequests', true],
    [500, 'InternalFailure', true],
    [503, 'ServiceUnavailable', true],
    [400, 'InvalidArgumentException', false],
    [404, 'ResourceNotFoundException', false],
  ] as const)('status %d %s → retryable %s', (status, type, retryable) => {
    expect(parseServiceError({ status, headers: { 'x-amzn-errortype': type }, body: '{}' }).retryable).toBe(retryable);
  });
  test('never throws on garbage', () => {
    const garbage: unknown[] = [
      { status: 502, headers: {}, body: '<html>Bad Gateway</html>' },
      { status: 400, headers: null, body: '{"__proto__":{"x":1},"message":{"a":1}}' },
      { status: 'x', headers: 5, body: 12 },
      { status: 400, headers: {}, body: '['.repeat(100000) },
      null,
      undefined,
    ];
    for (const g of garbage) {
      const e = parseServiceError(g as never);
      expect(e).toBeInstanceOf(ServiceError);
      expect(typeof e.errorType).toBe('string');
      expect(e.errorType.length).toBeGreaterThan(0);
    }
    expect(parseServiceError(garbage[0] as never).errorType).toBe('Http502Error');
    expect(parseServiceError(garbage[0] as never).message).toContain('Bad Gateway');
  });
});

describe('classifyServiceError: the one table of AWS exception names', () => {
  test('each name has one class; retryable is exactly throttling names, 429 and 5xx', () => {
    const classes = new Map(serviceErrorClasses());
    expect(classes.size).toBe(serviceErrorClasses().length);
    for (const [name, cls] of classes) {
      const e = parseServiceError({ status: 400, headers: { 'x-amzn-errortype': name }, body: '{"message":"refused"}' });
      expect([name, classifyServiceError(e)]).toEqual([name, cls]);
      expect([name, e.retryable]).toEqual([name, cls === 'throttling']);
    }
    expect(classes.get('ClientLimitExceededException')).toBe('throttling');
    expect(classes.get('ExpiredTokenException')).toBe('credentials');
    expect(classes.get('AccessDeniedException')).toBe('access-denied');
    expect(classes.get('RequestTimeTooSkewed')).toBe('clock-skew');
  });
  test('a skew message wins over the name; then the name; then the status', () => {
    expect(classifyServiceError({ errorType: 'InvalidSignatureException', httpStatus: 403, message: 'Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z' })).toBe('clock-skew');
    expect(classifyServiceError({ errorType: 'InvalidSignatureException', httpStatus: 403, message: 'does not match' })).toBe('credentials');
    expect(classifyServiceError({ errorType: 'ResourceNotFoundException', httpStatus: 400 })).toBe('not-found');
    expect(classifyServiceError({ errorType: 'Http403Error', httpStatus: 403 })).toBe('credentials');
    expect(classifyServiceError({ errorType: 'Http404Error', httpStatus: 404 })).toBe('not-found');
    expect(classifyServiceError({ errorType: 'Http429Error', httpStatus: 429 })).toBe('throttling');
    expect(classifyServiceError({ errorType: 'InternalFailure', httpStatus: 500 })).toBe('server');
    expect(classifyServiceError({ errorType: 'Odd', httpStatus: 400 })).toBe('other');
    expect(classifyServiceError(null as unknown as object)).toBe('other');
  });
});
