/**
 * Finding: the emulator's `clientError` handler destroyed the socket, so a
 * malformed HTTP request (bad request line, oversized header, conflicting
 * framing) got silence instead of a 4xx status, unlike the real service.
 */
import { RAW_REQUESTS, rawRequest, startFuzzEmulator } from '../src/emulator-fuzz';
import type { FuzzEmulator } from '../src/emulator-fuzz';

let fz: FuzzEmulator;
beforeAll(async () => {
  fz = await startFuzzEmulator();
}, 60_000);
afterAll(async () => {
  await fz?.close();
});

test('a well-formed unsigned request on the raw socket gets 403 (the probe works)', async () => {
  expect(await rawRequest(fz, 'POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}')).toMatch(/^HTTP\/1\.1 403 /);
});

test.each(RAW_REQUESTS)('malformed HTTP (%s) gets a 4xx status line', async (_name, text) => {
  expect(await rawRequest(fz, text)).toMatch(/^HTTP\/1\.[01] 4\d\d /);
});
