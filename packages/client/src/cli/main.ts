/**
 * The `kvs-sig` command line: dispatch, help, and error reporting.
 * @packageDocumentation
 */
import { channelCommand, endpointsCommand, help, iceServersCommand } from './channels';
import { connectCommand } from './connect';
import { GLOBAL_HELP, GLOBAL_OPTIONS } from './context';
import { emulatorCommand } from './emulator';
import { EXIT_CODE_HELP, ExitCode, exitCodeOf, UsageError, type ExitCodeValue } from './exit-codes';
import { errorJson, errorLine, errorStack, type CliIo } from './output';

/** @internal */
export const MAIN_HELP = `Usage: kvs-sig <command> [flags]

Amazon Kinesis Video Streams WebRTC signaling from the command line.

Commands:
  channel create|describe|list|delete   manage signaling channels
  endpoints <channel>                   the channel's WSS/HTTPS/WEBRTC endpoints
  ice-servers <channel>                 STUN and TURN servers for a peer connection
  connect <channel> --role <role>       live signaling: events out as JSON lines, stdin in
  emulator                              run the local emulator (needs @kvs-sig/emulator)

Credentials come from the standard AWS chain (environment, shared files, SSO,
process, container and instance metadata). Run 'kvs-sig <command> --help' for more.

${GLOBAL_HELP}

${EXIT_CODE_HELP}`;

/**
 * Runs the CLI with these arguments; resolves to the exit code. Errors are
 * printed, never thrown.
 * @internal
 */
export async function runCli(argv: string[], io: CliIo, interrupted: AbortSignal): Promise<ExitCodeValue> {
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
        io.stderr.write(`${MAIN_HELP}\n`);
        return ExitCode.USAGE;
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
      case 'emulator':
        return await emulatorCommand(rest, io, interrupted);
      default:
        if (command.startsWith('-') && command.slice(2) in GLOBAL_OPTIONS) {
          throw new UsageError(`flags go after the command: kvs-sig <command> ${command} ...`);
        }
        throw new UsageError(`unknown command ${JSON.stringify(command)}; run kvs-sig --help`);
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

/** The CLI's version (the client package's). @internal */
export const VERSION = '0.1.0';
