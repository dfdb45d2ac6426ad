/**
 * Finding (emulator fuzz): when a caller hung up in the middle of a request
 * body, the emulator treated the socket's "aborted" error as a bug in a
 * handler: it logged "unexpected failure" with a stack and recorded the
 * request as a 500 InternalFailure, which polluted the request log and the
 * 5xx counts that tests and benchmarks read.
 */
import * as tls from 'node:tls';
import { startFuzzEmulator } from '../src/emulator-fuzz';
import type { FuzzEmulator } from '../src/emulator-fuzz';

let fz: FuzzEmulator;
beforeAll(async () => {
  fz = await startFuzzEmulator();
}, 60_000);
afterAll(async () => {
  await fz?.close();
});

test('a body cut short by the caller is not logged as an internal failure or a 5xx', async () => {
  const { hostname, port } = new URL(fz.emu.controlPlaneEndpoint);
  await new Promise<void>((resolve) => {
    const s = tls.connect({ host: hostname, port: Number(port), ca: fz.emu.ca }, () => {
      s.write('POST /describeSignalingChannel HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ChannelName":');
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 100);
    });
    s.on('error', () => resolve());
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(fz.internalFailures).toEqual([]);
  expect(fz.emu.log.requests().filter((r) => r.status >= 500)).toEqual([]);
}, 30_000);
