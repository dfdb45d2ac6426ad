import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  constructCreateSignalingChannelRequest,
  constructDescribeSignalingChannelRequest,
  constructGetIceServerConfigRequest,
  constructGetSignalingChannelEndpointRequest,
  type HttpRequest,
} from '@kvs-sig/core';
import { presignWssUrl, signRequest, verify, type Credentials, type VerifyFailure } from '../src';

const temp: Credentials = { accessKeyId: 'ASIAEXAMPLE123', secretAccessKey: 'abc/def+ghi', sessionToken: 'IQoJ-token==' };
const longTerm: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const at = new Date('2024-01-02T03:04:05Z');

const ARN = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1234567890123';
const cp = { controlPlaneEndpoint: 'https://kinesisvideo.us-west-2.amazonaws.com' };
// Core's real builders, as the client will hand their output to the signer.
const coreRequests: HttpRequest[] = [
  constructDescribeSignalingChannelRequest({ channelName: 'demo-channel' }, cp),
  constructGetSignalingChannelEndpointRequest({ channelArn: ARN, role: 'VIEWER', protocols: ['WSS', 'HTTPS'] }, cp),
  constructCreateSignalingChannelRequest({ channelName: 'demo-channel' }, cp),
  constructGetIceServerConfigRequest({ httpsEndpoint: 'https://r-1234abcd.kinesisvideo.us-west-2.amazonaws.com', channelArn: ARN, clientId: 'viewer-1' }),
  constructDescribeSignalingChannelRequest({ channelArn: ARN }, { controlPlaneEndpoint: 'http://127.0.0.1:8443' }),
  { ...constructDescribeSignalingChannelRequest({ channelName: 'a' }, cp), headers: { 'content-type': 'application/json', 'user-agent': 'kvs-sig/0.1' } },
];

async function smithyReference(req: HttpRequest, creds: Credentials): Promise<Record<string, string>> {
  const u = new URL(req.url);
  const signer = new SignatureV4({ credentials: creds, region: 'us-west-2', service: 'kinesisvideo', sha256: Sha256 });
  const out = await signer.sign(
    new SmithyRequest({
      method: req.method,
      protocol: u.protocol,
      hostname: u.hostname,
      ...(u.port === '' ? {} : { port: Number(u.port) }),
      path: u.pathname,
      headers: { ...req.headers, host: u.host },
      ...(req.body === undefined ? {} : { body: req.body }),
    }),
    { signingDate: at },
  );
  return out.headers;
}

describe('signRequest', () => {
  test.each(coreRequests.map((r) => [r.url, r] as const))('%s: matches smithy directly and verifies', async (_u, req) => {
    for (const creds of [temp, longTerm]) {
      const signed = await signRequest(req, { credentials: creds, region: 'us-west-2', signingDate: at });
      expect(signed.headers).toEqual(await smithyReference(req, creds));
      expect(signed.headers.host).toBe(new URL(req.url).host);
      expect(signed.headers['x-amz-date']).toBe('20240102T030405Z');
      expect(signed.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(signed.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=[^/]+\/20240102\/us-west-2\/kinesisvideo\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
      if (creds.sessionToken) {
        expect(signed.headers['x-amz-security-token']).toBe(creds.sessionToken);
        expect(signed.headers.authorization).toContain('x-amz-security-token');
      } else {
        expect(signed.headers['x-amz-security-token']).toBeUndefined();
      }
      expect(signed.body).toBe(req.body);
      expect(req.headers.authorization).toBeUndefined();
      expect(await verify(signed, { credentials: [longTerm, temp], region: 'us-west-2', now: at })).toEqual({
        ok: true,
        accessKeyId: creds.accessKeyId,
        region: 'us-west-2',
        service: 'kinesisvideo',
        signedAt: at,
      });
    }
  });
  test('clockOffsetMs moves the signing date when none is given', async () => {
    const signed = await signRequest(coreRequests[0]!, { credentials: longTerm, region: 'us-west-2', clockOffsetMs: -2 * 86_400_000 });
    const expected = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    expect(signed.headers['x-amz-date']!.slice(0, 8)).toBe(expected);
  });
  test('a raw path is signed as it goes on the wire (percent-encoded)', async () => {
    const raw: HttpRequest = { method: 'POST', url: 'https://h.example.com/a b/ü', headers: {}, body: '{}' };
    const signed = await signRequest(raw, { credentials: longTerm, region: 'us-west-2', signingDate: at });
    // What a server receives after fetch/undici encoded the path.
    const onWire = { ...signed, url: new URL(raw.url).href };
    expect(onWire.url).toBe('https://h.example.com/a%20b/%C3%BC');
    expect(await verify(onWire, { credentials: longTerm, now: at })).toMatchObject({ ok: true });
    expect(await verify({ ...onWire, url: 'https://h.example.com/a%20b/%C3%BD' }, { credentials: longTerm, now: at })).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
  });
  test('verify throws a typed error for missing options.credentials', async () => {
    await expect(verify('wss://h/', {} as never)).rejects.toMatchObject({ field: 'credentials', code: 'INVALID_CONFIGURATION' });
    await expect(verify('wss://h/', { credentials: [{ accessKeyId: 'a' } as never] })).rejects.toMatchObject({ field: 'credentials[0]' });
  });
  test('rejects a bad method and a non-https URL with a typed error', async () => {
    await expect(signRequest({ ...coreRequests[0]!, method: 'PUT' as 'POST' }, { credentials: longTerm, region: 'us-west-2' })).rejects.toMatchObject({ field: 'request.method' });
    await expect(signRequest({ ...coreRequests[0]!, url: 'http://example.com/x' }, { credentials: longTerm, region: 'us-west-2' })).rejects.toMatchObject({ code: 'INSECURE_ENDPOINT' });
  });
});

describe('verify: negative cases', () => {
  const base = coreRequests[0]!;
  const opts = { credentials: [temp, longTerm], region: 'us-west-2', now: at };
  const signedTemp = () => signRequest(base, { credentials: temp, region: 'us-west-2', signingDate: at });
  const expectFail = async (input: HttpRequest | string, failure: VerifyFailure, o: Parameters<typeof verify>[1] = opts) => {
    const r = await verify(input, o);
    expect(r).toMatchObject({ ok: false, failure });
    if (!r.ok) {
      expect(r.reason).not.toContain(temp.secretAccessKey);
      expect(r.reason).not.toContain(temp.sessionToken);
    }
  };
  test('MISSING_AUTH', async () => expectFail(base, 'MISSING_AUTH'));
  test('MALFORMED_AUTH: garbage header, missing date, bad signature format', async () => {
    const s = await signedTemp();
    await expectFail({ ...s, headers: { ...s.headers, authorization: 'Bearer x' } }, 'MALFORMED_AUTH');
    const { 'x-amz-date': _d, ...noDate } = s.headers;
    await expectFail({ ...s, headers: noDate }, 'MALFORMED_AUTH');
    await expectFail({ ...s, headers: { ...s.headers, authorization: s.headers.authorization!.replace(/Signature=\w+/, 'Signature=XYZ') } }, 'MALFORMED_AUTH');
  });
  test('UNKNOWN_ACCESS_KEY', async () => expectFail(await signedTemp(), 'UNKNOWN_ACCESS_KEY', { ...opts, credentials: longTerm }));
  test('SIGNATURE_MISMATCH: tampered body, host, path, signed header, wrong secret', async () => {
    const s = await signedTemp();
    await expectFail({ ...s, body: '{"ChannelName":"other"}' }, 'SIGNATURE_MISMATCH');
    await expectFail({ ...s, headers: { ...s.headers, host: 'evil.example.com' } }, 'SIGNATURE_MISMATCH');
    await expectFail({ ...s, url: s.url.replace('describe', 'delete') }, 'SIGNATURE_MISMATCH');
    await expectFail({ ...s, headers: { ...s.headers, 'content-type': 'text/plain' } }, 'SIGNATURE_MISMATCH');
    await expectFail(s, 'SIGNATURE_MISMATCH', { ...opts, credentials: { ...temp, secretAccessKey: 'other' } });
  });
  test('an unsigned extra header does not break the signature', async () => {
    const s = await signedTemp();
    expect(await verify({ ...s, headers: { ...s.headers, 'x-forwarded-for': '1.2.3.4' } }, opts)).toMatchObject({ ok: true });
  });
  test('WRONG_SCOPE: region and service', async () => {
    await expectFail(await signedTemp(), 'WRONG_SCOPE', { ...opts, region: 'eu-west-1' });
    await expectFail(await signRequest(base, { credentials: temp, region: 'us-west-2', service: 'firehose', signingDate: at }), 'WRONG_SCOPE');
  });
  test('EXPIRED / NOT_YET_VALID for header auth beyond 5 minutes', async () => {
    const s = await signedTemp();
    await expectFail(s, 'EXPIRED', { ...opts, now: new Date(at.getTime() + 5 * 60_000 + 1000) });
    expect(await verify(s, { ...opts, now: new Date(at.getTime() + 4 * 60_000) })).toMatchObject({ ok: true });
    await expectFail(s, 'NOT_YET_VALID', { ...opts, now: new Date(at.getTime() - 6 * 60_000) });
  });
  test('session token: wrong, missing, unsigned header (accepted unless required)', async () => {
    const s = await signedTemp();
    await expectFail({ ...s, headers: { ...s.headers, 'x-amz-security-token': 'forged' } }, 'INVALID_SESSION_TOKEN');
    const { 'x-amz-security-token': _t, ...noToken } = s.headers;
    await expectFail({ ...s, headers: noToken }, 'INVALID_SESSION_TOKEN');
    // The C SDK's way: sign without the token, then add it as a header.
    const unsignedTok = await signRequest(base, { credentials: { accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey }, region: 'us-west-2', signingDate: at });
    unsignedTok.headers['x-amz-security-token'] = temp.sessionToken!;
    expect(await verify(unsignedTok, opts)).toMatchObject({ ok: true });
    await expectFail(unsignedTok, 'UNSIGNED_SESSION_TOKEN', { ...opts, requireSignedSessionToken: true });
    // A token sent with long-term keys.
    const lt = await signRequest(base, { credentials: longTerm, region: 'us-west-2', signingDate: at });
    await expectFail({ ...lt, headers: { ...lt.headers, 'x-amz-security-token': 'x' } }, 'INVALID_SESSION_TOKEN');
  });
});

describe('verify: presigned URLs', () => {
  const arn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1234567890123';
  const unsigned = `wss://v-1.kinesisvideo.us-west-2.amazonaws.com?X-Amz-ChannelARN=${arn}&X-Amz-ClientId=viewer-1`;
  const opts = { credentials: [temp, longTerm], region: 'us-west-2', now: at };
  const presigned = () => presignWssUrl(unsigned, { credentials: temp, region: 'us-west-2', signingDate: at });
  test('valid as a string and as an upgrade request with the received Host', async () => {
    const url = await presigned();
    expect(await verify(url, opts)).toMatchObject({ ok: true, accessKeyId: temp.accessKeyId });
    const u = new URL(url);
    const upgrade: HttpRequest = { method: 'GET', url: `wss://${u.host}${u.pathname}${u.search}`, headers: { host: u.host, upgrade: 'websocket', 'sec-websocket-key': 'x' } };
    expect(await verify(upgrade, opts)).toMatchObject({ ok: true });
    expect(await verify({ ...upgrade, headers: { ...upgrade.headers, host: 'other:1' } }, opts)).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
  });
  test('expired and not yet valid', async () => {
    const url = await presigned();
    expect(await verify(url, { ...opts, now: new Date(at.getTime() + 299_000) })).toMatchObject({ ok: true });
    expect(await verify(url, { ...opts, now: new Date(at.getTime() + 300_000) })).toMatchObject({ ok: false, failure: 'EXPIRED' });
    expect(await verify(url, { ...opts, now: new Date(at.getTime() - 301_000) })).toMatchObject({ ok: false, failure: 'NOT_YET_VALID' });
  });
  test('tampered query values, missing signature, wrong scope', async () => {
    const url = await presigned();
    expect(await verify(url.replace('viewer-1', 'viewer-2'), opts)).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
    expect(await verify(url.replace('X-Amz-Expires=299', 'X-Amz-Expires=3600'), opts)).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
    expect(await verify(url.replace(/&X-Amz-Signature=[0-9a-f]+/, ''), opts)).toMatchObject({ ok: false, failure: 'MISSING_AUTH' });
    expect(await verify(url, { ...opts, service: 'firehose' })).toMatchObject({ ok: false, failure: 'WRONG_SCOPE' });
    expect(await verify(url, { ...opts, region: 'us-east-1' })).toMatchObject({ ok: false, failure: 'WRONG_SCOPE' });
  });
  test('a token appended after signing is UNSIGNED_SESSION_TOKEN', async () => {
    const url = await presignWssUrl(unsigned, { credentials: { accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey }, region: 'us-west-2', signingDate: at });
    const r = await verify(`${url}&X-Amz-Security-Token=${encodeURIComponent(temp.sessionToken!)}`, opts);
    expect(r).toMatchObject({ ok: false, failure: 'UNSIGNED_SESSION_TOKEN' });
  });
  test('a C-SDK style URL with the raw ARN verifies (values are decoded before canonicalising)', async () => {
    const url = await presigned();
    const raw = url.replace(encodeURIComponent(arn), arn);
    expect(raw).toContain(arn);
    expect(await verify(raw, opts)).toMatchObject({ ok: true });
  });
});
