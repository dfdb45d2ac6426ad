/**
 * Hostile operations, shared by the CI test and `pnpm reliability:hostile`:
 * what operators and the service do to running clients (the emulator frozen,
 * killed and restarted, keys rotated, its clock jumping, a burst over the SDP
 * quota, an 11th viewer on a full channel, `close()` in every state), each with
 * steady tagged traffic counted by the {@link Ledger}: sent, delivered,
 * reported failed to the sender, lost by the service's own rules (named by the
 * emulator's undelivered log), lost silently, and the time to recover.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { SignalingClient } from '@kvs-sig/client';
import type { SignalingClientOptions } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import type { Emulator, EmulatorCredentials, FrameRecord, UndeliveredRecord } from '@kvs-sig/emulator';
import { startEmulatorProcess } from './emulator-process';
import type { EmulatorProcess } from './emulator-process';
import { CLOSE_STATES, startLeakEmulator } from './leak-scenarios';
import { Ledger } from './ledger';
import type { LostWhere, MessageKind } from './ledger';

/** Figures of one scenario. @public */
export interface OpsResult {
  scenario: string;
  /** What was done, in one line. */
  what: string;
  sent: number;
  delivered: number;
  duplicated: number;
  failedReported: number;
  failedCodes: Record<string, number>;
  /** Of those reported failed, how many were delivered all the same (the sender was told wrong). */
  failedButDelivered: number;
  /** Of those reported failed, how many said the message may have been delivered (`DELIVERY_UNCONFIRMED`, `CLIENT_CLOSED`) and were. */
  unconfirmedButDelivered: number;
  /** Lost by the service's own rules (an undelivered offer/answer replaced by a newer one, or expired), by the emulator's reason. */
  serviceLost: Record<string, number>;
  /** Sent (promise resolved), never delivered, nobody told, and no service rule to blame: by where. */
  silentlyLost: number;
  silentlyLostWhere: Partial<Record<LostWhere, number>>;
  /** Sends whose promise had not settled by the end of the scenario's bound. */
  neverSettled: number;
  /** From the end of the fault until traffic flows again (see each scenario); NaN when it did not within the bound. */
  recoverMs: number;
  reconnects: number;
  errorsByCode: Record<string, number>;
  endStates: Record<string, string>;
  notes: string[];
  /** Contract breaks: anything silently lost or unsettled, duplicates, clients that did not recover. */
  findings: string[];
  durationMs: number;
}

/** Where the clients connect: an in-process emulator or a child process. @public */
interface Target {
  endpoint: string;
  region: string;
  ca: string;
  credentials: EmulatorCredentials | (() => Promise<EmulatorCredentials>);
  frames(): Promise<FrameRecord[]> | FrameRecord[];
  undelivered(): Promise<UndeliveredRecord[]> | UndeliveredRecord[];
}

// The emulator's refusals after its first `skip` requests, as "operation status errorType ×n".
function refusals(emu: Emulator, skip: number): string {
  const counts = new Map<string, number>();
  for (const r of emu.log.requests().slice(skip)) {
    if (r.status < 400) continue;
    const key = `${r.operation} ${r.status} ${r.errorType ?? ''}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts.size === 0 ? 'none' : [...counts].map(([k, v]) => `${k} ×${v}`).join(', ');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Waits for `p` at most `ms`, leaving no timer behind either way; true when `p` settled.
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return done;
}

function inProcess(emu: Emulator, credentials?: () => Promise<EmulatorCredentials>): Target {
  return { endpoint: emu.controlPlaneEndpoint, region: emu.region, ca: emu.ca ?? '', credentials: credentials ?? emu.credentials, frames: () => emu.log.frames(), undelivered: () => emu.log.undelivered() };
}

function childProcess(p: EmulatorProcess): Target {
  return { endpoint: p.endpoint, region: p.region, ca: p.ca, credentials: p.credentials, frames: () => p.frames(), undelivered: () => p.undelivered() };
}

/**
 * A master and viewers on one channel, each counted by one ledger, with
 * steady traffic: every client sends every `everyMs`, alternating an ICE
 * candidate and an SDP (offer from a viewer, answer from the master, to each
 * viewer in turn).
 */
class Crew {
  readonly ledger = new Ledger();
  readonly clients = new Map<string, SignalingClient>();
  readonly errorsByCode: Record<string, number> = {};
  /** Close codes and reconnect reasons seen, for the notes. */
  readonly closes: Record<string, number> = {};
  readonly retries: Record<string, number> = {};
  reconnects = 0;
  private sending = false;
  private loops: Array<Promise<void>> = [];
  private readonly pending: Array<Promise<void>> = [];

  constructor(
    private readonly target: Target,
    private readonly channelName: string,
    private readonly extra: Partial<SignalingClientOptions> = {},
  ) {}

  options(): Pick<SignalingClientOptions, 'region' | 'endpoint' | 'credentials' | 'tls' | 'channelName'> {
    return { region: this.target.region, endpoint: this.target.endpoint, credentials: this.target.credentials, tls: { ca: this.target.ca }, channelName: this.channelName };
  }

  add(name: string, extra: Partial<SignalingClientOptions> = {}): SignalingClient {
    const client = new SignalingClient({
      ...this.options(),
      ...(name === 'MASTER' ? { role: 'MASTER' as const, createChannelIfMissing: true } : { role: 'VIEWER' as const, clientId: name }),
      iceBuffering: false,
      ...this.extra,
      ...extra,
    } as SignalingClientOptions);
    this.clients.set(name, client);
    this.ledger.attach(client, name);
    client.on('error', (e) => {
      this.errorsByCode[e.code] = (this.errorsByCode[e.code] ?? 0) + 1;
    });
    client.on('open', (e) => {
      if (e.reconnected) this.reconnects++;
    });
    client.on('close', (e) => {
      const key = `${e.code}${e.reason ? ` ${e.reason.slice(0, 60)}` : ''}`;
      this.closes[key] = (this.closes[key] ?? 0) + 1;
    });
    client.on('reconnecting', (e) => {
      const key = `${e.reason.slice(0, 100)}${e.error ? ` (${e.error.code})` : ''}`;
      this.retries[key] = (this.retries[key] ?? 0) + 1;
    });
    return client;
  }

  send(from: string, to: string, kind: MessageKind): Promise<void> {
    const client = this.clients.get(from) as SignalingClient;
    const { settled } = this.ledger.send(client, from, to, kind);
    this.pending.push(settled);
    return settled;
  }

  startTraffic(everyMs: number, names = [...this.clients.keys()]): void {
    this.sending = true;
    const viewers = names.filter((n) => n !== 'MASTER');
    this.loops = names.map(async (name) => {
      let i = 0;
      while (this.sending) {
        const sdp = i % 2 === 1;
        const to = name === 'MASTER' ? (viewers[Math.floor(i / 2) % viewers.length] as string) : 'MASTER';
        void this.send(name, to, sdp ? (name === 'MASTER' ? 'SDP_ANSWER' : 'SDP_OFFER') : 'ICE_CANDIDATE');
        i++;
        await sleep(everyMs);
      }
    });
  }

  async stopTraffic(): Promise<void> {
    this.sending = false;
    await Promise.all(this.loops);
  }

  /** Waits until every client is open (at most `ms`); true when they are. */
  async allOpen(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while ([...this.clients.values()].some((c) => c.state !== 'open')) {
      if (Date.now() > end) return false;
      await sleep(20);
    }
    return true;
  }

  /**
   * Time from `since` until a message sent at or after it was delivered in
   * both directions (viewer to master and master to viewer), or NaN.
   */
  recoveredAfter(since: number): number {
    let up = Number.POSITIVE_INFINITY;
    let down = Number.POSITIVE_INFINITY;
    for (const t of this.ledger.tracked.values()) {
      if (t.sentAt < since || t.deliveredAt === undefined) continue;
      if (t.to === 'MASTER') up = Math.min(up, t.deliveredAt);
      else down = Math.min(down, t.deliveredAt);
    }
    const last = Math.max(up, down);
    return Number.isFinite(last) ? last - since : Number.NaN;
  }

  /**
   * Keeps the traffic up until it flows again in both directions after
   * `since` (at most `boundMs`), then `tailMs` more; returns the time to
   * recover, or NaN.
   */
  async recover(since: number, boundMs: number, tailMs: number): Promise<number> {
    const end = since + boundMs;
    while (Number.isNaN(this.recoveredAfter(since)) && Date.now() < end) await sleep(50);
    await sleep(tailMs);
    return this.recoveredAfter(since);
  }

  /**
   * Stops traffic, lets every send settle (at most `settleMs`) and in-flight
   * messages land, classifies every message against the emulator's logs and
   * closes the clients.
   */
  async finish(scenario: string, what: string, started: number, recoverMs: number, settleMs: number, notes: string[] = []): Promise<OpsResult> {
    await this.stopTraffic();
    await within(Promise.all(this.pending), settleMs);
    await sleep(1000);
    const endStates: Record<string, string> = {};
    for (const [name, c] of this.clients) endStates[name] = c.state;
    const acc = this.ledger.classify(await this.target.frames(), await this.target.undelivered());
    const serviceLost: Record<string, number> = {};
    if (acc.lost.replaced > 0) serviceLost.REPLACED = acc.lost.replaced;
    if (acc.lost.expired > 0) serviceLost.EXPIRED = acc.lost.expired;
    const silentlyLostWhere: Partial<Record<LostWhere, number>> = {};
    for (const where of ['beforeEmulator', 'afterEmulator', 'untraced', 'droppedByBound', 'otherRecorded'] as const) if (acc.lost[where] > 0) silentlyLostWhere[where] = acc.lost[where];
    const silentlyLost = acc.lost.total - acc.lost.replaced - acc.lost.expired;
    const findings = [...this.ledger.findings];
    const counted = (c: Record<string, number>): string => Object.entries(c).map(([k, v]) => `${k} ×${v}`).join('; ') || 'none';
    notes = [...notes, `Connections closed: ${counted(this.closes)}. Retries (reconnecting events): ${counted(this.retries)}.`];
    if (silentlyLost > 0) findings.push(`${silentlyLost} messages silently lost (send resolved, never delivered, sender not told): ${JSON.stringify(silentlyLostWhere)}`);
    if (acc.stillPending > 0) findings.push(`${acc.stillPending} sends had not settled ${settleMs / 1000} s after the traffic stopped`);
    if (acc.duplicated > 0) findings.push(`${acc.duplicated} messages delivered more than once`);
    if (Number.isNaN(recoverMs)) findings.push('traffic did not flow again in both directions within the bound');
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    return {
      scenario,
      what,
      sent: acc.sent,
      delivered: acc.deliveredOnce,
      duplicated: acc.duplicated,
      failedReported: acc.failedReported,
      failedCodes: acc.failedCodes,
      failedButDelivered: acc.failedButDelivered,
      unconfirmedButDelivered: acc.unconfirmedButDelivered,
      serviceLost,
      silentlyLost,
      silentlyLostWhere,
      neverSettled: acc.stillPending,
      recoverMs,
      reconnects: this.reconnects,
      errorsByCode: this.errorsByCode,
      endStates,
      notes,
      findings,
      durationMs: Date.now() - started,
    };
  }
}

/** Options every scenario takes. @public */
export interface OpsOptions {
  /** Time between two messages of one client. */
  everyMs?: number;
  /** Traffic kept up after it flows again. */
  afterMs?: number;
  /** How long to wait for the traffic to flow again after the fault. */
  recoverBoundMs?: number;
  /** Client options beyond the defaults (the recorded figures use none). */
  client?: Partial<SignalingClientOptions>;
  log?: (line: string) => void;
}

/**
 * The shape of most scenarios: a master and one viewer on `target` exchange
 * steady traffic; after 1 s `fault` acts and returns when it ended (with notes
 * to read at the end); the traffic goes on until it flows again both ways,
 * then every message is accounted for.
 */
async function pairUnderFault(
  scenario: string,
  what: string,
  target: Target,
  options: OpsOptions,
  fault: (master: SignalingClient) => Promise<{ endedAt: number; notes: () => string[] }>,
): Promise<OpsResult> {
  const started = Date.now();
  const crew = new Crew(target, 'hostile', options.client);
  const master = crew.add('MASTER');
  const viewer = crew.add('viewer-0');
  await master.connect();
  await viewer.connect();
  crew.startTraffic(options.everyMs ?? 100);
  await sleep(1000);
  const { endedAt, notes } = await fault(master);
  const recover = await crew.recover(endedAt, options.recoverBoundMs ?? 60_000, options.afterMs ?? 3000);
  await crew.allOpen(30_000);
  return crew.finish(scenario, `${what} (1 master + 1 viewer, each sending a message every ${options.everyMs ?? 100} ms)`, started, recover, 30_000, notes());
}

/** The emulator process is stopped (SIGSTOP) for `seconds` under steady traffic, then continued. @public */
export async function freeze(seconds: number, options: OpsOptions = {}): Promise<OpsResult> {
  const log = options.log ?? (() => {});
  const proc = await startEmulatorProcess({ channels: ['hostile'] });
  try {
    return await pairUnderFault(`freeze-${seconds}`, `emulator process stopped (SIGSTOP) for ${seconds} s under steady traffic, then SIGCONT`, childProcess(proc), options, async () => {
      log(`freeze: SIGSTOP ${proc.pid} for ${seconds} s`);
      proc.freeze();
      await sleep(seconds * 1000);
      proc.thaw();
      log('freeze: SIGCONT');
      return { endedAt: Date.now(), notes: () => [] };
    });
  } finally {
    await proc.stop();
  }
}

/** The emulator process is killed (SIGKILL) and started again on the same port with the same certificate and keys. @public */
export async function restart(options: OpsOptions = {}): Promise<OpsResult> {
  const log = options.log ?? (() => {});
  const proc = await startEmulatorProcess({ channels: ['hostile'] });
  try {
    return await pairUnderFault(
      'restart',
      'emulator process killed (SIGKILL) under steady traffic, started again 1 s later on the same port (same certificate, keys and account; channel re-created by name)',
      childProcess(proc),
      options,
      async (master) => {
        const arnBefore = master.channelArn;
        await proc.kill();
        const killedAt = Date.now();
        log('restart: SIGKILL');
        await sleep(1000);
        await proc.restart();
        const up = Date.now();
        log(`restart: up again after ${up - killedAt} ms`);
        return { endedAt: up, notes: () => [`down ${up - killedAt} ms; the channel was created again by name (the emulator keeps no state): ARN ${master.channelArn === arnBefore ? 'unchanged' : 'changed'}`] };
      },
    );
  } finally {
    await proc.stop();
  }
}

/**
 * Keys rotated while clients run: the emulator accepts only new keys from one
 * moment (old ones revoked at once, no overlap), the clients' credential
 * function returns the new ones from then on, and every connection is dropped
 * so the clients must sign again.
 * @public
 */
export async function rotate(options: OpsOptions = {}): Promise<OpsResult> {
  const emu = await startEmulator({ limits: { connectsPerSecondPerChannel: 100 } });
  try {
    let current: EmulatorCredentials = emu.credentials;
    let calls = 0;
    const credentials = async (): Promise<EmulatorCredentials> => {
      calls++;
      return current;
    };
    return await pairUnderFault(
      'rotate',
      'keys replaced (old ones revoked at once) under steady traffic; the credential function returns the new keys; every connection dropped so both sign again',
      inProcess(emu, credentials),
      options,
      async () => {
        const callsBefore = calls;
        const requestsBefore = emu.log.requests().length;
        current = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(20).toString('base64') };
        emu.setCredentials([current]);
        const dropped = emu.faults.dropConnections();
        return { endedAt: Date.now(), notes: () => [`${dropped} connections dropped; credential function called ${calls - callsBefore} times after the rotation; refused after it: ${refusals(emu, requestsBefore)}`] };
      },
    );
  } finally {
    await emu.close();
  }
}

/**
 * The emulator's clock jumps by `minutes` (its offset from the clients' clock,
 * which is what a client sees when either side's clock steps), then every
 * connection is dropped so the clients sign again against the jumped clock and
 * must correct their skew from the `Date` header.
 * @public
 */
export async function clockJump(minutes: number, options: OpsOptions = {}): Promise<OpsResult> {
  const emu = await startEmulator({ limits: { connectsPerSecondPerChannel: 100 } });
  try {
    return await pairUnderFault(
      `clock${minutes > 0 ? '+' : '-'}${Math.abs(minutes)}`,
      `the service's clock jumps ${minutes > 0 ? '+' : '−'}${Math.abs(minutes)} min against the clients' under steady traffic, then every connection is dropped so both sign again`,
      inProcess(emu),
      options,
      async () => {
        const requestsBefore = emu.log.requests().length;
        emu.faults.setClockOffset(minutes * 60_000);
        const dropped = emu.faults.dropConnections();
        return { endedAt: Date.now(), notes: () => [`${dropped} connections dropped; refused after the jump: ${refusals(emu, requestsBefore)}`] };
      },
    );
  } finally {
    await emu.close();
  }
}

/**
 * One viewer sends `count` SDP offers at once to a connected master on an
 * emulator enforcing the service's quota of 5 SDP messages per second per
 * connection. `paced` uses the client's default pacing; unpaced
 * (`sendRate: false`) shows what the service does with the excess.
 * @public
 */
export async function burst(count: number, paced: boolean, options: OpsOptions = {}): Promise<OpsResult> {
  const started = Date.now();
  const emu = await startEmulator({ limits: { sdpMessagesPerSecondPerConnection: 5, connectsPerSecondPerChannel: 100 } });
  try {
    const crew = new Crew(inProcess(emu), 'hostile');
    const master = crew.add('MASTER');
    const viewer = crew.add('viewer-0', paced ? {} : { sendRate: false });
    await master.connect();
    await viewer.connect();
    const at = Date.now();
    const sends = Array.from({ length: count }, () => crew.send('viewer-0', 'MASTER', 'SDP_OFFER'));
    await within(Promise.all(sends), count * 1000);
    const settled = Date.now() - at;
    // every offer either delivered or reported: time until the last of them was
    const end = Date.now() + 5000;
    const accounted = (): boolean => [...crew.ledger.tracked.values()].every((t) => t.delivered > 0 || t.outcome === 'failed' || t.statusReported);
    while (!accounted() && Date.now() < end) await sleep(20);
    const last = Math.max(...[...crew.ledger.tracked.values()].map((t) => t.deliveredAt ?? 0));
    const recover = accounted() ? Math.max(last, at) - at : Number.NaN;
    const refused = emu.log.frames().filter((f) => f.direction === 'out' && f.text.includes('STATUS_RESPONSE')).length;
    return await crew.finish(
      paced ? 'burst' : 'burst-unpaced',
      `a viewer sends ${count} SDP offers at once to a connected master; quota 5 SDP/s per connection enforced${paced ? ' (client pacing on, the default)' : ' (client pacing off: sendRate false)'}`,
      started,
      recover,
      10_000,
      [`all ${count} sends settled after ${settled} ms; the service refused ${refused} with a STATUS_RESPONSE; time to recover = until the last offer was delivered or reported`],
    );
  } finally {
    await emu.close();
  }
}

/**
 * A channel with its master and 10 viewers (the service's limit); an 11th
 * viewer calls `connect()` and queues an offer. After `waitMs` one viewer
 * leaves; the 11th should then get in and its offer arrive.
 * @public
 */
export async function eleventhViewer(waitMs: number, options: OpsOptions = {}): Promise<OpsResult & { connectAfterWait: string; errorEventsWhileFull: number; reconnectingWhileFull: string[] }> {
  const started = Date.now();
  const emu = await startEmulator({ limits: { connectsPerSecondPerChannel: 100 } });
  try {
    const crew = new Crew(inProcess(emu), 'hostile');
    const master = crew.add('MASTER');
    await master.connect();
    const viewers = Array.from({ length: 10 }, (_, i) => crew.add(`viewer-${i}`));
    await Promise.all(viewers.map((v) => v.connect()));
    const eleventh = crew.add('viewer-10');
    let errors = 0;
    const reconnecting: string[] = [];
    eleventh.on('error', () => errors++);
    eleventh.on('reconnecting', (e) => reconnecting.push(`${e.reason}${e.error ? ` (${e.error.code})` : ''}`));
    let outcome = 'pending';
    const connecting = eleventh.connect().then(
      () => {
        outcome = 'resolved';
      },
      (e: unknown) => {
        outcome = `rejected ${typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : String(e)}`;
      },
    );
    void crew.send('viewer-10', 'MASTER', 'SDP_OFFER');
    await within(connecting, waitMs);
    const connectAfterWait = outcome;
    const errorEventsWhileFull = errors;
    const reconnectingWhileFull = [...reconnecting];
    options.log?.(`11th viewer after ${waitMs} ms: connect() ${outcome}, ${errors} error events, ${reconnecting.length} reconnecting events: ${[...new Set(reconnecting)].join('; ')}`);
    // A slot frees: viewer-0 leaves.
    await viewers[0]?.close();
    crew.clients.delete('viewer-0');
    const freed = Date.now();
    await within(connecting, 15_000);
    // A client that gave up on the full channel (a bounded first connect()) is asked again, as an app
    // would once told, and sends its offer again: the first one was rejected with a typed error.
    let again = '';
    if (outcome.startsWith('rejected')) {
      again = 'pending';
      await within(
        eleventh.connect().then(
          () => (again = 'resolved'),
          (e: unknown) => (again = `rejected ${String((e as { code?: unknown }).code ?? e)}`),
        ),
        15_000,
      );
      void crew.send('viewer-10', 'MASTER', 'SDP_OFFER');
    }
    const end = Date.now() + 15_000;
    const arrived = (): number | undefined => [...crew.ledger.tracked.values()].find((t) => t.from === 'viewer-10' && t.deliveredAt !== undefined)?.deliveredAt;
    while (arrived() === undefined && Date.now() < end) await sleep(20);
    const at = arrived();
    const recover = at !== undefined ? at - freed : Number.NaN;
    const result = await crew.finish(
      'eleventh-viewer',
      `a master and 10 viewers on a channel; an 11th viewer calls connect() and queues an offer; after ${waitMs / 1000} s one viewer leaves`,
      started,
      recover,
      5000,
      [
        `after ${waitMs / 1000} s on the full channel: connect() ${connectAfterWait}, ${errorEventsWhileFull} error events, ${reconnectingWhileFull.length} reconnecting events (${[...new Set(reconnectingWhileFull)].join('; ') || 'none'})`,
        `after the slot freed: ${again === '' ? `the pending connect() ${outcome}` : `connect() called again (the app's move once the first rejected): ${again}, the offer sent again`}; time to recover = until an offer of the 11th viewer reached the master`,
      ],
    );
    if (connectAfterWait === 'pending' && errorEventsWhileFull === 0) result.findings.push(`connect() still pending after ${waitMs / 1000} s on a full channel, with no error event (the cause only in reconnecting events)`);
    return { ...result, connectAfterWait, errorEventsWhileFull, reconnectingWhileFull };
  } finally {
    await emu.close();
  }
}

/**
 * `close()` in every state a client can be in (leak-scenarios' CLOSE_STATES),
 * each with an offer sent to a connected master just before it: the offer
 * must be delivered or its promise rejected, and a pending `connect()` must
 * settle. Time to recover is the slowest `close()`.
 * @public
 */
export async function closeEveryState(): Promise<OpsResult & { states: Array<{ state: string; send: string; connect: string; closeMs: number }> }> {
  const started = Date.now();
  const { emu, arn } = await startLeakEmulator();
  try {
    const crew = new Crew(inProcess(emu), 'leaks');
    const master = crew.add('MASTER');
    await master.connect();
    const states: Array<{ state: string; send: string; connect: string; closeMs: number }> = [];
    let slowest = 0;
    for (const st of CLOSE_STATES) {
      emu.faults.reset();
      emu.faults.setLatency(0);
      const { client, connecting } = await st.drive(emu, arn);
      const name = client.clientId ?? '?';
      crew.clients.set(name, client);
      crew.ledger.attach(client, name);
      const connectOutcome = connecting?.then(
        () => 'resolved',
        (e: unknown) => `rejected ${typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : String(e)}`,
      );
      const { t, settled } = crew.ledger.send(client, name, 'MASTER', 'SDP_OFFER');
      const t0 = Date.now();
      await client.close();
      const closeMs = Date.now() - t0;
      slowest = Math.max(slowest, closeMs);
      await within(settled, 5000);
      const connect = connectOutcome ? ((await within(connectOutcome, 5000)) ? await connectOutcome : 'pending') : 'none';
      await sleep(200);
      states.push({ state: st.name, send: t.outcome === 'failed' ? `rejected ${t.code}` : t.outcome === 'sent' ? (t.delivered > 0 ? 'resolved, delivered' : 'resolved, not delivered (yet)') : 'pending', connect, closeMs });
      crew.clients.delete(name);
    }
    emu.faults.reset();
    emu.faults.setLatency(0);
    const result = await crew.finish(
      'close-every-state',
      `close() in each of ${CLOSE_STATES.length} client states, an offer sent to a connected master just before each close()`,
      started,
      slowest,
      5000,
      states.map((s) => `${s.state}: send ${s.send}; connect() ${s.connect}; close() ${s.closeMs} ms`),
    );
    for (const s of states) if (s.connect === 'pending') result.findings.push(`close() while ${s.state} left connect() pending`);
    return { ...result, states };
  } finally {
    await emu.close();
  }
}

/** Every scenario by name, as `pnpm reliability:hostile <name>` runs it. @public */
export const SCENARIOS: Record<string, { ci: boolean; run: (log: (l: string) => void) => Promise<OpsResult> }> = {
  'freeze-5': { ci: true, run: (log) => freeze(5, { log }) },
  'freeze-20': { ci: false, run: (log) => freeze(20, { log }) },
  'freeze-70': { ci: false, run: (log) => freeze(70, { log }) },
  restart: { ci: true, run: (log) => restart({ log }) },
  rotate: { ci: true, run: (log) => rotate({ log }) },
  'clock+10': { ci: true, run: (log) => clockJump(10, { log }) },
  'clock-10': { ci: true, run: (log) => clockJump(-10, { log }) },
  burst: { ci: true, run: (log) => burst(50, true, { log }) },
  'burst-unpaced': { ci: true, run: (log) => burst(50, false, { log }) },
  'eleventh-viewer': { ci: true, run: (log) => eleventhViewer(20_000, { log }) },
  'close-every-state': { ci: true, run: () => closeEveryState() },
};
