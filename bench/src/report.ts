/**
 * The benchmark registry and the BENCHMARKS.md renderer.
 * @packageDocumentation
 */
import * as os from 'node:os';
import { machine, type Benchmark, type BenchResult, type Table } from './harness';
import { templates } from './template';

/** A benchmark, loaded lazily so one whose package is missing cannot stop the others. @public */
export interface BenchEntry {
  readonly name: string;
  load(): Promise<Benchmark>;
}

/** Every benchmark, in report order. @public */
export const BENCHMARKS: readonly BenchEntry[] = [
  { name: 'open-time', load: async () => (await import('./open-time')).runOpenTime },
  { name: 'session-time', load: async () => (await import('./session-time')).runSessionTime },
  { name: 'message-cost', load: async () => (await import('./message-cost')).runMessageCost },
  { name: 'signing', load: async () => (await import('./signing')).runSigning },
  { name: 'scale', load: async () => (await import('./scale')).runScale },
  { name: 'weight', load: async () => (await import('./weight')).runWeight },
];

function table(t: Table): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines: string[] = [];
  if (t.title) lines.push(`**${t.title}**`, '');
  lines.push(`| ${t.columns.map(esc).join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`);
  for (const r of t.rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/** Input of {@link renderReport}. @public */
export interface ReportInput {
  readonly results: readonly BenchResult[];
  readonly failures: readonly { name: string; error: string }[];
  readonly quick: boolean;
  readonly command: string;
  readonly totalSeconds: number;
}

/** Renders the whole report as Markdown. @public */
export function renderReport(input: ReportInput): string {
  const m = machine();
  const out: string[] = [];
  out.push('# Benchmarks: kvs-sig against the peers', '');
  const prose = templates('report');
  if (input.quick) out.push(prose.render('quick'), '');
  out.push(
    prose.render('intro', {
      date: new Date().toISOString(),
      cpu: m.cpu,
      cores: m.cores,
      memoryGiB: m.memoryGiB,
      platform: m.platform,
      node: m.node,
      command: input.command,
      seconds: input.totalSeconds.toFixed(0),
    }),
    '',
  );
  const goals = input.results.flatMap((r) => r.goals.map((g) => ({ ...g, bench: r.name })));
  if (goals.length) {
    out.push('## Goals (set by the issues)', '', table({
      columns: ['benchmark', 'goal', 'met', 'measured'],
      rows: goals.map((g) => [g.bench, g.goal, g.met === null ? 'n/a' : g.met ? 'yes' : '**no**', g.detail]),
    }), '');
  }
  if (input.failures.length) {
    out.push('## Benchmarks that failed in this run', '');
    for (const f of input.failures) out.push(`### ${f.name}`, '', '```', f.error.slice(0, 4000), '```', '');
  }
  for (const r of input.results) {
    const load = r.load ? `; 1-min load average ${r.load[0].toFixed(2)} before, ${r.load[1].toFixed(2)} after (${os.cpus().length} cores)` : '';
    out.push(`## ${r.title}`, '', `*\`--only ${r.name}\`, ${r.seconds.toFixed(1)} s${load}*`, '', '### Method', '', r.method, '', '### Results', '');
    for (const t of r.tables) out.push(table(t), '');
    if (r.notes.length) {
      out.push('### Findings', '');
      for (const n of r.notes) out.push(`- ${n}`);
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
