/**
 * A connection replaced because its keepalive expired (a stalled service: a frozen
 * process, a network path that heals later) is still read until the service closes it,
 * for at most the queue's age limit. When the service resumes it may relay frames it
 * had buffered into that connection before it learns the connection is gone. The client
 * used to close it at once, so those frames were lost while their senders had been told
 * they were sent (RELIABILITY.md finding 15: `freeze-70`, 4 messages in about one run in
 * three). A late pong on it also confirms the frames written to it: they are not sent
 * again.
 */
import { candidate, until } from '../support/helpers';
import { b64, rawServerAndClientPerTest, record, tcp } from '../support/raw-signaling-server';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function iceFrame(i: number): string {
  return JSON.stringify({ messageType: 'ICE_CANDIDATE', senderClientId: 'viewer-1', messagePayload: b64(candidate(i)) });
}

describe('a connection replaced after its keepalive expired', () => {
  const start = rawServerAndClientPerTest();

  test('frames the service writes into it afterwards are delivered; its GO_AWAY is ignored; it is read until the service closes it', async () => {
    const { server, client } = await start({ sendRate: false, iceBuffering: false, keepaliveIntervalMs: 300, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    const got: string[] = [];
    const goAways: number[] = [];
    client.on('iceCandidate', (e) => got.push(e.payload.candidate ?? ''));
    client.on('goAway', () => goAways.push(1));
    await client.connect();
    const old = server.sockets[0]!;
    tcp(old).pause();
    await until(() => server.sockets.length === 2 && client.state === 'open', 5000, 'the keepalive to replace the stalled connection');

    // The service resumes and relays what it had buffered into the connection it has not yet seen go.
    old.send(iceFrame(1));
    old.send(iceFrame(2));
    old.send(JSON.stringify({ messageType: 'GO_AWAY' }));
    await until(() => got.length === 2, 3000, 'the frames written into the replaced connection');
    // A repeat on the new connection (the sender re-sent it) is dropped as a duplicate. Sent
    // only now: two connections keep no order between them, and the check is the dedupe.
    server.sockets[1]!.send(iceFrame(2));
    await sleep(200);
    expect(got).toEqual([candidate(1).candidate, candidate(2).candidate]);
    expect(goAways).toEqual([]);
    expect(server.sockets).toHaveLength(2);

    // The service closes it (as it does once the replacement arrives): the client lets it go.
    tcp(old).resume();
    old.close(4000, 'Replaced by a newer connection');
    await until(() => old.readyState === old.CLOSED, 3000, 'the replaced connection to close');
    expect(client.state).toBe('open');
  });

  test('it is read for at most the queue age limit, and close() closes it with the client', async () => {
    const { server, client } = await start({ sendRate: false, keepaliveIntervalMs: 300, queue: { maxAgeMs: 1000 }, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    await client.connect();
    const old = server.sockets[0]!;
    tcp(old).pause();
    await until(() => server.sockets.length === 2 && client.state === 'open', 5000, 'the keepalive to replace the stalled connection');
    expect(old.readyState).toBe(old.OPEN);
    // The bound (1 s) passes and the client closes it; the stalled server sees that once it reads again.
    await sleep(1500);
    tcp(old).resume();
    await until(() => old.readyState === old.CLOSED, 2000, 'the bound to close the replaced connection');

    const next = server.sockets[1]!;
    tcp(next).pause();
    await until(() => server.sockets.length === 3 && client.state === 'open', 5000, 'the next keepalive replacement');
    expect(next.readyState).toBe(next.OPEN);
    await client.close();
    tcp(next).resume();
    await until(() => next.readyState === next.CLOSED, 2000, 'close() to close the replaced connection');
  }, 15_000);

  test('a late pong on it confirms what was written to it: the send resolves and the frame is not sent again', async () => {
    const seenOn: string[][] = [];
    // The next connection waits 1.5 s, so the stalled service resumes before it opens.
    const { server, client } = await start({ sendRate: false, keepaliveIntervalMs: 300, reconnect: { strategy: () => 1500 } }, { onConnection: (ws) => seenOn.push(record(ws)) });
    await client.connect();
    const old = server.sockets[0]!;
    tcp(old).pause();
    let settled = '';
    const send = client.sendIceCandidate(candidate(7), 'viewer-1').then(
      () => (settled = 'sent'),
      (e: { code?: string }) => (settled = `rejected ${e.code}`),
    );
    await until(() => client.state !== 'open', 5000, 'the keepalive to give the stalled connection up');
    expect(settled).toBe('');
    tcp(old).resume();
    await send;
    expect(settled).toBe('sent');
    expect(server.sockets).toHaveLength(1);
    await until(() => server.sockets.length === 2 && client.state === 'open', 5000, 'the next connection');
    await sleep(100);
    expect(seenOn[0]).toContain(candidate(7).candidate);
    expect(seenOn[1]!.filter((s) => s !== 'ping')).toEqual([]);
  });
});
