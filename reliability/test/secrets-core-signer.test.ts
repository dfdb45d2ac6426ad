/**
 * Secrets, core and signer: every error path of the signer and of core's error
 * classes, fed the secret key, the session token and real signatures, shown in
 * every form (message, String, stack, toJSON, JSON.stringify, util.inspect):
 * no secret appears. Presigned URLs expire after 299 s by default.
 */
import { ProtocolError, ServiceError, SignalingError, TransportError, ValidationError, isSignalingError, redactSecrets } from '@kvs-sig/core';
import { createCredentialsProvider, createSigV4RequestSigner, presignWssUrl, signRequest, validateCredentials, verify } from '@kvs-sig/signer';
import fc from 'fast-check';
import { SecretScanner, TEST_CREDENTIALS } from '../src/secrets';

const ENDPOINT = 'wss://v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com';
const ARN = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123';
const AT = new Date('2026-01-02T03:04:05Z');
const creds = { ...TEST_CREDENTIALS };

async function presigned(date = AT, expiresIn?: number): Promise<string> {
  return presignWssUrl(`${ENDPOINT}?X-Amz-ChannelARN=${encodeURIComponent(ARN)}&X-Amz-ClientId=viewer-1`, {
    credentials: creds,
    region: 'us-west-2',
    signingDate: date,
    ...(expiresIn === undefined ? {} : { expiresIn }),
  });
}

async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

test('presigned URLs carry X-Amz-Expires=299 by default and verify refuses them after 299 s', async () => {
  const url = await presigned();
  expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('299');
  const ok = await verify(url, { credentials: creds, region: 'us-west-2', now: new Date(AT.getTime() + 298_000) });
  expect(ok.ok).toBe(true);
  const old = await verify(url, { credentials: creds, region: 'us-west-2', now: new Date(AT.getTime() + 300_000) });
  expect(old).toMatchObject({ ok: false, failure: 'EXPIRED' });
});

test('no signer or core error path shows the secret key, the session token or a signature', async () => {
  const scanner = new SecretScanner();
  const url = await presigned();
  scanner.addSignaturesFrom(url);
  const signed = await signRequest(
    { method: 'POST', url: 'https://kinesisvideo.us-west-2.amazonaws.com/describeSignalingChannel', headers: { 'content-type': 'application/json' }, body: '{"ChannelName":"x"}' },
    { credentials: creds, region: 'us-west-2', signingDate: AT },
  );
  scanner.addSignaturesFrom(signed.headers.authorization ?? '');
  expect(scanner.scanned).toBe(0);

  // a provider's own error may carry the credentials it loaded, labelled as the AWS SDKs label them
  const secretful = JSON.stringify({ secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken });
  const errors: Array<[string, unknown]> = [
    // the signer refusing a URL that is already signed (the message quotes the URL)
    ['presign of a signed URL', await thrown(() => presignWssUrl(url, { credentials: creds, region: 'us-west-2' }))],
    ['presign of a non-URL holding the URL', await thrown(() => presignWssUrl(`not a url ${url}`, { credentials: creds, region: 'us-west-2' }))],
    ['presign with ftp scheme', await thrown(() => presignWssUrl(url.replace('wss:', 'ftp:'), { credentials: creds, region: 'us-west-2' }))],
    ['presign over plain ws to a remote host', await thrown(() => presignWssUrl(url.replace('wss:', 'ws:'), { credentials: creds, region: 'us-west-2' }))],
    ['sign with a URL holding the token', await thrown(() => signRequest({ method: 'GET', url: `bad ${url}`, headers: {} }, { credentials: creds, region: 'us-west-2' }))],
    // credential providers failing with the secret in their own error
    ['provider throws', await thrown(() => createCredentialsProvider(async () => { throw new Error(`could not load ${secretful}`); }).get())],
    ['provider rejects with a string', await thrown(() => createCredentialsProvider(() => Promise.reject(secretful)).get())],
    ['provider returns garbage', await thrown(() => createCredentialsProvider(async () => ({ accessKeyId: '', secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken }) as never).get())],
    ['validateCredentials bad token type', await thrown(() => validateCredentials({ accessKeyId: 'A', secretAccessKey: creds.secretAccessKey, sessionToken: 42 }))],
    ['validateCredentials bad expiration', await thrown(() => validateCredentials({ ...creds, expiration: 'never' }))],
    ['signer with bad region', await thrown(() => createSigV4RequestSigner({ credentials: creds, region: 'us west 2' }))],
    // core error classes built with secret-bearing text, as the client and emulator do
    ['TransportError quoting the URL', new TransportError('CONNECTION_FAILED', `handshake to ${url} failed`, { cause: new Error(`ws: ${url}`) })],
    ['ServiceError quoting the Authorization header', new ServiceError(`refused ${signed.headers.authorization ?? ''}`, { errorType: 'AccessDeniedException', httpStatus: 403 })],
    ['ProtocolError with JSON credentials', new ProtocolError('UNEXPECTED_RESPONSE', `bad reply ${JSON.stringify({ credentials: creds })}`)],
    ['ValidationError with a token header', new ValidationError('headers', `x-amz-security-token: ${creds.sessionToken}`)],
    ['SignalingError with a cause string', new SignalingError('CONNECTION_FAILED', 'x', { cause: `X-Amz-Security-Token=${encodeURIComponent(creds.sessionToken)}` })],
  ];
  for (const [label, e] of errors) {
    expect([label, isSignalingError(e)]).toEqual([label, true]);
    scanner.scanError(label, e);
  }
  // verify's reasons, for every failure it can give
  const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
  for (const [label, input, now] of [
    ['verify tampered', tampered, AT],
    ['verify expired', url, new Date(AT.getTime() + 3_600_000)],
    ['verify early', url, new Date(AT.getTime() - 3_600_000)],
    ['verify no token', url.replace(/&X-Amz-Security-Token=[^&]*/, ''), AT],
  ] as const) {
    const r = await verify(input, { credentials: creds, region: 'us-west-2', now });
    expect(r.ok).toBe(false);
    scanner.scanValue(label, r);
  }
  expect(scanner.scanned).toBeGreaterThan(errors.length * 5);
  expect(scanner.leaks).toEqual([]);
});

test('redactSecrets removes any secret value from presigned URLs, headers and JSON members, and the result stays valid JSON', () => {
  const token = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='), minLength: 16, maxLength: 80 });
  const sig = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
  fc.assert(
    fc.property(token, token, sig, fc.constantFrom('url', 'header', 'json', 'quoted-url'), (secret, sessionToken, signature, form) => {
      const url = `wss://h/?X-Amz-Credential=AKID%2Fx&X-Amz-Security-Token=${encodeURIComponent(sessionToken)}&X-Amz-Signature=${signature}`;
      const text =
        form === 'url'
          ? url
          : form === 'quoted-url'
            ? JSON.stringify({ message: `failed "${url}"` })
            : form === 'header'
              ? `authorization: AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=${signature}\nx-amz-security-token: ${sessionToken}`
              : JSON.stringify({ accessKeyId: 'AKID', secretAccessKey: secret, sessionToken });
      const out = redactSecrets(text);
      for (const s of [signature, encodeURIComponent(sessionToken), sessionToken, ...(form === 'json' ? [secret] : [])]) {
        if (out.includes(s)) return false;
      }
      const e = new TransportError('CONNECTION_FAILED', text);
      const json = JSON.stringify(e.toJSON());
      return !json.includes(signature) && !json.includes(sessionToken);
    }),
    { numRuns: 300 },
  );
});
