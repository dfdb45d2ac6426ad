/**
 * The scale benchmark's "world" process: the emulator (the service) and the
 * viewers (the remote peers), kept out of the measured process so the
 * masters' memory and CPU are the client's own.
 * @packageDocumentation
 */
import { ChannelManager, SignalingClient } from '@kvs-sig/client';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import {
  CANDIDATES_PER_SIDE,
  candidateSentAt,
  cpuNow,
  nowMs,
  pool,
  sdpSentAt,
  serve,
  stampedCandidate,
  stampedSdp,
  type Command,
  type WorldInfo,
} from './scale-common';

let emu: Emulator | undefined;
let world: WorldInfo | undefined;
const viewers: SignalingClient[] = [];
const latencies: { answer: number[]; candidate: number[] } = { answer: [], candidate: [] };
let answers = 0;
let candidates = 0;
let errors = 0;
let firstError: string | undefined;
let lastReceiptAt = 0;

async function setup(n: number): Promise<Record<string, unknown>> {
  emu = await startEmulator({
    // The service's per-account channel quota and per-channel connect rate are not what this measures.
    limits: { maxChannels: n + 100, connectsPerSecondPerChannel: 1000, maxLogRecords: 100 },
  });
  const ca = emu.ca as string;
  const mgr = new ChannelManager({ region: emu.region, credentials: emu.credentials, endpoint: emu.controlPlaneEndpoint, tls: { ca } });
  const arns: string[] = new Array<string>(n);
  const created = await pool(n, 32, async (i) => {
    arns[i] = (await mgr.createChannel({ channelName: `scale-${i}` })).channelArn;
  });
  if (created.failures) throw new Error(`creating channels: ${created.failures} failed: ${created.firstError}`);
  const ep = await mgr.getEndpoints({ channelArn: arns[0] as string, role: 'VIEWER' });
  await mgr.close();
  world = { endpoint: emu.controlPlaneEndpoint, ca, region: emu.region, credentials: emu.credentials, wss: ep.wssEndpoint ?? '', arns };
  return { world };
}

async function connectViewers(n: number, concurrency: number): Promise<Record<string, unknown>> {
  const w = world as WorldInfo;
  const t0 = nowMs();
  const result = await pool(n, concurrency, async (i) => {
    // Endpoints known: the viewers cost the service one handshake each and no HTTP.
    const v = new SignalingClient({
      role: 'VIEWER',
      clientId: `v-${i}`,
      region: w.region,
      credentials: w.credentials,
      channelArn: w.arns[i] as string,
      signalingEndpoints: { wssEndpoint: w.wss },
      tls: { ca: w.ca },
      reconnect: false,
    });
    v.on('error', (e) => {
      errors++;
      firstError ??= `${e.code}: ${e.message}`;
    });
    v.on('sdpAnswer', (e) => {
      const at = nowMs();
      answers++;
      lastReceiptAt = at;
      latencies.answer.push(at - sdpSentAt(e.payload.sdp));
      // The viewer trickles its candidates once it has the answer, as werift and browsers do.
      for (let k = 0; k < CANDIDATES_PER_SIDE; k++) {
        v.sendIceCandidate(stampedCandidate(k)).catch((err: unknown) => {
          errors++;
          firstError ??= String(err);
        });
      }
    });
    v.on('iceCandidate', (e) => {
      const at = nowMs();
      candidates++;
      lastReceiptAt = at;
      latencies.candidate.push(at - candidateSentAt(e.payload));
    });
    viewers[i] = v;
    await v.connect();
  });
  return { ms: nowMs() - t0, failures: result.failures, firstError: result.firstError ?? null };
}

async function exchange(n: number, ratePerSec: number, timeoutMs: number): Promise<Record<string, unknown>> {
  const t0 = nowMs();
  const gap = 1000 / ratePerSec;
  let sendFailures = 0;
  for (let i = 0; i < n; i++) {
    const due = t0 + i * gap;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const v = viewers[i];
    if (!v) {
      sendFailures++;
      continue;
    }
    v.sendSdpOffer(stampedSdp('offer')).catch((err: unknown) => {
      sendFailures++;
      firstError ??= String(err);
    });
  }
  const expectAnswers = n;
  const expectCandidates = n * CANDIDATES_PER_SIDE;
  const end = t0 + timeoutMs;
  while ((answers < expectAnswers || candidates < expectCandidates) && nowMs() < end) await new Promise((r) => setTimeout(r, 20));
  return {
    ms: (lastReceiptAt || nowMs()) - t0,
    answers,
    candidates,
    expectAnswers,
    expectCandidates,
    sendFailures,
    latencies,
  };
}

async function handle(cmd: Command): Promise<Record<string, unknown>> {
  switch (cmd.type) {
    case 'setup':
      return setup(cmd.n);
    case 'connect':
      return connectViewers(cmd.n, cmd.concurrency);
    case 'exchange':
      return exchange(cmd.n, cmd.ratePerSec, cmd.timeoutMs);
    case 'cpu':
      return { cpuMicros: cpuNow(), at: nowMs(), connections: emu?.connections().length ?? 0 };
    case 'stats':
      return { errors, firstError: firstError ?? null };
    case 'drop': {
      // As a service deploy does: every master's socket cut at once, no close frame.
      if (!emu) throw new Error('world: drop before setup');
      const at = nowMs();
      return { at, dropped: emu.faults.dropConnections({ role: 'MASTER' }) };
    }
    case 'close': {
      await pool(viewers.length, 256, async (i) => {
        await viewers[i]?.close();
      });
      await emu?.close();
      setImmediate(() => process.exit(0));
      return {};
    }
    default:
      throw new Error(`world: unknown command ${(cmd as { type: string }).type}`);
  }
}

serve(handle);
