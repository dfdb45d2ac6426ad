/**
 * A server that stalls (stops reading) for less than the keepalive interval
 * must not cost the connection. The client confirms sends with WebSocket
 * pings; with one ping per send and no bound, a stall piled them up and a `ws`
 * server (the emulator's, with ws's default maxPendingAutoPongs of 60)
 * terminated the socket on resume: 1006, a reconnect, and every frame of the
 * stall sent twice. Now at most one ping is out per socket, and its pong sends
 * the next for every frame written meanwhile.
 */
import { candidate, until } from '../support/helpers';
import { rawServerAndClientPerTest, record, tcp } from '../support/raw-signaling-server';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('server stall shorter than the keepalive window', () => {
  const start = rawServerAndClientPerTest();
  let seenOn: string[][];

  test('a 2 s stall with a send every 20 ms costs no connection: every frame read once, all confirmed, at most one ping out', async () => {
    seenOn = [];
    // ws's defaults, as the emulator's WebSocketServer uses them (autoPong, maxPendingAutoPongs 60).
    const { server, client } = await start({ sendRate: false, keepaliveIntervalMs: 30_000, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } }, { onConnection: (ws) => seenOn.push(record(ws)) });
    const closes: number[] = [];
    client.on('close', (e) => closes.push(e.code));
    await client.connect();
    const ws = server.sockets[0]!;

    tcp(ws).pause();
    const N = 100;
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < N; i++) {
      sends.push(client.sendIceCandidate(candidate(i), 'viewer-1'));
      await sleep(20);
    }
    tcp(ws).resume();
    const results = await Promise.allSettled(sends);
    await sleep(200);

    expect(closes).toEqual([]);
    expect(results.filter((r) => r.status !== 'fulfilled')).toEqual([]);
    expect(client.state).toBe('open');
    expect(server.sockets).toHaveLength(1);
    expect(client.metrics().reconnects).toBe(0);
    const seen = seenOn[0]!;
    expect(seen.filter((s) => s !== 'ping')).toEqual(Array.from({ length: N }, (_, i) => candidate(i).candidate));
    // One ping went out before the stall's first frame was confirmed, one more for all the frames after it.
    expect(seen.filter((s) => s === 'ping').length).toBeLessThanOrEqual(3);
  });

  test('a stall longer than the keepalive interval still replaces the connection, and the frames are confirmed on the next one', async () => {
    seenOn = [];
    const { server, client } = await start({ sendRate: false, keepaliveIntervalMs: 400, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } }, { onConnection: (ws) => seenOn.push(record(ws)) });
    const closes: string[] = [];
    client.on('close', (e) => closes.push(e.reason));
    await client.connect();
    tcp(server.sockets[0]!).pause();
    const sends = [0, 1, 2].map((i) => client.sendIceCandidate(candidate(i), 'viewer-1'));
    await until(() => server.sockets.length === 2, 3000, 'the keepalive to replace the frozen connection');
    expect(closes).toEqual(['keepalive timeout']);
    await Promise.all(sends);
    expect(seenOn[1]!.filter((s) => s !== 'ping')).toEqual([0, 1, 2].map((i) => candidate(i).candidate));
  });

  test('frames written while a ping is out wait for its pong, which sends one ping for all of them', async () => {
    seenOn = [];
    const { server, client } = await start({ sendRate: false, reconnect: false }, { autoPong: false, onConnection: (ws) => seenOn.push(record(ws)) });
    await client.connect();
    const ws = server.sockets[0]!;
    const seen = seenOn[0]!;
    const settled: string[] = [];
    const send = (i: number) => client.sendIceCandidate(candidate(i), 'viewer-1').then(
        () => settled.push(`c${i}`),
        () => settled.push(`rejected c${i}`),
      );

    void send(0);
    await until(() => seen.length === 2, 3000, 'the first frame and its ping');
    // Three more sends, each in its own tick, while the first ping is out: no ping for them yet.
    for (const i of [1, 2, 3]) {
      void send(i);
      await sleep(20);
    }
    await until(() => seen.length === 5, 3000, 'three more frames');
    await sleep(50);
    expect(seen).toEqual([candidate(0).candidate, 'ping', candidate(1).candidate, candidate(2).candidate, candidate(3).candidate]);
    expect(settled).toEqual([]);

    ws.pong();
    // The pong confirms the first frame only, and sends the one ping that covers the other three.
    await until(() => seen.length === 6, 3000, 'the second ping');
    expect(seen[5]).toBe('ping');
    await until(() => settled.length === 1, 3000, 'the first send');
    await sleep(50);
    expect(settled).toEqual(['c0']);

    ws.pong();
    await until(() => settled.length === 4, 3000, 'the other three');
    expect(settled).toEqual(['c0', 'c1', 'c2', 'c3']);
    await sleep(50);
    expect(seen.filter((s) => s === 'ping')).toHaveLength(2);
  });
});
