/**
 * Load, CI size: the emulator and 100 clients (10 channels of a master and
 * nine viewers) in one process with steady traffic: every connection stays
 * open and every message is delivered exactly once. Same scenario as
 * `pnpm reliability:load`, smaller.
 */
import { runLoad } from '../src/load-scenario';

test('100 connections with steady traffic for 5 s: all open, nothing lost', async () => {
  const r = await runLoad({ connections: 100, durationMs: 5000, sendEveryMs: 500 });
  process.stdout.write(`load: ${r.connections} connections, ${r.sent} sent, ${r.delivered} delivered, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms\n`);
  expect(r.findings).toEqual([]);
  expect(r.connections).toBe(100);
  expect(r.minOpen).toBe(100);
  expect(r.lost).toBe(0);
  expect(r.duplicated).toBe(0);
  expect(r.failed).toBe(0);
  // traffic really flowed: viewers' messages and the masters' answers
  expect(r.sent).toBeGreaterThan(90 * 5);
  expect(r.delivered).toBe(r.sent);
}, 120_000);
