/**
 * The chaos scenario shared by the CI test and `pnpm reliability:soak`: a
 * master and N viewers on one channel of the emulator, each sending tagged
 * messages at a steady rate, while the emulator injects at random drops,
 * GO_AWAY, RECONNECT_ICE_SERVER, 5xx and throttling on every operation,
 * latency spikes, refused handshakes and a clock jump.
 *
 * Accounting, per message: the sender's promise (sent or rejected with a
 * typed error), STATUS_RESPONSE reports, and deliveries counted on the
 * receiving side; the emulator's frame log then says where each message that
 * was sent but never delivered was lost (never reached the emulator, held and
 * superseded/expired by the service's own rules, or written to a socket that
 * died).
 * @packageDocumentation
 */
import { SignalingClient } from '@kvs-sig/client';
import type { SignalingClientOptions } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import type { Emulator, Operation, UndeliveredRecord } from '@kvs-sig/emulator';
import { percentile } from './harness';

/** Options of {@link runChaos}. @public */
export interface ChaosOptions {
  durationMs: number;
  viewers?: number;
  /** Mean time between two faults. */
  faultEveryMs?: number;
  /** Mean time between two messages of one client. */
  sendEveryMs?: number;
  seed?: number;
  /** Handshakes per second per channel and role (the service allows 3). */
  connectsPerSecond?: number;
  /** How long to wait at the end for clients to reopen and messages to land. */
  settleMs?: number;
  log?: (line: string) => void;
}

/** One tagged message. @public */
interface Tracked {
  id: number;
  from: string;
  to: string;
  kind: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE';
  sentAt: number;
  outcome: 'pending' | 'sent' | 'failed';
  code?: string;
  delivered: number;
  statusReported: boolean;
}

/** Figures of a chaos run. @public */
export interface ChaosResult {
  durationMs: number;
  clients: number;
  sent: number;
  deliveredOnce: number;
  duplicated: number;
  failedReported: number;
  /** Rejected sends, by error code. */
  failedCodes: Record<string, number>;
  /** Sent (promise resolved), never delivered, no STATUS_RESPONSE: by where the emulator log says it was lost. */
  lost: { beforeEmulator: number; heldBySemantics: number; expired: number; droppedByBound: number; untraced: number; afterEmulator: number; total: number };
  /** The longest time one client was not open, and what it went through. */
  longestOutage: { ms: number; who: string; notes: string[] };
  /** Share of the run each client spent not open, in percent. */
  offlinePercent: Record<string, number>;
  /**
   * Lost messages that neither a connection fault on the sender's (before the
   * emulator) or the receiver's (after it) socket, nor the emulator's record of
   * giving up on them (replaced, expired, refused at its bound) explains:
   * always a finding.
   */
  unexplained: number;
  stillPending: number;
  faults: Record<string, number>;
  reconnects: number;
  reconnectMs: { p50: number; p99: number; max: number; count: number };
  errorsByCode: Record<string, number>;
  endStates: Record<string, string>;
  findings: string[];
  /** A few lost messages with the faults around them, for diagnosis. */
  lostSamples: string[];
}

/** A small deterministic PRNG (mulberry32), so a seed replays the fault schedule. @public */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPERATIONS: Operation[] = ['DescribeSignalingChannel', 'GetSignalingChannelEndpoint', 'GetIceServerConfig', 'ConnectAsMaster', 'ConnectAsViewer', 'CreateSignalingChannel'];
const ID_RE = /kvsid-(\d+)-/;

function idOf(payload: { sdp?: string; candidate?: string }): number | undefined {
  const m = ID_RE.exec(payload.sdp ?? payload.candidate ?? '');
  return m ? Number(m[1]) : undefined;
}

function idOfFrame(text: string): number | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const p = v.messagePayload ?? v.MessagePayload;
    return typeof p === 'string' ? idOfPayload(p) : undefined;
  } catch {
    return undefined;
  }
}

/** The soak id inside a base64 message payload. */
function idOfPayload(payload: string): number | undefined {
  const m = ID_RE.exec(Buffer.from(payload, 'base64').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Waits for `p` at most `ms`, leaving no timer behind either way.
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Runs the scenario and returns its figures (never throws for a finding; see `findings`). @public */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const viewers = options.viewers ?? 10;
  const seed = options.seed ?? 1;
  const random = rng(seed);
  const faultEvery = options.faultEveryMs ?? 1000;
  const sendEvery = options.sendEveryMs ?? 200;
  const settleMs = options.settleMs ?? 20_000;
  const log = options.log ?? (() => {});
  const emu: Emulator = await startEmulator({
    limits: { goAwayGraceMs: 5000, connectsPerSecondPerChannel: options.connectsPerSecond ?? 3, maxLogRecords: 5_000_000, maxViewersPerChannel: Math.max(10, viewers) },
  });
  const findings: string[] = [];
  const tracked = new Map<number, Tracked>();
  const faults: Record<string, number> = {};
  const faultLog: Array<{ at: number; kind: string; who: string | undefined }> = [];
  const reconnectTimes: number[] = [];
  const errorsByCode: Record<string, number> = {};
  const clients = new Map<string, SignalingClient>();
  // per client: [from, to) intervals when it was not open, and the longest outage with what it went through
  const offline = new Map<string, Array<[number, number]>>();
  const outageNotes = new Map<string, string[]>();
  const longest = { ms: 0, who: '', notes: [] as string[] };
  let nextId = 1;
  let sending = true;
  const started = Date.now();

  const base = (): Pick<SignalingClientOptions, 'region' | 'endpoint' | 'credentials' | 'tls' | 'channelName'> => ({
    region: emu.region,
    endpoint: emu.controlPlaneEndpoint,
    credentials: emu.credentials,
    tls: { ca: emu.ca ?? '' },
    channelName: 'chaos',
  });
  const names = ['MASTER', ...Array.from({ length: viewers }, (_, i) => `viewer-${i}`)];
  for (const name of names) {
    const client = new SignalingClient({
      ...base(),
      role: name === 'MASTER' ? 'MASTER' : 'VIEWER',
      ...(name === 'MASTER' ? { createChannelIfMissing: true } : { clientId: name }),
      iceBuffering: false,
      queue: { maxMessages: 1000 },
    });
    clients.set(name, client);
    const received = (payload: { sdp?: string; candidate?: string }, sender: string | undefined): void => {
      const id = idOf(payload);
      const t = id === undefined ? undefined : tracked.get(id);
      if (!t) {
        findings.push(`${name} received an untracked message from ${sender ?? 'the master'}`);
        return;
      }
      if (t.to !== name || t.from !== (sender ?? 'MASTER')) findings.push(`message ${t.id} from ${t.from} to ${t.to} arrived at ${name} from ${sender ?? 'MASTER'}`);
      t.delivered++;
    };
    client.on('sdpOffer', (e) => received(e.payload, e.senderClientId));
    client.on('sdpAnswer', (e) => received(e.payload, e.senderClientId));
    client.on('iceCandidate', (e) => received(e.payload, e.senderClientId));
    client.on('statusResponse', (e) => {
      const m = /^m(\d+)$/.exec(e.correlationId);
      const t = m ? tracked.get(Number(m[1])) : undefined;
      if (t) t.statusReported = true;
    });
    client.on('error', (e) => {
      errorsByCode[e.code] = (errorsByCode[e.code] ?? 0) + 1;
    });
    let downSince: number | undefined;
    let notes: string[] = [];
    client.on('stateChange', ({ to }) => {
      if (to !== 'open' && downSince === undefined && to !== 'closing' && to !== 'closed') {
        downSince = Date.now();
        notes = [];
      }
      if (to === 'open' && downSince !== undefined) {
        const list = offline.get(name) ?? [];
        list.push([downSince, Date.now()]);
        offline.set(name, list);
        if (Date.now() - downSince > longest.ms) Object.assign(longest, { ms: Date.now() - downSince, who: name, notes: notes.slice(0, 40) });
        downSince = undefined;
      }
    });
    client.on('reconnecting', (e) => {
      if (downSince !== undefined) notes.push(`+${Date.now() - downSince}ms attempt ${e.attempt} wait ${e.delayMs}ms (${e.reason}${e.error ? `: ${e.error.code} ${e.error.message.slice(0, 80)}` : ''})`);
    });
    client.on('open', (e) => {
      if (!e.reconnected) return;
      const ms = client.metrics().timeToOpenMs;
      if (ms !== undefined) reconnectTimes.push(ms);
    });
  }
  // the master first (it creates the channel), then the viewers
  await clients.get('MASTER')?.connect();
  await Promise.all(names.slice(1).map((n) => clients.get(n)?.connect()));
  log(`chaos: ${names.length} clients open after ${Date.now() - started} ms`);

  const senders = names.map(async (name) => {
    const client = clients.get(name) as SignalingClient;
    const pending: Array<Promise<void>> = [];
    while (sending) {
      await sleep(sendEvery * (0.5 + random()));
      if (!sending) break;
      const to = name === 'MASTER' ? (names[1 + Math.floor(random() * viewers)] as string) : 'MASTER';
      const sdp = random() < 0.2;
      const kind: Tracked['kind'] = sdp ? (name === 'MASTER' ? 'SDP_ANSWER' : 'SDP_OFFER') : 'ICE_CANDIDATE';
      const id = nextId++;
      const t: Tracked = { id, from: name, to, kind, sentAt: Date.now(), outcome: 'pending', delivered: 0, statusReported: false };
      tracked.set(id, t);
      const tag = `kvsid-${id}-`;
      const recipient = name === 'MASTER' ? to : undefined;
      const opts = { correlationId: `m${id}` };
      const p =
        kind === 'ICE_CANDIDATE'
          ? client.sendIceCandidate({ candidate: `candidate:${tag} 1 udp 2122260223 127.0.0.1 ${50000 + (id % 10000)} typ host`, sdpMid: '0', sdpMLineIndex: 0 }, recipient, opts)
          : kind === 'SDP_OFFER'
            ? client.sendSdpOffer({ type: 'offer', sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\n` }, recipient, opts)
            : client.sendSdpAnswer({ type: 'answer', sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\n` }, recipient, opts);
      pending.push(
        p.then(
          () => {
            t.outcome = 'sent';
          },
          (e: unknown) => {
            t.outcome = 'failed';
            t.code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'NOT_A_SIGNALING_ERROR';
            if (t.code === 'NOT_A_SIGNALING_ERROR') findings.push(`send ${id} rejected with a non-SignalingError: ${String(e)}`);
          },
        ),
      );
    }
    await within(Promise.all(pending), settleMs);
  });

  // The fault schedule: one random fault every ~faultEvery ms, plus one clock jump at 40 %.
  const injectOne = (): void => {
    const r = random();
    const who = random() < 0.5 ? names[Math.floor(random() * names.length)] : undefined;
    const filter = who === undefined ? {} : who === 'MASTER' ? { role: 'MASTER' as const } : { clientId: who };
    const op = OPERATIONS[Math.floor(random() * OPERATIONS.length)] as Operation;
    let kind: string;
    if (r < 0.2) {
      kind = 'drop';
      emu.faults.dropConnections(filter);
    } else if (r < 0.32) {
      kind = 'GO_AWAY';
      emu.faults.goAway(filter);
    } else if (r < 0.42) {
      kind = 'RECONNECT_ICE_SERVER';
      emu.faults.reconnectIceServer(filter);
    } else if (r < 0.57) {
      kind = `5xx ${op}`;
      emu.faults.failNext(op, 1 + Math.floor(random() * 3), { status: [500, 502, 503][Math.floor(random() * 3)] as number });
    } else if (r < 0.72) {
      kind = `throttle ${op}`;
      emu.faults.throttleNext(op, 1 + Math.floor(random() * 3));
    } else if (r < 0.84) {
      kind = 'latency spike';
      const ms = 200 + Math.floor(random() * 1800);
      emu.faults.setLatency(ms);
      latencyTimers.push(setTimeout(() => emu.faults.setLatency(0), 500 + Math.floor(random() * 1500)));
    } else {
      kind = 'refused handshake';
      emu.faults.refuseHandshake(1 + Math.floor(random() * 3), { status: random() < 0.5 ? 500 : 403, errorType: random() < 0.5 ? 'InternalFailure' : 'AccessDeniedException' });
    }
    const key = kind.split(' ')[0] === '5xx' ? '5xx' : kind.startsWith('throttle') ? 'throttle' : kind;
    faults[key] = (faults[key] ?? 0) + 1;
    faultLog.push({ at: Date.now(), kind, who });
  };
  const latencyTimers: Array<ReturnType<typeof setTimeout>> = [];
  let clockJumped = false;
  while (Date.now() - started < options.durationMs) {
    await sleep(faultEvery * (0.5 + random()));
    if (!clockJumped && Date.now() - started > options.durationMs * 0.4) {
      clockJumped = true;
      emu.faults.setClockOffset(10 * 60_000);
      faults['clock jump +10 min'] = 1;
      faultLog.push({ at: Date.now(), kind: 'clock jump', who: undefined });
      continue;
    }
    injectOne();
  }
  log(`chaos: faults done (${JSON.stringify(faults)}); settling`);
  sending = false;
  // Settle: faults stop (the clock stays jumped: the clients live with it), clients reopen, in-flight messages land.
  const offset = 10 * 60_000;
  for (const t of latencyTimers) clearTimeout(t);
  emu.faults.reset();
  if (clockJumped) emu.faults.setClockOffset(offset);
  const settleEnd = Date.now() + settleMs;
  while (Date.now() < settleEnd && [...clients.values()].some((c) => c.state !== 'open')) await sleep(50);
  await within(Promise.all(senders), settleMs);
  await sleep(2000);
  const endStates: Record<string, string> = {};
  for (const [name, c] of clients) {
    endStates[name] = c.state;
    if (c.state !== 'open') findings.push(`${name} ended ${c.state}, not open`);
  }

  // where the emulator saw each message
  const seenIn = new Set<number>();
  const seenOut = new Set<number>();
  for (const f of emu.log.frames()) {
    const id = idOfFrame(f.text);
    if (id === undefined) continue;
    (f.direction === 'in' ? seenIn : seenOut).add(id);
  }
  const result: ChaosResult = {
    durationMs: Date.now() - started,
    clients: names.length,
    sent: tracked.size,
    deliveredOnce: 0,
    duplicated: 0,
    failedReported: 0,
    failedCodes: {},
    lost: { beforeEmulator: 0, heldBySemantics: 0, expired: 0, droppedByBound: 0, untraced: 0, afterEmulator: 0, total: 0 },
    longestOutage: longest,
    offlinePercent: Object.fromEntries(names.map((n) => [n, Math.round(((offline.get(n) ?? []).reduce((a, [x, y]) => a + (y - x), 0) / (Date.now() - started)) * 1000) / 10])),
    unexplained: 0,
    stillPending: 0,
    faults,
    reconnects: reconnectTimes.length,
    reconnectMs: { p50: percentile(reconnectTimes, 50), p99: percentile(reconnectTimes, 99), max: Math.max(0, ...reconnectTimes), count: reconnectTimes.length },
    errorsByCode,
    endStates,
    findings,
    lostSamples: [],
  };
  // A connection fault on `who`'s socket within [from, to] ms of `t0`.
  const faultOn = (who: string, t0: number, from: number, to: number): boolean =>
    faultLog.some((f) => (f.kind === 'drop' || f.kind === 'GO_AWAY') && (f.who === undefined || f.who === who) && f.at >= t0 + from && f.at <= t0 + to);
  // The emulator's own account of each message it gave up on (why, and whether the sender was told).
  const givenUp = new Map<number, UndeliveredRecord>();
  for (const u of emu.log.undelivered()) {
    const id = idOfPayload(u.messagePayload);
    if (id !== undefined) givenUp.set(id, u);
  }
  const all = [...tracked.values()];
  for (const t of all) {
    if (t.delivered > 1) result.duplicated++;
    if (t.delivered === 1) result.deliveredOnce++;
    if (t.outcome === 'failed') {
      result.failedReported++;
      result.failedCodes[t.code ?? '?'] = (result.failedCodes[t.code ?? '?'] ?? 0) + 1;
      if (t.delivered > 0) findings.push(`message ${t.id} was reported failed (${t.code}) but delivered`);
    } else if (t.outcome === 'pending') {
      result.stillPending++;
    } else if (t.delivered === 0) {
      if (t.statusReported) {
        result.failedReported++;
        result.failedCodes.STATUS_RESPONSE = (result.failedCodes.STATUS_RESPONSE ?? 0) + 1;
        continue;
      }
      result.lost.total++;
      let explained: boolean;
      if (!seenIn.has(t.id)) {
        // written by the sender, never read by the emulator: the sender's socket died under it
        result.lost.beforeEmulator++;
        explained = faultOn(t.from, t.sentAt, -200, 2000);
      } else if (!seenOut.has(t.id)) {
        // Read by the emulator, never written to the recipient: the emulator records why it gave up on it.
        const record = givenUp.get(t.id);
        if (record === undefined) {
          // Neither delivered nor given up: a message the relay lost without a trace.
          result.lost.untraced++;
          explained = false;
        } else if (record.reason === 'RECIPIENT_HOLD_FULL' || record.reason === 'CHANNEL_HOLD_FULL') {
          // Refused at the hold bound; the STATUS_RESPONSE did not reach the sender (its socket was going).
          result.lost.droppedByBound++;
          explained = true;
        } else {
          // Held for an absent recipient, then replaced by a newer offer/answer or expired (60 s TTL): the service's rules.
          result.lost.heldBySemantics++;
          if (record.reason === 'EXPIRED') result.lost.expired++;
          explained = true;
        }
      } else {
        result.lost.afterEmulator++;
        explained = faultOn(t.to, t.sentAt, -200, 2000);
      }
      if (!explained) result.unexplained++;
      if (result.lostSamples.length < 12 || (!explained && result.lostSamples.filter((l) => l.includes('UNEXPLAINED')).length < 6)) {
        const near = faultLog.filter((f) => f.at >= t.sentAt - 3000 && f.at <= t.sentAt + 3000).map((f) => `${f.kind}${f.who ? `(${f.who})` : ''}@${f.at - t.sentAt}ms`);
        result.lostSamples.push(`#${t.id} ${t.kind} ${t.from}->${t.to} at ${t.sentAt - started}ms, ${seenIn.has(t.id) ? 'in' : 'not in'}/${seenOut.has(t.id) ? 'out' : 'not out'}, ${explained ? 'explained' : 'UNEXPLAINED'}; faults near: ${near.join(', ') || 'none'}`);
      }
    }
  }
  if (result.duplicated > 0) findings.push(`${result.duplicated} messages delivered more than once`);
  if (result.stillPending > 0) findings.push(`${result.stillPending} sends never settled`);
  if (result.unexplained > 0) findings.push(`${result.unexplained} messages lost with no connection fault or service rule to explain it: ${result.lostSamples.filter((l) => l.includes('UNEXPLAINED')).slice(0, 3).join(' | ')}`);
  await Promise.all([...clients.values()].map((c) => c.close()));
  await emu.close();
  return result;
}
