/**
 * What every `kvs-sig` command shares: the global flags, the region and
 * credentials from the standard AWS chain, and a `ChannelManager` for them.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CredentialsInput } from '@kvs-sig/signer';
import { ConfigError, UsageError } from './exit-codes';
import type { CliIo } from './output';

/** Flags every command accepts. @internal */
export const GLOBAL_OPTIONS = {
  region: { type: 'string' },
  endpoint: { type: 'string' },
  ca: { type: 'string' },
  profile: { type: 'string' },
  'allow-insecure': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** Help text of the global flags. @internal */
export const GLOBAL_HELP = `Global flags:
  --region <r>      AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)
  --endpoint <url>  control-plane endpoint, e.g. a local emulator's https://127.0.0.1:PORT
  --ca <file>       extra trusted CA (PEM), e.g. the emulator's
  --profile <name>  AWS profile of the shared config files
  --allow-insecure  allow a plain http:// --endpoint on a loopback host (127.0.0.1,
                    localhost, ::1), e.g. an emulator started with --no-tls
  --json            machine-readable JSON output
  --debug           print stack traces of errors
  -h, --help        help of the command`;

/** The parsed global flags. @internal */
export interface GlobalFlags {
  region?: string | undefined;
  endpoint?: string | undefined;
  ca?: string | undefined;
  profile?: string | undefined;
  'allow-insecure': boolean;
  json: boolean;
  debug: boolean;
  help: boolean;
}

type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments (its own options plus the global ones),
 * turning `parseArgs` errors into usage errors.
 * @internal
 */
export function parseCommand<O extends OptionsSpec>(
  args: string[],
  options: O,
): { values: GlobalFlags & Record<keyof O, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return parsed as unknown as { values: GlobalFlags & Record<keyof O, string | boolean | string[] | undefined>; positionals: string[] };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error));
  }
}

/** Resolves the region: `--region`, then `AWS_REGION`, then `AWS_DEFAULT_REGION`. @internal */
export function resolveRegion(flags: GlobalFlags, io: CliIo): string {
  const region = flags.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new ConfigError('no region: pass --region or set AWS_REGION');
  return region;
}

/** Credentials from the standard AWS provider chain (env, SSO, shared files, process, container, IMDS). @internal */
export async function resolveCredentials(flags: GlobalFlags): Promise<CredentialsInput> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const chain = fromNodeProviderChain(flags.profile ? { profile: flags.profile } : {});
  return async () => {
    const c = await chain();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      ...(c.expiration ? { expiration: c.expiration } : {}),
    };
  };
}

/** Reads the `--ca` file. @internal */
export async function readCa(flags: GlobalFlags): Promise<string | undefined> {
  if (!flags.ca) return undefined;
  try {
    return await readFile(flags.ca, 'utf8');
  } catch (error) {
    throw new ConfigError(`--ca ${flags.ca}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** Connection options for `ChannelManager` and `SignalingClient` from the global flags. @internal */
export async function connectionOptions(flags: GlobalFlags, io: CliIo) {
  const region = resolveRegion(flags, io);
  const credentials = await resolveCredentials(flags);
  const ca = await readCa(flags);
  return {
    region,
    credentials,
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    ...(ca ? { tls: { ca } } : {}),
    ...(flags['allow-insecure'] ? { allowInsecureEndpoints: true } : {}),
  };
}

/** The channel a command targets: a positional name or `--arn`. @internal */
export function channelRef(positionals: string[], arn: unknown, command: string): { channelName: string } | { channelArn: string } {
  if (typeof arn === 'string' && arn) {
    if (positionals.length > 0) throw new UsageError(`${command}: give a channel name or --arn, not both`);
    return { channelArn: arn };
  }
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError(`${command}: missing channel name (or --arn)`);
  if (extra.length > 0) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(extra[0])}`);
  return { channelName: name };
}

/** Parses `--role`. @internal */
export function parseRole(value: unknown, fallback?: 'MASTER' | 'VIEWER'): 'MASTER' | 'VIEWER' {
  if (value === undefined) {
    if (fallback) return fallback;
    throw new UsageError('--role is required: master or viewer');
  }
  const upper = String(value).toUpperCase();
  if (upper !== 'MASTER' && upper !== 'VIEWER') throw new UsageError(`--role must be master or viewer, got ${JSON.stringify(value)}`);
  return upper;
}
