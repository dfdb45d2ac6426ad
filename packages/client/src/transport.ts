/**
 * Transport abstractions: the WHATWG subsets of `fetch` and `WebSocket` the
 * client uses (so `ws`, browsers, React Native and in-memory fakes all fit),
 * an HTTP helper with timeout and abort, and a socket adapter with one
 * well-defined lifecycle.
 * @packageDocumentation
 */

import {
  AbortError,
  SignalingError,
  TimeoutError,
  TransportError,
  type HttpRequest,
  type HttpResponse,
} from '@kvs-sig/core';
import { linkSignal, throwIfAborted } from './abort';
import { describe } from './errors';

/** The `fetch` signature the client calls (global `fetch`, undici's, or any compatible one). @public */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  status: number;
  headers: { forEach(callback: (value: string, key: string) => void): void };
  text(): Promise<string>;
}>;

/** Event fields the client reads from WebSocket events. @public */
export interface WebSocketEventLike {
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
  error?: unknown;
}

/** The subset of the WHATWG `WebSocket` the client uses. @public */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: WebSocketEventLike) => void): void;
  removeEventListener(type: string, listener: (event: WebSocketEventLike) => void): void;
}

/** A `WebSocket` constructor (browser global, `ws`, or compatible). @public */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Builds a socket for a URL (platform default or wrapping a user constructor). @internal */
export type WebSocketFactory = (url: string) => WebSocketLike;

/** Wraps a user `WebSocket` constructor as a factory. @internal */
export function factoryFromConstructor(ctor: WebSocketConstructor): WebSocketFactory {
  return (url) => new ctor(url);
}

/** A failed WebSocket upgrade as a Node transport saw it. @internal */
export interface HandshakeFailure {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends one HTTP request.
 * @throws `TIMEOUT`, `ABORTED`, or `CONNECTION_FAILED` (a {@link TransportError}) when no reply arrives.
 * @internal
 */
export async function httpCall(
  fetchFn: FetchLike,
  request: HttpRequest,
  options: { signal?: AbortSignal; timeoutMs?: number; operation: string },
): Promise<HttpResponse> {
  throwIfAborted(options.signal, options.operation);
  const link = linkSignal(options.signal, options.timeoutMs);
  const headers: Record<string, string> = {};
  // fetch derives these from the URL and body; browsers refuse to let us set them.
  for (const [k, v] of Object.entries(request.headers)) if (k !== 'host' && k !== 'content-length') headers[k] = v;
  try {
    const res = await fetchFn(request.url, {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: link.signal,
    });
    const out: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      out[key.toLowerCase()] = value;
    });
    const body = await res.text();
    return { status: res.status, headers: out, body };
  } catch (error) {
    if (link.timedOut()) throw new TimeoutError(`${options.operation} did not answer within ${options.timeoutMs} ms`, { cause: error });
    if (options.signal?.aborted) throw new AbortError(`${options.operation} was aborted`, { cause: options.signal.reason });
    const tls = tlsTrustCode(error);
    if (tls) {
      throw new TransportError(
        'CONNECTION_FAILED',
        `${options.operation} failed: the server's TLS certificate is not trusted (${tls}); for a private CA pass tls: { ca } (Node) or install it in the trust store`,
        { cause: error, retryable: false },
      );
    }
    throw new TransportError('CONNECTION_FAILED', `${options.operation} failed: ${describe(error)}`, { cause: error });
  } finally {
    link.dispose();
  }
}

/** The OpenSSL/Node code of a certificate-trust failure in `error`'s cause chain, if any. @internal */
export function tlsTrustCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(code)) return code;
  }
  return undefined;
}

/** Callbacks of one socket. Exactly one of `onFail` or `onClose` runs, once. @internal */
export interface SocketCallbacks {
  onOpen(): void;
  onMessage(text: string | undefined, raw: unknown): void;
  /** The socket never opened. */
  onFail(error: SignalingError, handshake?: HandshakeFailure): void;
  /** The socket was open and is now closed. */
  onClose(code: number, reason: string): void;
  onPong(): void;
}

/** One socket, normalised. @internal */
export interface Socket {
  readonly isOpen: boolean;
  /** True where the runtime can ping (ws): a pong then proves the service read what came before the ping. */
  readonly canPing: boolean;
  /**
   * Writes `text`. `done` runs once, without an error once the frame was handed
   * to the OS (ws: later) or to the browser's buffer (at once), with a
   * `CONNECTION_CLOSED` error when it could not be written. A callback, not a
   * Promise: this runs for every message sent.
   */
  send(text: string, done: (error?: SignalingError) => void): void;
  /** Sends a ping if the runtime can; returns false otherwise. */
  ping(): boolean;
  /** Resolves once the socket is closed (or given up on after 1 s). */
  close(code?: number, reason?: string): Promise<void>;
}

interface NodeStyleSocket {
  on(event: string, listener: (...args: unknown[]) => void): void;
  removeAllListeners?(event?: string): void;
  ping(): void;
  terminate(): void;
  send(data: string, cb: (err?: Error) => void): void;
}

function nodeStyle(ws: WebSocketLike): NodeStyleSocket | undefined {
  const s = ws as unknown as Partial<NodeStyleSocket>;
  return typeof s.on === 'function' && typeof s.ping === 'function' && typeof s.terminate === 'function'
    ? (s as NodeStyleSocket)
    : undefined;
}

/**
 * Opens a socket through `factory` and normalises its events. With a `ws`
 * socket it also reads the status of a refused upgrade and uses ping/pong;
 * a browser WebSocket hides the status, so the caller classifies such a
 * failure by probing the control plane instead.
 * @internal
 */
export function openSocket(factory: WebSocketFactory, url: string, cb: SocketCallbacks, handshakeTimeoutMs: number): Socket {
  let opened = false;
  let finished = false;
  let handshake: HandshakeFailure | undefined;
  let lastError: string | undefined;
  let closedPromise: Promise<void> | undefined;
  let ws: WebSocketLike;
  try {
    ws = factory(url);
  } catch (error) {
    const err = new TransportError('CONNECTION_FAILED', `could not create the WebSocket: ${describe(error)}`, { cause: error });
    queueMicrotask(() => cb.onFail(err));
    return { isOpen: false, canPing: false, send: (_text, done) => done(err), ping: () => false, close: () => Promise.resolve() };
  }
  const node = nodeStyle(ws);

  const detach = () => {
    ws.removeEventListener('open', onOpen);
    ws.removeEventListener('message', onMessage);
    ws.removeEventListener('error', onError);
    ws.removeEventListener('close', onClose);
    node?.removeAllListeners?.('unexpected-response');
    node?.removeAllListeners?.('pong');
    clearTimeout(timer);
  };
  const fail = (error: SignalingError) => {
    if (finished) return;
    finished = true;
    detach();
    // Swallow late errors of the abandoned socket (ws emits them after terminate).
    ws.addEventListener('error', () => undefined);
    try {
      if (node) node.terminate();
      else ws.close();
    } catch {
      // Already closing.
    }
    cb.onFail(error, handshake);
  };
  const onOpen = () => {
    if (finished) return;
    opened = true;
    clearTimeout(timer);
    cb.onOpen();
  };
  const onMessage = (event: WebSocketEventLike) => {
    if (finished) return;
    const data = event.data;
    if (typeof data === 'string') cb.onMessage(data, data);
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) cb.onMessage(undefined, data);
    else cb.onMessage(typeof data === 'object' && data !== null && 'toString' in data ? undefined : String(data), data);
  };
  const onError = (event: WebSocketEventLike) => {
    lastError = event.message ?? (event.error instanceof Error ? event.error.message : undefined) ?? lastError;
  };
  const onClose = (event: WebSocketEventLike) => {
    if (finished) return;
    const code = event.code ?? 1006;
    const reason = event.reason ?? '';
    if (!opened) {
      const detail = handshake
        ? `HTTP ${handshake.status}`
        : (lastError ?? 'the runtime does not expose why (a browser WebSocket hides the HTTP status)');
      fail(new TransportError('CONNECTION_FAILED', `WebSocket handshake failed: ${detail}`, { closeCode: code, closeReason: reason }));
      return;
    }
    finished = true;
    detach();
    cb.onClose(code, reason);
  };
  ws.addEventListener('open', onOpen);
  ws.addEventListener('message', onMessage);
  ws.addEventListener('error', onError);
  ws.addEventListener('close', onClose);
  if (node) {
    node.on('unexpected-response', (_req: unknown, res: unknown) => {
      const r = res as {
        statusCode?: number;
        headers?: Record<string, string | string[] | undefined>;
        on(e: string, l: (chunk?: unknown) => void): void;
      };
      const chunks: string[] = [];
      let size = 0;
      const done = () => {
        handshake = { status: r.statusCode ?? 0, headers: r.headers ?? {}, body: chunks.join('') };
        fail(new TransportError('CONNECTION_FAILED', `WebSocket handshake refused: HTTP ${handshake.status}`));
      };
      r.on('data', (chunk) => {
        size += String(chunk).length;
        if (size <= 64 * 1024) chunks.push(String(chunk));
      });
      r.on('end', done);
      r.on('error', done);
    });
    node.on('pong', () => {
      if (!finished) cb.onPong();
    });
  }
  const timer = setTimeout(() => {
    fail(new TimeoutError(`WebSocket handshake did not finish within ${handshakeTimeoutMs} ms`));
  }, handshakeTimeoutMs);

  return {
    get isOpen() {
      return opened && !finished && ws.readyState === 1;
    },
    canPing: node !== undefined,
    send(text: string, done: (error?: SignalingError) => void): void {
      if (!(opened && !finished && ws.readyState === 1)) {
        done(new TransportError('CONNECTION_CLOSED', 'the WebSocket is not open'));
        return;
      }
      if (node) {
        node.send(text, (err) => done(err ? new TransportError('CONNECTION_CLOSED', `write failed: ${err.message}`, { cause: err }) : undefined));
        return;
      }
      try {
        ws.send(text);
      } catch (error) {
        done(new TransportError('CONNECTION_CLOSED', `write failed: ${describe(error)}`, { cause: error }));
        return;
      }
      done();
    },
    ping(): boolean {
      if (!node || !(opened && !finished && ws.readyState === 1)) return false;
      try {
        node.ping();
        return true;
      } catch {
        return false;
      }
    },
    close(code = 1000, reason = ''): Promise<void> {
      if (finished) return closedPromise ?? Promise.resolve();
      if (!opened) {
        fail(new TransportError('CONNECTION_CLOSED', 'closed before the handshake finished'));
        return Promise.resolve();
      }
      finished = true;
      detach();
      closedPromise = new Promise<void>((resolve) => {
        // ws waits for the peer's close frame; a silent peer must not hold the socket.
        const t = setTimeout(() => {
          try {
            node?.terminate();
          } catch {
            // gone
          }
          resolve();
        }, 1000);
        ws.addEventListener('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
      ws.addEventListener('error', () => undefined);
      try {
        ws.close(code, reason);
      } catch {
        // Already closed.
      }
      return closedPromise;
    },
  };
}
