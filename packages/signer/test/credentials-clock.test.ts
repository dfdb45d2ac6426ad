import { isSignalingError, serviceErrorClasses, ServiceError, SignalingError } from '@kvs-sig/core';
import { ClockSkew, createCredentialsProvider, createSigV4RequestSigner, isClockSkewError, presignWssUrl, signRequest, type Credentials } from '../src';

const MIN = 60_000;
const creds = (n: number, expiration?: Date): Credentials => ({
  accessKeyId: `AKID${n}`,
  secretAccessKey: `secret-${n}-SUPERSECRET`,
  sessionToken: `token-${n}-SUPERTOKEN`,
  ...(expiration ? { expiration } : {}),
});

describe('createCredentialsProvider', () => {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_700_000_000_000;
  });

  test('far expiry: memoised, one fetch', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => creds(++calls, new Date(clock + 60 * MIN)), { now });
    expect((await p.get()).accessKeyId).toBe('AKID1');
    expect((await p.get()).accessKeyId).toBe('AKID1');
    expect(calls).toBe(1);
  });
  test('near expiry (inside the window): refreshed', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => creds(++calls, new Date(clock + 10 * MIN)), { now });
    await p.get();
    clock += 6 * MIN; // 4 min left < 5 min window
    expect((await p.get()).accessKeyId).toBe('AKID2');
    expect(calls).toBe(2);
  });
  test('custom window', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => creds(++calls, new Date(clock + 10 * MIN)), { now, refreshWindowMs: 30 * 1000 });
    await p.get();
    clock += 6 * MIN;
    await p.get();
    expect(calls).toBe(1);
  });
  test('expiry in the past: refetched on every get until fresh ones arrive', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => creds(++calls, new Date(clock - 1000)), { now });
    await p.get();
    await p.get();
    expect(calls).toBe(2);
  });
  test('concurrent callers share one in-flight refresh', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const p = createCredentialsProvider(async () => {
      calls++;
      await gate;
      return creds(calls, new Date(clock + 60 * MIN));
    }, { now });
    const all = Promise.all([p.get(), p.get(), p.refresh(), p.get()]);
    release();
    const got = await all;
    expect(calls).toBe(1);
    expect(new Set(got.map((c) => c.accessKeyId))).toEqual(new Set(['AKID1']));
  });
  test('refresh() forces a new fetch', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => creds(++calls, new Date(clock + 60 * MIN)), { now });
    await p.get();
    expect((await p.refresh()).accessKeyId).toBe('AKID2');
    expect((await p.get()).accessKeyId).toBe('AKID2');
  });
  test('a throwing provider gives CREDENTIALS_PROVIDER_FAILED, and is retried next call', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => {
      calls++;
      if (calls === 1) throw new Error('network down');
      return creds(calls);
    }, { now });
    const err = await p.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignalingError);
    expect(err).toMatchObject({ code: 'CREDENTIALS_PROVIDER_FAILED', retryable: true });
    expect((err as Error).message).toContain('network down');
    expect((await p.get()).accessKeyId).toBe('AKID2');
  });
  test('a failed refresh ahead of expiry keeps the still-valid credentials', async () => {
    let calls = 0;
    const p = createCredentialsProvider(async () => {
      calls++;
      if (calls === 2) throw new Error('blip');
      return creds(calls, new Date(clock + 10 * MIN));
    }, { now });
    await p.get();
    clock += 6 * MIN;
    expect((await p.get()).accessKeyId).toBe('AKID1');
    expect((await p.get()).accessKeyId).toBe('AKID3');
  });
  test.each([
    [{ secretAccessKey: 's' }, 'credentials.accessKeyId', 'MISSING_CREDENTIALS'],
    [{ accessKeyId: '', secretAccessKey: 's' }, 'credentials.accessKeyId', 'MISSING_CREDENTIALS'],
    [{ accessKeyId: 'a', secretAccessKey: '' }, 'credentials.secretAccessKey', 'MISSING_CREDENTIALS'],
    [{ accessKeyId: 'a', secretAccessKey: 7 }, 'credentials.secretAccessKey', 'MISSING_CREDENTIALS'],
    [{ accessKeyId: 'a', secretAccessKey: 's', expiration: 'not a date' }, 'credentials.expiration', 'INVALID_CONFIGURATION'],
    [{ accessKeyId: 'a', secretAccessKey: 's', sessionToken: 5 }, 'credentials.sessionToken', 'INVALID_CONFIGURATION'],
    [null, 'credentials', 'INVALID_CONFIGURATION'],
  ])('garbage %j names %s', async (value, field, code) => {
    const p = createCredentialsProvider(async () => value as unknown as Credentials);
    await expect(p.get()).rejects.toMatchObject({ field, code });
    if (value !== null) expect(() => createCredentialsProvider(value as unknown as Credentials)).toThrow(field);
  });
  test('a bare provider function passed to each signing call is fetched once', async () => {
    let calls = 0;
    const fn = async () => creds(++calls, new Date(Date.now() + 60 * MIN));
    for (let i = 0; i < 3; i++) {
      await signRequest({ method: 'POST', url: 'https://h.example.com/x', headers: {}, body: '{}' }, { credentials: fn, region: 'us-west-2' });
      await presignWssUrl('wss://h.example.com', { credentials: fn, region: 'us-west-2' });
    }
    expect(calls).toBe(1);
  });
  test('an existing provider is used as is', () => {
    const prov = { get: async () => creds(1), refresh: async () => creds(2) };
    expect(createCredentialsProvider(prov)).toBe(prov);
  });
});

describe('errors never leak secrets', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const token = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN';
  test('provider failure mentioning the secret and token', async () => {
    const p = createCredentialsProvider(async () => {
      throw new Error(`bad: {"secretAccessKey":"${secret}","sessionToken":"${token}"} X-Amz-Security-Token=${token}`);
    });
    const err = (await p.get().catch((e: unknown) => e)) as SignalingError;
    expect(isSignalingError(err)).toBe(true);
    const all = `${err.message} ${JSON.stringify(err.toJSON())}`;
    expect(all).not.toContain(secret);
    expect(all).not.toContain(token);
  });
  test('validation errors from signing with a token never echo it', async () => {
    const c = { accessKeyId: 'AKID', secretAccessKey: secret, sessionToken: token };
    const errs = await Promise.all([
      presignWssUrl(`wss://h?X-Amz-Signature=${'a'.repeat(64)}&X-Amz-Security-Token=${token}`, { credentials: c, region: 'us-west-2' }).catch((e: unknown) => e),
      presignWssUrl(`ftp://h?X-Amz-Security-Token=${token}`, { credentials: c, region: 'us-west-2' }).catch((e: unknown) => e),
      presignWssUrl(`wss://h?X-Amz-ChannelARN=a&X-Amz-Security-Token=${token}%zz`, { credentials: c, region: 'us-west-2' }).catch((e: unknown) => e),
      presignWssUrl(`wss://h?${token}%zz=1`, { credentials: c, region: 'us-west-2' }).catch((e: unknown) => e),
      signRequest({ method: 'POST', url: `https://h/x?X-Amz-Security-Token=${token}&X-Amz-Signature=${'b'.repeat(64)}`, headers: { a: 1 as unknown as string } }, { credentials: c, region: 'us-west-2' }).catch((e: unknown) => e),
    ]);
    for (const e of errs) {
      expect(isSignalingError(e)).toBe(true);
      const all = `${(e as SignalingError).message} ${JSON.stringify((e as SignalingError).toJSON())}`;
      expect(all).not.toContain(secret);
      expect(all).not.toContain(token);
      expect(all).not.toMatch(/[ab]{64}/);
    }
  });
});

describe('ClockSkew', () => {
  test('adopts the server offset beyond 5 minutes, keeps 0 within', () => {
    const local = Date.parse('2024-01-02T03:00:00Z');
    const skew = new ClockSkew({ now: () => local });
    expect(skew.update('Tue, 02 Jan 2024 03:04:00 GMT')).toBe(false);
    expect(skew.offsetMs).toBe(0);
    expect(skew.update('Tue, 02 Jan 2024 03:10:00 GMT')).toBe(true);
    expect(skew.offsetMs).toBe(10 * MIN);
    expect(skew.now().toISOString()).toBe('2024-01-02T03:10:00.000Z');
    expect(skew.update('Tue, 02 Jan 2024 03:10:00 GMT')).toBe(false);
    expect(skew.update(new Date('2024-01-02T02:00:00Z'))).toBe(true);
    expect(skew.offsetMs).toBe(-60 * MIN);
    expect(skew.update(new Date(local + 1000))).toBe(true);
    expect(skew.offsetMs).toBe(0);
  });
  test('threshold option and invalid dates', () => {
    const skew = new ClockSkew({ thresholdMs: 1000, now: () => 0 });
    expect(skew.update(new Date(2000))).toBe(true);
    expect(() => skew.update('yesterday-ish')).toThrow(/serverDate/);
  });
  test('the learnt offset moves the signed date of the signer', async () => {
    const skew = new ClockSkew();
    // Pretend the service is 3 days ahead of this machine.
    skew.update(new Date(Date.now() + 3 * 86_400_000));
    const signer = createSigV4RequestSigner({ credentials: creds(1), region: 'us-west-2', clockOffsetMs: () => skew.offsetMs });
    const url = new URL(await signer.getSignedUrl('wss://h.example.com', { 'X-Amz-ChannelARN': 'arn:aws:kinesisvideo:us-west-2:1:channel/c/1' }));
    const signedDay = url.searchParams.get('X-Amz-Date')!.slice(0, 8);
    expect(signedDay).toBe(new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, ''));
    const req = await signer.signRequest({ method: 'POST', url: 'https://h.example.com/x', headers: {}, body: '{}' });
    expect(req.headers['x-amz-date']!.slice(0, 8)).toBe(signedDay);
  });
});

describe('createSigV4RequestSigner reuses its smithy signers only for the same credentials', () => {
  test('after the provider refreshes, URLs and requests are signed with the new keys, each equal to a one-shot signature', async () => {
    let n = 1;
    const provider = createCredentialsProvider(async () => creds(n));
    const signer = createSigV4RequestSigner({ credentials: provider, region: 'us-west-2' });
    const at = new Date('2024-01-02T03:04:05Z');
    const query = { 'X-Amz-ChannelARN': 'arn:aws:kinesisvideo:us-west-2:1:channel/c/1' };
    const request = { method: 'POST' as const, url: 'https://h.example.com/x', headers: {}, body: '{}' };
    const credentialOf = (url: string) => new URL(url).searchParams.get('X-Amz-Credential');
    for (const key of [1, 2, 3]) {
      n = key;
      await provider.refresh();
      for (let twice = 0; twice < 2; twice++) {
        const url = await signer.getSignedUrl('wss://h.example.com', query, at);
        expect(credentialOf(url)).toBe(`${creds(key).accessKeyId}/20240102/us-west-2/kinesisvideo/aws4_request`);
        expect(url).toBe(await presignWssUrl(`wss://h.example.com?X-Amz-ChannelARN=${encodeURIComponent(query['X-Amz-ChannelARN'])}`, { credentials: creds(key), region: 'us-west-2', signingDate: at }));
        const signed = await signer.signRequest(request, at);
        expect(signed).toEqual(await signRequest(request, { credentials: creds(key), region: 'us-west-2', signingDate: at }));
      }
    }
  });

  test('a bad expiresIn or clockOffsetMs is refused when the signer is made', () => {
    expect(() => createSigV4RequestSigner({ credentials: creds(1), region: 'us-west-2', expiresIn: 604_801 })).toThrow(/expiresIn/);
    expect(() => createSigV4RequestSigner({ credentials: creds(1), region: 'us-west-2', clockOffsetMs: Number.NaN })).toThrow(/clockOffsetMs/);
  });
});

describe('isClockSkewError', () => {
  test.each([
    new ServiceError('Signature expired: 20240102T030405Z is now earlier than 20240102T031000Z (20240102T031500Z - 5 min.)', { errorType: 'InvalidSignatureException', httpStatus: 403 }),
    new ServiceError('Signature not yet current: 20240102T040000Z is still later than 20240102T031500Z (20240102T031000Z + 5 min.)', { errorType: 'InvalidSignatureException', httpStatus: 403 }),
    new ServiceError('refused', { errorType: 'InvalidSignatureException', httpStatus: 403 }, 'CLOCK_SKEW'),
    { name: 'RequestTimeTooSkewed', message: 'x' },
    'Signature expired: 20240102T030405Z is now earlier than 20240102T031000Z',
  ])('true for %p', (e) => expect(isClockSkewError(e)).toBe(true));
  test.each([
    new ServiceError('The request signature we calculated does not match the signature you provided.', { errorType: 'InvalidSignatureException', httpStatus: 403 }),
    new ServiceError('User is not authorized', { errorType: 'AccessDeniedException', httpStatus: 403 }),
    new Error('boom'),
    null,
    42,
  ])('false for %p', (e) => expect(isClockSkewError(e)).toBe(false));
});

test('isClockSkewError reads core\'s one table: exactly its clock-skew names, by errorType or name', () => {
  for (const [name, cls] of serviceErrorClasses()) {
    expect([name, isClockSkewError(new ServiceError('refused', { errorType: name, httpStatus: 400 }))]).toEqual([name, cls === 'clock-skew']);
    expect([name, isClockSkewError({ name, message: 'refused' })]).toEqual([name, cls === 'clock-skew']);
  }
  // A 403 alone is not skew: only its name or text can say so.
  expect(isClockSkewError(new ServiceError('Access denied', { errorType: 'AccessDeniedException', httpStatus: 403 }))).toBe(false);
});
