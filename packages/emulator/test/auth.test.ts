import type { Emulator } from '../src';
import { call, connect, createChannel, openUrl, rawRequest, refused, withEmulator, wssUrl } from './helpers';

let emu: Emulator;
let arn: string;
beforeAll(async () => {
  emu = await withEmulator();
  arn = await createChannel(emu, 'auth');
});
afterAll(async () => {
  await emu.close();
});

const body = () => ({ ChannelName: 'auth' });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('HTTP requests', () => {
  test('an unsigned request gets 403 MissingAuthenticationTokenException', async () => {
    const r = await rawRequest(emu, '/describeSignalingChannel', { body: JSON.stringify(body()), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(403);
    expect(r.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(r.json).toEqual({ message: 'Missing Authentication Token' });
  });

  test('an unknown access key gets 403 UnrecognizedClientException', async () => {
    const r = await call(emu, '/describeSignalingChannel', body(), { credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } });
    expect([r.status, r.headers['x-amzn-errortype'], r.json.message]).toEqual([403, 'UnrecognizedClientException', 'The security token included in the request is invalid.']);
  });

  test('a wrong secret gets 403 InvalidSignatureException', async () => {
    const r = await call(emu, '/describeSignalingChannel', body(), { credentials: { ...emu.credentials, secretAccessKey: 'wrong' } });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
    expect(r.json.message).toMatch(/signature we calculated does not match/);
  });

  test('a body changed after signing gets 403 InvalidSignatureException', async () => {
    const { signRequest } = await import('@kvs-sig/signer');
    const signed = await signRequest(
      { method: 'POST', url: `${emu.controlPlaneEndpoint}/describeSignalingChannel`, headers: {}, body: JSON.stringify(body()) },
      { credentials: emu.credentials, region: emu.region },
    );
    const r = await rawRequest(emu, '/describeSignalingChannel', { headers: signed.headers, body: JSON.stringify({ ChannelName: 'other' }) });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
  });

  test('a signature scoped to another region gets 403 InvalidSignatureException naming the scope', async () => {
    const r = await call(emu, '/describeSignalingChannel', body(), { region: 'eu-west-1' });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
    expect(r.json.message).toMatch(/region eu-west-1/);
  });

  test('a date more than 5 minutes old gets the service\'s "Signature expired" message', async () => {
    const r = await call(emu, '/describeSignalingChannel', body(), { signingDate: minutesAgo(6) });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
    expect(r.json.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  });

  test('a date more than 5 minutes ahead gets "Signature not yet current"', async () => {
    const r = await call(emu, '/describeSignalingChannel', body(), { signingDate: minutesAgo(-6) });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
    expect(r.json.message).toMatch(/^Signature not yet current: /);
  });

  test('a date 4 minutes off is still accepted', async () => {
    expect((await call(emu, '/describeSignalingChannel', body(), { signingDate: minutesAgo(4) })).status).toBe(200);
    expect((await call(emu, '/describeSignalingChannel', body(), { signingDate: minutesAgo(-4) })).status).toBe(200);
  });

  test('a malformed Authorization header gets 400 IncompleteSignatureException', async () => {
    const r = await rawRequest(emu, '/describeSignalingChannel', {
      body: '{}',
      headers: { authorization: 'AWS4-HMAC-SHA256 nonsense', 'x-amz-date': '20240101T000000Z' },
    });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([400, 'IncompleteSignatureException']);
  });
});

describe('temporary credentials', () => {
  let temp: Emulator;
  let tempArn: string;
  beforeAll(async () => {
    temp = await withEmulator({ tls: false, credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempsecret', sessionToken: 'TOKEN-1' } });
    tempArn = await createChannel(temp, 'tmp');
  });
  afterAll(async () => {
    await temp.close();
  });

  test('the right token is accepted; a missing or wrong token gets UnrecognizedClientException', async () => {
    expect((await call(temp, '/describeSignalingChannel', { ChannelName: 'tmp' })).status).toBe(200);
    const missing = await call(temp, '/describeSignalingChannel', { ChannelName: 'tmp' }, { credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempsecret' } });
    expect([missing.status, missing.headers['x-amzn-errortype']]).toEqual([403, 'UnrecognizedClientException']);
    const wrong = await call(temp, '/describeSignalingChannel', { ChannelName: 'tmp' }, { credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempsecret', sessionToken: 'TOKEN-2' } });
    expect([wrong.status, wrong.headers['x-amzn-errortype']]).toEqual([403, 'UnrecognizedClientException']);
  });

  test('a presigned URL with the token inside the signed query connects; one with the token appended after signing is refused', async () => {
    const peer = await connect(temp, tempArn);
    await peer.close();
    const url = await wssUrl(temp, tempArn, { credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 'tempsecret' } });
    const appended = `${url}&X-Amz-Security-Token=TOKEN-1`;
    const r = await refused(openUrl(temp, appended));
    expect([r.status, r.errorType]).toEqual([403, 'AccessDeniedException']);
    expect(JSON.parse(r.body).message).toMatch(/UNSIGNED_SESSION_TOKEN/);
  });
});

describe('WebSocket handshakes', () => {
  test('a valid presigned URL connects', async () => {
    const peer = await connect(emu, arn);
    expect(emu.connections({ channelArn: arn, role: 'MASTER' })).toHaveLength(1);
    await peer.close();
  });

  test('an unsigned URL gets 403 AccessDeniedException with Date and request id headers', async () => {
    const url = `${emu.controlPlaneEndpoint.replace('https', 'wss')}/?X-Amz-ChannelARN=${encodeURIComponent(arn)}`;
    const r = await refused(openUrl(emu, url));
    expect([r.status, r.errorType]).toEqual([403, 'AccessDeniedException']);
    expect(JSON.parse(r.body).message).toMatch(/MISSING_AUTH/);
    expect(r.headers['x-amzn-requestid']).toBeDefined();
    expect(Number.isNaN(Date.parse(String(r.headers.date)))).toBe(false);
  });

  test('a tampered signature, a changed query, a wrong secret or a wrong region get 403 AccessDeniedException', async () => {
    const url = await wssUrl(emu, arn);
    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    const cases = [
      tampered,
      `${url}&X-Amz-Extra=1`,
      await wssUrl(emu, arn, { credentials: { ...emu.credentials, secretAccessKey: 'nope' } }),
      await wssUrl(emu, arn, { region: 'us-east-1' }),
      await wssUrl(emu, arn, { credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' } }),
    ];
    for (const u of cases) {
      const r = await refused(openUrl(emu, u));
      expect([r.status, r.errorType]).toEqual([403, 'AccessDeniedException']);
    }
  });

  test('an expired presigned URL (X-Amz-Expires 299 s) gets 403 AccessDeniedException', async () => {
    const r = await refused(connect(emu, arn, { signingDate: new Date(Date.now() - 301_000) }));
    expect([r.status, r.errorType]).toEqual([403, 'AccessDeniedException']);
    expect(JSON.parse(r.body).message).toMatch(/EXPIRED/);
    const early = await refused(connect(emu, arn, { signingDate: minutesAgo(-6) }));
    expect(JSON.parse(early.body).message).toMatch(/NOT_YET_VALID/);
  });

  test('a missing or malformed ChannelARN gets 400 InvalidArgumentException, an unknown channel 404', async () => {
    const noArn = await refused(
      (async () => {
        const { presignWssUrl } = await import('@kvs-sig/signer');
        const url = await presignWssUrl(`${emu.controlPlaneEndpoint.replace('https', 'wss')}?X-Amz-Other=1`, { credentials: emu.credentials, region: emu.region });
        return openUrl(emu, url);
      })(),
    );
    expect([noArn.status, noArn.errorType]).toEqual([400, 'InvalidArgumentException']);
    const bad = await refused(connect(emu, 'arn:nope'));
    expect([bad.status, bad.errorType]).toEqual([400, 'InvalidArgumentException']);
    const gone = await refused(connect(emu, arn.replace('/auth/', '/gone/')));
    expect([gone.status, gone.errorType]).toEqual([404, 'ResourceNotFoundException']);
  });

  test('viewer client ids are validated: empty, bad characters, over 256, or AWS_ prefix → 400', async () => {
    for (const id of ['', 'a b', 'x'.repeat(257), 'AWS_viewer', 'aws_viewer']) {
      const r = await refused(connect(emu, arn, { clientId: id }));
      expect([id, r.status, r.errorType]).toEqual([id, 400, 'InvalidArgumentException']);
    }
  });

  test('the log records refused handshakes with their status and error type', async () => {
    emu.log.clear();
    await refused(connect(emu, arn.replace('/auth/', '/gone/')));
    const [rec] = emu.log.requests();
    expect(rec).toMatchObject({ operation: 'ConnectAsMaster', status: 404, errorType: 'ResourceNotFoundException' });
  });
});

describe('expiring and rotated credentials', () => {
  test('expired keys get 403 ExpiredTokenException over HTTP and 403 AccessDeniedException at the handshake', async () => {
    const e = await withEmulator({
      tls: false,
      credentials: { accessKeyId: 'ASIAEXP', secretAccessKey: 'exp', sessionToken: 'T', expiration: new Date(Date.now() + 60_000) },
    });
    try {
      const arn = await createChannel(e, 'exp');
      e.faults.setClockOffset(61_000);
      const r = await call(e, '/describeSignalingChannel', { ChannelName: 'exp' }, { signingDate: new Date(Date.now() + 61_000) });
      expect([r.status, r.headers['x-amzn-errortype'], r.json.message]).toEqual([403, 'ExpiredTokenException', 'The security token included in the request is expired']);
      const ws = await refused(connect(e, arn, { signingDate: new Date(Date.now() + 61_000) }));
      expect([ws.status, ws.errorType]).toEqual([403, 'AccessDeniedException']);
      expect(JSON.parse(ws.body).message).toMatch(/EXPIRED_TOKEN/);
    } finally {
      await e.close();
    }
  });

  test('setCredentials rotates: the new keys work, the old ones until their expiration, unknown ones never', async () => {
    const e = await withEmulator({ tls: false });
    try {
      const old = { ...e.credentials };
      const fresh = { accessKeyId: 'AKIAFRESH', secretAccessKey: 'fresh' };
      e.setCredentials([fresh, { ...old, expiration: new Date(Date.now() + 30_000) }]);
      expect(e.credentials).toEqual(fresh);
      expect((await call(e, '/listSignalingChannels', {})).status).toBe(200);
      expect((await call(e, '/listSignalingChannels', {}, { credentials: old })).status).toBe(200);
      e.faults.setClockOffset(31_000);
      const later = new Date(Date.now() + 31_000);
      expect((await call(e, '/listSignalingChannels', {}, { credentials: old, signingDate: later })).headers['x-amzn-errortype']).toBe('ExpiredTokenException');
      expect((await call(e, '/listSignalingChannels', {}, { signingDate: later })).status).toBe(200);
      e.setCredentials(fresh);
      expect((await call(e, '/listSignalingChannels', {}, { credentials: old, signingDate: later })).headers['x-amzn-errortype']).toBe('UnrecognizedClientException');
      expect(() => e.setCredentials([])).toThrow(/at least one/);
      expect(() => e.setCredentials({ accessKeyId: 'x', secretAccessKey: 'y', expiration: new Date('nope') })).toThrow(/expiration/);
    } finally {
      await e.close();
    }
  });

  test('the admin API sets credentials too (expiration as an ISO date)', async () => {
    const e = await withEmulator({ tls: false });
    try {
      const r = await rawRequest(e, '/_emulator/credentials', {
        body: JSON.stringify({ credentials: [{ accessKeyId: 'AKIAADMIN', secretAccessKey: 's', expiration: new Date(Date.now() - 1000).toISOString() }] }),
      });
      expect(r.status).toBe(200);
      expect(e.credentials.accessKeyId).toBe('AKIAADMIN');
      expect((await call(e, '/listSignalingChannels', {})).headers['x-amzn-errortype']).toBe('ExpiredTokenException');
      const bad = await rawRequest(e, '/_emulator/credentials', { body: JSON.stringify({ credentials: 'x' }) });
      expect(bad.status).toBe(400);
    } finally {
      await e.close();
    }
  });
});
