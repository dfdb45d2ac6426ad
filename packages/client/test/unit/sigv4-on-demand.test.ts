/**
 * The default SigV4 signer is loaded on first use (so browser pages with a
 * requestSigner never load it): a failed load is a retryable typed error, is
 * not kept, and the next call loads it and signs as before.
 */
import { verify } from '@kvs-sig/signer';

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ARN = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123';

let loads = 0;
jest.mock('../../src/sigv4', () => {
  loads++;
  if (loads === 1) throw new Error('chunk lost');
  return jest.requireActual('../../src/sigv4');
});

test('a failed load rejects with a retryable CONNECTION_FAILED naming the signer; the next call loads it and signs', async () => {
  // Imported after the mock is in place.
  const { ChannelManager } = await import('../../src');
  const seen: { url: string; headers: Record<string, string>; body?: string }[] = [];
  const fetch = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    seen.push({ url, headers: init.headers, ...(init.body === undefined ? {} : { body: init.body }) });
    const body = JSON.stringify({ ChannelInfo: { ChannelARN: ARN, ChannelName: 'demo', ChannelStatus: 'ACTIVE', ChannelType: 'SINGLE_MASTER' } });
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => body };
  };
  const m = new ChannelManager({ region: 'us-west-2', credentials: creds, fetch });
  try {
    const first = await m.describeChannel({ channelName: 'demo' }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; retryable?: boolean; message?: string },
    );
    expect(first).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(first?.message).toContain('loading the SigV4 signer failed: chunk lost');
    expect(seen).toHaveLength(0);
    const info = await m.describeChannel({ channelName: 'demo' });
    expect(info.channelArn).toBe(ARN);
    expect(loads).toBe(2);
    expect(seen).toHaveLength(1);
    const sent = seen[0]!;
    expect(await verify({ method: 'POST', url: sent.url, headers: sent.headers, ...(sent.body === undefined ? {} : { body: sent.body }) }, { credentials: creds })).toMatchObject({ ok: true });
  } finally {
    await m.close();
  }
});
