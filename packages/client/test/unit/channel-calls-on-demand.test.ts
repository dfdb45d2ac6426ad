/**
 * The channel calls a viewer never makes (create, list, delete, media storage,
 * storage sessions) live in a module loaded on first use, so a viewer's page
 * never loads it: a failed load is a retryable typed error, is not kept, and
 * the next call loads it; once loaded, every manager shares it.
 */
let loads = 0;
jest.mock('../../src/channel-admin', () => {
  loads++;
  if (loads === 1) throw new Error('chunk lost');
  return jest.requireActual('../../src/channel-admin');
});

const ARN = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123';

test('a failed load rejects with a retryable CONNECTION_FAILED and sends nothing; the next call loads it and calls the service', async () => {
  const { ChannelManager } = await import('../../src');
  const seen: { url: string; body?: string }[] = [];
  const fetch = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    seen.push({ url, ...(init.body === undefined ? {} : { body: init.body }) });
    const body = JSON.stringify({ ChannelInfoList: [{ ChannelARN: ARN, ChannelName: 'demo', ChannelStatus: 'ACTIVE', ChannelType: 'SINGLE_MASTER' }] });
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => body };
  };
  const requestSigner = {
    getSignedUrl: async (endpoint: string) => endpoint,
    signRequest: async <R>(request: R) => request,
  };
  const a = new ChannelManager({ region: 'us-west-2', requestSigner, fetch });
  const b = new ChannelManager({ region: 'us-west-2', requestSigner, fetch });
  try {
    const first = await a.listChannels({ prefix: 'de' }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; retryable?: boolean; message?: string },
    );
    expect(first).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(first?.message).toContain('loading the channel calls module failed: chunk lost');
    expect(seen).toHaveLength(0);

    const listed = await a.listChannels({ prefix: 'de' });
    expect(listed.channels.map((c) => c.channelArn)).toEqual([ARN]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('https://kinesisvideo.us-west-2.amazonaws.com/listSignalingChannels');
    expect(JSON.parse(seen[0]!.body!)).toEqual({ ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'de' } });

    // Another manager uses the module already loaded.
    await b.listChannels();
    expect(loads).toBe(2);
    expect(seen).toHaveLength(2);
  } finally {
    await a.close();
    await b.close();
  }
});

test('input errors of a lazily loaded call stay typed ValidationErrors naming the field', async () => {
  const { ChannelManager } = await import('../../src');
  const fetch = async () => ({ status: 200, headers: new Headers(), text: async () => '{}' });
  const m = new ChannelManager({ region: 'us-west-2', requestSigner: { getSignedUrl: async (e: string) => e, signRequest: async <R>(r: R) => r }, fetch });
  try {
    await expect(m.createChannel({ channelName: 'bad name!' })).rejects.toMatchObject({ name: 'ValidationError', field: 'channelName' });
  } finally {
    await m.close();
  }
});
