/**
 * `kvs-sig-emulator`: runs the emulator from a shell until Ctrl-C / SIGTERM.
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './server';
import type { EmulatorOptions } from './types';

const USAGE = `Usage: kvs-sig-emulator [options]

  --port <n>                 port to listen on (default 0: any free port)
  --host <addr>              address to listen on (default 127.0.0.1)
  --region <region>          region of ARNs and signatures (default us-west-2)
  --no-tls                   plain http:// and ws:// (loopback debugging only)
  --access-key-id <id>       accepted access key id (default: random)
  --secret-access-key <key>  accepted secret access key (default: random)
  --session-token <token>    require this session token
  --turn-url <uri>           TURN URI for GetIceServerConfig (repeatable; needs --turn-secret)
  --turn-secret <secret>     TURN REST API shared secret (coturn static-auth-secret)
  --ice-server-count <n>     servers GetIceServerConfig lists (default 2; 1 with --turn-url)
  --limit <name>=<value>     override a limit (repeatable), e.g. --limit idleTimeoutMs=5000
                             --limit sdpMessagesPerSecondPerConnection=5 (see the README for names)
  --json                     print the connection details as one JSON line
  --verbose                  log every request and handshake to stderr
  -h, --help                 show this help
`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      'no-tls': { type: 'boolean', default: false },
      'access-key-id': { type: 'string' },
      'secret-access-key': { type: 'string' },
      'session-token': { type: 'string' },
      'turn-url': { type: 'string', multiple: true },
      'turn-secret': { type: 'string' },
      'ice-server-count': { type: 'string' },
      limit: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const options: EmulatorOptions = { tls: !values['no-tls'] };
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port)) throw new Error(`--port must be a number, got ${values.port}`);
    options.port = Number(values.port);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values.region !== undefined) options.region = values.region;
  const id = values['access-key-id'];
  const secret = values['secret-access-key'];
  if ((id === undefined) !== (secret === undefined)) throw new Error('--access-key-id and --secret-access-key go together');
  if (id !== undefined && secret !== undefined) {
    options.credentials = { accessKeyId: id, secretAccessKey: secret, ...(values['session-token'] !== undefined ? { sessionToken: values['session-token'] } : {}) };
  } else if (values['session-token'] !== undefined) {
    throw new Error('--session-token needs --access-key-id and --secret-access-key');
  }
  const turnUrls = values['turn-url'];
  if ((turnUrls === undefined) !== (values['turn-secret'] === undefined)) throw new Error('--turn-url and --turn-secret go together');
  if (turnUrls !== undefined && values['turn-secret'] !== undefined) options.turn = { urls: turnUrls, secret: values['turn-secret'] };
  const iceServerCount = values['ice-server-count'];
  if (iceServerCount !== undefined) {
    if (!/^\d+$/.test(iceServerCount)) throw new Error(`--ice-server-count must be a non-negative integer, got ${iceServerCount}`);
    options.iceServerCount = Number(iceServerCount);
  }
  if (values.limit !== undefined) {
    const limits: Record<string, number> = {};
    for (const item of values.limit) {
      const m = /^([A-Za-z]+)=(.+)$/.exec(item);
      if (!m || Number.isNaN(Number(m[2]))) throw new Error(`--limit must be <name>=<number>, got ${item}`);
      limits[m[1]!] = Number(m[2]);
    }
    // startEmulator refuses unknown names and out-of-range values with a message naming them.
    options.limits = limits;
  }
  if (values.verbose) options.logger = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

  const emulator = await startEmulator(options);
  const info = {
    endpoint: emulator.controlPlaneEndpoint,
    region: emulator.region,
    accountId: emulator.accountId,
    accessKeyId: emulator.credentials.accessKeyId,
    secretAccessKey: emulator.credentials.secretAccessKey,
    ...(emulator.credentials.sessionToken !== undefined ? { sessionToken: emulator.credentials.sessionToken } : {}),
    caPath: emulator.caPath ?? null,
    adminEndpoint: `${emulator.controlPlaneEndpoint}/_emulator/`,
  };
  // Handlers go in before the ready line: a supervisor that signals as soon as it reads
  // the line must not meet the default action (an exit with no close and no status).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
  } else {
    process.stdout.write(
      [
        'kvs-sig emulator running',
        `  endpoint           ${info.endpoint}`,
        `  region             ${info.region}`,
        `  access key id      ${info.accessKeyId}`,
        `  secret access key  ${info.secretAccessKey}`,
        ...(info.sessionToken !== undefined ? [`  session token      ${info.sessionToken}`] : []),
        `  CA certificate     ${info.caPath ?? '(none: plain http/ws)'}`,
        `  admin API          ${info.adminEndpoint}`,
        info.caPath ? `  trust it with      NODE_EXTRA_CA_CERTS=${info.caPath}` : '',
        'Press Ctrl-C to stop.',
        '',
      ]
        .filter((l) => l !== '')
        .join('\n') + '\n',
    );
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`kvs-sig-emulator: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
});
