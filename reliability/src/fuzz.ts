/**
 * `pnpm reliability:fuzz [--runs N] [--seed S] [--only a,b] [--big BYTES]
 *   [--emulator-runs N] [--client-runs N] [--no-write]`
 * (`--runs 0` skips the core parsers; `--emulator-runs 0 --client-runs 0` skips the services.)
 *
 * The long fuzz run: every core parser (default 1,000,000 generated cases each,
 * plus the fixed extremes), the emulator's HTTP and WebSocket handlers, and the
 * client's message handling. Prints figures as it goes and rewrites the fuzz
 * section of RELIABILITY.md.
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { coreTargets } from './core-targets';
import { fuzzTarget } from './harness';
import type { TargetStats } from './harness';
import { ms, stamp, table, updateSection } from './report';

/** Figures of a fuzz stage other than core (emulator, client). @public */
export interface StageResult {
  title: string;
  rows: Array<Array<string | number>>;
  head: string[];
  findings: string[];
}

/** Optional stages, registered by the emulator and client fuzz modules. @public */
export type Stage = (opts: { runs: number; seed: number; log: (line: string) => void }) => Promise<StageResult>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1000000' },
      seed: { type: 'string' },
      only: { type: 'string' },
      big: { type: 'string', default: String(10 * 1024 * 1024) },
      'emulator-runs': { type: 'string', default: '20000' },
      'client-runs': { type: 'string', default: '5000' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const big = Number(values.big);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const started = Date.now();
  log(`fuzz: ${runs} generated cases per core parser, seed ${seed}, big frames ${big} bytes`);

  const coreStats: TargetStats[] = [];
  for (const t of runs > 0 ? coreTargets(values.only?.split(',')) : []) {
    const t0 = Date.now();
    const stats = fuzzTarget(
      t.name,
      t.fn,
      t.arb,
      {
        numRuns: runs,
        seed,
        slowMs: 1000,
        progressEvery: 100_000,
        onProgress: (s) => log(`  ${t.name}: ${s.cases} cases, ${s.escapes + s.polluted} findings, slowest ${ms(s.maxMs)}`),
      },
      t.extremes(big),
    );
    coreStats.push(stats);
    log(`${t.name}: ${stats.cases} cases in ${ms(Date.now() - t0)}; ok ${stats.ok}, rejected ${stats.rejected}, escapes ${stats.escapes}, pollution ${stats.polluted}, slowest ${ms(stats.maxMs)}`);
    for (const f of stats.findings) log(`  FINDING ${f.kind}: ${f.error} <- ${f.input}`);
  }

  const stages: StageResult[] = [];
  const emulatorRuns = Number(values['emulator-runs']);
  const clientRuns = Number(values['client-runs']);
  if (emulatorRuns > 0) {
    const { emulatorFuzzStage } = await import('./emulator-fuzz');
    stages.push(await emulatorFuzzStage({ runs: emulatorRuns, seed, log }));
  }
  if (clientRuns > 0) {
    const { clientFuzzStage } = await import('./client-fuzz');
    stages.push(await clientFuzzStage({ runs: clientRuns, seed, log }));
  }

  const coreFindings = coreStats.flatMap((s) => s.findings.map((f) => `${s.target}: ${f.kind} ${f.error} <- ${f.input}`));
  const stageFindings = stages.flatMap((s) => s.findings);
  const findings = [...coreFindings, ...stageFindings];
  const findingsText = (list: string[]): string => (list.length === 0 ? 'Findings: none.' : ['Findings:', ...list.map((f) => `- ${f}`)].join('\n'));
  if (coreStats.length > 0) {
    const body = [
      stamp('fuzz', `${runs.toLocaleString('en')} generated cases per core parser plus fixed extremes (${(big / 2 ** 20).toFixed(0)} MB frames, 100,000-deep nesting, backtracking bait, wrong types); seed ${seed}; ${ms(Date.now() - started)} in all`),
      '',
      'Contract: only a `SignalingError` escapes a core parser (checked with `isSignalingError`, and its `toJSON()` must serialise), nothing reaches `Object.prototype`; every case is timed. Generators: a structured one per message shape (valid values in most slots, hostile ones in others, proto keys, duplicate keys), mutation of real frames, free text and JSON.',
      '',
      table(
        ['parser', 'cases', 'accepted', 'refused (SignalingError)', 'escapes', 'pollution', 'slowest case', 'mean', 'cases > 1 s'],
        coreStats.map((s) => [s.target, s.cases.toLocaleString('en'), s.ok.toLocaleString('en'), s.rejected.toLocaleString('en'), s.escapes, s.polluted, `${ms(s.maxMs)} (${s.maxMsInput.slice(0, 40)})`, ms(s.totalMs / Math.max(1, s.cases)), s.slow]),
      ),
      '',
      findingsText(coreFindings),
    ].join('\n');
    if (!values['no-write']) updateSection('fuzz', body);
    log(body);
  }
  if (stages.length > 0) {
    const body = [
      stamp('fuzz', `emulator ${emulatorRuns.toLocaleString('en')} HTTP requests and frames (handshakes: a tenth of that), client ${clientRuns.toLocaleString('en')} frames, plus 10 MB and invalid-UTF-8 frames; seed ${seed}`),
      '',
      'Emulator contract: every bad request gets a 4xx with `x-amzn-errortype` and a JSON body (never a 5xx, never silence), whatever it sends on a socket is a well-formed frame, and afterwards it still connects peers and relays. Client contract: every frame is reported (an event, `unknownMessage` or `error`), nothing reaches `Object.prototype`, and the client stays connected (a text frame of invalid UTF-8 breaks the WebSocket protocol itself and costs a reconnect).',
      ...stages.flatMap((s) => ['', `### ${s.title}`, '', table(s.head, s.rows)]),
      '',
      findingsText(stageFindings),
    ].join('\n');
    if (!values['no-write']) updateSection('fuzz-services', body);
    log(body);
  }
  process.exitCode = findings.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
