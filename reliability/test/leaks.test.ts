/**
 * Leaks, CI size: close() in every state leaves no handle, timer or process
 * listener, and a pending connect() settles with a typed error; a few hundred
 * connect/close cycles and reconnects leave resources where they started and
 * the heap flat. Same scenarios as `pnpm reliability:leaks`, shorter.
 */
import type { Emulator } from '@kvs-sig/emulator';
import { CLOSE_STATES, closeInState, connectCloseCycles, heapSlope, reconnectCycles, resources, settle, startLeakEmulator } from '../src/leak-scenarios';

let emu: Emulator;
let arn: string;
beforeAll(async () => {
  ({ emu, arn } = await startLeakEmulator());
}, 60_000);
afterAll(async () => {
  await emu?.close();
});

test.each(CLOSE_STATES.map((s) => [s.name, s] as const))('close() while %s leaves nothing behind', async (_name, state) => {
  const r = await closeInState(emu, arn, state);
  expect(r.leftover).toEqual({});
  expect(r.processListeners).toBe(0);
  if (r.connectOutcome !== 'none') expect(r.connectOutcome).toMatch(/^rejected (CLIENT_CLOSED|ABORTED)$/);
}, 30_000);

const CYCLES = Number(process.env.KVS_LEAK_CYCLES ?? 200);

test(`${CYCLES} connect/close cycles: resources back to the start, heap flat`, async () => {
  const before = resources();
  const samples = await connectCloseCycles(emu, CYCLES, Math.max(10, Math.floor(CYCLES / 10)));
  expect(await settle(before)).toEqual({});
  const slope = heapSlope(samples);
  process.stdout.write(`connect/close: heap ${samples.map((s) => s.heapMb.toFixed(1)).join(' ')} MB; slope ${(slope / 1024).toFixed(2)} KB/cycle\n`);
  // a client (agent, sockets, emitter) is tens of KB: keeping one per cycle would show here
  expect(slope).toBeLessThan(8 * 1024);
}, 300_000);

test(`${CYCLES} reconnects of one client: resources back to the start, heap flat`, async () => {
  const before = resources();
  const samples = await reconnectCycles(emu, CYCLES, Math.max(10, Math.floor(CYCLES / 10)));
  expect(await settle(before)).toEqual({});
  const slope = heapSlope(samples);
  process.stdout.write(`reconnects: heap ${samples.map((s) => s.heapMb.toFixed(1)).join(' ')} MB; slope ${(slope / 1024).toFixed(2)} KB/reconnect\n`);
  expect(slope).toBeLessThan(8 * 1024);
}, 300_000);
