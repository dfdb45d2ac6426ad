/**
 * The process-wide bound on WebSocket handshakes in flight: its queue, and
 * what it does for many clients opening at once against a slow service.
 */
import WebSocket from 'ws';
import { ChannelManager } from '../src/index';
import { Gate, MAX_CONCURRENT_HANDSHAKES } from '../src/handshake-gate';
import type { WebSocketLike } from '../src/transport';
import { Harness } from './helpers';

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

describe('many clients opening at once', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  test(`no more than ${MAX_CONCURRENT_HANDSHAKES} handshakes are in flight in the process, and every client opens`, async () => {
    const n = MAX_CONCURRENT_HANDSHAKES + 22;
    h = await Harness.start({ limits: { maxChannels: n + 10 } });
    const mgr = new ChannelManager(h.base());
    const arns = await Promise.all(Array.from({ length: n }, (_, i) => mgr.createChannel({ channelName: `gate-${i}` }).then((c) => c.channelArn)));
    const { wss, https } = await mgr.getEndpoints({ channelArn: arns[0]!, role: 'MASTER' });
    await mgr.close();
    // Every handshake takes 150 ms at the service, so without a bound all n would be in flight together.
    h.emu.faults.latencyMs = 150;
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
      h.client({ role: 'MASTER', channelArn, signalingEndpoints: { wss, https }, WebSocket: Counting as unknown as new (url: string) => WebSocketLike }),
    );
    await Promise.all(clients.map((c) => c.connect()));
    expect(clients.every((c) => c.state === 'open')).toBe(true);
    expect(maxInFlight).toBe(MAX_CONCURRENT_HANDSHAKES);
    expect(clients.reduce((a, c) => a + c.metrics().attempts, 0)).toBe(n);
  });
});
