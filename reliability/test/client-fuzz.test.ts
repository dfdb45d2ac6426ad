/**
 * Hostile frames against the client's message handling (CI size), written by a
 * real TLS WebSocket server: every frame is reported as an event,
 * `unknownMessage` or `error`, nothing reaches `Object.prototype`, and the
 * client stays connected.
 */
import { fuzzClient } from '../src/client-fuzz';

const RUNS = Number(process.env.KVS_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.KVS_FUZZ_SEED ?? Date.now() % 2 ** 31);

test(`${RUNS} hostile frames, 10 MB frames and invalid UTF-8 (seed ${SEED})`, async () => {
  const stats = await fuzzClient(RUNS, SEED);
  expect(stats.findings).toEqual([]);
  expect(stats.cases).toBeGreaterThanOrEqual(RUNS);
  // both sides of the contract were reached: refused frames, and the control
  // frames (one of each type) delivered as events among the hostile ones
  expect(stats.events.unknownMessage).toBeGreaterThan(0);
  expect(stats.events.sdpOffer).toBeGreaterThanOrEqual(1);
  expect(stats.events.sdpAnswer).toBeGreaterThanOrEqual(1);
  expect(stats.events.iceCandidate).toBeGreaterThanOrEqual(1);
}, 300_000);
