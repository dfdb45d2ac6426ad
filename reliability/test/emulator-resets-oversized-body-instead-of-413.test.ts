/**
 * Finding: on a request body over its 1 MB limit the emulator destroyed the
 * request socket before its 413 reply could be written, so the caller saw a
 * connection reset ("no reply") instead of `SerializationException` (413).
 */
import { call, oversizedBodies, startFuzzEmulator } from '../src/emulator-fuzz';
import type { FuzzEmulator } from '../src/emulator-fuzz';

let fz: FuzzEmulator;
beforeAll(async () => {
  fz = await startFuzzEmulator();
}, 60_000);
afterAll(async () => {
  await fz?.close();
});

test.each(oversizedBodies().map((b) => [b.length, b] as const))('a signed body of %i characters gets 413 with an exception name', async (_n, body) => {
  const r = await call(fz, '/describeSignalingChannel', body);
  expect(r.status).toBe(413);
  expect(r.headers['x-amzn-errortype']).toBe('SerializationException');
}, 60_000);
