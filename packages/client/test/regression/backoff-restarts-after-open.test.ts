/**
 * The backoff after a drop (decided in the README's routing table): every
 * connection that opens ends the outage, so the failed attempts before it do
 * not lengthen the wait after the next drop; only connections that close young
 * (under 5 s, a flapping service) one after another make the waits grow. Before, the backoff
 * restarted only after 30 s of stable connection, so a second drop soon after a
 * hard-won reconnect waited up to 8 s and more.
 * Math.random is pinned near 1 while drops happen, so each wait shows its ceiling.
 */
import { Harness } from '../support/helpers';

let h: Harness;
afterEach(async () => {
  jest.restoreAllMocks();
  await h?.stop();
});

test('a drop soon after a reconnect that took 7 attempts waits the first step again; waits grow only across young connections', async () => {
  // No handshake quota here: every wait is the backoff's, none a throttle's.
  h = await Harness.start({ limits: { connectsPerSecondPerChannel: 1000 } });
  await h.createChannel('backoff');
  const viewer = h.viewer('backoff', 'v1', { reconnect: { initialDelayMs: 10, maxDelayMs: 10_000 } });
  await viewer.connect();
  const delays: number[] = [];
  viewer.on('reconnecting', (e) => delays.push(e.delayMs));

  // An outage: six refused handshakes, then the seventh attempt opens.
  h.emu.faults.refuseHandshake(6, { role: 'VIEWER', status: 500 });
  let opened = viewer.waitFor('open', { timeoutMs: 10_000 });
  h.emu.faults.dropConnections({ role: 'VIEWER' });
  await opened;
  expect(delays).toHaveLength(7);

  jest.spyOn(Math, 'random').mockReturnValue(0.999);
  // Three drops in a row, each right after the connection opened (young: a flap).
  const after: number[] = [];
  for (let i = 0; i < 3; i++) {
    const seen = delays.length;
    opened = viewer.waitFor('open', { timeoutMs: 10_000 });
    h.emu.faults.dropConnections({ role: 'VIEWER' });
    await opened;
    after.push(delays[seen]!);
  }
  // The outage's seven steps do not carry over (they would make the first wait 0.999 × 1280 ms).
  // Every connection here closed young (the first one too, a moment after it opened): one young
  // connection gets the first step, each further one in a row doubles it: 20, 40, 80 ms.
  expect(after).toEqual([19, 39, 79]);
});
