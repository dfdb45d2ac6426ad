import fc from 'fast-check';
import { constructConnectWssEndpointRequest, isSignalingError } from '@kvs-sig/core';
import { createSigV4RequestSigner, presignWssUrl, verify } from '../src';
import { officialPresign, presignCase, rawUrl } from './oracle';

const common = {
  region: 'us-west-2',
  credentials: { accessKeyId: 'AKIA4F7WJQR7FMMWMNXI', secretAccessKey: 'FakeSecretKey', sessionToken: 'FakeSessionToken' },
  signingDate: new Date('2019-12-01T00:00:00.000Z'),
};
const noToken = { accessKeyId: 'AKIA4F7WJQR7FMMWMNXI', secretAccessKey: 'FakeSecretKey' };
const sig = (url: string): string | null => new URL(url).searchParams.get('X-Amz-Signature');

describe('presignWssUrl: protocol.md 4.4 vectors', () => {
  test('A: no path, with session token (full URL)', async () => {
    const url = await presignWssUrl('wss://kvs.awsamazon.com?X-Amz-TestParam=test-param-value', common);
    expect(url).toBe(
      'wss://kvs.awsamazon.com/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA4F7WJQR7FMMWMNXI%2F20191201%2Fus-west-2%2Fkinesisvideo%2Faws4_request&X-Amz-Date=20191201T000000Z&X-Amz-Expires=299&X-Amz-Security-Token=FakeSessionToken&X-Amz-Signature=fc268038be276315822b4f73eafd28ee3a5632a2a35fdb0a88db9a42b13d6c92&X-Amz-SignedHeaders=host&X-Amz-TestParam=test-param-value',
    );
  });
  test('B: no session token', async () => {
    const url = await presignWssUrl('wss://kvs.awsamazon.com?X-Amz-TestParam=test-param-value', { ...common, credentials: noToken });
    expect(sig(url)).toBe('be1e78950d956a8a9a1997417099ddbd7455619f3d08c4ad20e1e272179ca695');
    expect(url).not.toContain('X-Amz-Security-Token');
  });
  test('C: endpoint with a path', async () => {
    const url = await presignWssUrl('wss://kvs.awsamazon.com/path/path/path?X-Amz-TestParam=test-param-value', common);
    expect(url.startsWith('wss://kvs.awsamazon.com/path/path/path?X-Amz-Algorithm=')).toBe(true);
    expect(sig(url)).toBe('0bf3df6ca23d8d82f688e8dbfb90d69e74843d40038541b1721c545eef7612a4');
  });
  test('D: service firehose', async () => {
    const url = await presignWssUrl('wss://kvs.awsamazon.com?X-Amz-TestParam=test-param-value', { ...common, service: 'firehose' });
    expect(sig(url)).toBe('f15308513d21a381d38b7607a0439f25fc2e6c9f5ff56a48c1664b486e6234d5');
  });
  const arn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1234567890123';
  const eOptions = {
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    signingDate: new Date('2024-01-02T03:04:05Z'),
  };
  const eQuery =
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-ChannelARN=arn%3Aaws%3Akinesisvideo%3Aus-west-2%3A123456789012%3Achannel%2Fdemo-channel%2F1234567890123&X-Amz-ClientId=viewer-1&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-west-2%2Fkinesisvideo%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=299&X-Amz-SignedHeaders=host';
  const eSig = '702c6061c5bc6dd51806ae99d4dfe66cfe1e00eefed9fc3bf295cfef6f917e22';
  test.each([
    ['raw ARN (as core builds it)', `wss://v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com?X-Amz-ChannelARN=${arn}&X-Amz-ClientId=viewer-1`],
    ['encoded ARN', `wss://v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com?X-Amz-ChannelARN=${encodeURIComponent(arn)}&X-Amz-ClientId=viewer-1`],
    ['parameters in the other order', `wss://v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com?X-Amz-ClientId=viewer-1&X-Amz-ChannelARN=${arn}`],
  ])('E: viewer vector, %s', async (_name, input) => {
    const url = await presignWssUrl(input, eOptions);
    const [, q] = url.split('?') as [string, string];
    expect(q.replace(/&X-Amz-Signature=[0-9a-f]{64}/, '')).toBe(eQuery);
    expect(sig(url)).toBe(eSig);
  });
  test('E from core constructConnectWssEndpointRequest', async () => {
    const { url: unsigned } = constructConnectWssEndpointRequest({ wssEndpoint: 'wss://v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com', channelArn: arn, role: 'VIEWER', clientId: 'viewer-1' });
    expect(sig(await presignWssUrl(unsigned, eOptions))).toBe(eSig);
  });
  test('E through createSigV4RequestSigner().getSignedUrl', async () => {
    const signer = createSigV4RequestSigner({ region: 'us-west-2', credentials: eOptions.credentials });
    const url = await signer.getSignedUrl('wss://v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com', { 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': 'viewer-1' }, eOptions.signingDate);
    expect(sig(url)).toBe(eSig);
  });
});

describe('presignWssUrl: input errors', () => {
  const bad: Array<[string, string, Record<string, unknown>, string]> = [
    ['missing accessKeyId', 'wss://h', { credentials: { accessKeyId: '', secretAccessKey: 's' } }, 'credentials.accessKeyId'],
    ['missing secretAccessKey', 'wss://h', { credentials: { accessKeyId: 'a' } }, 'credentials.secretAccessKey'],
    ['bad scheme', 'ftp://h', {}, 'url'],
    ['ws on a public host', 'ws://example.com', {}, 'url'],
    ['signer parameter in input', 'wss://h?X-Amz-Signature=abc', {}, 'url.query.X-Amz-Signature'],
    ['bad expiresIn', 'wss://h', { expiresIn: 604801 }, 'expiresIn'],
    ['bad region', 'wss://h', { region: 'US WEST' }, 'region'],
    ['bad escape', 'wss://h?a=%zz', {}, 'url.query.a'],
  ];
  test.each(bad)('%s', async (_n, url, extra, field) => {
    const err = await presignWssUrl(url, { ...common, ...extra } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSignalingError(err)).toBe(true);
    expect((err as { field: string }).field).toBe(field);
  });
  test('ws:// to loopback is allowed (local emulator)', async () => {
    const url = await presignWssUrl('ws://127.0.0.1:4567/', common);
    expect(url.startsWith('ws://127.0.0.1:4567/?X-Amz-Algorithm=')).toBe(true);
    expect(await verify(url, { credentials: common.credentials, now: common.signingDate })).toMatchObject({ ok: true });
  });
});

describe('presignWssUrl vs the official SigV4RequestSigner (randomised)', () => {
  test('byte-identical over many inputs', async () => {
    await fc.assert(
      fc.asyncProperty(presignCase, async (c) => {
        const official = await officialPresign(c);
        expect(await presignWssUrl(rawUrl(c), { region: c.region, credentials: c.credentials, signingDate: c.date })).toBe(official);
        expect(await createSigV4RequestSigner({ region: c.region, credentials: c.credentials }).getSignedUrl(c.endpoint, c.params, c.date)).toBe(official);
      }),
      { numRuns: 300 },
    );
  });
});
