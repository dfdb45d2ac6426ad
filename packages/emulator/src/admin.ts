import type * as http from 'node:http';
import { isSignalingError } from '@kvs-sig/core';
import { UNDELIVERED_REASONS, isOperation } from './state';
import type { ConnectionFilter, ConnectionInfo, Emulator, Operation, UndeliveredReason } from './types';

/** What the admin routes act on. @internal */
export interface AdminTarget {
  emulator: Emulator;
  hubConnections: (filter?: ConnectionFilter) => ConnectionInfo[];
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 64 * 1024) reject(new AdminError(413, 'body too large'));
    });
    req.on('end', () => {
      if (text.trim() === '') return resolve({});
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new AdminError(400, 'body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

function filterFrom(source: Record<string, unknown> | URLSearchParams): ConnectionFilter {
  const get = (k: string): unknown => (source instanceof URLSearchParams ? (source.get(k) ?? undefined) : source[k]);
  const filter: ConnectionFilter = {};
  for (const key of ['channelArn', 'channelName', 'clientId'] as const) {
    const v = get(key);
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new AdminError(400, `${key} must be a string`);
    filter[key] = v;
  }
  const role = get('role');
  if (role !== undefined) {
    if (role !== 'MASTER' && role !== 'VIEWER') throw new AdminError(400, 'role must be MASTER or VIEWER');
    filter.role = role;
  }
  return filter;
}

function operationFrom(v: unknown): Operation {
  if (!isOperation(v)) throw new AdminError(400, `operation must be one of the service operations, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The `/_emulator/...` routes: the same control as `emulator.faults` and
 * `emulator.log`, for other processes. Answered only for loopback peers, unsigned.
 * @internal
 */
export async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, target: AdminTarget): Promise<void> {
  const reply = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { date: new Date().toUTCString(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  try {
    if (!isLoopback(req.socket.remoteAddress)) throw new AdminError(403, 'the admin API is only served to loopback clients');
    const { emulator } = target;
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const body = req.method === 'POST' ? await readJson(req) : {};
    switch (route) {
      case 'GET /_emulator/info':
        return reply(200, {
          controlPlaneEndpoint: emulator.controlPlaneEndpoint,
          region: emulator.region,
          accountId: emulator.accountId,
          credentials: emulator.credentials,
          caPath: emulator.caPath ?? null,
        });
      case 'GET /_emulator/log/requests':
        return reply(200, emulator.log.requests());
      case 'GET /_emulator/log/frames':
        return reply(200, emulator.log.frames());
      case 'GET /_emulator/log/count': {
        const op = url.searchParams.get('operation');
        return reply(200, { count: op === null ? emulator.log.count() : emulator.log.count(operationFrom(op)) });
      }
      case 'GET /_emulator/log/undelivered':
        return reply(200, emulator.log.undelivered());
      case 'GET /_emulator/log/preflights':
        return reply(200, emulator.log.preflights());
      case 'GET /_emulator/log/undelivered/count': {
        const reason = url.searchParams.get('reason');
        if (reason !== null && !(UNDELIVERED_REASONS as readonly string[]).includes(reason)) {
          throw new AdminError(400, `reason must be one of ${UNDELIVERED_REASONS.join(', ')}`);
        }
        return reply(200, { count: emulator.log.undeliveredCount((reason ?? undefined) as UndeliveredReason | undefined) });
      }
      case 'POST /_emulator/log/clear':
        emulator.log.clear();
        return reply(200, {});
      case 'GET /_emulator/storage':
        return reply(200, emulator.storageSessions());
      case 'GET /_emulator/connections':
        return reply(200, target.hubConnections(filterFrom(url.searchParams)));
      case 'POST /_emulator/faults/latency': {
        const ops = body.operations;
        if (ops !== undefined && !Array.isArray(ops)) throw new AdminError(400, 'operations must be a list');
        emulator.faults.setLatency(body.ms as number, ops === undefined ? undefined : ops.map(operationFrom));
        return reply(200, {});
      }
      case 'POST /_emulator/faults/fail-next': {
        const error = body.error;
        if (error !== undefined && (typeof error !== 'object' || error === null)) throw new AdminError(400, 'error must be an object');
        emulator.faults.failNext(operationFrom(body.operation), body.count as number, error as Record<string, never> | undefined);
        return reply(200, {});
      }
      case 'POST /_emulator/faults/throttle-next':
        emulator.faults.throttleNext(operationFrom(body.operation), body.count as number);
        return reply(200, {});
      case 'POST /_emulator/faults/refuse-handshake': {
        const opts: { status?: number; errorType?: string; role?: 'MASTER' | 'VIEWER' } = {};
        if (body.status !== undefined) opts.status = body.status as number;
        if (body.errorType !== undefined) opts.errorType = String(body.errorType);
        if (body.role !== undefined) opts.role = filterFrom({ role: body.role }).role as 'MASTER' | 'VIEWER';
        emulator.faults.refuseHandshake(body.count as number, opts);
        return reply(200, {});
      }
      case 'POST /_emulator/faults/drop':
        return reply(200, { count: emulator.faults.dropConnections(filterFrom(body)) });
      case 'POST /_emulator/faults/go-away':
        return reply(200, { count: emulator.faults.goAway(filterFrom(body)) });
      case 'POST /_emulator/faults/reconnect-ice-server':
        return reply(200, { count: emulator.faults.reconnectIceServer(filterFrom(body)) });
      case 'POST /_emulator/faults/clock-offset':
        emulator.faults.setClockOffset(body.ms as number);
        return reply(200, {});
      case 'POST /_emulator/credentials': {
        const list = body.credentials;
        if (!Array.isArray(list)) throw new AdminError(400, 'credentials must be a list of { accessKeyId, secretAccessKey, sessionToken?, expiration? }');
        emulator.setCredentials(
          list.map((c: unknown, i) => {
            if (typeof c !== 'object' || c === null) throw new AdminError(400, `credentials[${i}] must be an object`);
            const { expiration, ...rest } = c as Record<string, unknown>;
            if (expiration === undefined) return rest as never;
            if (typeof expiration !== 'string' && typeof expiration !== 'number') throw new AdminError(400, `credentials[${i}].expiration must be an ISO date or epoch ms`);
            return { ...rest, expiration: new Date(expiration) } as never;
          }),
        );
        return reply(200, {});
      }
      case 'POST /_emulator/reset':
        emulator.faults.reset();
        return reply(200, {});
      default:
        throw new AdminError(404, `no admin route ${route}`);
    }
  } catch (err) {
    if (err instanceof AdminError) return reply(err.status, { error: err.message });
    if (isSignalingError(err)) return reply(400, { error: err.message, code: err.code });
    return reply(500, { error: err instanceof Error ? err.message : String(err) });
  }
}
