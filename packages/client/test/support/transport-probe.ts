/**
 * The client's transport (openSocket and httpCall over a WebSocket factory and a
 * fetch) behind an interface that takes and returns plain JSON, so the one
 * conformance suite drives it the same way in Node and inside a browser page
 * (browser/transport-conformance.test.ts bundles this file for the page).
 */
import type { HttpRequest } from '@kvs-sig/core';
import { httpCall, openSocket, type FetchLike, type Socket, type WebSocketFactory } from '../../src/transport';

/** What the transport reported for one socket, in order. */
export type SocketEvent =
  | { type: 'open' }
  | { type: 'message'; text: string | null }
  | { type: 'fail'; code: string; message: string; retryable: boolean; handshakeStatus: number | null }
  | { type: 'close'; code: number; reason: string }
  | { type: 'pong' };

/** A request's outcome: the response, or the typed error it rejected with. */
export type HttpOutcome =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: string }
  | { ok: false; name: string; code: string; message: string; retryable: boolean };

export interface TransportProbe {
  /** Opens socket `id`; its events are recorded for {@link TransportProbe.events}. */
  open(id: string, url: string, handshakeTimeoutMs: number): void;
  events(id: string): SocketEvent[];
  state(id: string): { isOpen: boolean; canPing: boolean };
  /** Sends `text`; resolves with the error code given to `done`, or null once written. */
  send(id: string, text: string): Promise<string | null>;
  ping(id: string): boolean;
  close(id: string, code?: number, reason?: string): Promise<void>;
  /** One request through httpCall; `abortAfterMs` aborts it through the caller's signal. */
  http(request: HttpRequest, options: { timeoutMs?: number; abortAfterMs?: number }): Promise<HttpOutcome>;
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  retryable?: boolean;
}

export function createTransportProbe(factory: WebSocketFactory, fetch: FetchLike): TransportProbe {
  const sockets = new Map<string, { socket: Socket; events: SocketEvent[] }>();
  const get = (id: string) => {
    const s = sockets.get(id);
    if (!s) throw new Error(`no socket ${id}`);
    return s;
  };
  return {
    open(id, url, handshakeTimeoutMs) {
      const events: SocketEvent[] = [];
      const socket = openSocket(
        factory,
        url,
        {
          onOpen: () => events.push({ type: 'open' }),
          onMessage: (text) => events.push({ type: 'message', text: text ?? null }),
          onFail: (error, handshake) =>
            events.push({ type: 'fail', code: error.code, message: error.message, retryable: error.retryable, handshakeStatus: handshake?.status ?? null }),
          onClose: (code, reason) => events.push({ type: 'close', code, reason }),
          onPong: () => events.push({ type: 'pong' }),
        },
        handshakeTimeoutMs,
      );
      sockets.set(id, { socket, events });
    },
    events: (id) => get(id).events.slice(),
    state: (id) => ({ isOpen: get(id).socket.isOpen, canPing: get(id).socket.canPing }),
    send: (id, text) => new Promise((resolve) => get(id).socket.send(text, (error) => resolve(error ? error.code : null))),
    ping: (id) => get(id).socket.ping(),
    close: (id, code, reason) => get(id).socket.close(code, reason),
    async http(request, options) {
      const controller = new AbortController();
      const timer = options.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), options.abortAfterMs);
      try {
        const res = await httpCall(fetch, request, {
          operation: 'Probe',
          signal: controller.signal,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        });
        return { ok: true, status: res.status, headers: res.headers, body: res.body };
      } catch (error) {
        const e = error as ErrorLike;
        return { ok: false, name: e.name ?? '', code: e.code ?? '', message: e.message ?? String(error), retryable: e.retryable === true };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The probe as a caller in another realm sees it: every method asynchronous. */
export type RemoteProbe = { [K in keyof TransportProbe]: (...args: Parameters<TransportProbe[K]>) => Promise<Awaited<ReturnType<TransportProbe[K]>>> };

/** A probe of this process as a {@link RemoteProbe}. */
export function localProbe(probe: TransportProbe): RemoteProbe {
  const remote = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const key of Object.keys(probe) as Array<keyof TransportProbe>) {
    const fn = probe[key] as (...args: unknown[]) => unknown;
    remote[key] = async (...args) => fn(...args);
  }
  return remote as unknown as RemoteProbe;
}
