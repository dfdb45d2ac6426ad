import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIPv6, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import {
  MAX_ICE_SERVER_TTL_SECONDS,
  MAX_WSS_MESSAGE_PAYLOAD_LENGTH,
  MIN_ICE_SERVER_TTL_SECONDS,
  ServiceError,
  ValidationError,
} from '@kvs-sig/core';
import { WebSocketServer } from 'ws';
import { handleAdmin, type AdminTarget } from './admin';
import { authenticateHttp, authenticateWss, type AuthSettings } from './auth';
import { awsError, errorBody, rawMessage } from './aws-errors';
import { ChannelStore, randomAlnum } from './channels';
import { loadWerift, MediaServer } from './media-server';
import { HANDLERS, ROUTES, STORAGE_OPERATIONS, type OperationContext } from './operations';
import { SignalingHub } from './signaling';
import { Clock, FaultState, INTERNAL_FAILURE, Log, THROTTLED, isOperation } from './state';
import { generateCertificates } from './tls';
import type {
  AdvertisedEndpoints,
  ConnectionFilter,
  Emulator,
  EmulatorCredentials,
  EmulatorFaults,
  EmulatorLimits,
  EmulatorOptions,
  InjectedError,
  Operation,
  RequestRecord,
} from './types';
import { CHANNEL_ARN, checkClientId, requireString } from './validate';

/** The service's limits, used unless options shorten them. @public */
export const DEFAULT_LIMITS: Readonly<EmulatorLimits> = Object.freeze({
  maxViewersPerChannel: 10,
  connectsPerSecondPerChannel: 3,
  idleTimeoutMs: 600_000,
  maxConnectionMs: 3_600_000,
  goAwayGraceMs: 60_000,
  iceServerTtlSeconds: 300,
  maxPayloadLength: MAX_WSS_MESSAGE_PAYLOAD_LENGTH,
  maxClockSkewMs: 300_000,
  maxChannels: 10_000,
  alexaAnswerTimeoutMs: 5_000,
  maxLogRecords: 50_000,
  sdpMessagesPerSecondPerConnection: Number.POSITIVE_INFINITY,
  iceCandidatesPerSecondPerConnection: Number.POSITIVE_INFINITY,
  maxHeldMessagesPerRecipient: 256,
  maxHeldMessagesPerChannel: 2048,
});

/** Largest request body accepted (the service's requests are a few KB). */
const MAX_BODY_BYTES = 1024 * 1024;
/** Largest WebSocket frame accepted before the socket is closed with 1009 (the WebSocket front end's limit). */
const MAX_FRAME_BYTES = 128 * 1024;
/** Pongs a socket may have waiting to be written before it is terminated (ws's default). */
const MAX_PENDING_PONGS = 60;

/** Limits the service's models bound; outside them clients would (rightly) refuse the replies. */
const LIMIT_RANGES: Readonly<Record<string, [number, number, string]>> = {
  iceServerTtlSeconds: [MIN_ICE_SERVER_TTL_SECONDS, MAX_ICE_SERVER_TTL_SECONDS, 'the model\'s Ttl range'],
  maxPayloadLength: [1, MAX_WSS_MESSAGE_PAYLOAD_LENGTH, 'core\'s parser enforces the service limit'],
};

/** Limits that count messages: a fraction would make the bound ambiguous. */
const INTEGER_LIMITS: ReadonlySet<string> = new Set(['maxHeldMessagesPerRecipient', 'maxHeldMessagesPerChannel']);

function invalidOption(field: string, message: string): ValidationError {
  return new ValidationError(field, message, 'INVALID_CONFIGURATION');
}

function checkLimits(partial: Partial<EmulatorLimits> | undefined): EmulatorLimits {
  const limits: EmulatorLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw invalidOption(`limits.${key}`, 'is not a known limit');
    if (value === undefined) continue;
    const unbounded = key.endsWith('PerSecondPerConnection') && value === Number.POSITIVE_INFINITY;
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (!Number.isFinite(value) && !unbounded)) {
      throw invalidOption(`limits.${key}`, `must be a positive number, got ${String(value)}`);
    }
    if (INTEGER_LIMITS.has(key) && !Number.isInteger(value)) throw invalidOption(`limits.${key}`, `must be a positive integer, got ${value}`);
    const range = LIMIT_RANGES[key];
    if (range && (value < range[0] || value > range[1])) {
      throw invalidOption(`limits.${key}`, `must be in ${range[0]}..${range[1]} (${range[2]}), got ${value}`);
    }
    (limits as unknown as Record<string, number>)[key] = value;
  }
  return limits;
}

function randomCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomAlnum(16).toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

function checkOneCredentials(c: unknown, field: string): EmulatorCredentials {
  if (typeof c !== 'object' || c === null) throw invalidOption(field, 'must be an object');
  const k = c as Partial<EmulatorCredentials>;
  if (typeof k.accessKeyId !== 'string' || k.accessKeyId === '') throw invalidOption(`${field}.accessKeyId`, 'must be a non-empty string');
  if (typeof k.secretAccessKey !== 'string' || k.secretAccessKey === '') throw invalidOption(`${field}.secretAccessKey`, 'must be a non-empty string');
  if (k.sessionToken !== undefined && (typeof k.sessionToken !== 'string' || k.sessionToken === '')) {
    throw invalidOption(`${field}.sessionToken`, 'must be a non-empty string when given');
  }
  if (k.expiration !== undefined && (!(k.expiration instanceof Date) || Number.isNaN(k.expiration.getTime()))) {
    throw invalidOption(`${field}.expiration`, 'must be a valid Date when given');
  }
  return {
    accessKeyId: k.accessKeyId,
    secretAccessKey: k.secretAccessKey,
    ...(k.sessionToken !== undefined ? { sessionToken: k.sessionToken } : {}),
    ...(k.expiration !== undefined ? { expiration: new Date(k.expiration.getTime()) } : {}),
  };
}

function checkCredentials(c: EmulatorCredentials | EmulatorCredentials[], field = 'credentials'): EmulatorCredentials[] {
  const list = Array.isArray(c) ? c.map((one, i) => checkOneCredentials(one, `${field}[${i}]`)) : [checkOneCredentials(c, field)];
  if (list.length === 0) throw invalidOption(field, 'must hold at least one set of credentials');
  return list;
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

/** Bodies past this are not even drained: the socket is cut (protects the emulator, not a service rule). */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the request body. Past {@link MAX_BODY_BYTES} the rest is drained and
 * dropped, so the 413 reply can still be written and read (cutting the socket
 * first would leave the caller with a bare connection reset).
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        reject(awsError('SerializationException', `The request body is larger than ${MAX_BODY_BYTES} bytes`, 413));
        return;
      }
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(awsError('SerializationException', `The request body is larger than ${MAX_BODY_BYTES} bytes`, 413));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    // The caller hung up mid-body: nothing to answer, and not a bug of ours.
    req.on('error', () => reject(new CallerAborted()));
  });
}

/** A request whose caller went away before its body arrived. @internal */
class CallerAborted extends Error {}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-amzn-RequestId, x-amzn-ErrorType, Date',
};

/**
 * Starts a local KVS signaling service: control plane, HTTPS signaling
 * (GetIceServerConfig, SendAlexaOfferToMaster), WEBRTC storage endpoint and
 * the WebSocket endpoint, all on one port, with SigV4 checks on every
 * request and handshake, and fault injection.
 *
 * @throws ValidationError `INVALID_CONFIGURATION` naming the bad option;
 *   Error when the port cannot be bound.
 * @public
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'must be an object');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw invalidOption('host', 'must be a non-empty string');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw invalidOption('port', `must be an integer in 0..65535, got ${String(port)}`);
  const region = options.region ?? 'us-west-2';
  if (typeof region !== 'string' || !/^[a-z0-9-]{1,64}$/.test(region)) throw invalidOption('region', `must look like us-west-2, got ${String(region)}`);
  const accountId = options.accountId ?? String(randomInt(100_000_000_000, 999_999_999_999));
  if (!/^\d{12}$/.test(accountId)) throw invalidOption('accountId', 'must be 12 digits');
  const credentials = checkCredentials(options.credentials ?? randomCredentials());
  const limits = checkLimits(options.limits);
  if (options.turn !== undefined) {
    const t = options.turn;
    if (!Array.isArray(t.urls) || t.urls.length === 0 || t.urls.some((u) => typeof u !== 'string' || !/^turns?:/.test(u))) {
      throw invalidOption('turn.urls', 'must be a non-empty list of turn:/turns: URIs');
    }
    if (typeof t.secret !== 'string' || t.secret === '') throw invalidOption('turn.secret', 'must be a non-empty string');
  }
  const mediaServerMode = options.mediaServer ?? 'auto';
  if (mediaServerMode !== 'auto' && mediaServerMode !== 'webrtc' && mediaServerMode !== 'offer-only') {
    throw invalidOption('mediaServer', `must be 'auto', 'webrtc' or 'offer-only', got ${String(mediaServerMode)}`);
  }
  if (mediaServerMode === 'webrtc' && !(await loadWerift())) {
    throw invalidOption('mediaServer', "is 'webrtc' but werift is not installed (npm install -D werift), or use 'offer-only'");
  }
  const iceServerCount = options.iceServerCount ?? (options.turn !== undefined ? 1 : 2);
  if (typeof iceServerCount !== 'number' || !Number.isInteger(iceServerCount) || iceServerCount < 0) {
    throw invalidOption('iceServerCount', `must be a non-negative integer, got ${String(iceServerCount)}`);
  }
  const logger = options.logger ?? (() => {});
  const tlsOption = options.tls ?? true;
  const advertised = checkAdvertised(options.advertisedEndpoints, tlsOption !== false);

  const clock = new Clock();
  const log = new Log(limits.maxLogRecords);
  const faults = new FaultState();
  if (options.faults?.latencyMs !== undefined) faults.latencyMs = nonNegative('faults.latencyMs', options.faults.latencyMs);
  if (options.faults?.clockOffsetMs !== undefined) clock.offsetMs = finite('faults.clockOffsetMs', options.faults.clockOffsetMs);

  let tempDir: string | undefined;
  let tlsMaterial: { cert: string; key: string; ca: string | undefined } | undefined;
  let caPath: string | undefined;
  if (tlsOption === true) {
    // Listening on every interface: name every local address in the certificate so LAN peers can verify it.
    const names = host === '0.0.0.0' || host === '::' ? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)) : [host];
    const generated = await generateCertificates(names);
    tempDir = generated.dir;
    tlsMaterial = { cert: generated.cert, key: generated.key, ca: generated.ca };
    caPath = generated.caPath;
  } else if (typeof tlsOption === 'object' && tlsOption !== null) {
    if (typeof tlsOption.cert !== 'string' || typeof tlsOption.key !== 'string') throw invalidOption('tls', 'needs cert and key PEM strings');
    tlsMaterial = { cert: tlsOption.cert, key: tlsOption.key, ca: tlsOption.ca };
    if (tlsOption.ca !== undefined) {
      tempDir = await mkdtemp(join(tmpdir(), 'kvs-sig-emulator-'));
      caPath = join(tempDir, 'ca.pem');
      await writeFile(caPath, tlsOption.ca);
    }
  } else if (tlsOption !== false) {
    throw invalidOption('tls', 'must be a boolean or { cert, key, ca? }');
  }

  const auth: AuthSettings = { credentials, region, maxClockSkewMs: limits.maxClockSkewMs };
  const publicCredentials = (): EmulatorCredentials => ({ ...auth.credentials[0]! });
  const store = new ChannelStore(region, accountId);
  const hub = new SignalingHub({ limits, clock, log, logger });
  const mediaServer = new MediaServer(mediaServerMode, { toMaster: (...a) => hub.sendToMaster(...a), logger });
  hub.mediaServer = mediaServer;
  const sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const entry = {
            timer: setTimeout(() => {
              sleeps.delete(entry);
              resolve();
            }, ms),
            resolve,
          };
          sleeps.add(entry);
        });

  // Pings are answered with pongs (ws's autoPong), but a socket with more than
  // MAX_PENDING_PONGS pongs not yet written is terminated (1006), as ws does by default:
  // set here so the documented behaviour does not move with ws. The service's own bound,
  // if any, is not published (README, "Where the emulator had to choose").
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    clientTracking: false,
    autoPong: true,
    // Not in @types/ws yet (ws >= 8.18 reads it).
    ...({ maxPendingAutoPongs: MAX_PENDING_PONGS } as object),
  });
  const server = tlsMaterial
    ? https.createServer({ cert: tlsMaterial.cert, key: tlsMaterial.key })
    : http.createServer();
  const scheme = tlsMaterial ? 'https' : 'http';
  const wsScheme = tlsMaterial ? 'wss' : 'ws';

  // Filled in once listening, when the port is known.
  const ctx: OperationContext = {
    store,
    hub,
    mediaServer,
    clock,
    limits,
    httpOrigin: '',
    wsOrigin: '',
    advertised: { HTTPS: '', WSS: '', WEBRTC: '' },
    turn: options.turn,
    iceServerCount,
    iceSecret: randomBytes(32),
  };

  const record = (entry: Omit<RequestRecord, 'durationMs' | 'status'>, started: number, status: number) => {
    const durationMs = performance.now() - started;
    log.addRequest({ ...entry, status, durationMs });
    logger(
      `${entry.operation} ${status}${entry.errorType ? ` ${entry.errorType}` : ''} ${durationMs.toFixed(1)}ms${entry.channelArn ? ` ${entry.channelArn}` : ''}`,
    );
  };

  const writeReply = (res: http.ServerResponse, status: number, requestId: string, body: string | undefined, errorType?: string) => {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | number> = {
      ...CORS_HEADERS,
      date: new Date(clock.now()).toUTCString(),
      'x-amzn-requestid': requestId,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body ?? ''),
    };
    if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
    res.writeHead(status, headers);
    res.end(body ?? '');
  };

  const toServiceError = (err: unknown, what: string): ServiceError => {
    if (err instanceof ServiceError) return err;
    // A bug in a handler must not take the server down; answer like the service's 5xx.
    logger(`${what}: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return awsError(INTERNAL_FAILURE.errorType, INTERNAL_FAILURE.message, INTERNAL_FAILURE.status);
  };

  const injected = (operation: Operation): ServiceError | undefined => {
    const e = faults.takeFailure(operation);
    return e ? awsError(e.errorType, e.message, e.status) : undefined;
  };

  const handleRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = performance.now();
    const time = clock.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (url.pathname.startsWith('/_emulator/')) {
      await handleAdmin(req, res, url, adminTarget);
      return;
    }
    if (req.method === 'OPTIONS') {
      // CORS preflight: browsers send it unsigned before every cross-origin POST.
      if (!closed) {
        const h = req.headers;
        log.addPreflight({
          path: url.pathname,
          time,
          ...(typeof h.origin === 'string' ? { origin: h.origin } : {}),
          ...(typeof h['access-control-request-method'] === 'string' ? { requestMethod: h['access-control-request-method'] } : {}),
          ...(typeof h['access-control-request-headers'] === 'string' ? { requestHeaders: h['access-control-request-headers'] } : {}),
        });
      }
      res.writeHead(204, {
        ...CORS_HEADERS,
        'access-control-allow-methods': 'POST, GET, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
        date: new Date(clock.now()).toUTCString(),
      });
      res.end();
      return;
    }
    const operation = ROUTES[url.pathname];
    const entry: Omit<RequestRecord, 'durationMs' | 'status'> = { operation: operation ?? 'Unknown', time, requestId };
    let status = 200;
    try {
      const body = await readBody(req);
      await sleep(faults.latencyFor(operation));
      if (closed) return;
      if (!operation || req.method !== 'POST' || url.search !== '') {
        throw awsError('UnknownOperationException', `No operation at ${req.method ?? '?'} ${url.pathname}`);
      }
      const authError = await authenticateHttp(
        { method: 'POST', url: `${scheme}://${req.headers.host ?? ''}${req.url ?? '/'}`, headers: flattenHeaders(req.headers), body },
        auth,
        clock.now(),
      );
      if (authError) throw authError;
      const fault = injected(operation);
      if (fault) throw fault;
      let json: unknown = {};
      if (body.trim() !== '') {
        try {
          json = JSON.parse(body);
        } catch {
          throw awsError('SerializationException', 'The request body is not valid JSON');
        }
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw awsError('SerializationException', 'The request body must be a JSON object');
      }
      const handler = HANDLERS[operation];
      if (!handler) throw awsError('UnknownOperationException', `${operation} is not served over HTTP`);
      const result = await handler(json as Record<string, unknown>, ctx);
      if (result.channelArn !== undefined) entry.channelArn = result.channelArn;
      writeReply(res, 200, requestId, result.body === undefined ? '' : JSON.stringify(result.body));
    } catch (err) {
      if (err instanceof CallerAborted) {
        // Recorded with status 0: no reply was sent (the socket is gone).
        status = 0;
        entry.errorType = 'CallerAborted';
        return;
      }
      const e = toServiceError(err, entry.operation);
      status = e.httpStatus;
      entry.errorType = e.errorType;
      writeReply(res, e.httpStatus, requestId, errorBody(e, operation !== undefined && STORAGE_OPERATIONS.has(operation)), e.errorType);
    } finally {
      if (!closed) record(entry, started, status);
    }
  };

  const refuseUpgrade = (socket: Duplex, err: ServiceError, requestId: string) => {
    if (socket.destroyed) return;
    const body = JSON.stringify({ message: rawMessage(err) });
    const reason = http.STATUS_CODES[err.httpStatus] ?? 'Error';
    socket.end(
      `HTTP/1.1 ${err.httpStatus} ${reason}\r\n` +
        `Date: ${new Date(clock.now()).toUTCString()}\r\n` +
        `x-amzn-RequestId: ${requestId}\r\n` +
        `x-amzn-ErrorType: ${err.errorType}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  };

  const handleUpgrade = async (req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', (err) => logger(`handshake socket error: ${err.message}`));
    const started = performance.now();
    const time = clock.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const clientId = url.searchParams.get('X-Amz-ClientId');
    // The WSS endpoint is the same for both roles here; the query tells them apart, as the API does
    // (ConnectAsViewer is the one that takes X-Amz-ClientId).
    const role = clientId === null ? 'MASTER' : 'VIEWER';
    const operation: Operation = role === 'MASTER' ? 'ConnectAsMaster' : 'ConnectAsViewer';
    const entry: Omit<RequestRecord, 'durationMs' | 'status'> = { operation, time, requestId };
    try {
      await sleep(faults.latencyFor(operation));
      if (closed) {
        socket.destroy();
        return;
      }
      if (url.pathname !== '/') throw awsError('UnknownOperationException', `No WebSocket endpoint at ${url.pathname}`);
      const authError = await authenticateWss(`${wsScheme}://${req.headers.host ?? ''}${req.url ?? '/'}`, req.headers.host ?? '', auth, clock.now());
      if (authError) throw authError;
      const refusal = faults.takeRefusal(role);
      if (refusal) throw awsError(refusal.errorType, `Handshake refused (injected ${refusal.errorType})`, refusal.status);
      const fault = injected(operation);
      if (fault) throw fault;
      const arn = url.searchParams.get('X-Amz-ChannelARN');
      if (arn === null || arn === '') throw awsError('InvalidArgumentException', 'X-Amz-ChannelARN is required');
      requireString({ 'X-Amz-ChannelARN': arn }, 'X-Amz-ChannelARN', CHANNEL_ARN);
      if (clientId !== null) checkClientId('X-Amz-ClientId', clientId);
      const channel = store.getByArn(arn);
      if (!channel) throw awsError('ResourceNotFoundException', 'The requested channel is not found or not active.');
      entry.channelArn = channel.arn;
      const limitError = hub.admit(channel, role, clientId ?? undefined);
      if (limitError) throw limitError;
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (closed) {
          ws.terminate();
          return;
        }
        hub.attach(ws, channel, role, clientId ?? undefined);
        record(entry, started, 101);
      });
    } catch (err) {
      const e = toServiceError(err, operation);
      entry.errorType = e.errorType;
      refuseUpgrade(socket, e, requestId);
      if (!closed) record(entry, started, e.httpStatus);
    }
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    handleRequest(req, res).catch((err: unknown) => {
      logger(`request handler failed: ${String(err)}`);
      if (!res.headersSent) res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(req, socket, head).catch((err: unknown) => {
      logger(`upgrade handler failed: ${String(err)}`);
      socket.destroy();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    logger(`client error: ${err.code ?? ''} ${err.message}`);
    // Answer unparseable HTTP with a status, as the service's front end does, unless the peer is gone.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ message: status === 431 ? 'Request headers are too large' : 'Malformed HTTP request' });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
        `Date: ${new Date(clock.now()).toUTCString()}\r\n` +
        `x-amzn-RequestId: ${randomUUID()}\r\n` +
        'x-amzn-ErrorType: SerializationException\r\n' +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
  if (tlsMaterial) server.on('tlsClientError', (err) => logger(`TLS client error: ${err.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  });
  server.on('error', (err) => logger(`server error: ${err.message}`));
  const bound = server.address() as AddressInfo;
  const publicHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const authority = isIPv6(publicHost) ? `[${publicHost}]:${bound.port}` : `${publicHost}:${bound.port}`;
  ctx.httpOrigin = `${scheme}://${authority}`;
  ctx.wsOrigin = `${wsScheme}://${authority}`;
  ctx.advertised = { HTTPS: advertised.https ?? ctx.httpOrigin, WSS: advertised.wss ?? ctx.wsOrigin, WEBRTC: advertised.webrtc ?? ctx.httpOrigin };

  const faultApi: EmulatorFaults = {
    setLatency(ms, operations) {
      nonNegative('ms', ms);
      if (operations === undefined) {
        faults.latencyMs = ms;
        return;
      }
      for (const op of operations) faults.latencyByOperation.set(checkOperation(op), ms);
    },
    failNext(operation, count, error) {
      faults.queueFailure(checkOperation(operation), checkCount(count), { ...INTERNAL_FAILURE, ...stripUndefined(error) });
    },
    throttleNext(operation, count) {
      faults.queueFailure(checkOperation(operation), checkCount(count), THROTTLED);
    },
    refuseHandshake(count, opts = {}) {
      if (opts.role !== undefined && opts.role !== 'MASTER' && opts.role !== 'VIEWER') throw invalidOption('role', 'must be MASTER or VIEWER');
      faults.queueRefusal(checkCount(count), opts.status ?? INTERNAL_FAILURE.status, opts.errorType ?? INTERNAL_FAILURE.errorType, opts.role);
    },
    dropConnections: (filter?: ConnectionFilter) => hub.dropConnections(filter),
    goAway: (filter?: ConnectionFilter) => hub.goAway(filter),
    reconnectIceServer: (filter?: ConnectionFilter) => hub.reconnectIceServer(filter),
    setClockOffset(ms) {
      clock.offsetMs = finite('ms', ms);
    },
    dropStorageOffers(count) {
      mediaServer.offersToDrop = checkCount(count);
    },
    reset() {
      faults.reset();
      clock.offsetMs = 0;
      mediaServer.offersToDrop = 0;
    },
  };

  const emulator: Emulator = {
    controlPlaneEndpoint: ctx.httpOrigin,
    region,
    credentials: publicCredentials(),
    accountId,
    ca: tlsMaterial?.ca,
    caPath,
    faults: faultApi,
    log,
    connections: (filter?: ConnectionFilter) => hub.connections(filter),
    storageSessions: () => mediaServer.sessions(),
    setCredentials(next) {
      auth.credentials = checkCredentials(next);
      emulator.credentials = publicCredentials();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sleeps) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleeps.clear();
      hub.closeAll();
      await mediaServer.close();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };

  const adminTarget: AdminTarget = { emulator, hubConnections: (f) => hub.connections(f) };
  return emulator;
}

function checkAdvertised(value: unknown, tls: boolean): AdvertisedEndpoints {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw invalidOption('advertisedEndpoints', 'must be an object');
  const schemes: Record<keyof AdvertisedEndpoints, string> = { https: tls ? 'https:' : 'http:', wss: tls ? 'wss:' : 'ws:', webrtc: tls ? 'https:' : 'http:' };
  const out: AdvertisedEndpoints = {};
  for (const [key, raw] of Object.entries(value)) {
    const field = `advertisedEndpoints.${key}`;
    if (!(key in schemes)) throw invalidOption(field, 'is not a protocol (https, wss, webrtc)');
    if (raw === undefined) continue;
    const scheme = schemes[key as keyof AdvertisedEndpoints];
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      throw invalidOption(field, `must be an origin like ${scheme}//host:port, got ${String(raw)}`);
    }
    // Clients append their own paths and queries: anything beyond the origin would be dropped or doubled.
    if (typeof raw !== 'string' || url.protocol !== scheme || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw invalidOption(field, `must be an origin like ${scheme}//host:port (no path, query or credentials), got ${String(raw)}`);
    }
    out[key as keyof AdvertisedEndpoints] = url.origin;
  }
  return out;
}

function checkOperation(op: unknown): Operation {
  if (!isOperation(op)) throw invalidOption('operation', `is not a known operation: ${String(op)}`);
  return op;
}

function checkCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw invalidOption('count', `must be a positive integer, got ${String(count)}`);
  return count;
}

function nonNegative(field: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw invalidOption(field, `must be a non-negative number, got ${String(ms)}`);
  return ms;
}

function finite(field: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalidOption(field, `must be a finite number, got ${String(ms)}`);
  return ms;
}

function stripUndefined(e: InjectedError | undefined): InjectedError {
  const out: InjectedError = {};
  if (e?.status !== undefined) {
    if (!Number.isInteger(e.status) || e.status < 400 || e.status > 599) throw invalidOption('error.status', 'must be an HTTP error status 400-599');
    out.status = e.status;
  }
  if (e?.errorType !== undefined) out.errorType = e.errorType;
  if (e?.message !== undefined) out.message = e.message;
  return out;
}

