/**
 * RELIABILITY.md upkeep: each long command rewrites only its own section
 * (between `<!-- section:NAME -->` markers), stamped with the machine, date and
 * the exact command it ran.
 * @packageDocumentation
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The repository root: the nearest folder up from the working directory with
// pnpm-workspace.yaml (pnpm runs scripts from the root; this also works from below).
function repoRoot(): string {
  let dir = process.cwd();
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The repository's RELIABILITY.md. @public */
export const RELIABILITY_MD = path.join(repoRoot(), 'RELIABILITY.md');

/** The sections, in document order. @public */
export const SECTIONS = ['fuzz', 'fuzz-services', 'soak', 'leaks', 'load', 'hostile'] as const;
/** @public */
export type SectionName = (typeof SECTIONS)[number];

const TITLES: Record<SectionName, string> = {
  fuzz: 'Hostile input (fuzzing)',
  'fuzz-services': 'Hostile input: emulator and client',
  soak: 'Chaos soak',
  leaks: 'Leaks',
  load: 'Load',
  hostile: 'Hostile operations',
};

/** One line describing the machine a run happened on. @public */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const mem = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${os.cpus().length} × ${cpu.trim()}, ${mem} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average when written ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine is shared)`;
}

/** The command line that produced a run, for the report. @public */
export function commandLine(script: string): string {
  return `pnpm reliability:${script}${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
}

/**
 * Replaces one section's body in RELIABILITY.md (creating the file or the
 * section when missing) and leaves every other section as it was.
 * @public
 */
export function updateSection(name: SectionName, body: string, file = RELIABILITY_MD): void {
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n## ${TITLES[name]}\n\n${block}\n`;
  writeFileSync(file, text.endsWith('\n') ? text : text + '\n');
}

/**
 * Rewrites one row of a section made of an introduction, a table keyed by its
 * first column and a list of notes keyed by the same name (`- **key** …`), so
 * commands that each measure one row (run at different commits) can share a
 * section. Rows and notes of other keys are kept, in the order of `order`.
 * @public
 */
export function updateRow(name: SectionName, intro: string, head: string[], key: string, row: Array<string | number>, notes: string[], order: string[], file = RELIABILITY_MD): void {
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const old = i >= 0 && j > i ? text.slice(i + begin.length, j) : '';
  const rows = new Map<string, string>();
  const noteBlocks = new Map<string, string>();
  let current: string | undefined;
  for (const line of old.split('\n')) {
    const cell = /^\| ([^|]+?) \|/.exec(line);
    if (cell && !line.startsWith('| ---') && cell[1] !== head[0]) rows.set(cell[1] as string, line);
    const note = /^- \*\*([^*]+)\*\*/.exec(line);
    if (note) {
      current = note[1] as string;
      noteBlocks.set(current, line);
    } else if (current !== undefined && line.startsWith('  ')) noteBlocks.set(current, `${noteBlocks.get(current)}\n${line}`);
    else current = undefined;
  }
  const line = (cells: Array<string | number>): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  rows.set(key, line([key, ...row]));
  noteBlocks.set(key, [`- **${key}**`, ...notes.map((n) => `  - ${n}`)].join('\n'));
  const keys = [...order.filter((k) => rows.has(k)), ...[...rows.keys()].filter((k) => !order.includes(k))];
  const body = [intro.trim(), '', line(head), line(head.map(() => '---')), ...keys.map((k) => rows.get(k) as string), '', ...keys.filter((k) => noteBlocks.has(k)).map((k) => noteBlocks.get(k) as string)].join('\n');
  updateSection(name, body, file);
}

/** The commit the run measured (and whether the tree had uncommitted changes). @public */
export function commitLine(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: repoRoot(), encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- packages', { cwd: repoRoot(), encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' (plus uncommitted work of other packages in the tree)' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** Stamp that opens every section: date, machine, command, size. @public */
export function stamp(script: string, size: string): string {
  return [`Last run: ${new Date().toISOString()}`, `Commit: ${commitLine()}`, `Command: \`${commandLine(script)}\``, `Size: ${size}`, `Machine: ${machineLine()}`].map((l) => `- ${l}`).join('\n');
}

/** A Markdown table. @public */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Formats milliseconds for people. @public */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}
