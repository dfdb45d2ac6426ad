/**
 * The WebSocket side of the one port: the signed handshake (ConnectAsMaster,
 * ConnectAsViewer), refused with the service's HTTP errors or handed to the
 * signaling hub, which relays the messages.
 * @packageDocumentation
 */

import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceError } from '@kvs-sig/core';
import { WebSocketServer } from 'ws';
import { authenticateWss } from './auth';
import { awsError, rawMessage } from './aws-errors';
import { injectedFault, recordRequest, toServiceError, type RequestContext } from './request-context';
import type { Operation, RequestRecord } from './types';
import { CHANNEL_ARN, checkClientId, requireString } from './validate';

/** Largest WebSocket frame accepted before the socket is closed with 1009 (the WebSocket front end's limit). */
const MAX_FRAME_BYTES = 128 * 1024;
/** Pongs a socket may have waiting to be written before it is terminated (ws's default). */
const MAX_PENDING_PONGS = 60;

/** The WebSocket server the handshakes upgrade into (no listening socket of its own). @internal */
export function createWebSocketServer(): WebSocketServer {
  // Pings are answered with pongs (ws's autoPong), but a socket with more than
  // MAX_PENDING_PONGS pongs not yet written is terminated (1006), as ws does by default:
  // set here so the documented behaviour does not move with ws. The service's own bound,
  // if any, is not published (README, "Where the emulator had to choose").
  return new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    clientTracking: false,
    autoPong: true,
    // Not in @types/ws yet (ws >= 8.18 reads it).
    ...({ maxPendingAutoPongs: MAX_PENDING_PONGS } as object),
  });
}

function refuseUpgrade(c: RequestContext, socket: Duplex, err: ServiceError, requestId: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: rawMessage(err) });
  const reason = http.STATUS_CODES[err.httpStatus] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${err.httpStatus} ${reason}\r\n` +
      `Date: ${new Date(c.clock.now()).toUTCString()}\r\n` +
      `x-amzn-RequestId: ${requestId}\r\n` +
      `x-amzn-ErrorType: ${err.errorType}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export async function handleUpgrade(c: RequestContext, wss: WebSocketServer, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', (err) => c.logger(`handshake socket error: ${err.message}`));
  const started = performance.now();
  const time = c.clock.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const clientId = url.searchParams.get('X-Amz-ClientId');
  // The WSS endpoint is the same for both roles here; the query tells them apart, as the API does
  // (ConnectAsViewer is the one that takes X-Amz-ClientId).
  const role = clientId === null ? 'MASTER' : 'VIEWER';
  const operation: Operation = role === 'MASTER' ? 'ConnectAsMaster' : 'ConnectAsViewer';
  const entry: Omit<RequestRecord, 'durationMs' | 'status'> = { operation, time, requestId };
  try {
    await c.sleep(c.faults.latencyFor(operation));
    if (c.closed()) {
      socket.destroy();
      return;
    }
    if (url.pathname !== '/') throw awsError('UnknownOperationException', `No WebSocket endpoint at ${url.pathname}`);
    const authError = await authenticateWss(`${c.wsScheme}://${req.headers.host ?? ''}${req.url ?? '/'}`, req.headers.host ?? '', c.auth, c.clock.now());
    if (authError) throw authError;
    const refusal = c.faults.takeRefusal(role);
    if (refusal) throw awsError(refusal.errorType, `Handshake refused (injected ${refusal.errorType})`, refusal.status);
    const fault = injectedFault(c, operation);
    if (fault) throw fault;
    const arn = url.searchParams.get('X-Amz-ChannelARN');
    if (arn === null || arn === '') throw awsError('InvalidArgumentException', 'X-Amz-ChannelARN is required');
    requireString({ 'X-Amz-ChannelARN': arn }, 'X-Amz-ChannelARN', CHANNEL_ARN);
    if (clientId !== null) checkClientId('X-Amz-ClientId', clientId);
    const channel = c.store.getByArn(arn);
    if (!channel) throw awsError('ResourceNotFoundException', 'The requested channel is not found or not active.');
    entry.channelArn = channel.arn;
    const limitError = c.hub.admit(channel, role, clientId ?? undefined);
    if (limitError) throw limitError;
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (c.closed()) {
        ws.terminate();
        return;
      }
      c.hub.attach(ws, channel, role, clientId ?? undefined);
      recordRequest(c, entry, started, 101);
    });
  } catch (err) {
    const e = toServiceError(c, err, operation);
    entry.errorType = e.errorType;
    refuseUpgrade(c, socket, e, requestId);
    if (!c.closed()) recordRequest(c, entry, started, e.httpStatus);
  }
}
