import fc from 'fast-check';
import { KinesisVideoClient, DescribeSignalingChannelCommand } from '@aws-sdk/client-kinesis-video';
import { SigV4RequestSigner } from 'amazon-kinesis-video-streams-webrtc/lib/SigV4RequestSigner';
import type { HttpRequest } from '@kvs-sig/core';
import { isClockSkewError, presignWssUrl, signRequest, verify, type Credentials } from '../src';

const temp: Credentials = { accessKeyId: 'ASIAINTEROP', secretAccessKey: 'interop/secret+key', sessionToken: 'interop-token' };

describe('verify accepts what other signers send', () => {
  test('a request signed by AWS SDK v3 (client-kinesis-video)', async () => {
    let captured: HttpRequest | undefined;
    const client = new KinesisVideoClient({
      region: 'us-west-2',
      credentials: temp,
      maxAttempts: 1,
      requestHandler: {
        handle: async (req: { method: string; hostname: string; path: string; headers: Record<string, string>; body?: unknown }) => {
          captured = { method: req.method as 'POST', url: `https://${req.hostname}${req.path}`, headers: req.headers, body: typeof req.body === 'string' ? req.body : new TextDecoder().decode(req.body as Uint8Array) };
          throw new Error('captured');
        },
      },
    });
    await expect(client.send(new DescribeSignalingChannelCommand({ ChannelName: 'demo' }))).rejects.toThrow('captured');
    client.destroy();
    expect(captured).toBeDefined();
    const r = await verify(captured!, { credentials: temp, region: 'us-west-2' });
    expect(r).toMatchObject({ ok: true, accessKeyId: temp.accessKeyId });
    // And the same request with a tampered body fails.
    expect(await verify({ ...captured!, body: '{"ChannelName":"x"}' }, { credentials: temp })).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
  });
  test('a URL from the official SigV4RequestSigner, as a server sees it (path-only target + Host)', async () => {
    const date = new Date();
    const url = await new SigV4RequestSigner('us-west-2', temp).getSignedURL('wss://127.0.0.1:4443', { 'X-Amz-ChannelARN': 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1', 'X-Amz-ClientId': 'v1' }, date);
    const target = url.slice('wss://127.0.0.1:4443'.length);
    expect(target.startsWith('/?')).toBe(true);
    expect(await verify({ method: 'GET', url: target, headers: { host: '127.0.0.1:4443' } }, { credentials: temp, region: 'us-west-2' })).toMatchObject({ ok: true });
    expect(await verify({ method: 'GET', url: target, headers: { host: '127.0.0.1:4444' } }, { credentials: temp })).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
  });
  test('time-window failures use AWS wording that isClockSkewError recognises', async () => {
    const at = new Date('2024-01-02T03:04:05Z');
    const signed = await signRequest({ method: 'POST', url: 'https://h.example.com/x', headers: {}, body: '{}' }, { credentials: temp, region: 'us-west-2', signingDate: at });
    const late = await verify(signed, { credentials: temp, now: new Date(at.getTime() + 600_000) });
    const early = await verify(signed, { credentials: temp, now: new Date(at.getTime() - 600_000) });
    expect(late).toMatchObject({ ok: false, failure: 'EXPIRED', reason: 'Signature expired: 20240102T030405Z is now earlier than 20240102T030905Z (20240102T031405Z - 5 min.)' });
    expect(early).toMatchObject({ ok: false, failure: 'NOT_YET_VALID', reason: 'Signature not yet current: 20240102T030405Z is still later than 20240102T025905Z (20240102T025405Z + 5 min.)' });
    for (const r of [late, early]) expect(!r.ok && isClockSkewError(r.reason)).toBe(true);
  });
});

describe('sign → verify properties', () => {
  const token = fc.string({ minLength: 1, maxLength: 50, unit: fc.constantFrom(...'abcXYZ012+/='.split('')) });
  const body = fc.json();
  const path = fc.constantFrom('/describeSignalingChannel', '/v1/get-ice-server-config', '/a b/ü', '/x/%2F/y');
  test('any signed request verifies; any single tampering fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(token, { nil: undefined }), body, path, fc.integer({ min: 0, max: 3 }), async (tok, b, p, tamper) => {
        const creds: Credentials = tok === undefined ? { accessKeyId: 'AKIDPROP', secretAccessKey: 'propsecret' } : { accessKeyId: 'ASIAPROP', secretAccessKey: 'propsecret', sessionToken: tok };
        const at = new Date('2025-06-01T12:00:00Z');
        const req: HttpRequest = { method: 'POST', url: `https://kinesisvideo.eu-west-1.amazonaws.com${encodeURI(p)}`, headers: { 'content-type': 'application/json' }, body: b };
        const signed = await signRequest(req, { credentials: creds, region: 'eu-west-1', signingDate: at });
        const opts = { credentials: creds, region: 'eu-west-1', now: at };
        expect(await verify(signed, opts)).toMatchObject({ ok: true });
        const bad: HttpRequest =
          tamper === 0 ? { ...signed, body: `${b} ` }
          : tamper === 1 ? { ...signed, url: `${signed.url}x` }
          : tamper === 2 ? { ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } }
          : { ...signed, method: 'GET' };
        expect(await verify(bad, opts)).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
      }),
      { numRuns: 150 },
    );
  });
  test('any presigned URL verifies until it expires; a changed parameter fails', async () => {
    const id = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom(...'abcXYZ019_.-'.split('')) });
    await fc.assert(
      fc.asyncProperty(id, fc.option(token, { nil: undefined }), fc.integer({ min: 1, max: 3600 }), async (clientId, tok, expiresIn) => {
        const creds: Credentials = tok === undefined ? { accessKeyId: 'AKIDPROP', secretAccessKey: 's' } : { accessKeyId: 'ASIAPROP', secretAccessKey: 's', sessionToken: tok };
        const at = new Date('2025-06-01T12:00:00Z');
        const url = await presignWssUrl(`wss://v.example.com?X-Amz-ChannelARN=arn:aws:kinesisvideo:us-west-2:1:channel/c/1&X-Amz-ClientId=${clientId}`, { credentials: creds, region: 'us-west-2', signingDate: at, expiresIn });
        expect(await verify(url, { credentials: creds, now: new Date(at.getTime() + expiresIn * 1000) })).toMatchObject({ ok: true });
        expect(await verify(url, { credentials: creds, now: new Date(at.getTime() + expiresIn * 1000 + 1000) })).toMatchObject({ ok: false, failure: 'EXPIRED' });
        const changed = url.replace(`X-Amz-ClientId=${encodeURIComponent(clientId)}`, `X-Amz-ClientId=${encodeURIComponent(clientId)}z`);
        expect(changed).not.toBe(url);
        expect(await verify(changed, { credentials: creds, now: at })).toMatchObject({ ok: false, failure: 'SIGNATURE_MISMATCH' });
      }),
      { numRuns: 150 },
    );
  });
});
