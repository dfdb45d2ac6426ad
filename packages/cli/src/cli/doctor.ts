/**
 * `kvs-sig doctor <channel>`: a preflight of everything a WebRTC session over
 * KVS signaling needs, checked in order, one explained row per check; the exit
 * code names the first check that failed.
 * @packageDocumentation
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ChannelManager, SignalingClient, type RtcIceServer } from '@kvs-sig/client';
import { classifyServiceError, isSignalingError } from '@kvs-sig/core';
import type { Credentials, CredentialsInput } from '@kvs-sig/signer';
import { channelRef, GLOBAL_HELP, parseCommand, parseRole, readCa, resolveCredentials, resolveRegion, type GlobalFlags } from './context';
import { ConfigError, UsageError } from './exit-codes';
import { errorLine, table, tableWidth, withSpinner, writeJson, type CliIo } from './output';

/** The checks, in the order they run and print, with the exit code of each one's failure. @internal */
export const DOCTOR_CHECKS = [
  { check: 'credentials', exitCode: 10, what: 'resolve, are accepted, and do not expire within 5 min' },
  { check: 'clock', exitCode: 11, what: "within 5 min of the service's Date header" },
  { check: 'endpoint', exitCode: 12, what: "the region's control-plane endpoint answers" },
  { check: 'channel', exitCode: 13, what: 'exists and is ACTIVE' },
  { check: 'storage', exitCode: 14, what: 'media storage off for peer-to-peer (on with --ingestion)' },
  { check: 'websocket', exitCode: 15, what: 'the signaling WebSocket opens for the role' },
  { check: 'ice-servers', exitCode: 16, what: 'GetIceServerConfig returns TURN servers' },
  { check: 'turn', exitCode: 17, what: 'a TURN allocation succeeds (a relay candidate)' },
] as const;

/** A check's name. @internal */
export type CheckName = (typeof DOCTOR_CHECKS)[number]['check'];

/** One row of the report. `warn` and `skip` do not fail the run. @internal */
export interface DoctorRow {
  check: CheckName;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

/** @internal */
export const DOCTOR_HELP = `Usage: kvs-sig doctor <name> | --arn <arn> [--role master|viewer] [--client-id <id>] [--ingestion]
                      [--timeout <seconds>] [--json] [--wide]

Checks, in order, what a WebRTC session over this channel needs, and explains
each result in one row:
${DOCTOR_CHECKS.map((c, i) => `  ${i + 1}. ${c.check.padEnd(12)} ${c.what}`).join('\n')}

  --role master|viewer   the role to check (default viewer). Beware: a master
                         connection replaces the channel's running master
  --client-id <id>       the viewer's id (default: a random one)
  --ingestion            the channel is for WebRTC ingestion (media storage on:
                         the master talks to the media server, not to viewers)
  --timeout <seconds>    per network step, and for the TURN allocation (default 10)
  --json                 print the rows as JSON ({ exitCode, checks: [...] })
  --wide                 do not fit the table to the terminal

Exit code: 0 when no check failed (warnings allowed), else the first failure's:
${DOCTOR_CHECKS.map((c) => `  ${c.exitCode}  ${c.check}`).join('\n')}
  2   usage error, 130 interrupted

${GLOBAL_HELP}`;

/** The service refuses signatures more than 5 minutes off its clock. */
const MAX_SKEW_MS = 5 * 60_000;
/** Credentials that expire sooner cannot sign a WebSocket URL valid for its 5 minutes. */
const MIN_VALIDITY_MS = 5 * 60_000;

function errorType(error: unknown): string | undefined {
  const t = (error as { errorType?: unknown })?.errorType;
  return typeof t === 'string' ? t : undefined;
}

function seconds(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  return s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
}

function maskKey(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : '…';
}

/** Rejects after `ms`, or when `signal` aborts. */
function deadline<T>(task: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${seconds(ms)}`)), ms);
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('interrupted'));
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

interface Probe {
  status: number;
  date: string | undefined;
  /** Local time at the middle of the exchange. */
  localMs: number;
  ms: number;
}

/** An unsigned POST to the control plane: any HTTP answer proves reachability; its `Date` gives the service's clock. */
function probe(endpoint: string, ca: string | undefined, timeoutMs: number): Promise<Probe> {
  const url = new URL('/describeSignalingChannel', endpoint);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = send(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs, ...(ca && url.protocol === 'https:' ? { ca } : {}) },
      (res) => {
        res.resume();
        res.on('end', () => {
          const ended = Date.now();
          const date = res.headers.date;
          resolve({ status: res.statusCode ?? 0, date, localMs: (started + ended) / 2, ms: ended - started });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${seconds(timeoutMs)}`)));
    req.on('error', reject);
    req.end('{}');
  });
}

/** Explains a connection failure in the CLI's flags. */
function networkAdvice(error: unknown): string {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|unable to verify/i.test(`${code} ${message}`)) {
    return `the TLS certificate is not trusted (${code || message}); for a private CA pass --ca <file> (PEM)`;
  }
  if (code === 'ECONNREFUSED') return `connection refused (${message.replace(/^connect ECONNREFUSED /, '')}): nothing listens there; check --endpoint`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host does not resolve (${code}); check --region / --endpoint and DNS`;
  return message;
}

/** What the TURN check found for one URI. @internal */
export interface TurnProbeResult {
  url: string;
  relay?: string;
  error?: string;
}

/**
 * Gathers candidates with one werift peer connection per TURN URI, relay
 * only: a relay candidate proves that the allocation succeeded with these
 * credentials.
 * @internal
 */
export async function probeTurn(servers: readonly RtcIceServer[], timeoutMs: number): Promise<TurnProbeResult[]> {
  const { RTCPeerConnection } = await import('werift');
  const uris = servers.flatMap((s) =>
    [s.urls]
      .flat()
      .filter((u) => /^turns?:/i.test(u))
      .map((url) => ({ url, username: s.username, credential: s.credential })),
  );
  return Promise.all(
    uris.map(async ({ url, username, credential }): Promise<TurnProbeResult> => {
      const pc = new RTCPeerConnection({
        iceServers: [{ urls: url, ...(username ? { username } : {}), ...(credential ? { credential: String(credential) } : {}) }],
        iceTransportPolicy: 'relay',
      });
      try {
        const relay = new Promise<string>((resolve) => {
          pc.onIceCandidate.subscribe((c) => {
            const m = / typ relay/.test(c?.candidate ?? '') ? /candidate:\S+ \d+ \S+ \d+ (\S+) (\d+) typ relay/.exec(c!.candidate!) : null;
            if (m) resolve(`${m[1]}:${m[2]}`);
          });
        });
        pc.createDataChannel('kvs-sig-doctor');
        // werift resolves setLocalDescription when gathering ends: do not wait for it.
        const gathering = pc.createOffer().then((offer) => pc.setLocalDescription(offer));
        gathering.catch(() => undefined);
        const found = await Promise.race([
          relay,
          gathering.then(
            () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('gathering ended without a relay candidate')), 200)),
          ),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no relay candidate within ${seconds(timeoutMs)}`)), timeoutMs)),
        ]);
        return { url, relay: found };
      } catch (error) {
        return { url, error: error instanceof Error ? error.message : String(error) };
      } finally {
        await pc.close().catch(() => undefined);
      }
    }),
  );
}

/** `reason: url, url; reason: url`, each URI once (servers often repeat them with other credentials). */
function failures(results: readonly TurnProbeResult[]): string {
  const byReason = new Map<string, Set<string>>();
  for (const r of results) byReason.set(r.error ?? 'failed', (byReason.get(r.error ?? 'failed') ?? new Set()).add(r.url));
  return [...byReason].map(([reason, urls]) => `${reason}: ${[...urls].join(', ')}`).join('; ');
}

/** Options the doctor runs with, from its flags. */
interface DoctorOptions {
  flags: GlobalFlags;
  ref: { channelName: string } | { channelArn: string };
  role: 'MASTER' | 'VIEWER';
  clientId: string | undefined;
  ingestion: boolean;
  timeoutMs: number;
}

/** Runs every check; never throws for a failed check (only for an interruption). @internal */
export async function runDoctor(options: DoctorOptions, io: CliIo, interrupted: AbortSignal): Promise<DoctorRow[]> {
  const { flags, ref, role, clientId, ingestion, timeoutMs } = options;
  const rows = new Map<CheckName, DoctorRow>();
  const set = (check: CheckName, status: DoctorRow['status'], detail: string, overwrite = true) => {
    if (!overwrite && rows.has(check)) return;
    rows.set(check, { check, status, detail });
  };
  const failed = (check: CheckName) => rows.get(check)?.status === 'fail';
  const skipRest = (from: CheckName, because: string) => {
    for (const { check } of DOCTOR_CHECKS.slice(DOCTOR_CHECKS.findIndex((c) => c.check === from))) set(check, 'skip', because, false);
  };
  const finish = () => DOCTOR_CHECKS.map(({ check }) => rows.get(check) ?? { check, status: 'skip' as const, detail: 'not run' });
  const step = <T>(what: string, task: Promise<T>) => deadline(task, timeoutMs, what, interrupted);

  // 1. credentials, locally: they resolve and do not expire soon.
  let credentials: Credentials | undefined;
  let provider: CredentialsInput | undefined;
  try {
    provider = await resolveCredentials(flags);
    credentials = await step('the credential chain', (provider as () => Promise<Credentials>)());
  } catch (error) {
    if (interrupted.aborted) throw error;
    set('credentials', 'fail', `none found (${errorLine(error)}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile, or sign in (aws sso login)`);
  }
  if (credentials) {
    const id = `access key ${maskKey(credentials.accessKeyId)}${credentials.sessionToken ? ' with a session token' : ''}`;
    const expiration = credentials.expiration === undefined ? undefined : new Date(credentials.expiration).getTime();
    if (expiration !== undefined && expiration - Date.now() < MIN_VALIDITY_MS) {
      set(
        'credentials',
        'fail',
        expiration <= Date.now()
          ? `${id} expired ${seconds(Date.now() - expiration)} ago (${new Date(expiration).toISOString()}): refresh them`
          : `${id} expire in ${seconds(expiration - Date.now())}, under 5 min: refresh them`,
      );
    } else {
      set('credentials', 'ok', `${id}, ${expiration === undefined ? 'no expiry' : `valid for ${seconds(expiration - Date.now())} more`}`);
    }
  }

  // 3 (run before 2, which needs its reply). Region and endpoint.
  let region: string | undefined;
  try {
    region = resolveRegion(flags, io);
  } catch (error) {
    set('endpoint', 'fail', errorLine(error));
  }
  let manager: ChannelManager | undefined;
  let ca: string | undefined;
  if (region) {
    try {
      ca = await readCa(flags);
      manager = new ChannelManager({
        region,
        credentials: provider ?? (async () => Promise.reject(new ConfigError('no credentials'))),
        ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        ...(ca ? { tls: { ca } } : {}),
        ...(flags['allow-insecure'] ? { allowInsecureEndpoints: true } : {}),
        timeouts: { requestMs: timeoutMs },
      });
    } catch (error) {
      set('endpoint', 'fail', errorLine(error));
    }
  }
  let reply: Probe | undefined;
  if (manager) {
    try {
      reply = await probe(manager.controlPlaneEndpoint, ca, timeoutMs);
      set('endpoint', 'ok', `${region} ${manager.controlPlaneEndpoint} answered in ${reply.ms} ms`);
    } catch (error) {
      if (interrupted.aborted) throw error;
      set('endpoint', 'fail', `${manager.controlPlaneEndpoint}: ${networkAdvice(error)}`);
    }
  }

  // 2. clock skew against the reply's Date (one-second resolution).
  if (!reply) set('clock', 'skip', 'needs an answer from the endpoint');
  else if (!reply.date || Number.isNaN(Date.parse(reply.date))) set('clock', 'warn', `the endpoint's reply (HTTP ${reply.status}) has no Date header`);
  else {
    const skew = Date.parse(reply.date) + 500 - reply.localMs;
    const side = skew > 0 ? 'behind' : 'ahead of';
    if (Math.abs(skew) > MAX_SKEW_MS) {
      set('clock', 'fail', `this clock is ${seconds(skew)} ${side} the service's: signatures over 5 min off are refused (kvs-sig corrects it, other SDKs may not); sync the clock (NTP)`);
    } else if (Math.abs(skew) > 60_000) {
      set('clock', 'warn', `this clock is ${seconds(skew)} ${side} the service's (under the 5 min limit; sync it with NTP)`);
    } else {
      set('clock', 'ok', `within ${Math.abs(skew) < 2000 ? '2 s' : seconds(skew)} of the service's Date`);
    }
  }
  if (!manager || !reply) {
    skipRest('channel', 'needs a reachable endpoint');
    return finish();
  }
  if (failed('credentials')) {
    skipRest('channel', 'needs credentials');
    await manager.close();
    return finish();
  }

  const client: { current?: SignalingClient } = {};
  try {
    // 4. channel: the first signed call, so it also has the service's verdict on the credentials.
    let channelArn: string;
    try {
      const info = await step('DescribeSignalingChannel', manager.describeChannel(ref));
      channelArn = info.channelArn ?? '';
      const label = `${info.channelName ?? ''} (${info.channelType ?? 'type unknown'})`;
      if (info.channelStatus === 'ACTIVE') set('channel', 'ok', `${label} is ACTIVE`);
      else set('channel', 'fail', `${label} is ${info.channelStatus ?? 'of unknown status'}, not ACTIVE: wait for it, or create it again`);
    } catch (error) {
      if (interrupted.aborted) throw error;
      const type = errorType(error);
      const text = errorLine(error);
      const name = 'channelName' in ref ? ref.channelName : ref.channelArn;
      // Core's one table (classifyServiceError) says what kind of refusal this is.
      const cls = isSignalingError(error) ? (error.code === 'CLOCK_SKEW' ? 'clock-skew' : classifyServiceError({ errorType: type, message: text })) : classifyServiceError({ message: text });
      if (type === 'ResourceNotFoundException') set('channel', 'fail', `${name} does not exist in ${region}: create it (kvs-sig channel create ${name}) or check --region`);
      else if (cls === 'clock-skew') set('clock', 'fail', `the service refused the signature's time: ${text}`);
      else if (cls === 'credentials') set('credentials', 'fail', `the service refused them: ${text}`);
      else if (type === 'AccessDeniedException') set('channel', 'fail', `not allowed to describe it (${text}): grant kinesisvideo:DescribeSignalingChannel`);
      else set('channel', 'fail', text);
      skipRest('channel', 'needs the channel');
      return finish();
    }
    if (failed('channel')) {
      skipRest('storage', 'needs an ACTIVE channel');
      return finish();
    }

    // 5. media storage mode.
    try {
      const storage = await step('DescribeMediaStorageConfiguration', manager.describeMediaStorageConfiguration({ channelArn }));
      const on = storage.status === 'ENABLED';
      if (on && !ingestion) {
        set(
          'storage',
          'fail',
          role === 'MASTER'
            ? `media storage is ENABLED (ingestion into ${storage.streamArn ?? 'a stream'}): the master talks to the media server (JoinStorageSession), not to viewers; disable it for peer-to-peer, or pass --ingestion`
            : 'media storage is ENABLED (ingestion): the master talks to the media server, not to viewers; a viewer joins through JoinStorageSessionAsViewer; disable it for peer-to-peer, or pass --ingestion',
        );
      } else if (!on && ingestion) {
        set('storage', 'fail', `media storage is ${storage.status ?? 'DISABLED'}: WebRTC ingestion needs it ENABLED with a stream (UpdateMediaStorageConfiguration)`);
      } else {
        set('storage', 'ok', on ? `ENABLED into ${storage.streamArn ?? 'a stream'}: the master joins the storage session` : 'DISABLED: master and viewers talk peer-to-peer');
      }
    } catch (error) {
      if (interrupted.aborted) throw error;
      set('storage', 'warn', `could not read it (${errorLine(error)}); peer-to-peer needs it DISABLED`);
    }

    // 6. the WebSocket upgrade for the role.
    const started = Date.now();
    try {
      client.current = new SignalingClient({
        region: region!,
        credentials: provider!,
        channelArn,
        role,
        ...(clientId ? { clientId } : {}),
        ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
        ...(ca ? { tls: { ca } } : {}),
        ...(flags['allow-insecure'] ? { allowInsecureEndpoints: true } : {}),
        reconnect: false,
        joinStorageSession: false,
        timeouts: { requestMs: timeoutMs, handshakeMs: timeoutMs },
      });
      client.current.on('error', () => undefined);
      await step('the WebSocket', client.current.connect({ signal: interrupted }));
      set('websocket', 'ok', `connected as ${role}${clientId ? ` ${clientId}` : ''} in ${Date.now() - started} ms`);
    } catch (error) {
      if (interrupted.aborted) throw error;
      set('websocket', 'fail', `${role} could not connect: ${errorLine(error)}`);
    } finally {
      await client.current?.close();
    }

    // 7. ICE servers.
    let servers: RtcIceServer[];
    try {
      servers = await step('GetIceServerConfig', manager.getIceServers({ channelArn, role, ...(clientId ? { clientId } : {}) }));
    } catch (error) {
      if (interrupted.aborted) throw error;
      set('ice-servers', 'fail', errorLine(error));
      skipRest('turn', 'needs ICE servers');
      return finish();
    }
    const urls = servers.flatMap((s) => [s.urls].flat());
    const turnUrls = urls.filter((u) => /^turns?:/i.test(u));
    const stunCount = urls.length - turnUrls.length;
    if (turnUrls.length === 0) {
      set('ice-servers', 'warn', `${stunCount} STUN and no TURN server: peers behind symmetric NATs or firewalls cannot connect`);
      set('turn', 'skip', 'no TURN server to try');
      return finish();
    }
    set('ice-servers', 'ok', `${stunCount} STUN, ${turnUrls.length} TURN URIs in ${servers.length - (stunCount > 0 ? 1 : 0)} servers`);

    // 8. a real TURN allocation.
    const results = await probeTurn(servers, timeoutMs);
    const good = results.filter((r) => r.relay);
    const bad = results.filter((r) => !r.relay);
    if (good.length === 0) {
      set('turn', 'fail', `no relay candidate from any of ${results.length} URIs (${failures(bad)}): check that UDP/TCP to the TURN servers is allowed`);
    } else {
      const first = good[0]!;
      set(
        'turn',
        bad.length ? 'warn' : 'ok',
        `relay ${first.relay} via ${first.url}${good.length > 1 ? ` (+${good.length - 1} more)` : ''}${bad.length ? `; none from ${failures(bad)}` : ''}`,
      );
    }
    return finish();
  } finally {
    await manager.close();
  }
}

/** The exit code of a report: the first failed check's, else 0. @internal */
export function doctorExitCode(rows: readonly DoctorRow[]): number {
  const first = rows.find((r) => r.status === 'fail');
  return first ? DOCTOR_CHECKS.find((c) => c.check === first.check)!.exitCode : 0;
}

/** `kvs-sig doctor` @internal */
export async function doctorCommand(args: string[], io: CliIo, interrupted: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    arn: { type: 'string' },
    role: { type: 'string' },
    'client-id': { type: 'string' },
    ingestion: { type: 'boolean', default: false },
    timeout: { type: 'string' },
    wide: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(`${DOCTOR_HELP}\n`);
    return 0;
  }
  const ref = channelRef(positionals, values.arn, 'doctor');
  let clientId = values['client-id'] as string | undefined;
  const role = parseRole(values.role, 'VIEWER');
  if (role === 'MASTER' && clientId) throw new UsageError('doctor: --client-id is for viewers; a master has none');
  if (role === 'VIEWER') clientId ??= `kvs-sig-doctor-${Math.random().toString(36).slice(2, 10)}`;
  let timeoutMs = 10_000;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!(s > 0 && s <= 300)) throw new UsageError(`--timeout must be 0-300 seconds, got ${JSON.stringify(values.timeout)}`);
    timeoutMs = s * 1000;
  }
  const rows = await withSpinner(io, 'checking', !values.json, () =>
    runDoctor({ flags: values, ref, role, clientId, ingestion: values.ingestion === true, timeoutMs }, io, interrupted),
  );
  const exitCode = doctorExitCode(rows);
  if (values.json) {
    writeJson(io, { exitCode, checks: rows });
  } else {
    const mark = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: '-' } as const;
    io.stdout.write(
      table(
        ['', 'CHECK', 'RESULT'],
        rows.map((r) => [mark[r.status], r.check, r.detail]),
        { width: tableWidth(io, values.wide === true), overflow: ['truncate', 'truncate', 'wrap'] },
      ),
    );
    const first = rows.find((r) => r.status === 'fail');
    io.stdout.write(first ? `\n${first.check} failed (exit ${exitCode}).\n` : '\nEvery check passed.\n');
  }
  return exitCode;
}
