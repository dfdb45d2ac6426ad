/**
 * A send written to a connection that was lost before the service confirmed reading it,
 * then not confirmed on a later one within the queue's age limit, may have been delivered:
 * the service may have read it (and relayed it) before the connection died. It used to be
 * rejected with `MESSAGE_EXPIRED` ("not sent"), and the `freeze-70` hostile scenario saw
 * about 50 such sends delivered all the same (RELIABILITY.md finding 15): the sender was
 * told wrong. Now it rejects with `DELIVERY_UNCONFIRMED`; a send that never left the queue
 * still rejects with `MESSAGE_EXPIRED`.
 */
import { candidate, until } from '../support/helpers';
import { rawServerAndClientPerTest, tcp } from '../support/raw-signaling-server';


describe('a send whose fate the client cannot know', () => {
  const start = rawServerAndClientPerTest();

  test('written, never confirmed, expired: DELIVERY_UNCONFIRMED; never written: MESSAGE_EXPIRED', async () => {
    // No next connection within the test: the queue's age limit (800 ms) decides.
    const { server, client } = await start({ sendRate: false, keepaliveIntervalMs: 200, queue: { maxAgeMs: 800 }, reconnect: { strategy: () => 60_000 } });
    await client.connect();
    tcp(server.sockets[0]!).pause();
    const outcome = (p: Promise<void>) =>
      p.then(
        () => 'sent',
        (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`,
      );
    const written = outcome(client.sendIceCandidate(candidate(1), 'viewer-1'));
    await until(() => client.state === 'reconnecting', 5000, 'the keepalive to give the stalled connection up');
    const queued = outcome(client.sendIceCandidate(candidate(2), 'viewer-1'));
    const [w, q] = await Promise.all([written, queued]);
    expect(w).toMatch(/^DELIVERY_UNCONFIRMED: ICE_CANDIDATE: written to a connection that was lost .* it may or may not have been delivered$/);
    expect(q).toMatch(/^MESSAGE_EXPIRED: ICE_CANDIDATE: not sent within 800 ms/);
  });
});
