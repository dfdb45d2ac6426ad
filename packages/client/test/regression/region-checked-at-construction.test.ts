/**
 * The region is checked when the client is built: one that cannot form a KVS
 * host name (a typo such as `xx`) is refused at once, naming `region`, instead
 * of a connect() that only ever sees DNS failures. With a custom `endpoint`
 * the region is only the signature's scope, and any scope token is accepted.
 */
import { ValidationError } from '@kvs-sig/core';
import { ChannelManager, SignalingClient } from '../../src/index';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

function construct(region: string, extra: Record<string, unknown> = {}): unknown {
  try {
    const c = new SignalingClient({ role: 'MASTER', region, channelName: 'cam', credentials, ...extra });
    void c.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('region checked at construction', () => {
  test.each(['xx', 'us-west', 'US-WEST-2', 'uswest2', 'eu-west-1.evil.example', 'us west 2'])('%j without an endpoint is refused, naming region', (region) => {
    const error = construct(region);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIGURATION', field: 'region' });
    expect((error as Error).message).toMatch(/region/);
    expect(() => new ChannelManager({ region, credentials })).toThrow(ValidationError);
  });

  test.each(['us-west-2', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1', 'ap-southeast-7'])('%j is accepted', (region) => {
    expect(construct(region)).toBeUndefined();
  });

  test('with a custom endpoint any signature-scope region is accepted (but still not one that breaks the scope)', () => {
    expect(construct('xx', { endpoint: 'https://127.0.0.1:4566' })).toBeUndefined();
    expect(construct('local', { endpoint: 'https://127.0.0.1:4566' })).toBeUndefined();
    expect(construct('a/b', { endpoint: 'https://127.0.0.1:4566' })).toMatchObject({ field: 'region' });
  });
});
