/**
 * The transport-conformance suite (support/transport-conformance.ts) on in-memory
 * fakes: a WebSocket in the WHATWG shape (as browsers and undici give it: no
 * ping, a refused handshake is an error then a 1006 close) and one in the `ws`
 * shape (on/ping/terminate, the refused response as `unexpected-response`), and a
 * fetch, all in front of a fake server. The same cases run against the
 * emulator (integration/) and in Chromium (browser/), so each fake is held to
 * what the real runtimes do.
 */
import { constructWssRecvMessage, parseWssSendMessage, type HttpRequest } from '@kvs-sig/core';
import type { FetchLike, WebSocketEventLike, WebSocketLike } from '../../src/transport';
import { payloadOfSdp, sdpCarrying, transportConformance, type TransportServer, type TransportTarget } from '../support/transport-conformance';
import { createTransportProbe, localProbe } from '../support/transport-probe';

const later = (fn: () => void) => setTimeout(fn, 1);

type Listener = (event: WebSocketEventLike) => void;

/** A WebSocket in the WHATWG shape (addEventListener only), connected to a {@link FakeServer}. */
class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(
    protected readonly server: FakeServer,
    url: string,
  ) {
    const u = new URL(url);
    if (u.protocol !== 'wss:' && u.protocol !== 'ws:') throw new SyntaxError(`The URL's scheme must be either 'ws' or 'wss'; '${u.protocol}' is not allowed`);
    const [, kind, arg] = u.pathname.split('/');
    if (kind === 'accept') {
      later(() => {
        this.readyState = 1;
        server.accepted(this);
        this.emit('open', {});
      });
    } else if (kind === 'refuse') {
      later(() => this.refuse(Number(arg)));
    } else if (kind === 'unreachable') {
      later(() => this.failHandshake('connect ECONNREFUSED 127.0.0.1:9'));
    }
    // 'silent': the handshake never finishes.
  }

  addEventListener(type: string, listener: Listener): void {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)!.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.#listeners.get(type)?.delete(listener);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: the socket is not open');
    this.server.frames.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    later(() => this.closed(code ?? 1005, reason ?? ''));
  }

  /** The server's side: a frame to this socket. */
  deliver(text: string): void {
    if (this.readyState === 1) this.emit('message', { data: text });
  }

  /** The server's side: the connection cut without a close frame. */
  cut(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    later(() => this.emit('close', { code: 1006, reason: '' }));
  }

  /** A browser hides why: an error event without detail, then a 1006 close. */
  protected refuse(_status: number): void {
    this.failHandshake('');
  }

  protected closed(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', { code, reason });
  }

  protected failHandshake(message: string): void {
    this.emit('error', message ? { message, error: new Error(message) } : {});
    this.closed(1006, '');
  }

  protected emit(type: string, event: WebSocketEventLike): void {
    for (const l of [...(this.#listeners.get(type) ?? [])]) l(event);
  }
}

/** A WebSocket in the `ws` shape: on/ping/terminate, a callback per write, the refused response as `unexpected-response`. */
class FakeWsWebSocket extends FakeWebSocket {
  readonly #node = new Map<string, Set<(...args: unknown[]) => void>>();

  override send(data: string, cb?: (err?: Error) => void): void {
    if (this.readyState !== 1) {
      later(() => cb?.(new Error('WebSocket is not open: readyState 3 (CLOSED)')));
      return;
    }
    this.server.frames.push(data);
    later(() => cb?.());
  }

  on(event: string, listener: (...args: unknown[]) => void): void {
    if (!this.#node.has(event)) this.#node.set(event, new Set());
    this.#node.get(event)!.add(listener);
  }

  removeAllListeners(event?: string): void {
    if (event === undefined) this.#node.clear();
    else this.#node.delete(event);
  }

  ping(): void {
    if (this.readyState !== 1) throw new Error('WebSocket is not open');
    later(() => this.#emitNode('pong'));
  }

  terminate(): void {
    if (this.readyState === 3) return;
    this.readyState = 2;
    later(() => this.closed(1006, ''));
  }

  /** `ws` hands a refused upgrade's response to `unexpected-response` and does nothing else. */
  protected override refuse(status: number): void {
    const handlers = new Map<string, (chunk?: unknown) => void>();
    const res = { statusCode: status, headers: { 'x-amzn-errortype': 'AccessDeniedException' }, on: (e: string, l: (chunk?: unknown) => void) => void handlers.set(e, l) };
    this.#emitNode('unexpected-response', {}, res);
    later(() => {
      handlers.get('data')?.('{"message":"denied"}');
      handlers.get('end')?.();
    });
  }

  #emitNode(event: string, ...args: unknown[]): void {
    for (const l of [...(this.#node.get(event) ?? [])]) l(...args);
  }
}

/** Headers as fetch hands them over, with the names in the case the server wrote them. */
function response(status: number, headers: Record<string, string>, body: string) {
  return { status, headers: { forEach: (cb: (value: string, key: string) => void) => Object.entries(headers).forEach(([k, v]) => cb(v, k)) }, text: async () => body };
}

class FakeServer implements TransportServer {
  readonly channelName = 'conformance';
  frames: string[] = [];
  #current: FakeWebSocket | undefined;
  #n = 0;

  accepted(socket: FakeWebSocket): void {
    this.#current = socket;
    this.frames = [];
  }

  factory(wsShape: boolean) {
    return (url: string) => (wsShape ? new FakeWsWebSocket(this, url) : new FakeWebSocket(this, url));
  }

  readonly fetch: FetchLike = async (url, init) => {
    await new Promise((r) => later(() => r(undefined)));
    const path = new URL(url).pathname;
    if (path === '/ok') {
      return response(200, { 'Content-Type': 'application/json', 'X-Amzn-RequestId': 'fake-1' }, JSON.stringify({ ChannelInfo: { ChannelName: this.channelName } }));
    }
    if (path === '/not-found') {
      return response(404, { 'Content-Type': 'application/json', 'X-Amzn-ErrorType': 'ResourceNotFoundException:' }, '{"message":"The requested channel is not found"}');
    }
    if (path === '/silent') {
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    }
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
  };

  async socketUrl(): Promise<string> {
    return `wss://fake.test/accept/${++this.#n}`;
  }
  async refusedSocketUrl(status: number): Promise<string> {
    return `wss://fake.test/refuse/${status}`;
  }
  unreachableSocketUrl(): string {
    return 'wss://fake.test/unreachable';
  }
  silentSocketUrl(): string {
    return 'wss://fake.test/silent';
  }
  received(): string[] {
    return this.frames.map((f) => payloadOfSdp((JSON.parse(Buffer.from(parseWssSendMessage(f).messagePayload, 'base64').toString('utf8')) as { sdp?: unknown }).sdp));
  }
  async push(payload: string): Promise<void> {
    const messagePayload = Buffer.from(JSON.stringify({ type: 'answer', sdp: sdpCarrying(payload) })).toString('base64');
    this.#current!.deliver(constructWssRecvMessage({ messageType: 'SDP_ANSWER', messagePayload }));
  }
  drop(): void {
    this.#current!.cut();
  }
  #request(path: string): HttpRequest {
    return { method: 'POST', url: `https://fake.test${path}`, headers: { 'content-type': 'application/json' }, body: '{}' };
  }
  async okRequest(): Promise<HttpRequest> {
    return this.#request('/ok');
  }
  async notFoundRequest(): Promise<HttpRequest> {
    return this.#request('/not-found');
  }
  unreachableRequest(): HttpRequest {
    return this.#request('/unreachable');
  }
  silentRequest(): HttpRequest {
    return this.#request('/silent');
  }
}

describe.each([
  ['WHATWG-shaped fake WebSocket', false],
  ['ws-shaped fake WebSocket', true],
] as const)('transport conformance: %s and a fake fetch', (_name, wsShape) => {
  const server = new FakeServer();
  const target: TransportTarget = {
    probe: localProbe(createTransportProbe(server.factory(wsShape), server.fetch)),
    canPing: wsShape,
    seesHandshakeStatus: wsShape,
  };
  transportConformance(() => ({ target, server }));
});
