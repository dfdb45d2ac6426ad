/**
 * The process-wide bounds on connection attempts and requests in flight: their queues, and
 * what they do for many clients opening at once against a slow service.
 */
import WebSocket from 'ws';
import { ChannelManager } from '../../src/index';
import { Gate, MAX_CONCURRENT_CONNECTS, MAX_REQUESTS_PER_ORIGIN, acquireRequestSlot, connectGate, requestGateOrigins } from '../../src/gate';
import type { WebSocketLike } from '../../src/transport';
import { Harness, until } from '../support/helpers';

// The burst and the many-clients tests take 3 s or more by design (latency at the service);
// a loaded CI machine must not fail them on jest's 5 s default.
jest.setTimeout(30_000);

describe('Gate', () => {
  test('grants up to its limit at once, then in arrival order as slots are released', async () => {
    const gate = new Gate(2);
    const a = await gate.acquire();
    const b = await gate.acquire();
    const order: string[] = [];
    const c = gate.acquire().then((r) => (order.push('c'), r));
    const d = gate.acquire().then((r) => (order.push('d'), r));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(gate.state).toEqual({ free: 0, waiting: 2 });
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(gate.state).toEqual({ free: 2, waiting: 0 });
  });

  test('releasing twice frees one slot', async () => {
    const gate = new Gate(1);
    const r = await gate.acquire();
    r();
    r();
    expect(gate.state).toEqual({ free: 1, waiting: 0 });
  });

  test('an abort while waiting gives up the place in the queue with an AbortError; an aborted signal is refused at once', async () => {
    const gate = new Gate(1);
    const held = await gate.acquire();
    const ac = new AbortController();
    const waiting = gate.acquire(ac.signal);
    const behind = gate.acquire();
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(gate.state).toEqual({ free: 0, waiting: 1 });
    held();
    (await behind)();
    expect(gate.state).toEqual({ free: 1, waiting: 0 });
    await expect(gate.acquire(AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
    expect(gate.state).toEqual({ free: 1, waiting: 0 });
  });
});

describe('request slots', () => {
  test(`${MAX_REQUESTS_PER_ORIGIN} per origin at once; another origin is not held up; an idle origin is forgotten`, async () => {
    const a = 'https://a.example:443';
    const held = await Promise.all(Array.from({ length: MAX_REQUESTS_PER_ORIGIN }, (_, i) => acquireRequestSlot(`${a}/op${i}`, undefined, 'op')));
    let next = false;
    const waiting = acquireRequestSlot(`${a}/describeSignalingChannel`, undefined, 'DescribeSignalingChannel').then((r) => ((next = true), r));
    // The path does not matter, the scheme and host do (case-insensitively).
    const other = await acquireRequestSlot('HTTPS://B.example:443/x', undefined, 'x');
    await new Promise((r) => setImmediate(r));
    expect(next).toBe(false);
    expect(requestGateOrigins().sort()).toEqual([a, 'https://b.example:443']);
    other();
    expect(requestGateOrigins()).toEqual([a]);
    held[0]!();
    (await waiting)();
    expect(next).toBe(true);
    for (const r of held.slice(1)) r();
    expect(requestGateOrigins()).toEqual([]);
  });

  test('a request whose wait is aborted leaves no gate behind', async () => {
    const held = await Promise.all(Array.from({ length: MAX_REQUESTS_PER_ORIGIN }, () => acquireRequestSlot('https://c.example/', undefined, 'op')));
    const ac = new AbortController();
    const waiting = acquireRequestSlot('https://c.example/', ac.signal, 'DescribeSignalingChannel');
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED', message: 'DescribeSignalingChannel was aborted while waiting its turn' });
    for (const r of held) r();
    expect(requestGateOrigins()).toEqual([]);
  });
});

describe('a burst of control-plane calls', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test('requestMs counts from when a request leaves the queue: a burst far beyond the pool finishes without a timeout', async () => {
    h = await Harness.start();
    const mgr = new ChannelManager({ ...h.base(), timeouts: { requestMs: 2000 } });
    const { channelArn } = await mgr.createChannel({ channelName: 'burst' });
    // 600 calls at 300 ms each through 64 slots take at least 10 × 300 ms in all, longer than requestMs;
    // each call, once out of the queue, has 1.7 s to spare for a loaded machine.
    h.emu.faults.setLatency(300, ['DescribeSignalingChannel']);
    const t0 = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 600 }, () => mgr.describeChannel({ channelArn })));
    const elapsed = Date.now() - t0;
    await mgr.close();
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(elapsed).toBeGreaterThan(2000);
  });
});

describe('many clients opening at once', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test(`no more than ${MAX_CONCURRENT_CONNECTS} connection attempts, so handshakes, are in flight in the process, and every client opens`, async () => {
    const n = MAX_CONCURRENT_CONNECTS + 22;
    h = await Harness.start({ limits: { maxChannels: n + 10 } });
    const mgr = new ChannelManager(h.base());
    const arns = await Promise.all(Array.from({ length: n }, (_, i) => mgr.createChannel({ channelName: `gate-${i}` }).then((c) => c.channelArn)));
    const { wssEndpoint, httpsEndpoint } = await mgr.getEndpoints({ channelArn: arns[0]!, role: 'MASTER' });
    await mgr.close();
    // Every handshake takes 150 ms at the service, so without a bound all n would be in flight together.
    h.emu.faults.setLatency(150, ['ConnectAsMaster']);
    let inFlight = 0;
    let maxInFlight = 0;
    const ca = h.emu.ca!;
    class Counting extends WebSocket {
      constructor(url: string) {
        super(url, { ca });
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        let counted = true;
        const done = () => {
          if (counted) inFlight--;
          counted = false;
        };
        this.once('open', done);
        this.once('close', done);
      }
    }
    const clients = arns.map((channelArn) =>
      h.client({ role: 'MASTER', channelArn, signalingEndpoints: { wssEndpoint, httpsEndpoint }, WebSocket: Counting as unknown as new (url: string) => WebSocketLike }),
    );
    await Promise.all(clients.map((c) => c.connect()));
    expect(clients.every((c) => c.state === 'open')).toBe(true);
    expect(maxInFlight).toBe(MAX_CONCURRENT_CONNECTS);
    expect(clients.reduce((a, c) => a + c.metrics().attempts, 0)).toBe(n);
  });

  test('close() takes a client out of the queue of attempts: connect() rejects, and the queue is as before', async () => {
    h = await Harness.start();
    const arn = await h.createChannel('queued');
    const gate = connectGate();
    const held = await Promise.all(Array.from({ length: MAX_CONCURRENT_CONNECTS }, () => gate.acquire()));
    try {
      const c = h.master('queued', { channelArn: arn, channelName: undefined });
      const connecting = c.connect();
      await until(() => gate.state.waiting === 1, 5000, 'the client waiting for an attempt slot');
      await c.close();
      await expect(connecting).rejects.toMatchObject({ code: expect.stringMatching(/ABORTED|CLIENT_CLOSED/) });
      expect(gate.state).toEqual({ free: 0, waiting: 0 });
    } finally {
      for (const r of held) r();
    }
    expect(gate.state).toEqual({ free: MAX_CONCURRENT_CONNECTS, waiting: 0 });
  });
});
