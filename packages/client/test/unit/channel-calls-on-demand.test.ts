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

test('each lazily loaded call sends its operation to its URL with its body, and parses the reply', async () => {
  const { ChannelManager } = await import('../../src');
  const sent: { url: string; body: unknown }[] = [];
  const replies: Record<string, { status: number; body: unknown }> = {
    '/createSignalingChannel': { status: 200, body: { ChannelARN: ARN } },
    '/describeSignalingChannel': { status: 200, body: { ChannelInfo: { ChannelARN: ARN, ChannelName: 'demo', ChannelStatus: 'ACTIVE', ChannelType: 'SINGLE_MASTER', Version: 'v1' } } },
    '/deleteSignalingChannel': { status: 200, body: {} },
    '/describeMediaStorageConfiguration': { status: 200, body: { MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: 'arn:aws:kinesisvideo:us-west-2:123456789012:stream/s/1234567890123' } } },
    '/updateMediaStorageConfiguration': { status: 200, body: {} },
    '/getSignalingChannelEndpoint': { status: 200, body: { ResourceEndpointList: [{ Protocol: 'WEBRTC', ResourceEndpoint: 'https://w.kinesisvideo.us-west-2.amazonaws.com' }] } },
    '/joinStorageSession': { status: 200, body: {} },
    '/joinStorageSessionAsViewer': { status: 200, body: {} },
  };
  const fetch = async (url: string, init: { body?: string }) => {
    sent.push({ url, body: init.body === undefined ? undefined : JSON.parse(init.body) });
    const reply = replies[new URL(url).pathname];
    return { status: reply?.status ?? 500, headers: new Headers(), text: async () => JSON.stringify(reply?.body ?? {}) };
  };
  const m = new ChannelManager({ region: 'us-west-2', requestSigner: { getSignedUrl: async (e: string) => e, signRequest: async <R>(r: R) => r }, fetch });
  const cp = 'https://kinesisvideo.us-west-2.amazonaws.com';
  try {
    expect(await m.createChannel({ channelName: 'demo', messageTtlSeconds: 30 })).toEqual({ channelArn: ARN });
    expect(sent.pop()).toEqual({ url: `${cp}/createSignalingChannel`, body: { ChannelName: 'demo', ChannelType: 'SINGLE_MASTER', SingleMasterConfiguration: { MessageTtlSeconds: 30 } } });

    // By name: described first, then deleted at the version it has.
    await m.deleteChannel({ channelName: 'demo' });
    expect(sent.splice(0)).toEqual([
      { url: `${cp}/describeSignalingChannel`, body: { ChannelName: 'demo' } },
      { url: `${cp}/deleteSignalingChannel`, body: { ChannelARN: ARN, CurrentVersion: 'v1' } },
    ]);
    // Already gone counts as deleted.
    replies['/deleteSignalingChannel'] = { status: 404, body: { __type: 'ResourceNotFoundException', message: 'gone' } };
    await expect(m.deleteChannel({ channelArn: ARN })).resolves.toBeUndefined();
    sent.splice(0);

    expect(await m.describeMediaStorageConfiguration({ channelArn: ARN })).toMatchObject({ status: 'ENABLED' });
    await m.updateMediaStorageConfiguration({ channelArn: ARN, status: 'DISABLED' });
    expect(sent.splice(0).map((s) => s.url)).toEqual([`${cp}/describeMediaStorageConfiguration`, `${cp}/updateMediaStorageConfiguration`]);

    // Without a WEBRTC endpoint, the storage calls look it up (as MASTER, or VIEWER).
    await m.joinStorageSession({ channelArn: ARN });
    await m.joinStorageSessionAsViewer({ channelArn: ARN, clientId: 'viewer-1', webrtcEndpoint: 'https://given.example' });
    expect(sent.splice(0)).toEqual([
      { url: `${cp}/getSignalingChannelEndpoint`, body: { ChannelARN: ARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC'], Role: 'MASTER' } } },
      { url: 'https://w.kinesisvideo.us-west-2.amazonaws.com/joinStorageSession', body: { channelArn: ARN } },
      { url: 'https://given.example/joinStorageSessionAsViewer', body: { channelArn: ARN, clientId: 'viewer-1' } },
    ]);
  } finally {
    await m.close();
  }
});
