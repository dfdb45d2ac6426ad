/**
 * What the emulator does with WebSocket pings (README, "WebSocket relay"):
 * each is answered with a pong and counts as traffic; a socket with more than
 * 60 pongs waiting to be written (a burst of pings read at once, as a client
 * that pings per send produces when a stalled server resumes) is terminated
 * with 1006, as ws's own bound does. How many of a burst are read before the
 * first pongs are written is up to the event loop, so the second test uses a
 * burst well over the bound.
 */
import type { Emulator } from '../src';
import { connect, createChannel, sleep, withEmulator } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator({ tls: false });
});
afterAll(async () => {
  await emu.close();
});

test('60 pings in a burst: 60 pongs, the socket stays open', async () => {
  const arn = await createChannel(emu, 'pings-60');
  const peer = await connect(emu, arn);
  let pongs = 0;
  peer.ws.on('pong', () => pongs++);
  for (let i = 0; i < 60; i++) peer.ws.ping();
  for (let t = 0; t < 100 && pongs < 60; t++) await sleep(20);
  expect(pongs).toBe(60);
  await sleep(100);
  expect(peer.closeCode).toBeUndefined();
  await peer.close();
});

test('200 pings in a burst: more than 60 pongs pile up and the socket is terminated (1006, no close frame)', async () => {
  const arn = await createChannel(emu, 'pings-61');
  const peer = await connect(emu, arn);
  for (let i = 0; i < 200; i++) peer.ws.ping();
  expect(await peer.closed).toBe(1006);
});
