/**
 * `pnpm reliability:load [--connections N] [--duration SECONDS] [--send-every MS] [--no-write]`
 *
 * The emulator and the client in one process holding N connections (channels
 * of a master and nine viewers) with steady traffic; prints figures as it goes
 * and rewrites the load section of RELIABILITY.md.
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { runLoad } from './load-scenario';
import { ms, stamp, table, updateSection } from './report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '600' },
      'send-every': { type: 'string', default: '5000' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const r = await runLoad({
    connections: Number(values.connections),
    durationMs: Number(values.duration) * 1000,
    sendEveryMs: Number(values['send-every']),
    log: (l) => console.log(l),
  });
  const body = [
    stamp('load', `${r.connections} connections (${r.channels} channels of a master and nine viewers, all \`SignalingClient\`s over TLS, sharing one endpoint cache), ${values.duration} s of steady traffic: each viewer sends an ICE candidate to its master every ~${values['send-every']} ms and the master answers each one; emulator and clients in the same process`),
    '',
    table(
      ['figure', 'value'],
      [
        ['connections opened (ramp, handshakes limited to 3/s per channel and role as the service does)', `${r.connections} in ${ms(r.rampMs)}`],
        ['fewest open at any sample during the run', r.minOpen],
        ['messages sent / delivered', `${r.sent} / ${r.delivered} (${r.messagesPerSecond.toFixed(0)} per second)`],
        ['lost / duplicated / sends rejected', `${r.lost} / ${r.duplicated} / ${r.failed}`],
        ['delivery time p50 / p99 / max', `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)} / ${ms(r.latencyMs.max)}`],
        ['reconnects / error events', `${r.reconnects} / ${r.errors}`],
        ['peak RSS / heap (whole process, emulator included)', `${r.peakRssMb.toFixed(0)} MB / ${r.peakHeapMb.toFixed(0)} MB`],
      ],
    ),
    '',
    r.findings.length === 0 ? 'Findings: none.' : ['Findings:', ...r.findings.map((f) => `- ${f}`)].join('\n'),
  ].join('\n');
  console.log(body);
  if (!values['no-write']) updateSection('load', body);
  process.exitCode = r.findings.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
