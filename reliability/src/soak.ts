/**
 * `pnpm reliability:soak [--duration SECONDS] [--viewers N] [--fault-every MS]
 *   [--send-every MS] [--connects-per-second N] [--seed S] [--no-write]`
 *
 * The chaos soak (see chaos.ts): prints the totals on both sides, where lost
 * messages were lost, reconnect times and the faults injected, and rewrites the
 * soak section of RELIABILITY.md.
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { runChaos } from './chaos';
import { ms, stamp, table, updateSection } from './report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '600' },
      viewers: { type: 'string', default: '10' },
      'fault-every': { type: 'string', default: '1000' },
      'send-every': { type: 'string', default: '200' },
      'connects-per-second': { type: 'string', default: '3' },
      seed: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const durationMs = Number(values.duration) * 1000;
  const r = await runChaos({
    durationMs,
    viewers: Number(values.viewers),
    faultEveryMs: Number(values['fault-every']),
    sendEveryMs: Number(values['send-every']),
    connectsPerSecond: Number(values['connects-per-second']),
    seed,
    settleMs: 60_000,
    log: (l) => console.log(l),
  });
  const body = [
    stamp('soak', `${values.duration} s of faults, 1 master + ${values.viewers} viewers on one channel, a fault every ~${values['fault-every']} ms, each client sending every ~${values['send-every']} ms, handshake limit ${values['connects-per-second']}/s per role (the service's), seed ${seed}; ${ms(r.durationMs)} in all with the settle time`),
    '',
    'Every message carries an id; the sender counts its promise (sent, or rejected with a typed error) and STATUS_RESPONSE reports, the receiver counts deliveries, and the emulator\'s frame log says where a message that was sent but never delivered was lost.',
    '',
    table(
      ['messages', 'count'],
      [
        ['sent', r.sent],
        ['delivered exactly once', r.deliveredOnce],
        ['delivered more than once', r.duplicated],
        ['reported failed to the sender', `${r.failedReported} ${JSON.stringify(r.failedCodes)}`],
        ['lost: sender\'s socket died before the emulator read it (send had resolved)', r.lost.beforeEmulator],
        ['lost: held for an absent recipient, then replaced by a newer offer/answer or expired (60 s TTL): the service\'s rules, unreported by the service (the emulator\'s undelivered log names each)', `${r.lost.heldBySemantics} (${r.lost.expired} expired)`],
        ['lost: refused at the emulator\'s bound on what it holds (256 per recipient), the STATUS_RESPONSE not reaching the sender (its socket was going)', r.lost.droppedByBound],
        ['lost: read by the emulator, never written to the recipient, and not in its undelivered log', r.lost.untraced],
        ['lost: written by the emulator to a receiver socket that died', r.lost.afterEmulator],
        ['lost with no fault or service rule to explain it', r.unexplained],
        ['sends never settled', r.stillPending],
      ],
    ),
    '',
    table(['reconnects', 'p50', 'p99', 'max'], [[r.reconnectMs.count, ms(r.reconnectMs.p50), ms(r.reconnectMs.p99), ms(r.reconnectMs.max)]]),
    '',
    `Time not open per client (% of the run): ${Object.entries(r.offlinePercent).map(([k, v]) => `${k} ${v}`).join(', ')}. Longest outage: ${ms(r.longestOutage.ms)} (${r.longestOutage.who}).`,
    `Faults injected: ${Object.entries(r.faults).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `Error events by code: ${Object.entries(r.errorsByCode).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`,
    `End states: ${Object.values(r.endStates).every((s) => s === 'open') ? `all ${r.clients} clients open` : JSON.stringify(r.endStates)}.`,
    '',
    r.findings.length === 0 ? 'Findings: none.' : ['Findings:', ...r.findings.map((f) => `- ${f}`)].join('\n'),
  ].join('\n');
  console.log(body);
  if (r.lostSamples.length > 0) console.log(['lost samples:', ...r.lostSamples].join('\n'));
  console.log(['longest outage:', ...r.longestOutage.notes].join('\n'));
  if (!values['no-write']) updateSection('soak', body);
  process.exitCode = r.findings.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
