/**
 * Output of the `kvs-sig` command: JSON for machines, aligned tables for
 * people, a progress line on stderr (TTY only), and error lines that name the
 * service's exception without a stack trace unless asked.
 * @packageDocumentation
 */
import { isSignalingError, redactSecrets } from '@kvs-sig/core';
import { ConfigError, UsageError } from './exit-codes';

/** Where the CLI writes; injectable for tests. @internal */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

/** Renders rows as an aligned table with a header line. @internal */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  const cells = rows.map((r) => headers.map((_, i) => (r[i] === undefined ? '-' : String(r[i]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** Renders key/value pairs, one per line, keys aligned. @internal */
export function keyValues(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v === undefined ? '-' : String(v)}`).join('\n') + '\n';
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Runs `task` with a spinner on stderr when stderr is a terminal (and not in
 * JSON mode); otherwise runs it silently.
 * @internal
 */
export async function withSpinner<T>(io: CliIo, label: string, enabled: boolean, task: () => Promise<T>): Promise<T> {
  if (!enabled || !io.stderr.isTTY) return task();
  let frame = 0;
  const draw = () => io.stderr.write(`\r${FRAMES[frame++ % FRAMES.length] ?? ''} ${label}`);
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await task();
  } finally {
    clearInterval(timer);
    io.stderr.write(`\r${' '.repeat(label.length + 2)}\r`);
  }
}

/** The one-line message for an error: the service's exception name and message. @internal */
export function errorLine(error: unknown): string {
  if (isSignalingError(error)) {
    const e = error as { errorType?: unknown; httpStatus?: unknown; message: string; code: string };
    if (typeof e.errorType === 'string') {
      // ServiceError messages read "<errorType> (<status>): <text>"; print "<errorType>: <text>".
      const prefix = `${e.errorType} (${String(e.httpStatus)}): `;
      const text = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
      return `${e.errorType}: ${text}`;
    }
    return `${e.code}: ${e.message}`;
  }
  if (error instanceof UsageError || error instanceof ConfigError) return error.message;
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${redactSecrets(error.message)}`;
  return redactSecrets(String(error));
}

/** A JSON description of an error for `--json` mode. @internal */
export function errorJson(error: unknown): Record<string, unknown> {
  if (isSignalingError(error)) return error.toJSON();
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
