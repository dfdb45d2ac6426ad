/**
 * Command-line plumbing shared by the Node master and viewer apps: where to
 * connect (an emulator or AWS) and with which credentials.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';

/** `parseArgs` options every app accepts. @public */
export const CONNECTION_FLAGS = {
  channel: { type: 'string' },
  aws: { type: 'boolean', default: false },
  endpoint: { type: 'string' },
  ca: { type: 'string' },
  region: { type: 'string' },
  'stun-only': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** True for a TURN server entry (turn: or turns: URLs). @public */
export function isTurnServer(server: { urls: string | string[] }): boolean {
  return [server.urls].flat().some((u) => /^turns?:/i.test(u));
}

/** Help lines of {@link CONNECTION_FLAGS}. @public */
export const CONNECTION_HELP = `  --channel <name>   signaling channel (required)
  --aws              the real service: credentials from the standard AWS chain, region from --region or AWS_REGION
  --endpoint <url>   an emulator's control-plane endpoint (credentials from the AWS chain, e.g. AWS_ACCESS_KEY_ID)
  --ca <file>        the emulator's CA (PEM)
  --region <r>       region (default AWS_REGION, or the emulator's us-west-2)
  --stun-only        ignore TURN servers (e.g. an emulator whose TURN entries point at nothing)
  --verbose          peer diagnostics on stderr`;

/** What the apps pass to `SignalingClient` to reach the service. @public */
export interface AppConnection {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>);
  endpoint?: string;
  tls?: { ca: string };
  /** One line saying where this connects. */
  where: string;
}

/** The parsed connection flags. @public */
export interface ConnectionFlags {
  aws?: boolean | undefined;
  endpoint?: string | undefined;
  ca?: string | undefined;
  region?: string | undefined;
}

/** An error in the command line or environment, printed without a stack. @public */
export class AppError extends Error {}

/**
 * Resolves `--aws` or `--endpoint/--ca` to connection options, with the
 * credentials from `chain` (the apps pass `fromNodeProviderChain()`).
 * Returns undefined when neither is given (the caller decides the default).
 * @public
 */
export async function connectionFromFlags(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  chain: () => AppConnection['credentials'],
): Promise<AppConnection | undefined> {
  if (flags.aws && flags.endpoint) throw new AppError('give --aws or --endpoint, not both');
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (flags.aws) {
    if (!region) throw new AppError('--aws needs a region: pass --region or set AWS_REGION');
    return { region, credentials: chain(), where: `AWS ${region}` };
  }
  if (flags.endpoint) {
    let ca: string | undefined;
    if (flags.ca) {
      try {
        ca = await readFile(flags.ca, 'utf8');
      } catch (error) {
        throw new AppError(`--ca ${flags.ca}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
    }
    return {
      region: region ?? 'us-west-2',
      credentials: chain(),
      endpoint: flags.endpoint,
      ...(ca ? { tls: { ca } } : {}),
      where: `emulator ${flags.endpoint}`,
    };
  }
  if (flags.ca) throw new AppError('--ca goes with --endpoint');
  return undefined;
}

/** A message for any error: the service's exception name, or the SDK code, and the text. @public */
export function describeError(error: unknown): string {
  const e = error as { errorType?: unknown; code?: unknown; message?: unknown; cause?: { errorType?: unknown } };
  // A session error wrapping the service's answer: the service's exception says more.
  if (typeof e?.cause?.errorType === 'string') return describeError(e.cause);
  if (typeof e?.errorType === 'string') {
    const text = String(e.message).replace(/^\w+ \(\d+\): /, '');
    return `${e.errorType}: ${text}`;
  }
  if (typeof e?.code === 'string' && typeof e.message === 'string') return `${e.code}: ${e.message}`;
  return error instanceof Error ? error.message : String(error);
}
