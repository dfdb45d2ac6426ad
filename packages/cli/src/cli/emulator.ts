/**
 * `kvs-sig emulator`: runs the `kvs-sig-emulator` command of the
 * `@kvs-sig/emulator` package with the same arguments, so there is one set of
 * flags (the emulator's) and one place that documents them.
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, ExitCode } from './exit-codes';
import type { CliIo } from './output';

/** @internal */
export const EMULATOR_HELP = `Usage: kvs-sig emulator [emulator flags]

Runs the local KVS signaling emulator (the kvs-sig-emulator command of the
@kvs-sig/emulator package) with these flags; see kvs-sig emulator --help once
it is installed (npm install -D @kvs-sig/emulator).`;

const PACKAGE = '@kvs-sig/emulator';
const BIN = 'kvs-sig-emulator';

/**
 * Finds the emulator's command: the `bin` entry of `@kvs-sig/emulator`'s
 * package.json, resolved from the first of `fromDirs` that has the package
 * (the user's project first, then the CLI's own dependencies).
 * @internal
 */
export function findEmulatorBin(fromDirs: readonly string[]): string {
  for (const dir of fromDirs) {
    const manifestPath = findPackage(resolve(dir));
    if (!manifestPath) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[BIN];
    if (!bin) throw new ConfigError(`${manifestPath} has no "${BIN}" bin; install a newer ${PACKAGE}`);
    return join(dirname(manifestPath), bin);
  }
  throw new ConfigError(`the emulator is not installed: add the ${PACKAGE} package (npm install -D ${PACKAGE})`);
}

/** Node's lookup of a package from `dir`: `node_modules/<name>/package.json` here or in a parent. */
function findPackage(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', PACKAGE, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The command line that runs `bin`. In the kvs-sig repository the CLI runs on
 * the workspace's TypeScript sources (`--conditions=@kvs-sig/source` and tsx),
 * where no package is built: the emulator's source CLI then runs the same way.
 */
function sourceMode(bin: string): string[] {
  const source = join(dirname(bin), '..', 'src', 'cli.ts');
  const fromSources = process.execArgv.some((a) => a.includes('@kvs-sig/source'));
  return fromSources && existsSync(source) ? [...process.execArgv, source] : [bin];
}

/** Where `kvs-sig emulator` looks for the package. @internal */
export interface EmulatorLookup {
  /** Directories to resolve `@kvs-sig/emulator` from, in order. */
  fromDirs: readonly string[];
}

/**
 * `kvs-sig emulator`: spawns the emulator's own CLI with every argument,
 * forwards Ctrl-C / SIGTERM to it and exits with its exit code.
 * @internal
 */
export async function emulatorCommand(args: string[], io: CliIo, interrupted: AbortSignal, lookup: EmulatorLookup): Promise<number> {
  let bin: string;
  try {
    bin = findEmulatorBin(lookup.fromDirs);
  } catch (error) {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(`${EMULATOR_HELP}\n`);
      return ExitCode.OK;
    }
    throw error;
  }
  const child = spawn(process.execPath, [...sourceMode(bin), ...args], { stdio: ['inherit', 'pipe', 'pipe'], env: io.env });
  child.stdout.setEncoding('utf8').on('data', (text: string) => io.stdout.write(text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => io.stderr.write(text));
  const forward = () => {
    const reason = String((interrupted.reason as Error | undefined)?.message ?? '');
    if (child.exitCode === null && child.signalCode === null) child.kill(reason.includes('SIGTERM') ? 'SIGTERM' : 'SIGINT');
  };
  interrupted.addEventListener('abort', forward, { once: true });
  const code = await new Promise<number>((done, fail) => {
    child.once('error', fail);
    // 'close' waits for the pipes to drain, so nothing it printed is lost.
    child.once('close', (exitCode, signal) => done(exitCode ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  interrupted.removeEventListener('abort', forward);
  return code;
}
