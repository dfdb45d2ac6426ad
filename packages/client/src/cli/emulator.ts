/**
 * `kvs-sig emulator`: starts the local KVS signaling emulator when the
 * (private, optional) `@kvs-sig/emulator` package is installed. It is loaded
 * with a dynamic import so the client never depends on it.
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GLOBAL_HELP, parseCommand } from './context';
import { ConfigError, ExitCode, UsageError, type ExitCodeValue } from './exit-codes';
import { keyValues, writeJson, type CliIo } from './output';

/** @internal */
export const EMULATOR_HELP = `Usage: kvs-sig emulator [--port <n>] [--host <addr>] [--region <r>]

Starts a local KVS signaling emulator (TLS with a generated CA) and prints its
endpoint, region, credentials and CA file, then runs until Ctrl-C.
Needs the @kvs-sig/emulator package (a dev dependency; not part of the client).

Use it from another shell:
  export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=...
  kvs-sig channel create demo --endpoint <endpoint> --ca <ca file>

${GLOBAL_HELP}`;

interface EmulatorModule {
  startEmulator(options: { host?: string; port?: number; region?: string }): Promise<{
    controlPlaneEndpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    caPath: string | undefined;
    close(): Promise<void>;
  }>;
}

const SPECIFIER = '@kvs-sig/emulator';

/** Loads the emulator from the CLI's own dependencies, else from the current directory's project. */
async function loadEmulator(cwd: string): Promise<EmulatorModule> {
  try {
    return (await import(SPECIFIER)) as EmulatorModule;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    const resolved = createRequire(join(cwd, 'package.json')).resolve(SPECIFIER);
    return (await import(pathToFileURL(resolved).href)) as EmulatorModule;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  throw new ConfigError(
    `the emulator is not installed: add the ${SPECIFIER} package (npm install -D ${SPECIFIER}, or run from the kvs-sig repository)`,
  );
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const message = String((error as { message?: unknown })?.message ?? '');
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(SPECIFIER);
}

/** `kvs-sig emulator` @internal */
export async function emulatorCommand(args: string[], io: CliIo, interrupted: AbortSignal): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, { port: { type: 'string' }, host: { type: 'string' } });
  if (values.help) {
    io.stdout.write(`${EMULATOR_HELP}\n`);
    return ExitCode.OK;
  }
  if (positionals.length) throw new UsageError(`emulator: unexpected argument ${JSON.stringify(positionals[0])}`);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(values.port)}`);
  }
  const { startEmulator } = await loadEmulator(process.cwd());
  const emulator = await startEmulator({
    ...(port === undefined ? {} : { port }),
    ...(values.host ? { host: values.host as string } : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  const { credentials } = emulator;
  if (values.json) {
    writeJson(io, {
      endpoint: emulator.controlPlaneEndpoint,
      region: emulator.region,
      caPath: emulator.caPath,
      credentials,
    }, false);
  } else {
    io.stdout.write(
      keyValues([
        ['endpoint', emulator.controlPlaneEndpoint],
        ['region', emulator.region],
        ['ca', emulator.caPath],
        ['access key id', credentials.accessKeyId],
        ['secret key', credentials.secretAccessKey],
      ]) +
        `\nIn another shell:\n` +
        `  export AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey} AWS_REGION=${emulator.region}\n` +
        `  kvs-sig channel list --endpoint ${emulator.controlPlaneEndpoint}${emulator.caPath ? ` --ca ${emulator.caPath}` : ''}\n` +
        `Ctrl-C stops it.\n`,
    );
  }
  await new Promise<void>((resolve) => {
    if (interrupted.aborted) resolve();
    else interrupted.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  if (!values.json) io.stderr.write('emulator stopped\n');
  return ExitCode.OK;
}
