/**
 * `pnpm reliability:leaks [--cycles N] [--reconnects N] [--every N] [--no-write]`
 *
 * In one process: N connect/close cycles and N reconnects of one client
 * against the emulator, printing heap (after a forced GC) and live resources
 * at intervals, then close() in every state. Rewrites the leaks section of
 * RELIABILITY.md.
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { CLOSE_STATES, closeInState, connectCloseCycles, heapSlope, reconnectCycles, resources, settle, startLeakEmulator } from './leak-scenarios';
import type { LeakSample } from './leak-scenarios';
import { stamp, table, updateSection } from './report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string', default: '10000' },
      reconnects: { type: 'string', default: '10000' },
      every: { type: 'string', default: '1000' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const cycles = Number(values.cycles);
  const reconnects = Number(values.reconnects);
  const every = Number(values.every);
  const started = Date.now();
  const { emu, arn } = await startLeakEmulator();
  const findings: string[] = [];
  const print = (what: string) => (s: LeakSample) =>
    console.log(`${what} ${s.cycle}: heap ${s.heapMb.toFixed(1)} MB, resources ${s.resources} ${JSON.stringify(s.byType)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const before = resources();
  const cc = await connectCloseCycles(emu, cycles, every, print('connect/close'));
  const afterCycles = await settle(before);
  if (Object.keys(afterCycles).length > 0) findings.push(`after ${cycles} connect/close cycles these resources remain: ${JSON.stringify(afterCycles)}`);
  const rc = await reconnectCycles(emu, reconnects, every, print('reconnect'));
  const afterReconnects = await settle(before);
  if (Object.keys(afterReconnects).length > 0) findings.push(`after ${reconnects} reconnects these resources remain: ${JSON.stringify(afterReconnects)}`);
  const states: Array<Array<string | number>> = [];
  for (const st of CLOSE_STATES) {
    const r = await closeInState(emu, arn, st);
    states.push([st.name, JSON.stringify(r.leftover) === '{}' ? 'none' : JSON.stringify(r.leftover), r.processListeners, r.connectOutcome]);
    if (JSON.stringify(r.leftover) !== '{}' || r.processListeners !== 0) findings.push(`close() while ${st.name} left ${JSON.stringify(r.leftover)}, ${r.processListeners} process listeners`);
  }
  await emu.close();
  const ccSlope = heapSlope(cc);
  const rcSlope = heapSlope(rc);
  const body = [
    stamp('leaks', `${cycles.toLocaleString('en')} connect/close cycles (each: Describe, GetSignalingChannelEndpoint, GetIceServerConfig, TLS WebSocket handshake, close) and ${reconnects.toLocaleString('en')} reconnects of one client (the emulator drops its socket), one process, emulator in the same process; samples every ${every}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`),
    '',
    'Heap is `heapUsed` after a forced full GC; resources are `process.getActiveResourcesInfo()` (sockets, timers, requests), emulator included.',
    '',
    table(['connect/close cycle', 'heap (MB)', 'live resources'], cc.map((s) => [s.cycle, s.heapMb.toFixed(1), s.resources])),
    '',
    `Heap slope after the first sample: ${(ccSlope / 1024).toFixed(2)} KB per cycle.`,
    '',
    table(['reconnect', 'heap (MB)', 'live resources'], rc.map((s) => [s.cycle, s.heapMb.toFixed(1), s.resources])),
    '',
    `Heap slope after the first sample: ${(rcSlope / 1024).toFixed(2)} KB per reconnect.`,
    '',
    table(['close() while', 'left behind', 'process listeners added', 'pending connect()'], states),
    '',
    findings.length === 0 ? 'Findings: none.' : ['Findings:', ...findings.map((f) => `- ${f}`)].join('\n'),
  ].join('\n');
  console.log(body);
  if (!values['no-write']) updateSection('leaks', body);
  process.exitCode = findings.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
