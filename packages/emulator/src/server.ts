/**
 * The emulator's lifecycle: checks the options, prepares TLS, builds the state
 * (channels, signaling hub, media server, clock, log, faults), wires the one
 * port's HTTP routes and WebSocket handshake, listens, and closes it all.
 * @packageDocumentation
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIPv6, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AdminTarget } from './admin';
import type { AuthSettings } from './auth';
import { ChannelStore } from './channels';
import { createFaultApi, finite, nonNegative } from './fault-api';
import { answerClientError, handleRequest } from './http-routes';
import { MediaServer } from './media-server';
import type { OperationContext } from './operations';
import { checkCredentials, invalidOption, parseOptions } from './options';
import type { RequestContext } from './request-context';
import { SignalingHub } from './signaling';
import { Clock, FaultState, Log } from './state';
import { generateCertificates } from './tls';
import type { ConnectionFilter, Emulator, EmulatorCredentials, EmulatorOptions } from './types';
import { createWebSocketServer, handleUpgrade } from './ws-handshake';

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
  const { host, port, region, accountId, credentials, limits, mediaServerMode, iceServerCount, logger, tls: tlsOption, advertised } = await parseOptions(options);

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

  const wss = createWebSocketServer();
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

  const requests: RequestContext = {
    clock,
    log,
    logger,
    faults,
    auth,
    store,
    hub,
    operations: ctx,
    scheme,
    wsScheme,
    closed: () => closed,
    sleep,
    admin: () => adminTarget,
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    handleRequest(requests, req, res).catch((err: unknown) => {
      logger(`request handler failed: ${String(err)}`);
      if (!res.headersSent) res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(requests, wss, req, socket, head).catch((err: unknown) => {
      logger(`upgrade handler failed: ${String(err)}`);
      socket.destroy();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(requests, err, socket));
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

  const faultApi = createFaultApi(faults, clock, hub, mediaServer);

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
