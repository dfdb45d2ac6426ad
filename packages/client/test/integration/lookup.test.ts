import { MemoryCache } from '../../src/index';
import { Harness, offer } from '../support/helpers';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
});

/** Operations sent before the handshake of the client's role, in order. */
function sequentialBeforeOpen(ops: string[], connect: string): string[] {
  const end = ops.indexOf(connect);
  return ops.slice(0, end + 1).filter((op) => op !== 'GetIceServerConfig');
}

describe('channel lookup and round trips (read from the emulator request log)', () => {
  test('create-if-missing: Describe 404 -> Create -> Describe, then endpoint and connect', async () => {
    const master = h.master('fresh', { createChannelIfMissing: true });
    await master.connect();
    expect(sequentialBeforeOpen(h.ops(), 'ConnectAsMaster')).toEqual([
      'DescribeSignalingChannel',
      'CreateSignalingChannel',
      'DescribeSignalingChannel',
      'GetSignalingChannelEndpoint',
      'ConnectAsMaster',
    ]);
    expect(master.metrics().phases.createMs).toBeGreaterThanOrEqual(0);
  });

  test('without create-if-missing a missing channel rejects connect with ResourceNotFoundException and does not retry', async () => {
    const viewer = h.viewer('nope', 'v1');
    const err = await viewer.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SERVICE_ERROR', errorType: 'ResourceNotFoundException', httpStatus: 404 });
    expect(viewer.state).toBe('idle');
    expect(h.emu.log.count('DescribeSignalingChannel')).toBe(1);
    expect(h.emu.log.count('CreateSignalingChannel')).toBe(0);
    // Once the channel exists, the same client connects: the earlier failure does not stick.
    await h.createChannel('nope');
    await viewer.connect();
    expect(viewer.state).toBe('open');
  });

  test('cold by name: 3 sequential exchanges (Describe, GetEndpoint, handshake); ICE overlaps the handshake', async () => {
    await h.createChannel('by-name');
    h.emu.log.clear();
    const viewer = h.viewer('by-name', 'v1');
    await viewer.connect();
    expect(sequentialBeforeOpen(h.ops(), 'ConnectAsViewer')).toEqual([
      'DescribeSignalingChannel',
      'GetSignalingChannelEndpoint',
      'ConnectAsViewer',
    ]);
    expect(viewer.metrics().exchangesBeforeOpen).toBe(3);
  });

  test('cold by ARN: 2 sequential exchanges (GetEndpoint, handshake), no Describe', async () => {
    const arn = await h.createChannel('by-arn');
    h.emu.log.clear();
    const viewer = h.client({ role: 'VIEWER', channelArn: arn, clientId: 'v1' });
    await viewer.connect();
    expect(sequentialBeforeOpen(h.ops(), 'ConnectAsViewer')).toEqual(['GetSignalingChannelEndpoint', 'ConnectAsViewer']);
    expect(viewer.metrics().exchangesBeforeOpen).toBe(2);
    expect(viewer.channelArn).toBe(arn);
  });

  test('warm from a shared cache: 1 exchange (the handshake)', async () => {
    await h.createChannel('warm');
    const cache = new MemoryCache();
    const first = h.master('warm', { cache });
    await first.connect();
    await first.close();
    h.emu.log.clear();
    const second = h.master('warm', { cache });
    await second.connect();
    expect(sequentialBeforeOpen(h.ops(), 'ConnectAsMaster')).toEqual(['ConnectAsMaster']);
    expect(second.metrics().exchangesBeforeOpen).toBe(1);
    expect(second.endpoints?.wssEndpoint).toMatch(/^wss:\/\/127\.0\.0\.1:\d+/);
  });

  test('warm from a FileCache written by an earlier process: 1 exchange', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { FileCache } = await import('../../src/index');
    const dir = await mkdtemp(path.join(tmpdir(), 'kvs-file-cache-'));
    try {
      const file = path.join(dir, 'cache.json');
      await h.createChannel('file-warm');
      const first = h.viewer('file-warm', 'v1', { cache: new FileCache({ path: file }) });
      await first.connect();
      await first.close();
      h.emu.log.clear();
      // A new FileCache instance reads what the first one wrote, as a restarted process would.
      const second = h.viewer('file-warm', 'v1', { cache: new FileCache({ path: file }) });
      await second.connect();
      expect(sequentialBeforeOpen(h.ops(), 'ConnectAsViewer')).toEqual(['ConnectAsViewer']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a cache that throws or returns junk costs a miss, never the connection', async () => {
    await h.createChannel('bad-cache');
    const cache = {
      get: () => {
        throw new Error('disk on fire');
      },
      set: async () => {
        throw new Error('read-only');
      },
      delete: () => undefined,
    };
    const viewer = h.viewer('bad-cache', 'v1', { cache });
    await viewer.connect();
    expect(viewer.state).toBe('open');
    const junk = { get: () => ({ channelArn: 42, endpoints: null }) as never, set: () => undefined, delete: () => undefined };
    const other = h.viewer('bad-cache', 'v2', { cache: junk });
    await other.connect();
    expect(other.endpoints?.wssEndpoint).toMatch(/^wss:/);
  });

  test('GetIceServerConfig never delays open: with 400 ms latency on it, open comes first', async () => {
    await h.createChannel('ice-par');
    h.emu.faults.setLatency(400, ['GetIceServerConfig']);
    h.emu.log.clear();
    const viewer = h.viewer('ice-par', 'v1');
    let iceDoneAtOpen = -1;
    viewer.on('open', () => {
      iceDoneAtOpen = h.emu.log.count('GetIceServerConfig');
    });
    await viewer.connect();
    expect(iceDoneAtOpen).toBe(0);
    const servers = await viewer.getIceServers();
    expect(h.emu.log.count('GetIceServerConfig')).toBe(1); // the prefetch, not a second call
    expect(servers[0]).toEqual({ urls: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443' });
    expect(servers.slice(1).every((s) => Array.isArray(s.urls) && s.username && s.credential)).toBe(true);
    // Cached until TTL - grace: no new call.
    await viewer.getIceServers();
    expect(h.emu.log.count('GetIceServerConfig')).toBe(1);
  });

  test('getIceServers() before connect resolves the channel itself', async () => {
    await h.createChannel('ice-first');
    const viewer = h.viewer('ice-first', 'v1');
    const servers = await viewer.getIceServers();
    expect(servers.length).toBeGreaterThan(1);
    expect(viewer.state).toBe('idle');
    expect(h.emu.connections({ channelName: 'ice-first' })).toHaveLength(0);
  });

  test('master and several viewers: the master addresses each viewer by id', async () => {
    const master = h.master('multi', { createChannelIfMissing: true });
    await master.connect();
    const viewers = ['a', 'b', 'c'].map((id) => h.viewer('multi', `viewer-${id}`));
    await Promise.all(viewers.map((v) => v.connect()));
    const got = viewers.map((v) => v.waitFor('sdpOffer', { timeoutMs: 3000 }));
    for (const id of ['a', 'b', 'c']) await master.sendSdpOffer({ ...offer, sdp: `sdp-${id}` }, `viewer-${id}`);
    const payloads = await Promise.all(got);
    expect(payloads.map((p) => p.payload.sdp)).toEqual(['sdp-a', 'sdp-b', 'sdp-c']);
  });
});
