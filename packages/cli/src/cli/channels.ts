/**
 * `kvs-sig channel create|describe|list|delete`, `kvs-sig endpoints` and
 * `kvs-sig ice-servers`: one-shot control-plane commands.
 * @packageDocumentation
 */
import { ChannelManager } from '@kvs-sig/client';
import { channelRef, connectionOptions, GLOBAL_HELP, parseCommand, parseRole, type GlobalFlags } from './context';
import { ExitCode, UsageError, type ExitCodeValue } from './exit-codes';
import { keyValues, table, tableWidth, withSpinner, writeJson, type CliIo } from './output';

/** Runs `fn` with a ChannelManager built from the flags, and closes it. */
async function withManager<T>(flags: GlobalFlags, io: CliIo, fn: (m: ChannelManager) => Promise<T>): Promise<T> {
  const manager = new ChannelManager(await connectionOptions(flags, io));
  try {
    return await fn(manager);
  } finally {
    await manager.close();
  }
}

function formatTime(value: number | string | undefined): string | undefined {
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  return value;
}

/** An ISO time as `2026-01-02 03:04:05Z`, for tables. */
function shortTime(iso: string | undefined): string | undefined {
  return iso?.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** @internal */
export const CHANNEL_HELP = `Usage: kvs-sig channel <create|describe|list|delete> [flags]

  kvs-sig channel create <name> [--ttl <seconds>] [--tag key=value]...
  kvs-sig channel describe <name> | --arn <arn>
  kvs-sig channel list [--prefix <p>] [--wide]
  kvs-sig channel delete <name> | --arn <arn>

${GLOBAL_HELP}`;

const HELP: Record<string, string> = {
  create: `Usage: kvs-sig channel create <name> [--ttl <seconds>] [--tag key=value]...

Creates a SINGLE_MASTER signaling channel and prints its ARN.
  --ttl <seconds>   message TTL, 5-120 (service default 60)
  --tag key=value   a tag; repeat for more

${GLOBAL_HELP}`,
  describe: `Usage: kvs-sig channel describe <name> | --arn <arn>

Prints the channel's name, ARN, status, type, message TTL, version and creation time.

${GLOBAL_HELP}`,
  list: `Usage: kvs-sig channel list [--prefix <p>] [--wide]

Lists every signaling channel (all pages).
  --prefix <p>   only channels whose name starts with <p>
  --wide         print whole cells (the table is otherwise cut to the
                 terminal's width, or 80 columns)

${GLOBAL_HELP}`,
  delete: `Usage: kvs-sig channel delete <name> | --arn <arn>

Deletes the channel. A channel that does not exist is reported (exit 4).

${GLOBAL_HELP}`,
};

/** `kvs-sig channel ...` @internal */
export async function channelCommand(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const [sub, ...rest] = args;
  if (sub === undefined) return usage(io, CHANNEL_HELP);
  if (sub === '--help' || sub === '-h' || sub === 'help') return help(io, CHANNEL_HELP);
  switch (sub) {
    case 'create':
      return create(rest, io);
    case 'describe':
      return describe(rest, io);
    case 'list':
      return list(rest, io);
    case 'delete':
      return remove(rest, io);
    default:
      throw new UsageError(`unknown channel command ${JSON.stringify(sub)} (create, describe, list, delete)`);
  }
}

async function create(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, {
    ttl: { type: 'string' },
    tag: { type: 'string', multiple: true },
  });
  if (values.help) return help(io, HELP.create);
  const ref = channelRef(positionals, undefined, 'channel create') as { channelName: string };
  let ttl: number | undefined;
  if (values.ttl !== undefined) {
    ttl = Number(values.ttl);
    if (!Number.isInteger(ttl)) throw new UsageError(`--ttl must be a whole number of seconds, got ${JSON.stringify(values.ttl)}`);
  }
  const tags = ((values.tag as string[] | undefined) ?? []).map((t) => {
    const i = t.indexOf('=');
    if (i <= 0) throw new UsageError(`--tag must be key=value, got ${JSON.stringify(t)}`);
    return { key: t.slice(0, i), value: t.slice(i + 1) };
  });
  const result = await withManager(values, io, (m) =>
    withSpinner(io, `creating ${ref.channelName}`, !values.json, () =>
      m.createChannel({ channelName: ref.channelName, ...(ttl === undefined ? {} : { messageTtlSeconds: ttl }), ...(tags.length ? { tags } : {}) }),
    ),
  );
  if (values.json) writeJson(io, { channelName: ref.channelName, channelArn: result.channelArn });
  else io.stdout.write(keyValues([['created', ref.channelName], ['arn', result.channelArn]]));
  return ExitCode.OK;
}

async function describe(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, { arn: { type: 'string' } });
  if (values.help) return help(io, HELP.describe);
  const ref = channelRef(positionals, values.arn, 'channel describe');
  const info = await withManager(values, io, (m) => withSpinner(io, 'describing', !values.json, () => m.describeChannel(ref)));
  if (values.json) {
    writeJson(io, info);
    return ExitCode.OK;
  }
  io.stdout.write(
    keyValues([
      ['name', info.channelName],
      ['arn', info.channelArn],
      ['status', info.channelStatus],
      ['type', info.channelType],
      ['message ttl', info.messageTtlSeconds === undefined ? undefined : `${info.messageTtlSeconds} s`],
      ['version', info.version],
      ['created', formatTime(info.creationTime)],
    ]),
  );
  return ExitCode.OK;
}

async function list(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, { prefix: { type: 'string' }, wide: WIDE });
  if (values.help) return help(io, HELP.list);
  if (positionals.length) throw new UsageError(`channel list: unexpected argument ${JSON.stringify(positionals[0])}`);
  const prefix = values.prefix as string | undefined;
  const channels = await withManager(values, io, (m) =>
    withSpinner(io, 'listing channels', !values.json, async () => {
      const all = [];
      let nextToken: string | undefined;
      do {
        const page = await m.listChannels({ ...(prefix ? { prefix } : {}), ...(nextToken ? { nextToken } : {}) });
        all.push(...page.channels);
        nextToken = page.nextToken;
      } while (nextToken);
      return all;
    }),
  );
  if (values.json) {
    writeJson(io, { channels });
    return ExitCode.OK;
  }
  if (channels.length === 0) {
    io.stdout.write(prefix ? `no channels starting with ${JSON.stringify(prefix)}\n` : 'no channels\n');
    return ExitCode.OK;
  }
  io.stdout.write(
    table(
      ['NAME', 'STATUS', 'TTL', 'CREATED', 'ARN'],
      channels.map((c) => [c.channelName, c.channelStatus, c.messageTtlSeconds, shortTime(formatTime(c.creationTime)), c.channelArn]),
      // The ARN gives way first (--json and --wide print it whole), then the name.
      { width: tableWidth(io, values.wide === true), shrinkFirst: [4] },
    ),
  );
  return ExitCode.OK;
}

async function remove(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, { arn: { type: 'string' } });
  if (values.help) return help(io, HELP.delete);
  const ref = channelRef(positionals, values.arn, 'channel delete');
  const label = 'channelName' in ref ? ref.channelName : ref.channelArn;
  await withManager(values, io, (m) =>
    withSpinner(io, `deleting ${label}`, !values.json, async () => {
      // The manager treats "already gone" as deleted; the CLI reports it instead,
      // so a typo in a name is not mistaken for success.
      const info = await m.describeChannel(ref);
      await m.deleteChannel({ channelArn: info.channelArn ?? '', ...(info.version ? { currentVersion: info.version } : {}) });
    }),
  );
  if (values.json) writeJson(io, { deleted: label });
  else io.stdout.write(`deleted ${label}\n`);
  return ExitCode.OK;
}

/** @internal */
export const ENDPOINTS_HELP = `Usage: kvs-sig endpoints <name> | --arn <arn> [--role master|viewer] [--protocols WSS,HTTPS,WEBRTC] [--wide]

Prints the channel's signaling endpoints for a role (default master).
  --wide   print whole cells (the table is otherwise cut to the terminal's width, or 80 columns)

${GLOBAL_HELP}`;

/** `kvs-sig endpoints` @internal */
export async function endpointsCommand(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, {
    arn: { type: 'string' },
    role: { type: 'string' },
    protocols: { type: 'string', default: 'WSS,HTTPS' },
    wide: WIDE,
  });
  if (values.help) return help(io, ENDPOINTS_HELP);
  const ref = channelRef(positionals, values.arn, 'endpoints');
  const role = parseRole(values.role, 'MASTER');
  const protocols = String(values.protocols)
    .split(',')
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean);
  for (const p of protocols) {
    if (p !== 'WSS' && p !== 'HTTPS' && p !== 'WEBRTC') throw new UsageError(`--protocols: ${JSON.stringify(p)} is not WSS, HTTPS or WEBRTC`);
  }
  const endpoints = await withManager(values, io, (m) =>
    withSpinner(io, 'getting endpoints', !values.json, async () => {
      const arn = 'channelArn' in ref ? ref.channelArn : ((await m.describeChannel(ref)).channelArn ?? '');
      return m.getEndpoints({ channelArn: arn, role, protocols: protocols as Array<'WSS' | 'HTTPS' | 'WEBRTC'> });
    }),
  );
  if (values.json) {
    writeJson(io, endpoints);
    return ExitCode.OK;
  }
  io.stdout.write(
    table(
      ['PROTOCOL', 'ENDPOINT'],
      Object.entries(endpoints)
        .filter(([, v]) => typeof v === 'string' && v)
        .map(([k, v]) => [k.replace(/Endpoint$/, '').toUpperCase(), String(v)]),
      { width: tableWidth(io, values.wide === true) },
    ),
  );
  return ExitCode.OK;
}

/** @internal */
export const ICE_HELP = `Usage: kvs-sig ice-servers <name> | --arn <arn> [--role master|viewer] [--client-id <id>] [--wide]

Prints the ICE servers (STUN, then TURN with short-lived credentials), one
URI per line. Credentials are shown only with --json.
  --wide   print whole cells (the table is otherwise cut to the terminal's width, or 80 columns)

${GLOBAL_HELP}`;

/** `kvs-sig ice-servers` @internal */
export async function iceServersCommand(args: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommand(args, {
    arn: { type: 'string' },
    role: { type: 'string' },
    'client-id': { type: 'string' },
    wide: WIDE,
  });
  if (values.help) return help(io, ICE_HELP);
  const ref = channelRef(positionals, values.arn, 'ice-servers');
  const clientId = values['client-id'] as string | undefined;
  const role = parseRole(values.role, clientId ? 'VIEWER' : 'MASTER');
  if (role === 'VIEWER' && !clientId) throw new UsageError('ice-servers: --client-id is required for --role viewer');
  const servers = await withManager(values, io, (m) =>
    withSpinner(io, 'getting ICE servers', !values.json, async () => {
      const arn = 'channelArn' in ref ? ref.channelArn : ((await m.describeChannel(ref)).channelArn ?? '');
      return m.getIceServers({ channelArn: arn, role, ...(clientId ? { clientId } : {}) });
    }),
  );
  if (values.json) {
    writeJson(io, { iceServers: servers });
    return ExitCode.OK;
  }
  io.stdout.write(
    table(
      ['URLS', 'USERNAME'],
      servers.map((s) => [Array.isArray(s.urls) ? s.urls.join('\n') : s.urls, s.username]),
      { width: tableWidth(io, values.wide === true) },
    ),
  );
  return ExitCode.OK;
}

const WIDE = { type: 'boolean', default: false } as const;

/** Prints a help text asked for (`--help`): stdout, exit 0. @internal */
export function help(io: CliIo, text: string | undefined): ExitCodeValue {
  io.stdout.write(`${text ?? ''}\n`);
  return ExitCode.OK;
}

/**
 * Prints the usage of a command given nothing to do (bare `kvs-sig`,
 * `kvs-sig channel`): stderr, exit 2, the one convention for every command.
 * @internal
 */
export function usage(io: CliIo, text: string): ExitCodeValue {
  io.stderr.write(`${text}\n`);
  return ExitCode.USAGE;
}
