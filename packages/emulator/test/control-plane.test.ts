import * as net from 'node:net';
import type { Emulator } from '../src';
import { call, connect, createChannel, createStream, rawRequest, withEmulator } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(async () => {
  await emu.close();
});

function expectError(r: { status: number; headers: Record<string, unknown>; json: Record<string, unknown> }, status: number, type: string, text?: RegExp) {
  expect({ status: r.status, type: r.headers['x-amzn-errortype'] }).toEqual({ status, type });
  const message = (r.json.Message ?? r.json.message) as string;
  expect(typeof message).toBe('string');
  if (text) expect(message).toMatch(text);
}

describe('every reply', () => {
  test('carries Date, x-amzn-RequestId and JSON content type; errors carry x-amzn-ErrorType and Message', async () => {
    const ok = await call(emu, '/listSignalingChannels', {});
    expect(ok.status).toBe(200);
    expect(Number.isNaN(Date.parse(String(ok.headers.date)))).toBe(false);
    expect(ok.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers['x-amzn-errortype']).toBeUndefined();
    const bad = await call(emu, '/describeSignalingChannel', { ChannelName: 'nope' });
    expectError(bad, 404, 'ResourceNotFoundException');
    expect(bad.json).toHaveProperty('Message');
    expect(bad.headers['x-amzn-requestid']).not.toBe(ok.headers['x-amzn-requestid']);
  });

  test('validation comes before any lookup: a malformed request for a channel that does not exist is 400, not 404', async () => {
    const missing = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/none/1234567890123';
    expectError(await call(emu, '/updateSignalingChannel', { ChannelARN: missing, CurrentVersion: 'v!' }), 400, 'InvalidArgumentException', /currentVersion/);
    expectError(await call(emu, '/getSignalingChannelEndpoint', { ChannelARN: missing, SingleMasterChannelEndpointConfiguration: { Protocols: ['UDP'] } }), 400, 'InvalidArgumentException', /protocols\.1\.member.*enum/);
    expectError(await call(emu, '/TagResource', { ResourceARN: missing, Tags: [{ Key: 'k!', Value: 'v' }] }), 400, 'InvalidArgumentException', /tags\.1\.member\.key/);
    // Well-formed, so the lookup decides: 404.
    expectError(await call(emu, '/updateSignalingChannel', { ChannelARN: missing, CurrentVersion: 'v1' }), 404, 'ResourceNotFoundException');
  });

  test('UpdateMediaStorageConfiguration needs an existing stream, with data retention when ENABLED', async () => {
    const arn = await createChannel(emu, 'cp-ums');
    const ghost = `arn:aws:kinesisvideo:us-west-2:${emu.accountId}:stream/ghost/1700000000000`;
    expectError(await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: ghost } }), 404, 'ResourceNotFoundException', /stream/);
    const noRetention = (await call(emu, '/createStream', { StreamName: 'cp-ums-0' })).json.StreamARN as string;
    expectError(await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: noRetention } }), 400, 'NoDataRetentionException');
    const streamArn = await createStream(emu, 'cp-ums-24');
    expect((await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } })).status).toBe(200);
    // A stream a channel stores into cannot be deleted.
    expectError(await call(emu, '/deleteStream', { StreamARN: streamArn }), 400, 'ResourceInUseException');
  });

  test('unknown path, wrong method and operations of the model the emulator does not serve get 400 UnknownOperationException; the server keeps serving', async () => {
    expectError(await call(emu, '/doesNotExist', {}), 400, 'UnknownOperationException');
    expectError(await rawRequest(emu, '/describeSignalingChannel', { method: 'GET' }), 400, 'UnknownOperationException');
    for (const path of ['/getDataEndpoint', '/updateStream', '/tagStream', '/describeEdgeConfiguration']) {
      expectError(await call(emu, path, { StreamName: 's' }), 400, 'UnknownOperationException');
    }
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
  });

  test('malformed JSON and non-object bodies get 400 SerializationException', async () => {
    expectError(await call(emu, '/createSignalingChannel', undefined, { rawBody: '{"ChannelName":' }), 400, 'SerializationException');
    expectError(await call(emu, '/createSignalingChannel', undefined, { rawBody: '[1,2]' }), 400, 'SerializationException');
    expectError(await call(emu, '/createSignalingChannel', undefined, { rawBody: '"x"' }), 400, 'SerializationException');
  });

  test.each([
    ['garbage request line', '\u0000\u0001 nonsense\r\n\r\n', 400],
    ['header without colon', 'POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n', 400],
    ['Content-Length and chunked', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['64 KB header', `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431],
  ])('malformed HTTP (%s) gets a %s status line with an exception name, not silence', async (_name, text, status) => {
    const { connect: tlsConnect } = await import('node:tls');
    const { port } = new URL(emu.controlPlaneEndpoint);
    const reply = await new Promise<string>((resolve, reject) => {
      let got = '';
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca: emu.ca }, () => socket.write(text));
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (got += d));
      socket.on('end', () => resolve(got));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(reply.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`);
    expect(reply).toMatch(/\r\nx-amzn-ErrorType: SerializationException\r\n/);
    expect(reply).toMatch(/\r\nDate: /);
  });

  test('a body over 1 MiB gets 413 SerializationException (the reply is readable, not a reset)', async () => {
    const r = await call(emu, '/describeSignalingChannel', undefined, { rawBody: `{"ChannelName":"${'a'.repeat(2 * 1024 * 1024)}"}` });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([413, 'SerializationException']);
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
  });

  test('a CORS preflight is answered so browsers can call the emulator, and logged apart from the operations', async () => {
    emu.log.clear();
    const r = await rawRequest(emu, '/describeSignalingChannel', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,x-amz-date' },
    });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-headers']).toBe('authorization,x-amz-date');
    expect(r.headers['access-control-max-age']).toBe('600');
    expect(emu.log.preflights()).toEqual([
      { path: '/describeSignalingChannel', time: expect.any(Number), origin: 'http://localhost:5173', requestMethod: 'POST', requestHeaders: 'authorization,x-amz-date' },
    ]);
    // Not a service operation: the request log and its counts do not see it.
    expect([emu.log.requests(), emu.log.count()]).toEqual([[], 0]);
    const admin = await rawRequest(emu, '/_emulator/log/preflights', { method: 'GET' });
    expect(admin.json as unknown).toEqual(emu.log.preflights());
    emu.log.clear();
    expect(emu.log.preflights()).toEqual([]);
  });
});

describe('CreateSignalingChannel', () => {
  test('returns an ARN of the service format; defaults TTL 60, SINGLE_MASTER, ACTIVE; keeps tags', async () => {
    const arn = await createChannel(emu, 'cp-create', { Tags: [{ Key: 'team', Value: 'a' }] });
    expect(arn).toMatch(new RegExp(`^arn:aws:kinesisvideo:us-west-2:${emu.accountId}:channel/cp-create/\\d{13}$`));
    const d = await call(emu, '/describeSignalingChannel', { ChannelARN: arn });
    const info = d.json.ChannelInfo as Record<string, unknown>;
    expect(info).toMatchObject({
      ChannelARN: arn,
      ChannelName: 'cp-create',
      ChannelStatus: 'ACTIVE',
      ChannelType: 'SINGLE_MASTER',
      SingleMasterConfiguration: { MessageTtlSeconds: 60 },
    });
    expect(info.Version).toMatch(/^[a-zA-Z0-9]{1,64}$/);
    expect(typeof info.CreationTime).toBe('number');
    expect(Math.abs((info.CreationTime as number) * 1000 - Date.now())).toBeLessThan(60_000);
    const tags = await call(emu, '/ListTagsForResource', { ResourceARN: arn });
    expect(tags.json.Tags).toEqual({ team: 'a' });
  });

  test('an existing name gets 400 ResourceInUseException', async () => {
    await createChannel(emu, 'cp-dup');
    expectError(await call(emu, '/createSignalingChannel', { ChannelName: 'cp-dup' }), 400, 'ResourceInUseException', /cp-dup/);
  });

  test.each([
    ['missing name', {}, /channelName.*must not be null/],
    ['empty name', { ChannelName: '' }, /length greater than or equal to 1/],
    ['257 characters', { ChannelName: 'a'.repeat(257) }, /length less than or equal to 256/],
    ['bad characters', { ChannelName: 'a b' }, /regular expression pattern/],
    ['name not a string', { ChannelName: 5 }, /channelName.*must be of type string/],
    ['TTL 4', { ChannelName: 'x1', SingleMasterConfiguration: { MessageTtlSeconds: 4 } }, /greater than or equal to 5/],
    ['TTL 121', { ChannelName: 'x2', SingleMasterConfiguration: { MessageTtlSeconds: 121 } }, /less than or equal to 120/],
    ['TTL not integer', { ChannelName: 'x3', SingleMasterConfiguration: { MessageTtlSeconds: 6.5 } }, /integer/],
    ['unknown type', { ChannelName: 'x4', ChannelType: 'MESH' }, /enum value set/],
    ['FULL_MESH', { ChannelName: 'x5', ChannelType: 'FULL_MESH' }, /SINGLE_MASTER/],
    ['51 tags', { ChannelName: 'x6', Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, /'tags'.*length less than or equal to 50/],
    ['tag key too long', { ChannelName: 'x7', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }, /tags\.1\.member\.key.*length less than or equal to 128/],
    ['tag without Value', { ChannelName: 'x8', Tags: [{ Key: 'k' }] }, /value.*must not be null/],
  ])('refuses %s with 400 InvalidArgumentException naming the problem', async (_name, body, text) => {
    const r = await call(emu, '/createSignalingChannel', body);
    expectError(r, 400, 'InvalidArgumentException', text);
  });

  test('256-character names are accepted (the API limit)', async () => {
    const name = 'n'.repeat(256);
    const arn = await createChannel(emu, name);
    expect(arn).toContain(`/${name}/`);
  });

  test('the channel limit gives AccountChannelLimitExceededException', async () => {
    const small = await withEmulator({ tls: false, limits: { maxChannels: 1 } });
    try {
      await createChannel(small, 'one');
      expectError(await call(small, '/createSignalingChannel', { ChannelName: 'two' }), 400, 'AccountChannelLimitExceededException');
    } finally {
      await small.close();
    }
  });
});

describe('DescribeSignalingChannel', () => {
  test('by name or ARN; neither → InvalidArgumentException; unknown → 404; mismatching pair → 404', async () => {
    const arn = await createChannel(emu, 'cp-desc');
    expect((await call(emu, '/describeSignalingChannel', { ChannelName: 'cp-desc' })).status).toBe(200);
    expect((await call(emu, '/describeSignalingChannel', { ChannelARN: arn })).status).toBe(200);
    expectError(await call(emu, '/describeSignalingChannel', {}), 400, 'InvalidArgumentException', /ChannelName or ChannelARN/);
    expectError(await call(emu, '/describeSignalingChannel', { ChannelARN: arn.replace('cp-desc', 'cp-gone') }), 404, 'ResourceNotFoundException');
    expectError(await call(emu, '/describeSignalingChannel', { ChannelARN: 'not-an-arn' }), 400, 'InvalidArgumentException', /pattern/);
    expectError(await call(emu, '/describeSignalingChannel', { ChannelARN: arn, ChannelName: 'other' }), 404, 'ResourceNotFoundException');
  });
});

describe('ListSignalingChannels', () => {
  test('BEGINS_WITH, MaxResults and NextToken paging visit every channel once, in name order', async () => {
    const names = ['pg-c', 'pg-a', 'pg-e', 'pg-b', 'pg-d'];
    for (const n of names) await createChannel(emu, n);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call(emu, '/listSignalingChannels', {
        MaxResults: 2,
        ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'pg-' },
        ...(token ? { NextToken: token } : {}),
      });
      expect(r.status).toBe(200);
      const list = r.json.ChannelInfoList as Array<{ ChannelName: string }>;
      expect(list.length).toBeLessThanOrEqual(2);
      seen.push(...list.map((c) => c.ChannelName));
      token = r.json.NextToken as string | undefined;
      if (token !== undefined) expect(token).toMatch(/^[a-zA-Z0-9+/=]*$/);
      pages++;
    } while (token !== undefined && pages < 10);
    expect(seen).toEqual([...names].sort());
    expect(pages).toBe(3);
  });

  test('bad MaxResults, operator or token are refused', async () => {
    expectError(await call(emu, '/listSignalingChannels', { MaxResults: 0 }), 400, 'InvalidArgumentException');
    expectError(await call(emu, '/listSignalingChannels', { MaxResults: 10001 }), 400, 'InvalidArgumentException');
    expectError(
      await call(emu, '/listSignalingChannels', { ChannelNameCondition: { ComparisonOperator: 'CONTAINS', ComparisonValue: 'a' } }),
      400,
      'InvalidArgumentException',
      /BEGINS_WITH/,
    );
    expectError(await call(emu, '/listSignalingChannels', { NextToken: 'Zm9v' }), 400, 'InvalidArgumentException', /NextToken/);
  });
});

describe('UpdateSignalingChannel and DeleteSignalingChannel', () => {
  test('update needs the current version, changes the TTL and issues a new version', async () => {
    const arn = await createChannel(emu, 'cp-upd');
    const v1 = ((await call(emu, '/describeSignalingChannel', { ChannelARN: arn })).json.ChannelInfo as { Version: string }).Version;
    expectError(
      await call(emu, '/updateSignalingChannel', { ChannelARN: arn, CurrentVersion: 'stale1', SingleMasterConfiguration: { MessageTtlSeconds: 30 } }),
      400,
      'VersionMismatchException',
    );
    expectError(await call(emu, '/updateSignalingChannel', { ChannelARN: arn }), 400, 'InvalidArgumentException', /currentVersion/);
    const ok = await call(emu, '/updateSignalingChannel', { ChannelARN: arn, CurrentVersion: v1, SingleMasterConfiguration: { MessageTtlSeconds: 30 } });
    expect(ok.status).toBe(200);
    const info = (await call(emu, '/describeSignalingChannel', { ChannelARN: arn })).json.ChannelInfo as { Version: string; SingleMasterConfiguration: { MessageTtlSeconds: number } };
    expect(info.SingleMasterConfiguration.MessageTtlSeconds).toBe(30);
    expect(info.Version).not.toBe(v1);
    expectError(await call(emu, '/updateSignalingChannel', { ChannelARN: arn, CurrentVersion: v1 }), 400, 'VersionMismatchException');
  });

  test('delete checks an optional version, removes the channel and closes its sockets', async () => {
    const arn = await createChannel(emu, 'cp-del');
    const master = await connect(emu, arn);
    const viewer = await connect(emu, arn, { clientId: 'v' });
    expectError(await call(emu, '/deleteSignalingChannel', { ChannelARN: arn, CurrentVersion: 'wrong' }), 400, 'VersionMismatchException');
    expect((await call(emu, '/deleteSignalingChannel', { ChannelARN: arn })).status).toBe(200);
    expect(await master.closed).toBe(1001);
    expect(await viewer.closed).toBe(1001);
    expect(emu.connections({ channelArn: arn })).toEqual([]);
    expectError(await call(emu, '/describeSignalingChannel', { ChannelARN: arn }), 404, 'ResourceNotFoundException');
    expectError(await call(emu, '/deleteSignalingChannel', { ChannelARN: arn }), 404, 'ResourceNotFoundException');
    // The name is free again, under a new ARN.
    const again = await createChannel(emu, 'cp-del');
    expect(again).not.toBe(arn);
  });
});

describe('tags', () => {
  test('TagResource adds and overwrites, UntagResource removes, ListTagsForResource returns a map; over 50 is refused', async () => {
    const arn = await createChannel(emu, 'cp-tags', { Tags: [{ Key: 'a', Value: '1' }] });
    expect((await call(emu, '/TagResource', { ResourceARN: arn, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }] })).status).toBe(200);
    expect((await call(emu, '/ListTagsForResource', { ResourceARN: arn })).json.Tags).toEqual({ a: '2', b: '' });
    expect((await call(emu, '/UntagResource', { ResourceARN: arn, TagKeyList: ['a'] })).status).toBe(200);
    expect((await call(emu, '/ListTagsForResource', { ResourceARN: arn })).json.Tags).toEqual({ b: '' });
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expectError(await call(emu, '/TagResource', { ResourceARN: arn, Tags: many }), 400, 'TagsPerResourceExceededLimitException');
    expectError(await call(emu, '/TagResource', { ResourceARN: arn, Tags: [] }), 400, 'InvalidArgumentException');
    expectError(await call(emu, '/UntagResource', { ResourceARN: arn }), 400, 'InvalidArgumentException');
    expectError(await call(emu, '/ListTagsForResource', { ResourceARN: arn.replace('cp-tags', 'cp-none') }), 404, 'ResourceNotFoundException');
  });
});

describe('GetSignalingChannelEndpoint', () => {
  test('returns only the protocols asked, without path or trailing slash', async () => {
    const arn = await createChannel(emu, 'cp-ep');
    const r = await call(emu, '/getSignalingChannelEndpoint', {
      ChannelARN: arn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['HTTPS'], Role: 'MASTER' },
    });
    expect(r.json.ResourceEndpointList).toEqual([{ Protocol: 'HTTPS', ResourceEndpoint: emu.controlPlaneEndpoint }]);
    expect(emu.controlPlaneEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const both = await call(emu, '/getSignalingChannelEndpoint', {
      ChannelARN: arn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' },
    });
    expect(both.json.ResourceEndpointList).toEqual([
      { Protocol: 'WSS', ResourceEndpoint: emu.controlPlaneEndpoint.replace('https:', 'wss:') },
      { Protocol: 'HTTPS', ResourceEndpoint: emu.controlPlaneEndpoint },
    ]);
  });

  test('refuses bad protocols and roles, and WEBRTC for a channel without media storage', async () => {
    const arn = await createChannel(emu, 'cp-ep2');
    const ask = (cfg: unknown) => call(emu, '/getSignalingChannelEndpoint', { ChannelARN: arn, SingleMasterChannelEndpointConfiguration: cfg });
    expectError(await ask({ Protocols: ['FTP'], Role: 'MASTER' }), 400, 'InvalidArgumentException', /WSS, HTTPS, WEBRTC/);
    expectError(await ask({ Protocols: [], Role: 'MASTER' }), 400, 'InvalidArgumentException', /protocols.*length greater than or equal to 1/);
    expectError(await ask({ Protocols: ['WSS'], Role: 'ADMIN' }), 400, 'InvalidArgumentException', /MASTER, VIEWER/);
    expectError(await ask({ Protocols: ['WEBRTC'], Role: 'MASTER' }), 400, 'InvalidArgumentException', /media storage/);
    expectError(await call(emu, '/getSignalingChannelEndpoint', { ChannelARN: arn.replace('cp-ep2', 'cp-nope') }), 404, 'ResourceNotFoundException');
  });
});

describe('advertisedEndpoints', () => {
  test('GetSignalingChannelEndpoint returns the given origins, and clients reach the emulator through them', async () => {
    // A plain TCP forwarder stands in for a different host: the emulator must be reachable through what it advertises.
    let target = 0;
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as net.AddressInfo).port;
    const other = await withEmulator({ advertisedEndpoints: { https: `https://127.0.0.1:${port}/`, wss: `wss://127.0.0.1:${port}` } });
    try {
      target = Number(new URL(other.controlPlaneEndpoint).port);
      expect(target).not.toBe(port);
      const arn = await createChannel(other, 'adv-ep');
      const ep = await call(other, '/getSignalingChannelEndpoint', {
        ChannelARN: arn,
        SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' },
      });
      expect(ep.json.ResourceEndpointList).toEqual([
        { Protocol: 'WSS', ResourceEndpoint: `wss://127.0.0.1:${port}` },
        { Protocol: 'HTTPS', ResourceEndpoint: `https://127.0.0.1:${port}` },
      ]);
      const ice = await call(other, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'adv-viewer' }, { origin: `https://127.0.0.1:${port}` });
      expect(ice.status).toBe(200);
      const peer = await connect(other, arn, { clientId: 'adv-viewer', endpoint: `wss://127.0.0.1:${port}` });
      expect(other.connections({ clientId: 'adv-viewer' })).toHaveLength(1);
      await peer.close();
      // Protocols not overridden keep the emulator's own origin.
      const streamArn = await createStream(other, 'cam');
      await call(other, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } });
      const rtc = await call(other, '/getSignalingChannelEndpoint', { ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC'], Role: 'MASTER' } });
      expect(rtc.json.ResourceEndpointList).toEqual([{ Protocol: 'WEBRTC', ResourceEndpoint: other.controlPlaneEndpoint }]);
    } finally {
      await other.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('media storage configuration', () => {
  test('describe defaults to DISABLED; update to ENABLED needs a stream ARN; WEBRTC endpoint then appears', async () => {
    const arn = await createChannel(emu, 'cp-ms');
    const d0 = await call(emu, '/describeMediaStorageConfiguration', { ChannelName: 'cp-ms' });
    expect(d0.json).toEqual({ MediaStorageConfiguration: { Status: 'DISABLED' } });
    expectError(
      await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED' } }),
      400,
      'InvalidArgumentException',
      /StreamARN/,
    );
    expectError(
      await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ON' } }),
      400,
      'InvalidArgumentException',
    );
    expectError(await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn }), 400, 'InvalidArgumentException');
    const streamArn = await createStream(emu, 'cam');
    const u = await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } });
    expect(u.status).toBe(200);
    const d1 = await call(emu, '/describeMediaStorageConfiguration', { ChannelARN: arn });
    expect(d1.json).toEqual({ MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } });
    const ep = await call(emu, '/getSignalingChannelEndpoint', {
      ChannelARN: arn,
      SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS', 'WEBRTC'], Role: 'MASTER' },
    });
    expect((ep.json.ResourceEndpointList as Array<{ Protocol: string }>).map((e) => e.Protocol)).toEqual(['WSS', 'HTTPS', 'WEBRTC']);
  });
});

describe('GetIceServerConfig', () => {
  test('returns turn:/turns: servers with the configured TTL and credentials that expire at now + TTL', async () => {
    const short = await withEmulator({ tls: false, limits: { iceServerTtlSeconds: 60 } });
    try {
      const arn = await createChannel(short, 'i'.repeat(256));
      const r = await call(short, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'viewer-1', Service: 'TURN' });
      expect(r.status).toBe(200);
      const list = r.json.IceServerList as Array<{ Uris: string[]; Username: string; Password: string; Ttl: number }>;
      expect(list.length).toBeGreaterThanOrEqual(1);
      for (const s of list) {
        expect(s.Ttl).toBe(60);
        expect(s.Uris.length).toBeGreaterThanOrEqual(1);
        expect(s.Uris.length).toBeLessThanOrEqual(4);
        for (const u of s.Uris) expect(u).toMatch(/^turns?:/);
        expect(s.Username.length).toBeLessThanOrEqual(256);
        const expiry = Number(s.Username.split(':')[0]);
        expect(Math.abs(expiry - (Date.now() / 1000 + 60))).toBeLessThan(5);
        expect(s.Password.length).toBeGreaterThan(0);
      }
    } finally {
      await short.close();
    }
  });

  test('with a TURN REST secret, the password is base64(HMAC-SHA1(secret, username)) and the URIs are the configured ones', async () => {
    const { createHmac } = await import('node:crypto');
    const turn = await withEmulator({ tls: false, turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 's3cret' } });
    try {
      const arn = await createChannel(turn, 'ice-turn');
      const r = await call(turn, '/v1/get-ice-server-config', { ChannelARN: arn });
      const [server] = r.json.IceServerList as Array<{ Uris: string[]; Username: string; Password: string }>;
      expect(server!.Uris).toEqual(['turn:127.0.0.1:3478?transport=udp']);
      expect(server!.Username).toMatch(/^\d+:/);
      expect(server!.Password).toBe(createHmac('sha1', 's3cret').update(server!.Username).digest('base64'));
    } finally {
      await turn.close();
    }
  });

  test('iceServerCount sets how many servers are listed, each with its own credentials (also with turn; 0 gives an empty list)', async () => {
    const seven = await withEmulator({ tls: false, iceServerCount: 7 });
    const turn = await withEmulator({ tls: false, iceServerCount: 3, turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 's' } });
    const none = await withEmulator({ tls: false, iceServerCount: 0 });
    try {
      const list = async (e: Emulator) =>
        (await call(e, '/v1/get-ice-server-config', { ChannelARN: await createChannel(e, 'ice-n') })).json.IceServerList as Array<{ Uris: string[]; Username: string }>;
      const s7 = await list(seven);
      expect(s7).toHaveLength(7);
      expect(new Set(s7.map((s) => s.Username)).size).toBe(7);
      const s3 = await list(turn);
      expect(s3.map((s) => s.Uris)).toEqual([0, 1, 2].map(() => ['turn:127.0.0.1:3478?transport=udp']));
      expect(new Set(s3.map((s) => s.Username)).size).toBe(3);
      expect(await list(none)).toEqual([]);
      // The defaults are unchanged: two fake servers, one with turn.
      expect(await list(emu)).toHaveLength(2);
    } finally {
      await Promise.all([seven.close(), turn.close(), none.close()]);
    }
  });

  test('refuses a bad Service, ClientId or unknown channel', async () => {
    const arn = await createChannel(emu, 'cp-ice');
    expectError(await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn, Service: 'STUN' }), 400, 'InvalidArgumentException', /TURN/);
    expectError(await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'a b' }), 400, 'InvalidArgumentException');
    expectError(await call(emu, '/v1/get-ice-server-config', {}), 400, 'InvalidArgumentException', /channelARN/);
    expectError(await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn.replace('cp-ice', 'cp-x') }), 404, 'ResourceNotFoundException');
  });
});
