import type { SignalingClient } from '../../src/index';
import { managerInternals } from '../../src/channel-manager';
import { Harness, candidate, offer, until } from '../support/helpers';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

/** A connected master + viewer pair on a fresh channel. */
async function pair(name: string, extra: Parameters<Harness['master']>[1] = {}) {
  const master = h.master(name, { createChannelIfMissing: true, ...extra });
  await master.connect();
  const viewer = h.viewer(name, 'viewer-1', extra);
  await viewer.connect();
  // The master holds a viewer's candidates until its SDP: send it first, and wait until it is there.
  const got = master.waitFor('sdpOffer', { timeoutMs: 3000 });
  await viewer.sendSdpOffer(offer);
  await got;
  return { master, viewer };
}

/** Collects the candidate strings `client` receives. */
function received(client: SignalingClient): string[] {
  const out: string[] = [];
  client.on('iceCandidate', (e) => out.push(e.payload.candidate ?? ''));
  return out;
}

const fast = { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } };

describe('recovery from every emulator fault', () => {
  test('dropped connection: reconnects, and sends made while reconnecting are all delivered in order', async () => {
    h = await Harness.start();
    const { master, viewer } = await pair('drop', fast);
    const atMaster = received(master);
    const events: string[] = [];
    viewer.on('close', (e) => events.push(`close:${e.willReconnect}`));
    viewer.on('reconnecting', () => events.push('reconnecting'));
    viewer.on('open', (e) => events.push(`open:${e.reconnected}`));
    const closed = viewer.waitFor('close');
    expect(h.emu.faults.dropConnections({ role: 'VIEWER' })).toBe(1);
    await closed;
    expect(viewer.state).toBe('reconnecting');
    const sends = [1, 2, 3, 4, 5].map((n) => viewer.sendIceCandidate(candidate(n)));
    expect(viewer.metrics().queued).toBeGreaterThan(0);
    await Promise.all(sends);
    await until(() => atMaster.length === 5, 3000, '5 candidates');
    expect(atMaster).toEqual([1, 2, 3, 4, 5].map((n) => candidate(n).candidate));
    expect(events[0]).toBe('close:true');
    expect(events).toContain('reconnecting');
    expect(events[events.length - 1]).toBe('open:true');
    expect(viewer.metrics().reconnects).toBe(1);
    // The reconnect reused the cached endpoint: one handshake, no control-plane call.
    expect(h.emu.log.count('ConnectAsViewer')).toBe(2);
    expect(h.emu.log.count('GetSignalingChannelEndpoint')).toBe(2); // master + first viewer connect
  });

  test('service message quotas: a burst of 30 candidates is paced under 20/s and all arrive, in order', async () => {
    h = await Harness.start({ limits: { iceCandidatesPerSecondPerConnection: 20, sdpMessagesPerSecondPerConnection: 5 } });
    const { master, viewer } = await pair('quota');
    const atMaster = received(master);
    await Promise.all(Array.from({ length: 30 }, (_, i) => viewer.sendIceCandidate(candidate(i))));
    await until(() => atMaster.length === 30, 3000, '30 candidates');
    expect(atMaster).toEqual(Array.from({ length: 30 }, (_, i) => candidate(i).candidate));
  });

  test('service message quotas: without pacing (sendRate: false) the service drops the excess', async () => {
    h = await Harness.start({ limits: { iceCandidatesPerSecondPerConnection: 20 } });
    const { master, viewer } = await pair('quota-off', { sendRate: false });
    const atMaster = received(master);
    await Promise.all(Array.from({ length: 30 }, (_, i) => viewer.sendIceCandidate(candidate(i))));
    await new Promise((r) => setTimeout(r, 300));
    expect(atMaster.length).toBeLessThan(30);
  });

  test('GO_AWAY: the new connection opens before the old one closes (no close, no reconnecting state)', async () => {
    h = await Harness.start({ limits: { goAwayGraceMs: 5000 } });
    const { master, viewer } = await pair('goaway', fast);
    const atMaster = received(master);
    const states: string[] = [];
    const closes: unknown[] = [];
    viewer.on('stateChange', (e) => states.push(e.to));
    viewer.on('close', (e) => closes.push(e));
    const goAway = viewer.waitFor('goAway');
    const reopened = viewer.waitFor('open');
    expect(h.emu.faults.goAway({ role: 'VIEWER' })).toBe(1);
    await goAway;
    const sending = viewer.sendIceCandidate(candidate(7));
    expect(await reopened).toEqual({ reconnected: true });
    await sending;
    await viewer.sendIceCandidate(candidate(8));
    await until(() => atMaster.length === 2, 3000, 'candidates');
    expect(atMaster).toEqual([candidate(7).candidate, candidate(8).candidate]);
    expect(states).toEqual([]);
    expect(closes).toEqual([]);
    expect(h.emu.connections({ role: 'VIEWER' })).toHaveLength(1);
    expect(h.emu.log.count('ConnectAsViewer')).toBe(2);
  });

  test('GO_AWAY to the master: replaced make-before-break; viewers still reach it', async () => {
    h = await Harness.start({ limits: { goAwayGraceMs: 5000 } });
    const { master, viewer } = await pair('goaway-m', fast);
    const closes: unknown[] = [];
    master.on('close', (e) => closes.push(e));
    const reopened = master.waitFor('open');
    h.emu.faults.goAway({ role: 'MASTER' });
    await reopened;
    const got = master.waitFor('sdpOffer', { timeoutMs: 3000 });
    await viewer.sendSdpOffer({ ...offer, sdp: `${offer.sdp}a=renegotiated\r\n` });
    expect((await got).senderClientId).toBe('viewer-1');
    expect(closes).toEqual([]);
    expect(master.state).toBe('open');
  });

  test('RECONNECT_ICE_SERVER: fresh ICE servers are fetched and announced; the socket stays', async () => {
    h = await Harness.start();
    const { viewer } = await pair('rice');
    const before = await viewer.getIceServers();
    const ask = viewer.waitFor('reconnectIceServer');
    const changed = viewer.waitFor('iceServersChanged', { timeoutMs: 3000 });
    expect(h.emu.faults.reconnectIceServer({ role: 'VIEWER' })).toBe(1);
    await ask;
    const { iceServers } = await changed;
    expect(iceServers).not.toEqual(before);
    expect(await viewer.getIceServers()).toEqual(iceServers);
    expect(viewer.state).toBe('open');
    expect(h.emu.log.count('ConnectAsViewer')).toBe(1);
  });

  test('5xx on GetSignalingChannelEndpoint: retried with backoff until it succeeds', async () => {
    h = await Harness.start();
    await h.createChannel('fail5xx');
    h.emu.faults.failNext('GetSignalingChannelEndpoint', 2, { status: 503, errorType: 'ServiceUnavailableException' });
    const viewer = h.viewer('fail5xx', 'v1', fast);
    const retries: unknown[] = [];
    viewer.on('reconnecting', (e) => retries.push(e.error?.code));
    await viewer.connect();
    expect(retries).toEqual(['SERVICE_ERROR', 'SERVICE_ERROR']);
    const statuses = h.emu.log.requests().filter((r) => r.operation === 'GetSignalingChannelEndpoint').map((r) => r.status);
    expect(statuses.slice(-3)).toEqual([503, 503, 200]);
  });

  test('throttling (ClientLimitExceeded) on the handshake: backs off and connects', async () => {
    h = await Harness.start();
    await h.createChannel('throttle');
    h.emu.faults.throttleNext('ConnectAsViewer', 2);
    const viewer = h.viewer('throttle', 'v1', fast);
    const errors: unknown[] = [];
    viewer.on('reconnecting', (e) => errors.push((e.error as { errorType?: string } | undefined)?.errorType));
    await viewer.connect();
    expect(errors).toEqual(['ClientLimitExceededException', 'ClientLimitExceededException']);
    // Throttling does not re-resolve anything: one endpoint lookup only.
    expect(h.emu.log.count('GetSignalingChannelEndpoint')).toBe(2);
  });

  test('viewer limit (not throttling): waits at least a second between tries, connects when a slot frees', async () => {
    h = await Harness.start({ limits: { maxViewersPerChannel: 1 } });
    await h.createChannel('full');
    const first = h.viewer('full', 'v1');
    await first.connect();
    const second = h.viewer('full', 'v2', fast);
    const waits: number[] = [];
    second.on('reconnecting', (e) => waits.push(e.delayMs));
    const connected = second.connect();
    await second.waitFor('reconnecting');
    await first.close();
    await connected;
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
  });

  test('refused handshake with 500: the endpoint is re-resolved, then it connects', async () => {
    h = await Harness.start();
    await h.createChannel('refuse5xx');
    h.emu.log.clear();
    h.emu.faults.refuseHandshake(1, { status: 500, errorType: 'InternalFailure' });
    const viewer = h.viewer('refuse5xx', 'v1', fast);
    await viewer.connect();
    const ops = h.ops().filter((o) => o !== 'GetIceServerConfig');
    expect(ops).toEqual(['DescribeSignalingChannel', 'GetSignalingChannelEndpoint', 'ConnectAsViewer', 'GetSignalingChannelEndpoint', 'ConnectAsViewer']);
  });

  test('refused handshake with 404: the cache is dropped and the channel described again', async () => {
    h = await Harness.start();
    await h.createChannel('refuse404');
    h.emu.log.clear();
    h.emu.faults.refuseHandshake(1, { status: 404, errorType: 'ResourceNotFoundException' });
    const viewer = h.viewer('refuse404', 'v1', fast);
    await viewer.connect();
    const ops = h.ops().filter((o) => o !== 'GetIceServerConfig');
    expect(ops).toEqual([
      'DescribeSignalingChannel',
      'GetSignalingChannelEndpoint',
      'ConnectAsViewer',
      'DescribeSignalingChannel',
      'GetSignalingChannelEndpoint',
      'ConnectAsViewer',
    ]);
  });

  test('channel deleted under a client that knows only its ARN: described by ARN, then a fatal ResourceNotFound', async () => {
    h = await Harness.start();
    const arn = await h.createChannel('deleted');
    const viewer = h.client({ role: 'VIEWER', channelArn: arn, clientId: 'v1', ...fast });
    await viewer.connect();
    const { ChannelManager } = await import('../../src/index');
    const cm = new ChannelManager(h.base());
    await cm.deleteChannel({ channelArn: arn });
    await cm.close();
    await until(() => viewer.state === 'closed', 3000, 'closed');
    const describes = h.emu.log.requests().filter((r) => r.operation === 'DescribeSignalingChannel');
    expect(describes.at(-1)?.status).toBe(404);
    expect(describes.at(-1)?.errorType).toBe('ResourceNotFoundException');
  });

  test('refused handshake with 403: credentials are refreshed, then it connects', async () => {
    h = await Harness.start();
    await h.createChannel('refuse403');
    let calls = 0;
    const creds = h.emu.credentials;
    const viewer = h.viewer('refuse403', 'v1', {
      ...fast,
      credentials: async () => {
        calls += 1;
        return { ...creds, expiration: new Date(Date.now() + 3600_000) };
      },
    });
    h.emu.faults.refuseHandshake(1, { status: 403, errorType: 'AccessDeniedException' });
    await viewer.connect();
    expect(calls).toBe(2);
  });

  test('latency beyond the request timeout: TIMEOUT, retried, then connects once the latency is gone', async () => {
    h = await Harness.start();
    await h.createChannel('slow');
    h.emu.faults.setLatency(600, ['GetSignalingChannelEndpoint']);
    const viewer = h.viewer('slow', 'v1', { ...fast, timeouts: { requestMs: 150 } });
    const first = viewer.waitFor('reconnecting');
    const connected = viewer.connect();
    expect((await first).error?.code).toBe('TIMEOUT');
    h.emu.faults.reset();
    await connected;
    expect(viewer.state).toBe('open');
  });

  test('clock offset of 20 min: corrected from the Date header and retried (HTTP and handshake)', async () => {
    h = await Harness.start();
    await h.createChannel('skew');
    h.emu.faults.setClockOffset(20 * 60_000);
    h.emu.log.clear();
    const viewer = h.viewer('skew', 'v1', fast);
    await viewer.connect();
    const describes = h.emu.log.requests().filter((r) => r.operation === 'DescribeSignalingChannel');
    expect(describes.map((r) => r.status)).toEqual([403, 200]);
    expect(managerInternals(viewer.channels).skew.offsetMs).toBeGreaterThan(19 * 60_000);

    // Warm cache, new skew: the first contact is the handshake itself.
    const { MemoryCache } = await import('../../src/index');
    const cache = new MemoryCache();
    const m1 = h.master('skew', { cache });
    h.emu.faults.setClockOffset(0);
    await m1.connect();
    await m1.close();
    h.emu.faults.setClockOffset(-20 * 60_000);
    h.emu.log.clear();
    const m2 = h.master('skew', { cache, ...fast });
    await m2.connect();
    const connects = h.emu.log.requests().filter((r) => r.operation === 'ConnectAsMaster').map((r) => r.status);
    expect(connects).toEqual([403, 101]);
  });

  test('idle limit: keepalive pings keep the connection past the idle timeout', async () => {
    h = await Harness.start({ limits: { idleTimeoutMs: 300 } });
    const { viewer } = await pair('idle', { keepaliveIntervalMs: 100 });
    const closes: unknown[] = [];
    viewer.on('close', (e) => closes.push(e));
    await new Promise((r) => setTimeout(r, 900));
    expect(closes).toEqual([]);
    expect(h.emu.log.count('ConnectAsViewer')).toBe(1);
  });

  test('connection lifetime: replaced proactively before the limit, without a close', async () => {
    h = await Harness.start({ limits: { maxConnectionMs: 1200 } });
    const { viewer } = await pair('lifetime', { reconnect: { proactiveAfterMs: 500 } });
    const closes: unknown[] = [];
    viewer.on('close', (e) => closes.push(e));
    const reopened = viewer.waitFor('open', { timeoutMs: 3000 });
    expect(await reopened).toEqual({ reconnected: true });
    expect(closes).toEqual([]);
    expect(h.emu.log.count('ConnectAsViewer')).toBe(2);
  });

  test('credentials expire during a session: the socket lives on; the reconnect signs with the rotated keys', async () => {
    h = await Harness.start();
    await h.createChannel('expiry');
    const a = { ...h.emu.credentials, expiration: new Date(Date.now() + 1500) };
    const b = { accessKeyId: 'AKIAROTATEDKEY000001', secretAccessKey: 'rotated-secret' };
    h.emu.setCredentials(a);
    let current: typeof a | typeof b = a;
    const handed: string[] = [];
    const viewer = h.viewer('expiry', 'v1', {
      ...fast,
      credentials: async () => {
        handed.push(current.accessKeyId);
        return { ...current };
      },
    });
    await viewer.connect();
    // Rotate: the service accepts B and, until it expires, A.
    h.emu.setCredentials([b, a]);
    current = b;
    await new Promise((r) => setTimeout(r, 1600));
    expect(viewer.state).toBe('open'); // live sockets outlive their credentials
    const reopened = viewer.waitFor('open', { timeoutMs: 3000 });
    h.emu.faults.dropConnections({ role: 'VIEWER' });
    await reopened;
    expect(handed.at(-1)).toBe(b.accessKeyId);
  });

  test('keys the service says expired (no expiration known locally): refreshed on the 403 and retried', async () => {
    h = await Harness.start();
    await h.createChannel('expired-token');
    const a = { ...h.emu.credentials };
    const b = { accessKeyId: 'AKIAROTATEDKEY000002', secretAccessKey: 'rotated-secret-2' };
    let current: typeof a | typeof b = a;
    const viewer = h.viewer('expired-token', 'v1', { ...fast, credentials: async () => ({ ...current }) });
    await viewer.connect();
    h.emu.setCredentials([b, { ...a, expiration: new Date(Date.now() - 1000) }]);
    current = b;
    const errors: unknown[] = [];
    viewer.on('reconnecting', (e) => errors.push((e.error as { errorType?: string } | undefined)?.errorType));
    const reopened = viewer.waitFor('open', { timeoutMs: 3000 });
    h.emu.faults.dropConnections({ role: 'VIEWER' });
    await reopened;
    expect(errors).toContain('AccessDeniedException');
  });
});
