import { SignalingClient, isSignalingError, type SignalingError } from '../../src/index';
import { Harness, candidate, offer, until } from '../support/helpers';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
});

const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: SignalingError) => e.code);

describe('abort and close in every state', () => {
  test('idle: close() resolves, is idempotent, and sends reject CLIENT_CLOSED afterwards', async () => {
    const c = h.viewer('any', 'v1');
    expect(await code(c.sendSdpOffer(offer))).toBe('NOT_OPEN');
    const p1 = c.close();
    expect(c.close()).toBe(p1);
    await p1;
    expect(c.state).toBe('closed');
    expect(await code(c.sendSdpOffer(offer))).toBe('CLIENT_CLOSED');
    expect(await code(c.connect())).toBe('CLIENT_CLOSED');
    expect(h.emu.log.count()).toBe(0);
  });

  test('connect with an aborted signal rejects ABORTED without a request', async () => {
    const c = h.viewer('any', 'v1');
    expect(await code(c.connect({ signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(c.state).toBe('idle');
    expect(h.emu.log.count()).toBe(0);
  });

  test('abort while connecting: rejects ABORTED, back to idle, no socket left; connect works again', async () => {
    await h.createChannel('abort');
    h.emu.faults.setLatency(300);
    const c = h.viewer('abort', 'v1');
    const ac = new AbortController();
    const p = c.connect({ signal: ac.signal });
    expect(c.state).toBe('connecting');
    setTimeout(() => ac.abort(), 50);
    expect(await code(p)).toBe('ABORTED');
    expect(c.state).toBe('idle');
    h.emu.faults.reset();
    await c.connect();
    expect(c.state).toBe('open');
    expect(h.emu.connections({ channelName: 'abort' })).toHaveLength(1);
  });

  test('close while connecting: connect and queued sends reject CLIENT_CLOSED', async () => {
    await h.createChannel('close-connecting');
    h.emu.faults.setLatency(300);
    const c = h.viewer('close-connecting', 'v1');
    const p = c.connect();
    const send = c.sendSdpOffer(offer);
    await c.close();
    expect(await code(p)).toBe('CLIENT_CLOSED');
    expect(await code(send)).toBe('CLIENT_CLOSED');
    expect(c.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 400));
    expect(h.emu.connections({ channelName: 'close-connecting' })).toHaveLength(0);
  });

  test('close while reconnecting: stops the loop, rejects the queue, no reconnect afterwards', async () => {
    await h.createChannel('close-rc');
    const c = h.viewer('close-rc', 'v1', { reconnect: { initialDelayMs: 500, maxDelayMs: 500 } });
    await c.connect();
    const closed = c.waitFor('close');
    h.emu.faults.dropConnections();
    await closed;
    expect(c.state).toBe('reconnecting');
    const send = c.sendIceCandidate(candidate(1));
    await c.close();
    expect(await code(send)).toBe('CLIENT_CLOSED');
    await new Promise((r) => setTimeout(r, 700));
    expect(h.emu.log.count('ConnectAsViewer')).toBe(1);
  });

  test('close while open: a close event with code 1000 and the socket gone at the service', async () => {
    await h.createChannel('close-open');
    const c = h.viewer('close-open', 'v1');
    await c.connect();
    const events: string[] = [];
    c.on('stateChange', (e) => events.push(e.to));
    await c.close();
    expect(events).toEqual(['closing', 'closed']);
    expect(h.emu.connections()).toHaveLength(0);
    // Listeners are gone after close.
    expect(c.listenerCount()).toBe(0);
  });

  test('reconnect: false — an unexpected close ends the client', async () => {
    await h.createChannel('no-rc');
    const c = h.viewer('no-rc', 'v1', { reconnect: false });
    await c.connect();
    const closes: unknown[] = [];
    c.on('close', (e) => closes.push(e));
    const closed = c.waitFor('close');
    h.emu.faults.dropConnections();
    expect(await closed).toEqual({ code: 1006, reason: '', willReconnect: false });
    await until(() => c.state === 'closed', 2000, 'closed');
    expect(closes).toHaveLength(1);
    expect(h.emu.log.count('ConnectAsViewer')).toBe(1);
  });

  test('maxAttempts reached while reconnecting: error, close, queued sends rejected', async () => {
    await h.createChannel('give-up');
    const c = h.viewer('give-up', 'v1', { reconnect: { initialDelayMs: 10, maxDelayMs: 10, maxAttempts: 2 } });
    await c.connect();
    h.emu.faults.refuseHandshake(10, { status: 500 });
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    const closes: Array<{ willReconnect: boolean; reason: string }> = [];
    c.on('close', (e) => closes.push(e));
    const final = c.waitFor('close', { filter: (e) => !e.willReconnect });
    const first = c.waitFor('close');
    h.emu.faults.dropConnections();
    expect((await first).willReconnect).toBe(true);
    const send = code(c.sendSdpOffer(offer));
    await final;
    expect(await send).toBe('CLIENT_CLOSED');
    await until(() => c.state === 'closed', 2000, 'closed');
    expect(errors.length).toBeGreaterThan(0);
    expect(closes.map((e) => [e.willReconnect, e.reason])).toEqual([
      [true, ''],
      [false, 'reconnect failed'],
    ]);
  });
});

describe('connect() semantics', () => {
  test('concurrent connect() calls share one attempt; connect() while open resolves at once', async () => {
    await h.createChannel('join');
    h.emu.log.clear();
    const c = h.viewer('join', 'v1');
    await Promise.all([c.connect(), c.connect(), c.connect()]);
    await c.connect();
    expect(h.emu.log.count('ConnectAsViewer')).toBe(1);
    const { phases } = c.metrics();
    for (const k of ['describeMs', 'endpointMs', 'connectMs'] as const) expect(typeof phases[k]).toBe('number');
  });

  test('a credentials provider that fails before the first open rejects connect (no endless retry)', async () => {
    await h.createChannel('bad-creds');
    const c = h.viewer('bad-creds', 'v1', {
      credentials: async () => {
        throw new Error('no credentials configured');
      },
    });
    const err = await c.connect().catch((e: SignalingError) => e);
    expect(err).toMatchObject({ code: 'CREDENTIALS_PROVIDER_FAILED' });
    expect(c.state).toBe('idle');
  });
});

describe('AbortSignal on the other async calls', () => {
  test('getIceServers({ signal }) rejects ABORTED; messages({ signal }) ends; once({ signal }) never fires', async () => {
    await h.createChannel('abort-more');
    const c = h.viewer('abort-more', 'v1');
    await c.connect();
    h.emu.faults.setLatency(500, ['GetIceServerConfig']);
    await new Promise((r) => setTimeout(r, 50)); // let the prefetch (no latency) finish
    (c as unknown as { iceServers: { clearCache(): void } }).iceServers.clearCache(); // force a fetch
    const ac = new AbortController();
    const ice = c.getIceServers({ signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    expect(await code(ice)).toBe('ABORTED');

    const it = new AbortController();
    const iterator = c.messages({ signal: it.signal });
    const next = iterator.next();
    it.abort();
    expect((await next).done).toBe(true);

    const fired: unknown[] = [];
    const once = new AbortController();
    c.once('open', (e) => fired.push(e), { signal: once.signal });
    once.abort();
    h.emu.faults.dropConnections();
    await c.waitFor('open', { timeoutMs: 3000 });
    expect(fired).toEqual([]);
  });
});

describe('outbound queue bounds', () => {
  test('QUEUE_FULL when more sends wait than maxMessages; the others are delivered', async () => {
    await h.createChannel('qfull');
    h.emu.faults.setLatency(200, ['ConnectAsViewer']);
    const c = h.viewer('qfull', 'v1', { queue: { maxMessages: 2 } });
    const connected = c.connect();
    const sends = [1, 2, 3].map((n) => c.sendIceCandidate(candidate(n)));
    expect(await code(sends[2]!)).toBe('QUEUE_FULL');
    await connected;
    expect(await code(Promise.all(sends.slice(0, 2)))).toBe('resolved');
    await until(() => h.emu.log.frames().filter((f) => f.direction === 'in').length === 2, 3000, 'frames');
    await new Promise((r) => setTimeout(r, 50));
    expect(h.emu.log.frames().filter((f) => f.direction === 'in')).toHaveLength(2);
  });

  test('MESSAGE_EXPIRED when a queued send outlives maxAgeMs', async () => {
    await h.createChannel('qexp');
    h.emu.faults.setLatency(400, ['ConnectAsViewer']);
    const c = h.viewer('qexp', 'v1', { queue: { maxAgeMs: 100 } });
    const connected = c.connect();
    const send = c.sendIceCandidate(candidate(1));
    expect(await code(send)).toBe('MESSAGE_EXPIRED');
    await connected;
    expect(h.emu.log.frames().filter((f) => f.direction === 'in')).toHaveLength(0);
  });

  test('a failed delivery with a correlationId comes back as statusResponse and a DELIVERY_FAILED error', async () => {
    await h.stop();
    h = await Harness.start({ limits: { maxPayloadLength: 200 } });
    const m = h.master('status', { createChannelIfMissing: true });
    await m.connect();
    const status = m.waitFor('statusResponse', { timeoutMs: 3000 });
    const error = m.waitFor('error', { timeoutMs: 3000 });
    await m.sendSdpOffer({ type: 'offer', sdp: 'a'.repeat(500) }, 'viewer-1', { correlationId: 'corr-1' });
    expect(await status).toMatchObject({ correlationId: 'corr-1', statusCode: '400' });
    const e = await error;
    expect(e.code).toBe('DELIVERY_FAILED');
    expect(e.message).toContain('corr-1');
  });
});

describe('input validation', () => {
  test.each([
    [{ role: 'BOSS' }, 'role'],
    [{ role: 'VIEWER', channelName: 'x' }, 'clientId'],
    [{ role: 'VIEWER', channelName: 'x', clientId: 'AWS_x' }, 'clientId'],
    [{ role: 'MASTER', channelName: 'x', clientId: 'm' }, 'clientId'],
    [{ role: 'MASTER' }, 'channelName'],
    [{ role: 'MASTER', channelName: 'x', channelArn: 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/x/1' }, 'channelName'],
    [{ role: 'MASTER', channelName: 'bad name' }, 'channelName'],
    [{ role: 'MASTER', channelArn: 'not-an-arn' }, 'channelArn'],
    // A Kinesis Video ARN of another resource (a stream) is not a channel: refused up front, not at the first Describe.
    [{ role: 'MASTER', channelArn: 'arn:aws:kinesisvideo:us-west-2:123456789012:stream/x/1' }, 'channelArn'],
    [{ role: 'VIEWER', channelName: 'x', clientId: 'aws_lower' }, 'clientId'],
    [{ role: 'MASTER', channelArn: 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/x/1', createChannelIfMissing: true }, 'createChannelIfMissing'],
    [{ role: 'MASTER', channelName: 'x', reconnect: { maxAttempts: 0 } }, 'reconnect.maxAttempts'],
    [{ role: 'MASTER', channelName: 'x', timeouts: { requestMs: -1 } }, 'timeouts.requestMs'],
    [{ role: 'MASTER', channelName: 'x', iceBuffering: 'sometimes' }, 'iceBuffering'],
    [{ role: 'MASTER', channelName: 'x', credentials: undefined }, 'credentials'],
    [{ role: 'MASTER', channelName: 'x', endpoint: 'http://example.com' }, 'endpoint'],
  ])('%j is refused, naming %s', (opts, field) => {
    let error: unknown;
    try {
      new SignalingClient({ ...h.base(), ...(opts as object) } as never);
    } catch (e) {
      error = e;
    }
    expect(isSignalingError(error)).toBe(true);
    expect((error as { field?: string }).field).toBe(field);
  });

  test('http:// control plane is refused even on loopback unless allowInsecureEndpoints', () => {
    const opts = { ...h.base(), role: 'MASTER' as const, channelName: 'x', endpoint: 'http://127.0.0.1:1' };
    expect(() => new SignalingClient(opts)).toThrow(expect.objectContaining({ code: 'INSECURE_ENDPOINT' }));
    expect(() => new SignalingClient({ ...opts, allowInsecureEndpoints: true })).not.toThrow();
    expect(() => new SignalingClient({ ...opts, endpoint: 'http://10.0.0.1', allowInsecureEndpoints: true })).toThrow(
      expect.objectContaining({ code: 'INSECURE_ENDPOINT' }),
    );
  });

  test('sends: a master must name the viewer, a viewer must not; payloads are checked', async () => {
    const m = h.master('val', { createChannelIfMissing: true });
    await m.connect();
    const v = h.viewer('val', 'v1');
    await v.connect();
    await expect(m.sendSdpOffer(offer)).rejects.toMatchObject({ field: 'recipientClientId' });
    await expect(v.sendSdpOffer(offer, 'someone')).rejects.toMatchObject({ field: 'recipientClientId' });
    await expect(v.sendIceCandidate({} as never)).rejects.toMatchObject({ field: 'candidate.candidate' });
    await expect(v.sendSdpOffer(offer, undefined, { correlationId: 'bad id!' })).rejects.toMatchObject({ code: 'BAD_PARAM' });
    await expect(v.sendSdpOffer({ type: 'offer', sdp: 'x'.repeat(20_000) })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(h.emu.log.frames().filter((f) => f.direction === 'in')).toHaveLength(0);
  });
});
