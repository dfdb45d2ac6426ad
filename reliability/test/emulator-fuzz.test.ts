/**
 * Hostile input against the emulator (CI size), over real TLS sockets: every
 * bad request gets a 4xx with an exception name (never a 5xx or silence), the
 * emulator sends only well-formed frames, and it stays up.
 */
import { fuzzFrames, fuzzHandshake, fuzzHttp, healthCheck, startFuzzEmulator } from '../src/emulator-fuzz';
import type { FuzzEmulator } from '../src/emulator-fuzz';

const RUNS = Number(process.env.KVS_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.KVS_FUZZ_SEED ?? Date.now() % 2 ** 31);
let fz: FuzzEmulator;

beforeAll(async () => {
  fz = await startFuzzEmulator();
}, 60_000);
afterAll(async () => {
  await fz?.close();
});

test(`HTTP handlers: ${RUNS} hostile requests on every route (seed ${SEED})`, async () => {
  const stats = await fuzzHttp(fz, RUNS, SEED);
  expect(stats.findings).toEqual([]);
  expect(stats.cases).toBe(RUNS + 3);
  // the generator reaches both accepted and refused requests
  expect(Object.keys(stats.statuses)).toEqual(expect.arrayContaining(['200', '400', '403']));
}, 300_000);

test(`WebSocket handshakes: ${Math.ceil(RUNS / 5)} mutated presigned URLs, and an expired one gets 403`, async () => {
  const stats = await fuzzHandshake(fz, Math.ceil(RUNS / 5), SEED);
  expect(stats.findings).toEqual([]);
  expect(stats.statuses['403']).toBeGreaterThan(0);
}, 300_000);

test(`WebSocket frames: ${RUNS} hostile frames on a live master and viewer`, async () => {
  const stats = await fuzzFrames(fz, RUNS, SEED);
  expect(stats.findings).toEqual([]);
  expect(stats.cases).toBe(RUNS + 2);
  // some frames were well-formed enough to be relayed or answered
  expect(stats.relayed).toBeGreaterThan(0);
}, 300_000);

test('after all that the emulator still connects peers and relays', async () => {
  expect(fz.internalFailures).toEqual([]);
  expect(await healthCheck(fz)).toBeUndefined();
}, 60_000);
