/**
 * The transport-conformance suite: one set of cases for the client's transport
 * (openSocket and httpCall over a runtime's WebSocket and fetch), run against
 * in-memory fakes (unit/), the emulator from Node with `ws` + undici and with
 * undici's WHATWG WebSocket (integration/), and Chromium's own WebSocket and
 * fetch (browser/). Each run supplies a {@link TransportTarget} (where the
 * transport runs) and a {@link TransportServer} (what it talks to); the cases
 * hold for every pair, with the documented differences named as flags
 * (a browser WebSocket cannot ping and hides a refused handshake's status).
 */
import { constructWssMessage, parseWssRecvMessage, type HttpRequest } from '@kvs-sig/core';
import type { RemoteProbe, SocketEvent } from './transport-probe';

/** Where the transport runs. */
export interface TransportTarget {
  readonly probe: RemoteProbe;
  /** The runtime's WebSocket can ping and hears pongs (`ws`); a WHATWG one cannot. */
  readonly canPing: boolean;
  /** A refused handshake's HTTP status reaches the transport (`ws`); a WHATWG WebSocket hides it. */
  readonly seesHandshakeStatus: boolean;
}

/** What the transport talks to: the emulator (as a viewer, a master on the other side) or a fake. */
export interface TransportServer {
  /** The name of the channel {@link TransportServer.okRequest} describes. */
  readonly channelName: string;
  /** A URL whose handshake is accepted (a fresh peer each call). */
  socketUrl(): Promise<string>;
  /** A URL whose handshake is refused with `status`. */
  refusedSocketUrl(status: number): Promise<string>;
  /** A WebSocket URL on a loopback port nothing listens on. */
  unreachableSocketUrl(): string;
  /** A WebSocket URL whose server accepts the TCP connection and never answers. */
  silentSocketUrl(): string;
  /** Payloads of the frames the server received from the last accepted socket, in order. */
  received(): string[];
  /** The server sends a frame carrying `payload` to the last accepted socket. */
  push(payload: string): Promise<void>;
  /** The server cuts the last accepted socket without a close frame. */
  drop(): void;
  /** A request the server answers with 200 (DescribeSignalingChannel of {@link TransportServer.channelName}). */
  okRequest(): Promise<HttpRequest>;
  /** A request the server answers with 404 ResourceNotFoundException. */
  notFoundRequest(): Promise<HttpRequest>;
  /** A request to a loopback port nothing listens on. */
  unreachableRequest(): HttpRequest;
  /** A request whose server accepts the connection and never answers. */
  silentRequest(): HttpRequest;
}

/** The frame a viewer sends to carry `payload` (an SDP offer whose session name is `payload`). */
export function clientFrame(payload: string): string {
  return constructWssMessage({ action: 'SDP_OFFER', payload: { type: 'offer', sdp: sdpCarrying(payload) } });
}

/** The SDP that carries `payload` as its session name. */
export function sdpCarrying(payload: string): string {
  return `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=${payload}\r\nt=0 0\r\n`;
}

/** The payload an SDP of {@link sdpCarrying} carries. */
export function payloadOfSdp(sdp: unknown): string {
  const m = typeof sdp === 'string' ? /\r\ns=(.*)\r\n/.exec(sdp) : null;
  if (!m) throw new Error(`not a conformance SDP: ${String(sdp)}`);
  return m[1]!;
}

/** The payload of a service → client frame (parsed as the client's core parses it). */
export function payloadOfFrame(frame: string | null): string {
  if (frame === null) throw new Error('a binary frame where text was expected');
  return payloadOfSdp(parseWssRecvMessage(frame).payload?.sdp);
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ended = (events: SocketEvent[]) => events.some((e) => e.type === 'fail' || e.type === 'close');
const kinds = (events: SocketEvent[]) => events.map((e) => e.type);

/**
 * Registers the cases. `get` is read inside each test (after the caller's hooks
 * set the target and server up).
 */
export function transportConformance(get: () => { target: TransportTarget; server: TransportServer }): void {
  let n = 0;
  const id = () => `s${++n}`;

  /** Opens a socket to an accepting URL and waits for its open. */
  async function opened(): Promise<string> {
    const { target, server } = get();
    const s = id();
    await target.probe.open(s, await server.socketUrl(), 5000);
    await eventually(() => target.probe.events(s), (e) => e.length > 0, 'the handshake');
    expect(await target.probe.events(s)).toEqual([{ type: 'open' }]);
    return s;
  }

  describe('WebSocket', () => {
    test('opens: one open event, the socket reports open, and whether it can ping', async () => {
      const { target } = get();
      const s = await opened();
      expect(await target.probe.state(s)).toEqual({ isOpen: true, canPing: target.canPing });
      await target.probe.close(s);
    });

    test('a sent frame is written and reaches the server; frames keep their order', async () => {
      const { target, server } = get();
      const s = await opened();
      const payloads = ['first', 'second', 'third café ☃'];
      for (const p of payloads) expect(await target.probe.send(s, clientFrame(p))).toBeNull();
      await eventually(async () => server.received(), (r) => r.length >= payloads.length, 'the frames at the server');
      expect(server.received()).toEqual(payloads);
      await target.probe.close(s);
    });

    test('frames the server sends arrive as text, in order, non-ASCII intact', async () => {
      const { target, server } = get();
      const s = await opened();
      const payloads = ['one', 'two', 'naïve 😀'];
      for (const p of payloads) await server.push(p);
      const events = await eventually(() => target.probe.events(s), (e) => e.length >= 1 + payloads.length, 'the pushed frames');
      expect(kinds(events)).toEqual(['open', 'message', 'message', 'message']);
      expect(events.slice(1).map((e) => payloadOfFrame((e as { text: string | null }).text))).toEqual(payloads);
      await target.probe.close(s);
    });

    test('close(): resolves, reports no event of its own, and later sends fail CONNECTION_CLOSED', async () => {
      const { target } = get();
      const s = await opened();
      await target.probe.close(s, 1000, 'bye');
      expect(await target.probe.state(s)).toMatchObject({ isOpen: false });
      expect(await target.probe.send(s, clientFrame('late'))).toBe('CONNECTION_CLOSED');
      await new Promise((r) => setTimeout(r, 100));
      expect(kinds(await target.probe.events(s))).toEqual(['open']);
      // A second close is harmless.
      await target.probe.close(s);
    });

    test('a server that cuts the connection: one close event (1006), then sends fail CONNECTION_CLOSED', async () => {
      const { target, server } = get();
      const s = await opened();
      server.drop();
      const events = await eventually(() => target.probe.events(s), ended, 'the close');
      expect(events).toEqual([{ type: 'open' }, { type: 'close', code: 1006, reason: '' }]);
      expect(await target.probe.send(s, clientFrame('after'))).toBe('CONNECTION_CLOSED');
      expect(await target.probe.ping(s)).toBe(false);
      await target.probe.close(s);
    });

    test('a refused handshake fails CONNECTION_FAILED, retryable, with its status where the runtime shows it', async () => {
      const { target, server } = get();
      const s = id();
      await target.probe.open(s, await server.refusedSocketUrl(403), 5000);
      const events = await eventually(() => target.probe.events(s), ended, 'the failure');
      expect(events).toEqual([
        {
          type: 'fail',
          code: 'CONNECTION_FAILED',
          retryable: true,
          message: target.seesHandshakeStatus ? 'WebSocket handshake refused: HTTP 403' : expect.stringMatching(/^WebSocket handshake failed: /),
          handshakeStatus: target.seesHandshakeStatus ? 403 : null,
        },
      ]);
      expect(await target.probe.send(s, clientFrame('x'))).toBe('CONNECTION_CLOSED');
    });

    test('nothing listening: the handshake fails CONNECTION_FAILED, retryable, once', async () => {
      const { target, server } = get();
      const s = id();
      await target.probe.open(s, server.unreachableSocketUrl(), 5000);
      const events = await eventually(() => target.probe.events(s), ended, 'the failure');
      await new Promise((r) => setTimeout(r, 50));
      expect(await target.probe.events(s)).toEqual(events);
      expect(events).toEqual([{ type: 'fail', code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(/^WebSocket handshake failed: /), handshakeStatus: null }]);
    });

    test('a URL the runtime will not build a WebSocket for: CONNECTION_FAILED at once, and sends fail with it', async () => {
      const { target } = get();
      const s = id();
      await target.probe.open(s, 'ftp://127.0.0.1:9/', 5000);
      const events = await eventually(() => target.probe.events(s), ended, 'the failure');
      expect(events).toEqual([{ type: 'fail', code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(/^could not create the WebSocket: /), handshakeStatus: null }]);
      expect(await target.probe.send(s, clientFrame('x'))).toBe('CONNECTION_FAILED');
    });

    test('a server that never answers the handshake: TIMEOUT after handshakeTimeoutMs', async () => {
      const { target, server } = get();
      const s = id();
      const started = Date.now();
      await target.probe.open(s, server.silentSocketUrl(), 300);
      const events = await eventually(() => target.probe.events(s), ended, 'the timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(events).toEqual([{ type: 'fail', code: 'TIMEOUT', retryable: true, message: 'WebSocket handshake did not finish within 300 ms', handshakeStatus: null }]);
    });

    test('ping: answered by a pong where the runtime can ping; refused (false) where it cannot', async () => {
      const { target } = get();
      const s = await opened();
      expect(await target.probe.ping(s)).toBe(target.canPing);
      if (target.canPing) {
        const events = await eventually(() => target.probe.events(s), (e) => e.length >= 2, 'the pong');
        expect(kinds(events)).toEqual(['open', 'pong']);
      } else {
        await new Promise((r) => setTimeout(r, 50));
        expect(kinds(await target.probe.events(s))).toEqual(['open']);
      }
      await target.probe.close(s);
    });
  });

  describe('fetch (httpCall)', () => {
    test('a 200: status, header names in lower case, the body as text', async () => {
      const { target, server } = get();
      const r = await target.probe.http(await server.okRequest(), { timeoutMs: 5000 });
      if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r)}`);
      expect(r.status).toBe(200);
      expect(Object.keys(r.headers).filter((k) => k !== k.toLowerCase())).toEqual([]);
      expect(r.headers['content-type']).toMatch(/json/);
      expect(JSON.parse(r.body)).toMatchObject({ ChannelInfo: { ChannelName: server.channelName } });
    });

    test('an error status is a response, not a failure: 404 with the exception in x-amzn-errortype', async () => {
      const { target, server } = get();
      const r = await target.probe.http(await server.notFoundRequest(), { timeoutMs: 5000 });
      if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r)}`);
      expect(r.status).toBe(404);
      expect(r.headers['x-amzn-errortype']).toMatch(/^ResourceNotFoundException/);
    });

    test('nothing listening: CONNECTION_FAILED, retryable, naming the operation', async () => {
      const { target, server } = get();
      const r = await target.probe.http(server.unreachableRequest(), { timeoutMs: 5000 });
      expect(r).toMatchObject({ ok: false, code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(/^Probe failed: /) });
    });

    test('no answer within timeoutMs: TIMEOUT naming the operation and the limit', async () => {
      const { target, server } = get();
      const r = await target.probe.http(server.silentRequest(), { timeoutMs: 300 });
      expect(r).toMatchObject({ ok: false, code: 'TIMEOUT', message: 'Probe did not answer within 300 ms' });
    });

    test("the caller's abort: ABORTED naming the operation", async () => {
      const { target, server } = get();
      const r = await target.probe.http(server.silentRequest(), { timeoutMs: 5000, abortAfterMs: 100 });
      expect(r).toMatchObject({ ok: false, code: 'ABORTED', message: 'Probe was aborted' });
    });
  });
}
