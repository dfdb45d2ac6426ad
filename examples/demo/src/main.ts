/**
 * The one-command demo: starts the emulator (and a local TURN server when
 * coturn is installed), a master and a viewer, signals through the emulator
 * with `@kvs-sig/client`, opens a real WebRTC data channel (werift), sends
 * messages both ways, prints each phase with its timing, closes everything
 * and exits 0. `--aws` runs the same against the real service.
 *
 *   node scripts/run-ts.mjs examples/demo/src/main.ts [--aws] [--channel NAME] [--region R]
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { SignalingClient, type ClientMetrics, type SignalingClientOptions } from '@kvs-sig/client';
import { formatMs, hasTurnServer, nextMessage, startTurnServer, Werift, withoutTurn, type TurnServer } from '@kvs-sig/example-common';
import { createMasterSession, createViewerSession, type DataChannelLike } from '@kvs-sig/webrtc';

const HELP = `Usage: pnpm demo [--aws] [--channel <name>] [--region <r>] [--timeout <s>] [--keep-channel]

Starts a local KVS signaling emulator, a master and a viewer; opens a WebRTC
data channel between them through signaling and sends messages both ways.

  --aws            use the real service (credentials from the standard AWS chain, region from --region/AWS_REGION)
  --channel <n>    channel name (default: kvs-sig-demo-<random>; created if missing)
  --region <r>     AWS region (with --aws)
  --keep-channel   do not delete a channel the demo created on AWS
  --timeout <s>    give up after this many seconds (default 30)
  --no-turn        do not start a local TURN server even if coturn is installed
  --verbose        print signaling and peer diagnostics`;

interface Cleanup {
  name: string;
  run: () => Promise<unknown>;
}

class DemoError extends Error {}

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      aws: { type: 'boolean', default: false },
      channel: { type: 'string' },
      region: { type: 'string' },
      timeout: { type: 'string', default: '30' },
      'keep-channel': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'no-turn': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const timeoutS = Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new DemoError(`--timeout must be a positive number of seconds, got ${values.timeout}`);
  const verbose = values.verbose ? (line: string) => process.stderr.write(`  · ${line}\n`) : undefined;

  const cleanups: Cleanup[] = [];
  let phase = 'start';
  // Child processes outlive process.exit(): the watchdog kills them itself.
  let killOnExit: (() => void) | undefined;
  // The global timeout: whatever hangs, the demo ends with a message and a non-zero code.
  const watchdog = setTimeout(() => {
    process.stderr.write(`\ndemo: timed out after ${timeoutS} s during "${phase}"\n`);
    killOnExit?.();
    process.exit(1);
  }, timeoutS * 1000);

  const started = performance.now();
  try {
    let connection: Pick<SignalingClientOptions, 'region' | 'credentials' | 'endpoint' | 'tls'>;
    let where: string;
    let channelName = values.channel;
    let stunOnly = false;
    if (values.aws) {
      const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) throw new DemoError('--aws needs a region: pass --region or set AWS_REGION');
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      connection = { region, credentials: fromNodeProviderChain() };
      channelName ??= 'kvs-sig-demo';
      where = `AWS ${region}`;
    } else {
      phase = 'emulator';
      const t0 = performance.now();
      let turn: TurnServer | undefined;
      if (hasTurnServer() && !values['no-turn']) {
        turn = await startTurnServer();
        killOnExit = turn.kill;
        cleanups.push({ name: 'TURN server', run: () => turn!.close() });
      }
      const { startEmulator } = await import('@kvs-sig/emulator');
      const emulator = await startEmulator(turn ? { turn: { urls: turn.urls, secret: turn.secret } } : {});
      cleanups.push({ name: 'emulator', run: () => emulator.close() });
      connection = {
        region: emulator.region,
        credentials: emulator.credentials,
        endpoint: emulator.controlPlaneEndpoint,
        ...(emulator.ca ? { tls: { ca: emulator.ca } } : {}),
      };
      channelName ??= `kvs-sig-demo-${Math.random().toString(36).slice(2, 8)}`;
      where = `emulator ${emulator.controlPlaneEndpoint} (${formatMs(performance.now() - t0)} to start)`;
      if (!turn) {
        // The emulator's default TURN entries point at nothing; werift would spend
        // seconds trying to allocate on them before connecting.
        stunOnly = true;
      }
      where += turn ? `, TURN ${turn.urls[0]}` : ', STUN only (no local TURN server)';
    }
    out(`kvs-sig demo · ${where} · channel ${channelName}`);

    // Master first: it must be listening before the viewer's offer arrives.
    phase = 'master connect';
    const master = new SignalingClient({ ...connection, role: 'MASTER', channelName, createChannelIfMissing: true });
    cleanups.push({ name: 'master', run: () => master.close() });
    const masterStart = performance.now();
    await master.connect();
    const masterOpen = performance.now() - masterStart;
    const createdChannel = master.metrics().phases.createMs !== undefined;
    if (values.aws && createdChannel && !values['keep-channel']) {
      const arn = master.channelArn;
      cleanups.unshift({
        name: 'channel',
        run: async () => {
          const { ChannelManager } = await import('@kvs-sig/client');
          const manager = new ChannelManager(connection);
          try {
            if (arn) await manager.deleteChannel({ channelArn: arn });
          } finally {
            await manager.close();
          }
        },
      });
    }

    const masterSession = createMasterSession({ signaling: stunOnly ? withoutTurn(master) : master, RTCPeerConnection: Werift });
    cleanups.unshift({ name: 'master session', run: () => masterSession.close() });
    if (verbose) masterSession.on('error', (e) => verbose(`master: ${describeError(e)}`));
    const masterGot = new Promise<string>((resolve) => {
      masterSession.on('dataChannel', ({ channel }) => {
        const greet = () => channel.send('hello from the master');
        if (channel.readyState === 'open') greet();
        else channel.addEventListener('open', greet);
        void nextMessage(channel).then((text) => {
          resolve(text);
          // Echo back so the viewer receives over the same channel.
          channel.send(`echo: ${text}`);
        });
      });
    });
    await masterSession.connect();

    phase = 'viewer connect';
    const viewer = new SignalingClient({ ...connection, role: 'VIEWER', channelName, clientId: 'demo-viewer' });
    cleanups.unshift({ name: 'viewer', run: () => viewer.close() });
    const viewerStart = performance.now();
    await viewer.connect();
    const viewerOpen = performance.now() - viewerStart;

    phase = 'offer';
    const session = createViewerSession({ signaling: stunOnly ? withoutTurn(viewer) : viewer, RTCPeerConnection: Werift, dataChannels: [{ label: 'kvs-sig' }] });
    cleanups.unshift({ name: 'viewer session', run: () => session.close() });
    if (verbose) session.on('stateChange', ({ to }) => verbose(`viewer session: ${to}`));
    const channelP = new Promise<DataChannelLike>((resolve) => session.on('dataChannel', ({ channel }) => resolve(channel)));
    // Both messages are listened for from the start: the master greets as soon as the channel opens.
    const received: string[] = [];
    const twoMessages = channelP.then(
      (channel) =>
        new Promise<void>((resolve) =>
          channel.addEventListener('message', (e: { data: unknown }) => {
            received.push(String(e.data));
            if (received.length === 2) resolve();
          }),
        ),
    );
    await session.connect();
    phase = 'answer and ICE';
    const channel = await channelP;
    if (channel.readyState !== 'open') await new Promise((resolve) => channel.addEventListener('open', resolve));
    const channelOpen = Date.now();
    phase = 'first data';
    const sentAt = performance.now();
    channel.send('hello from the viewer');
    const [, atMaster] = await Promise.all([twoMessages, masterGot]);
    const firstData = performance.now();
    const [first, second] = received;
    // The master's greeting and its echo race each other; tell them apart by content.
    const echo = [first, second].find((text) => text?.startsWith('echo: '));
    const fromMaster = [first, second].find((text) => !text?.startsWith('echo: '));
    if (echo !== 'echo: hello from the viewer' || fromMaster !== 'hello from the master') {
      throw new DemoError(`unexpected messages over the data channel: ${JSON.stringify([first, second])}`);
    }

    out('');
    out('  phase          master     viewer');
    const m = master.metrics();
    const v = viewer.metrics();
    const row = (name: string, a: number | undefined, b: number | undefined) =>
      out(`  ${name.padEnd(13)}${(a === undefined ? '-' : formatMs(a)).padStart(8)}${(b === undefined ? '-' : formatMs(b)).padStart(11)}`);
    row('describe', m.phases.describeMs, v.phases.describeMs);
    if (m.phases.createMs !== undefined || v.phases.createMs !== undefined) row('create', m.phases.createMs, v.phases.createMs);
    row('endpoints', m.phases.endpointMs, v.phases.endpointMs);
    row('ICE servers', m.phases.iceMs, v.phases.iceMs);
    row('connect', m.phases.connectMs, v.phases.connectMs);
    row('to open', masterOpen, viewerOpen);
    // The session's timeline is in epoch ms.
    const t = session.metrics().timeline;
    row('offer', undefined, t.offerSent !== undefined ? t.offerSent - t.created : undefined);
    row('answer', undefined, t.answerReceived !== undefined && t.offerSent !== undefined ? t.answerReceived - t.offerSent : undefined);
    row('data channel', undefined, channelOpen - (t.answerReceived ?? t.created));
    row('first data', undefined, firstData - sentAt);
    out('');
    out(`  master → viewer: "${fromMaster}"`);
    out(`  viewer → master: "${atMaster}" (echoed back: "${echo}")`);
    out(`  exchanges before open: master ${exchanges(m)}, viewer ${exchanges(v)}`);

    phase = 'close';
    await runCleanups(cleanups);
    out(`done in ${formatMs(performance.now() - started)}, everything closed`);
    return 0;
  } catch (error) {
    await runCleanups(cleanups).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(watchdog);
  }
}

function exchanges(m: ClientMetrics): string {
  return String(m.exchangesBeforeOpen);
}

async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  const failures: string[] = [];
  for (const c of cleanups.splice(0)) {
    try {
      await c.run();
    } catch (error) {
      failures.push(`${c.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length) throw new DemoError(`closing failed: ${failures.join('; ')}`);
}

function describeError(error: unknown): string {
  const e = error as { errorType?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.errorType === 'string') return `${e.errorType}: ${String(e.message)}`;
  if (typeof e?.code === 'string' && typeof e.message === 'string') return `${e.code}: ${e.message}`;
  return error instanceof Error ? error.message : String(error);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${describeError(error)}\n`);
    if (process.argv.includes('--verbose') && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
