/**
 * Delivery confirmation over a real `ws` server: frames written in one tick
 * share one ping, each send resolves on that ping's pong, and frames whose
 * socket dies before the pong are written again on the next connection.
 */
import { SignalingClient } from '../../src/index';
import { candidate, until } from '../support/helpers';
import { rawSignalingServer, record } from '../support/raw-signaling-server';

function track(p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (e: unknown) => Object.assign(t, { state: 'rejected', error: e }),
  );
  return t;
}

const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));

describe('send confirmation (ws)', () => {
  let server: Awaited<ReturnType<typeof rawSignalingServer>>;
  let client: SignalingClient;
  /** Per connection, from its first frame on. */
  let seenOn: string[][];

  beforeEach(async () => {
    seenOn = [];
    server = await rawSignalingServer({ autoPong: false, onConnection: (ws) => seenOn.push(record(ws)) });
  });

  afterEach(async () => {
    await client?.close();
    await server.close();
  });

  test('N sends in one tick: N frames then one ping; all N resolve only after its pong', async () => {
    client = new SignalingClient(server.clientOptions({ sendRate: false, reconnect: false }));
    await client.connect();
    const ws = server.sockets[0]!;
    const seen = seenOn[0]!;
    const N = 10;
    const sends = Array.from({ length: N }, (_, i) => track(client.sendIceCandidate(candidate(i), 'viewer-1')));
    await until(() => seen.length === N + 1, 3000, 'the frames and the ping');
    await settle();
    expect(seen).toEqual([...Array.from({ length: N }, (_, i) => candidate(i).candidate), 'ping']);
    // Written is not read: nothing resolves before the pong.
    expect(sends.map((s) => s.state)).toEqual(Array(N).fill('pending'));
    expect(client.metrics().messagesSent).toBe(N);
    ws.pong();
    await until(() => sends.every((s) => s.state === 'resolved'), 3000, 'every send to resolve');

    // A second tick gets its own ping.
    const more = [track(client.sendIceCandidate(candidate(100), 'viewer-1')), track(client.sendIceCandidate(candidate(101), 'viewer-1'))];
    await until(() => seen.length === N + 4, 3000, 'two more frames and a ping');
    await settle();
    expect(seen.slice(N + 1)).toEqual([candidate(100).candidate, candidate(101).candidate, 'ping']);
    expect(more.map((s) => s.state)).toEqual(['pending', 'pending']);
    ws.pong();
    await until(() => more.every((s) => s.state === 'resolved'), 3000, 'the second batch to resolve');
  });

  test('a socket killed after the write but before the pong: the frames are written again on the next connection, in order', async () => {
    client = new SignalingClient(server.clientOptions({ sendRate: false, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } }));
    await client.connect();
    const first = server.sockets[0]!;
    const seen1 = seenOn[0]!;
    const sends = [0, 1, 2].map((i) => track(client.sendIceCandidate(candidate(i), 'viewer-1')));
    await until(() => seen1.length === 4, 3000, 'three frames and a ping on the first socket');
    first.terminate();
    await until(() => server.sockets.length === 2, 5000, 'the client to reconnect');
    const second = server.sockets[1]!;
    const seen2 = seenOn[1]!;
    await until(() => seen2.length >= 4, 3000, 'the frames again on the second socket');
    await settle();
    expect(seen2).toEqual([candidate(0).candidate, candidate(1).candidate, candidate(2).candidate, 'ping']);
    // Still unconfirmed: the second socket has not answered either.
    expect(sends.map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);
    second.pong();
    await until(() => sends.every((s) => s.state === 'resolved'), 3000, 'the sends to resolve');
    expect(client.metrics().reconnects).toBe(1);
  });

  test('closing the client with frames unconfirmed rejects them CLIENT_CLOSED', async () => {
    client = new SignalingClient(server.clientOptions({ sendRate: false, reconnect: false }));
    await client.connect();
    const seen = seenOn[0]!;
    const sends = [0, 1].map((i) => track(client.sendIceCandidate(candidate(i), 'viewer-1')));
    await until(() => seen.length === 3, 3000, 'two frames and a ping');
    await client.close();
    await until(() => sends.every((s) => s.state !== 'pending'), 3000, 'the sends to settle');
    for (const s of sends) expect(s).toMatchObject({ state: 'rejected', error: { code: 'CLIENT_CLOSED' } });
  });
});
