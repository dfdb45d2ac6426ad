/**
 * A hostile signaling service: a real TLS server on 127.0.0.1 (certificate
 * made at start by the emulator's `generateCertificates`) that accepts any
 * WebSocket handshake, answers GetIceServerConfig, and lets the fuzzer write
 * any frame (text, invalid UTF-8, binary, 10 MB) to the connected client.
 * @packageDocumentation
 */
import { rm } from 'node:fs/promises';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { generateCertificates } from '@kvs-sig/emulator';

/** A running hostile service. @public */
export interface HostileService {
  wssEndpoint: string;
  httpsEndpoint: string;
  ca: string;
  /** The most recent client socket (resolves once one is connected). */
  socket(): Promise<WebSocket>;
  /** Handshakes accepted so far. */
  handshakes: number;
  close(): Promise<void>;
}

const ICE_REPLY = JSON.stringify({ IceServerList: [{ Password: 'pw', Ttl: 300, Uris: ['turn:127.0.0.1:3478?transport=udp'], Username: '1:u' }] });

/** Starts the hostile service. @public */
export async function startHostileService(): Promise<HostileService> {
  const certs = await generateCertificates();
  const server = https.createServer({ cert: certs.cert, key: certs.key });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  let latest: WebSocket | undefined;
  let waiters: Array<(ws: WebSocket) => void> = [];
  const sockets = new Set<WebSocket>();
  server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/v1/get-ice-server-config') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(ICE_REPLY);
      } else {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        res.end('{"message":"not here"}');
      }
    });
  });
  const svc: HostileService = {
    wssEndpoint: '',
    httpsEndpoint: '',
    ca: certs.ca,
    handshakes: 0,
    socket: () => (latest && latest.readyState === latest.OPEN ? Promise.resolve(latest) : new Promise((resolve) => waiters.push(resolve))),
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(certs.dir, { recursive: true, force: true });
    },
  };
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      svc.handshakes++;
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => {});
      latest = ws;
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve(ws);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  svc.wssEndpoint = `wss://127.0.0.1:${port}`;
  svc.httpsEndpoint = `https://127.0.0.1:${port}`;
  return svc;
}
