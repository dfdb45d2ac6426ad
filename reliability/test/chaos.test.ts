/**
 * Chaos, CI size: a master and ten viewers against the emulator for a few
 * seconds while it injects at random drops, GO_AWAY, RECONNECT_ICE_SERVER,
 * 5xx and throttling on every operation, latency spikes, refused handshakes
 * and a clock jump. Every message is delivered exactly once, reported to its
 * sender as failed, or lost in a way the emulator's log pins on a socket that
 * died under it or on the service's newest-offer-wins rule (the first of those
 * is the finding of client-send-resolves-for-a-frame-lost-with-its-socket);
 * no message is duplicated, none unexplained; the clients end connected.
 * Same scenario as `pnpm reliability:soak`, shorter.
 */
import { runChaos } from '../src/chaos';

const SEED = Number(process.env.KVS_CHAOS_SEED ?? Date.now() % 2 ** 31);

test(`chaos for 8 s, 11 clients (seed ${SEED})`, async () => {
  const r = await runChaos({ durationMs: 8000, viewers: 10, faultEveryMs: 300, sendEveryMs: 150, connectsPerSecond: 20, settleMs: 20_000, seed: SEED });
  process.stdout.write(`chaos: sent ${r.sent}, delivered once ${r.deliveredOnce}, failed ${r.failedReported} ${JSON.stringify(r.failedCodes)}, lost ${JSON.stringify(r.lost)}, reconnects ${r.reconnects} p50 ${r.reconnectMs.p50} ms p99 ${r.reconnectMs.p99} ms, faults ${JSON.stringify(r.faults)}\n`);
  expect(r.findings).toEqual([]);
  expect(Object.values(r.endStates).every((s) => s === 'open')).toBe(true);
  expect(r.duplicated).toBe(0);
  expect(r.unexplained).toBe(0);
  expect(r.stillPending).toBe(0);
  expect(r.sent).toBe(r.deliveredOnce + r.failedReported + r.lost.total);
  // the run really was chaotic: faults of several kinds, and reconnects
  expect(Object.keys(r.faults).length).toBeGreaterThanOrEqual(5);
  expect(r.reconnects).toBeGreaterThan(0);
  expect(r.deliveredOnce).toBeGreaterThan(r.sent / 2);
}, 120_000);
