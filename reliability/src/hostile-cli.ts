/**
 * `pnpm reliability:hostile <scenario>... | ci | all [--no-write]`
 *
 * Runs hostile-operations scenarios (hostile-ops.ts) one after another, prints
 * each one's figures and rewrites its row (and notes) in the "Hostile
 * operations" section of RELIABILITY.md, stamped with the commit it ran on.
 * `ci` runs the scenarios the CI test runs; `all` every one (the 70 s freeze
 * included: about three minutes). Exit code 1 when a scenario has findings.
 * @packageDocumentation
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { SCENARIOS } from './hostile-ops';
import type { OpsResult } from './hostile-ops';
import { commitLine, ms, updateRow } from './report';

const INTRO = `What operators and the service do to running clients, one scenario per command (\`pnpm reliability:hostile <scenario>\`, or \`all\`; \`ci\` is what the CI test \`reliability/test/hostile-ops.test.ts\` runs, everything but the 20 s and 70 s freezes; the test runs the burst paced with 12 offers, waits 5 s on the full channel, and caps the restart's backoff at 1 s). Each row is rewritten by its own command and names the commit it ran on. Every message carries an id and is counted by the soak's ledger (\`reliability/src/ledger.ts\`): **sent**; **delivered** exactly once; **failed and reported** (the send rejected with a typed error, or a STATUS_RESPONSE from the service; one reported failed and delivered all the same is a finding: its sender was told wrong; \`DELIVERY_UNCONFIRMED\` and \`CLIENT_CLOSED\` say the message may have been delivered, so one of those delivered is counted apart and is no finding); **lost by the service's rules** (the emulator's undelivered log names each: REPLACED, a newer offer/answer to a peer that was away replaced it, or EXPIRED after the channel's TTL; the service tells nobody); **silently lost** (the send resolved, nothing arrived, nobody was told, no service rule to blame: the goal is 0); **never settled** (the promise still pending when the scenario's bound ran out). **Time to recover**: from the end of the fault (SIGCONT, the restarted process listening, the rotation, the clock jump) until a message sent after it was delivered in both directions; for the burst, until the last offer was delivered or reported; for the 11th viewer, from a slot freeing until an offer of the 11th viewer arrived; for close(), the slowest close(). The emulator runs in a child process for the freezes and the restart (so it can be stopped and killed), in-process otherwise. The clock jump moves the emulator's clock (its \`Date\` header and signature checks) against the client's, which is what a client sees when either clock steps (an NTP correction, a laptop waking); the connections are then dropped, so both clients must sign again and correct their skew from the \`Date\` header.`;

const HEAD = ['scenario', 'sent', 'delivered', 'failed and reported', 'lost by the service\'s rules', 'silently lost', 'never settled', 'time to recover', 'reconnects', 'commit', 'run at'];

function codes(c: Record<string, number>): string {
  const e = Object.entries(c);
  return e.length === 0 ? '' : ` (${e.map(([k, v]) => `${k} ${v}`).join(', ')})`;
}

/** The row and notes of one result. @public */
export function rowOf(r: OpsResult, commit: string): { row: Array<string | number>; notes: string[] } {
  const serviceTotal = Object.values(r.serviceLost).reduce((a, b) => a + b, 0);
  return {
    row: [
      r.sent,
      r.delivered + (r.duplicated > 0 ? ` (+${r.duplicated} more than once)` : ''),
      `${r.failedReported}${codes(r.failedCodes)}${r.unconfirmedButDelivered > 0 ? `, of which ${r.unconfirmedButDelivered} told "may have been delivered" and delivered` : ''}${r.failedButDelivered > 0 ? `, of which ${r.failedButDelivered} delivered all the same` : ''}`,
      `${serviceTotal}${codes(r.serviceLost)}`,
      `${r.silentlyLost}${codes(r.silentlyLostWhere)}`,
      r.neverSettled,
      Number.isNaN(r.recoverMs) ? 'not within the bound' : ms(r.recoverMs),
      r.reconnects,
      commit,
      new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    ],
    notes: [
      `${r.what}. Command: \`pnpm reliability:hostile ${r.scenario}\`; ${ms(r.durationMs)} in all; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
      ...r.notes,
      `Error events by code: ${Object.entries(r.errorsByCode).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}. End states: ${JSON.stringify(r.endStates)}.`,
      r.findings.length === 0 ? 'Findings: none.' : `Findings: ${r.findings.join('; ')}.`,
    ],
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, allowPositionals: true });
  const names = positionals.flatMap((p) => (p === 'all' ? Object.keys(SCENARIOS) : p === 'ci' ? Object.keys(SCENARIOS).filter((n) => SCENARIOS[n]?.ci) : [p]));
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (names.length === 0 || unknown.length > 0) {
    console.error(`usage: pnpm reliability:hostile <scenario>... | ci | all [--no-write]\nscenarios: ${Object.keys(SCENARIOS).join(', ')}${unknown.length > 0 ? `\nunknown: ${unknown.join(', ')}` : ''}`);
    process.exit(2);
  }
  let failed = false;
  for (const name of names) {
    console.log(`== ${name}`);
    const r = await (SCENARIOS[name] as (typeof SCENARIOS)[string]).run((l) => console.log(l));
    const { row, notes } = rowOf(r, commitLine());
    console.log(HEAD.slice(1).map((h, i) => `${h}: ${row[i]}`).join('\n'));
    console.log(notes.join('\n'));
    if (!values['no-write']) updateRow('hostile', INTRO, HEAD, name, row, notes, Object.keys(SCENARIOS));
    if (r.findings.length > 0) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
