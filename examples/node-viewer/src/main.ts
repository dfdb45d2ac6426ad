/**
 * A Node viewer: connects to the channel's master over a WebRTC data channel
 * (werift, through `@kvs-sig/webrtc`'s viewer session), prints what the master sends and sends each stdin line.
 *
 *   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
 *   node scripts/run-ts.mjs examples/node-viewer/src/main.ts --channel demo --endpoint https://127.0.0.1:PORT --ca ca.pem
 *   node scripts/run-ts.mjs examples/node-viewer/src/main.ts --channel demo --aws --region us-west-2
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SignalingClient } from '@kvs-sig/client';
import {
  AppError,
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  connectionFromFlags,
  describeError,
  formatMs,
  messageText,
  Werift,
  withoutTurn,
} from '@kvs-sig/example-common';
import { createViewerSession, type DataChannelLike } from '@kvs-sig/webrtc';

const HELP = `Usage: node-viewer --channel <name> (--endpoint <url> --ca <file> | --aws) [--client-id <id>] [--message <text>] [--once]

Opens a WebRTC data channel to the channel's master, prints what it sends and
sends each stdin line. Start a master first (examples/node-master prints the
exact command for its embedded emulator).

${CONNECTION_HELP}
  --client-id <id>   this viewer's id (default: viewer-<random>)
  --message <text>   send this once the data channel is open
  --once             exit after the master's first reply to --message
  --timeout <s>      give up if the data channel is not open after this long (default 30)`;

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...CONNECTION_FLAGS,
      'client-id': { type: 'string' },
      message: { type: 'string' },
      once: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
    },
  });
  if (values.help) {
    print(HELP);
    return;
  }
  if (!values.channel) throw new AppError('--channel is required');
  if (values.once && !values.message) throw new AppError('--once needs --message');
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new AppError(`--timeout must be a positive number of seconds, got ${values.timeout}`);
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const connection = await connectionFromFlags(values, process.env, () => fromNodeProviderChain());
  if (!connection) throw new AppError('say where the master is: --endpoint <url> --ca <file> (an emulator) or --aws');
  const clientId = values['client-id'] ?? `viewer-${randomBytes(4).toString('hex')}`;

  const { where, ...options } = connection;
  const client = new SignalingClient({ ...options, role: 'VIEWER', channelName: values.channel, clientId });
  client.on('error', (error) => print(`signaling error: ${describeError(error)}`));
  const started = performance.now();
  const session = createViewerSession({
    signaling: values['stun-only'] ? withoutTurn(client) : client,
    RTCPeerConnection: Werift,
    dataChannels: [{ label: 'kvs-sig' }],
  });
  if (values.verbose) session.on('stateChange', ({ to }) => process.stderr.write(`  · session: ${to}\n`));
  client.on('open', () => print(`viewer ${clientId} on channel ${values.channel} (${where}), signaling open in ${formatMs(performance.now() - started)}`));
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const channel = new Promise<DataChannelLike>((resolve) => {
    session.on('dataChannel', ({ channel }) => {
      channel.addEventListener('message', (event: { data: unknown }) => {
        const text = messageText(event.data);
        print(`master: ${text}`);
        if (values.once && text === `echo: ${values.message}`) done();
      });
      // The master closing its peer connection closes the channel.
      channel.addEventListener('close', () => {
        print('master left');
        done();
      });
      // Printed from the event itself, so it comes before the first message.
      const opened = () => {
        print(`data channel open in ${formatMs(performance.now() - started)}`);
        resolve(channel);
      };
      if (channel.readyState === 'open') opened();
      else channel.addEventListener('open', opened);
    });
  });
  session.on('stateChange', ({ to }) => {
    if (to === 'failed') {
      print('master left');
      done();
    }
  });
  const close = async () => {
    await session.close();
    await client.close();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError(`no data channel to the master after ${values.timeout} s (is a master on ${values.channel}?)`)), timeoutMs);
  });
  let open: DataChannelLike;
  try {
    await Promise.race([session.connect(), timedOut]);
    open = await Promise.race([channel, timedOut]);
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (values.message) open.send(values.message);

  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    if (line.trim()) open.send(line);
  });
  process.once('SIGINT', () => done());
  process.once('SIGTERM', () => done());
  await finished;
  rl.close();
  await close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`node-viewer: ${describeError(error)}\n`);
    process.exit(1);
  },
);
