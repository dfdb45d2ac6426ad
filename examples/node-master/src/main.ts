/**
 * A Node master that serves many viewers at once: one WebRTC peer connection
 * and data channel per viewer (werift, through `@kvs-sig/webrtc`'s master session). Every message a viewer sends is shown
 * and answered; each line typed on stdin goes to every viewer.
 *
 *   node scripts/run-ts.mjs examples/node-master/src/main.ts --channel demo
 *     (starts an embedded emulator and prints how viewers join)
 *   ... --channel demo --endpoint https://127.0.0.1:PORT --ca ca.pem   (an external emulator)
 *   ... --channel demo --aws --region us-west-2                         (AWS)
 * @packageDocumentation
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SignalingClient } from '@kvs-sig/client';
import {
  AppError,
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  connectionFromFlags,
  describeError,
  hasTurnServer,
  messageText,
  startTurnServer,
  Werift,
  withoutTurn,
  type AppConnection,
} from '@kvs-sig/example-common';
import { createMasterSession, type DataChannelLike } from '@kvs-sig/webrtc';

const HELP = `Usage: node-master --channel <name> [--emulator | --endpoint <url> --ca <file> | --aws] [--max-viewers <n>]

Serves every viewer of the channel over its own WebRTC data channel: prints
what they send, replies "echo: <text>", and sends each stdin line to all.
Without --endpoint or --aws it starts an embedded emulator (--emulator).

${CONNECTION_HELP}
  --emulator         start an embedded emulator (the default without --endpoint/--aws)
  --max-viewers <n>  viewers served at once (default 10, the service's limit)`;

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ...CONNECTION_FLAGS, emulator: { type: 'boolean', default: false }, 'max-viewers': { type: 'string', default: '10' } },
  });
  if (values.help) {
    print(HELP);
    return;
  }
  if (!values.channel) throw new AppError('--channel is required');
  const maxViewers = Number(values['max-viewers']);
  if (!Number.isInteger(maxViewers) || maxViewers < 1) throw new AppError(`--max-viewers must be a positive integer, got ${values['max-viewers']}`);
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const closers: Array<() => Promise<unknown>> = [];

  let connection: AppConnection | undefined = values.emulator ? undefined : await connectionFromFlags(values, process.env, () => fromNodeProviderChain());
  let stunOnly = values['stun-only'];
  if (!connection) {
    // A local coturn makes the emulator's TURN entries real; without one they point at nothing.
    const turn = hasTurnServer() && !stunOnly ? await startTurnServer() : undefined;
    if (turn) closers.push(() => turn.close());
    else stunOnly = true;
    const { startEmulator } = await import('@kvs-sig/emulator');
    const emulator = await startEmulator({
      ...(values.region ? { region: values.region } : {}),
      ...(turn ? { turn: { urls: turn.urls, secret: turn.secret } } : {}),
    });
    closers.push(() => emulator.close());
    connection = {
      region: emulator.region,
      credentials: emulator.credentials,
      endpoint: emulator.controlPlaneEndpoint,
      ...(emulator.ca ? { tls: { ca: emulator.ca } } : {}),
      where: `embedded emulator ${emulator.controlPlaneEndpoint}`,
    };
    const c = emulator.credentials;
    print(`viewers join with:`);
    print(
      `  AWS_ACCESS_KEY_ID=${c.accessKeyId} AWS_SECRET_ACCESS_KEY=${c.secretAccessKey} AWS_REGION=${emulator.region} ` +
        `node scripts/run-ts.mjs examples/node-viewer/src/main.ts --channel ${values.channel} --endpoint ${emulator.controlPlaneEndpoint}` +
        `${emulator.caPath ? ` --ca ${emulator.caPath}` : ''}${turn ? '' : ' --stun-only'}`,
    );
  }

  const { where, ...options } = connection;
  const client = new SignalingClient({ ...options, role: 'MASTER', channelName: values.channel, createChannelIfMissing: true });
  closers.unshift(() => client.close());
  client.on('reconnecting', ({ attempt, delayMs, reason }) => print(`signaling: reconnecting (attempt ${attempt} in ${delayMs} ms: ${reason})`));
  client.on('error', (error) => print(`signaling error: ${describeError(error)}`));

  const session = createMasterSession({ signaling: stunOnly ? withoutTurn(client) : client, RTCPeerConnection: Werift, maxViewers });
  closers.unshift(() => session.close());
  const verbose = values.verbose ? (l: string) => process.stderr.write(`  · ${l}\n`) : undefined;
  // The viewers' chat channels, by viewer id (each viewer opens one).
  const channels = new Map<string, DataChannelLike>();
  session.on('viewerJoined', ({ clientId, peer }) => {
    print(`viewer ${clientId}: offer received, answering`);
    if (verbose) peer.on('stateChange', ({ to }) => verbose(`peer ${clientId}: ${to}`));
  });
  session.on('dataChannel', ({ clientId, channel }) => {
    channels.set(clientId, channel);
    const opened = () => {
      print(`viewer ${clientId}: data channel open (${[...channels.values()].filter((c) => c.readyState === 'open').length} connected)`);
      channel.send(`welcome, ${clientId}`);
    };
    if (channel.readyState === 'open') opened();
    else channel.addEventListener('open', opened);
    channel.addEventListener('message', (event: { data: unknown }) => {
      const text = messageText(event.data);
      print(`viewer ${clientId}: ${text}`);
      channel.send(`echo: ${text}`);
    });
  });
  session.on('viewerLeft', ({ clientId, reason, error }) => {
    if (channels.has(clientId) && reason !== 'replaced') channels.delete(clientId);
    print(`viewer ${clientId}: left (${reason}${error ? `: ${describeError(error)}` : ''})`);
  });
  session.on('error', (error) => verbose?.(`master: ${describeError(error)}`));

  await session.connect();
  print(`master on channel ${values.channel} (${where}); Ctrl-C to stop`);

  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let sent = 0;
    for (const channel of channels.values()) {
      if (channel.readyState !== 'open') continue;
      channel.send(line);
      sent++;
    }
    print(`sent to ${sent} viewer(s)`);
  });

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  rl.close();
  for (const close of closers) await close().catch((e: unknown) => print(`closing: ${describeError(e)}`));
  print('master stopped');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`node-master: ${describeError(error)}\n`);
    process.exit(error instanceof AppError ? 2 : 1);
  },
);
