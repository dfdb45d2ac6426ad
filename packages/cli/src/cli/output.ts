/**
 * Output of the `kvs-sig` command: JSON for machines, tables that fit the
 * terminal for people, a progress line on stderr (terminals only), and error
 * lines that name the service's exception without a stack trace unless asked.
 * @packageDocumentation
 */
import { isSignalingError, redactSecrets } from '@kvs-sig/core';
import { ConfigError, UsageError } from './exit-codes';

/** A stream the CLI writes text to. @internal */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Where the CLI writes; injectable for tests. @internal */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** The progress line, when one is drawn: every write erases it first (see {@link guardIo}). */
  spinner?: Spinner;
}

/** Width tables are fitted to when stdout is not a terminal (a pipe, a file, CI logs). @internal */
export const DEFAULT_WIDTH = 80;

/** How a table treats a cell wider than its column. @internal */
export type Overflow = 'truncate' | 'wrap';

/** Options of {@link table}. @internal */
export interface TableOptions {
  /** Total width to fit; `Infinity` (`--wide`) keeps every cell whole. Default {@link DEFAULT_WIDTH}. */
  width?: number;
  /** Per column; default `truncate` (ends with `…`). */
  overflow?: readonly Overflow[];
  /**
   * Columns that give up width first, in this order, each down to its
   * header's width (at least 6); then the widest columns shrink in turn.
   */
  shrinkFirst?: readonly number[];
}

/** The width tables get: the terminal's, else 80; unlimited with `--wide`. @internal */
export function tableWidth(io: CliIo, wide: boolean): number {
  if (wide) return Infinity;
  const columns = io.stdout.isTTY ? io.stdout.columns : undefined;
  return typeof columns === 'number' && columns > 20 ? columns : DEFAULT_WIDTH;
}

const GAP = 2;

/** Breaks `text` into lines of at most `width`, preferring to break after a space, `/`, `:`, `,` or `?`. */
function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const window = rest.slice(0, width + 1);
    let cut = Math.max(window.lastIndexOf(' '), ...['/', ':', ',', '?', '&'].map((c) => window.lastIndexOf(c, width - 1) + 1));
    if (cut <= width / 3) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

/**
 * Renders rows as an aligned table with a header line, fitted to `width`:
 * the widest columns shrink first, then a cell too wide for its column is
 * truncated with `…` or wrapped onto more lines. A cell may hold several
 * lines (`\n`).
 * @internal
 */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>, options: TableOptions = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const cells = rows.map((r) => headers.map((_, i) => (r[i] === undefined ? '-' : String(r[i])).split('\n')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => Math.max(...(r[i] ?? ['']).map((l) => l.length)))));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  // Shrink the widest column one character at a time; never below its header (or 6).
  const floor = headers.map((h) => Math.max(h.length, 6));
  for (const i of options.shrinkFirst ?? []) {
    if (widths[i] === undefined) continue;
    widths[i] = Math.max(floor[i]!, Math.min(widths[i]!, widths[i]! - (total() - width)));
  }
  while (total() > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > floor[i]! && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
  }
  const fit = (lines: string[], i: number): string[] => {
    const w = widths[i]!;
    if ((options.overflow?.[i] ?? 'truncate') === 'wrap') return lines.flatMap((l) => wrapText(l, w));
    return lines.map((l) => (l.length > w ? `${l.slice(0, w - 1)}…` : l));
  };
  const render = (row: string[][]): string[] => {
    const fitted = row.map((lines, i) => fit(lines, i));
    const height = Math.max(...fitted.map((l) => l.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) {
      out.push(
        fitted
          .map((lines, i) => (i === fitted.length - 1 ? (lines[k] ?? '') : (lines[k] ?? '').padEnd(widths[i]!)))
          .join(' '.repeat(GAP))
          .trimEnd(),
      );
    }
    return out;
  };
  return [...render(headers.map((h) => [h])), ...cells.flatMap(render)].join('\n') + '\n';
}

/** Renders key/value pairs, one per line, keys aligned. @internal */
export function keyValues(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v === undefined ? '-' : String(v)}`).join('\n') + '\n';
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Carriage return, then erase to the end of the line. */
const ERASE = '\r\x1b[K';

/**
 * The progress line on stderr. It is erased before anything else is written
 * (so output never lands after it on the same line) and redrawn on its next
 * tick, on a line of its own.
 * @internal
 */
export class Spinner {
  private label: string | undefined;
  private drawn = false;
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly stderr: OutStream) {}

  start(label: string): void {
    this.label = label;
    this.draw();
    this.timer = setInterval(() => this.draw(), 80);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
    this.label = undefined;
  }

  /** Removes the line if it is on screen; the next tick draws it again. */
  erase(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.stderr.write(ERASE);
  }

  private draw(): void {
    if (this.label === undefined) return;
    this.drawn = true;
    this.stderr.write(`${ERASE}${FRAMES[this.frame++ % FRAMES.length] ?? ''} ${this.label}`);
  }
}

/**
 * Wraps an io so that every write to stdout or stderr first erases the
 * progress line. Runs once, in `runCli`; commands write through it.
 * @internal
 */
export function guardIo(io: CliIo): CliIo {
  if (io.spinner) return io;
  const spinner = new Spinner(io.stderr);
  const guard = (stream: OutStream): OutStream => ({
    write: (text: string) => {
      spinner.erase();
      return stream.write(text);
    },
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  });
  return { ...io, stdout: guard(io.stdout), stderr: guard(io.stderr), spinner };
}

/**
 * Runs `task` with a progress line on stderr when both stdout and stderr are
 * terminals (and not in JSON mode); otherwise runs it silently, so a pipe or a
 * file never receives spinner frames.
 * @internal
 */
export async function withSpinner<T>(io: CliIo, label: string, enabled: boolean, task: () => Promise<T>): Promise<T> {
  if (!enabled || !io.stdout.isTTY || !io.stderr.isTTY || !io.spinner) return task();
  io.spinner.start(label);
  try {
    return await task();
  } finally {
    io.spinner.stop();
  }
}

/** The one-line message for an error: the service's exception name and message, in the CLI's words. @internal */
export function errorLine(error: unknown): string {
  if (isSignalingError(error)) {
    const e = error as { errorType?: unknown; httpStatus?: unknown; message: string; code: string };
    if (typeof e.errorType === 'string') {
      // ServiceError messages read "<errorType> (<status>): <text>"; print "<errorType>: <text>".
      const prefix = `${e.errorType} (${String(e.httpStatus)}): `;
      const text = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
      return `${e.errorType}: ${text}`;
    }
    return `${e.code}: ${inFlags(e.message)}`;
  }
  if (error instanceof UsageError || error instanceof ConfigError) return error.message;
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${redactSecrets(error.message)}`;
  return redactSecrets(String(error));
}

/**
 * Rewrites the library's advice, which names its options, into the CLI's
 * flags. The library's messages stay written for library users.
 * @internal
 */
export function inFlags(message: string): string {
  return message
    .replace(/pass tls: \{ ca \} \(Node\) or install it in the trust store/g, 'pass its CA with --ca <file> (PEM)')
    .replace(/set allowInsecureEndpoints: true \(loopback hosts only\) or use a secure scheme/g, 'pass --allow-insecure (loopback hosts only) or use https://')
    .replace(/^endpoint: (https?|wss?):\/\/ refused/, '--endpoint $1:// refused');
}

/** A JSON description of an error for `--json` mode. @internal */
export function errorJson(error: unknown): Record<string, unknown> {
  if (isSignalingError(error)) {
    const json = error.toJSON();
    return typeof json.message === 'string' && typeof json.errorType !== 'string' ? { ...json, message: inFlags(json.message) } : json;
  }
  if (error instanceof Error) return { name: error.name, message: redactSecrets(error.message) };
  return { message: redactSecrets(String(error)) };
}

/** Stack of an error, redacted, for `--debug`. @internal */
export function errorStack(error: unknown): string | undefined {
  return error instanceof Error && error.stack ? redactSecrets(error.stack) : undefined;
}

/** Writes a value as JSON on one line (JSON Lines) or pretty-printed. @internal */
export function writeJson(io: CliIo, value: unknown, pretty = true): void {
  io.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}
