/**
 * The `kvs-sig` command line: dispatch, help, and error reporting.
 * @packageDocumentation
 */
import { channelCommand, endpointsCommand, help, iceServersCommand, usage } from './channels';
import { connectCommand } from './connect';
import { GLOBAL_HELP, GLOBAL_OPTIONS } from './context';
import { doctorCommand } from './doctor';
import { emulatorCommand, type EmulatorLookup } from './emulator';
import { EXIT_CODE_HELP, ExitCode, exitCodeOf, UsageError, type ExitCodeValue } from './exit-codes';
import { errorJson, errorLine, errorStack, guardIo, type CliIo } from './output';
import { VERSION } from './version';

/** @internal */
export const MAIN_HELP = `Usage: kvs-sig <command> [flags]

Amazon Kinesis Video Streams WebRTC signaling from the command line.

Commands:
  channel create|describe|list|delete   manage signaling channels
  endpoints <channel>                   the channel's WSS/HTTPS/WEBRTC endpoints
  ice-servers <channel>                 STUN and TURN servers for a peer connection
  connect <channel> --role <role>       live signaling: events out as JSON lines, stdin in
  doctor <channel>                      preflight: credentials, clock, endpoint, channel,
                                        storage, WebSocket, ICE servers, TURN relay
  emulator [flags]                      run the local emulator (needs @kvs-sig/emulator)

Credentials come from the standard AWS chain (environment, shared files, SSO,
process, container and instance metadata). Run 'kvs-sig <command> --help' for more.

${GLOBAL_HELP}

${EXIT_CODE_HELP}`;

/**
 * Runs the CLI with these arguments; resolves to the exit code. Errors are
 * printed, never thrown.
 * @internal
 */
export async function runCli(argv: string[], rawIo: CliIo, interrupted: AbortSignal, options: RunOptions = {}): Promise<number> {
  const io = guardIo(rawIo);
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
        return usage(io, MAIN_HELP);
      case '--help':
      case '-h':
      case 'help':
        return help(io, MAIN_HELP);
      case '--version':
        io.stdout.write(`${VERSION}\n`);
        return ExitCode.OK;
      case 'channel':
      case 'channels':
        return await channelCommand(rest, io);
      case 'endpoints':
        return await endpointsCommand(rest, io);
      case 'ice-servers':
        return await iceServersCommand(rest, io);
      case 'connect':
        return await connectCommand(rest, io, interrupted);
      case 'doctor':
        return await doctorCommand(rest, io, interrupted);
      case 'emulator':
        return await emulatorCommand(rest, io, interrupted, { fromDirs: options.emulatorFrom ?? [process.cwd()] });
      default:
        if (command.startsWith('-') && command.slice(2) in GLOBAL_OPTIONS) {
          throw new UsageError(`flags go after the command: kvs-sig <command> ${command} ...`);
        }
        // The hint to run --help is printed once, below, for every usage error.
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    const code = interrupted.aborted ? ExitCode.INTERRUPTED : exitCodeOf(error);
    if (json) io.stderr.write(`${JSON.stringify({ error: errorJson(error), exitCode: code })}\n`);
    else io.stderr.write(`kvs-sig: ${errorLine(error)}\n`);
    if (code === ExitCode.USAGE && !json) io.stderr.write(`Run 'kvs-sig --help' for usage.\n`);
    if (debug) {
      const stack = errorStack(error);
      if (stack) io.stderr.write(`${stack}\n`);
    }
    return code;
  }
}

/** What the entry point passes to {@link runCli}. @internal */
export interface RunOptions {
  /** Where `kvs-sig emulator` resolves `@kvs-sig/emulator` from (default: the working directory). */
  emulatorFrom?: EmulatorLookup['fromDirs'];
}
