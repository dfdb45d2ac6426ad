/**
 * The HTTP side of the one port: CORS preflights, the admin routes, and the
 * signed control-plane, signaling and storage operations (routed by path to
 * their handlers in operations.ts); and the answer to unparseable HTTP.
 * @packageDocumentation
 */

import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { handleAdmin } from './admin';
import { authenticateHttp } from './auth';
import { awsError, errorBody } from './aws-errors';
import { HANDLERS, ROUTES, STORAGE_OPERATIONS } from './operations';
import { injectedFault, recordRequest, toServiceError, type RequestContext } from './request-context';
import type { RequestRecord } from './types';

/** Largest request body accepted (the service's requests are a few KB). */
const MAX_BODY_BYTES = 1024 * 1024;

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

function writeReply(c: RequestContext, res: http.ServerResponse, status: number, requestId: string, body: string | undefined, errorType?: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    ...CORS_HEADERS,
    date: new Date(c.clock.now()).toUTCString(),
    'x-amzn-requestid': requestId,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body ?? ''),
  };
  if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body ?? '');
}

export async function handleRequest(c: RequestContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const started = performance.now();
  const time = c.clock.now();
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  if (url.pathname.startsWith('/_emulator/')) {
    await handleAdmin(req, res, url, c.admin());
    return;
  }
  if (req.method === 'OPTIONS') {
    // CORS preflight: browsers send it unsigned before every cross-origin POST.
    if (!c.closed()) {
      const h = req.headers;
      c.log.addPreflight({
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
      date: new Date(c.clock.now()).toUTCString(),
    });
    res.end();
    return;
  }
  const operation = ROUTES[url.pathname];
  const entry: Omit<RequestRecord, 'durationMs' | 'status'> = { operation: operation ?? 'Unknown', time, requestId };
  let status = 200;
  try {
    const body = await readBody(req);
    await c.sleep(c.faults.latencyFor(operation));
    if (c.closed()) return;
    if (!operation || req.method !== 'POST' || url.search !== '') {
      throw awsError('UnknownOperationException', `No operation at ${req.method ?? '?'} ${url.pathname}`);
    }
    const authError = await authenticateHttp(
      { method: 'POST', url: `${c.scheme}://${req.headers.host ?? ''}${req.url ?? '/'}`, headers: flattenHeaders(req.headers), body },
      c.auth,
      c.clock.now(),
    );
    if (authError) throw authError;
    const fault = injectedFault(c, operation);
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
    const result = await handler(json as Record<string, unknown>, c.operations);
    if (result.channelArn !== undefined) entry.channelArn = result.channelArn;
    writeReply(c, res, 200, requestId, result.body === undefined ? '' : JSON.stringify(result.body));
  } catch (err) {
    if (err instanceof CallerAborted) {
      // Recorded with status 0: no reply was sent (the socket is gone).
      status = 0;
      entry.errorType = 'CallerAborted';
      return;
    }
    const e = toServiceError(c, err, entry.operation);
    status = e.httpStatus;
    entry.errorType = e.errorType;
    writeReply(c, res, e.httpStatus, requestId, errorBody(e, operation !== undefined && STORAGE_OPERATIONS.has(operation)), e.errorType);
  } finally {
    if (!c.closed()) recordRequest(c, entry, started, status);
  }
}

/** Answers HTTP the parser refused (as the service's front end does), unless the peer is gone. @internal */
export function answerClientError(c: RequestContext, err: NodeJS.ErrnoException, socket: Duplex): void {
  c.logger(`client error: ${err.code ?? ''} ${err.message}`);
  // Answer unparseable HTTP with a status, as the service's front end does, unless the peer is gone.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ message: status === 431 ? 'Request headers are too large' : 'Malformed HTTP request' });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
      `Date: ${new Date(c.clock.now()).toUTCString()}\r\n` +
      `x-amzn-RequestId: ${randomUUID()}\r\n` +
      'x-amzn-ErrorType: SerializationException\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
