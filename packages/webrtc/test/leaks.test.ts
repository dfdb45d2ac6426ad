/**
 * close() releases everything: after open/close cycles of a viewer session the
 * signaling client has exactly the listeners it had before, and the process
 * holds no more sockets or timers than after the first cycles (the full
 * 1,000-cycle run with heap figures: leaks-main.ts, RELIABILITY.md).
 */
import { viewerCycles } from './leak-cycles';

jest.setTimeout(120_000);

it('30 open/close cycles of a viewer session leave listeners and live resources flat', async () => {
  const samples = await viewerCycles(30, 10);
  expect(samples.map((s) => s.cycle)).toEqual([0, 10, 20, 30]);
  const listeners = samples.map((s) => s.signalingListeners);
  // Every session removed what it added to the shared signaling client.
  expect(new Set(listeners).size).toBe(1);
  // Resources (sockets, timers) after 10 cycles and after 30: no growth per cycle. The
  // master's one live peer has a few werift timers in flight at any sample (14 to 18 in
  // the 1,000-cycle run), so the slack is 6; one leaked handle per cycle would add 20.
  const [, s10, , s30] = samples;
  expect(s30!.resources).toBeLessThanOrEqual(s10!.resources + 6);
});
