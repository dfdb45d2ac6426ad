/**
 * The link emulator of the open-time benchmark: delays applied per direction
 * and to connection establishment, bytes kept intact and in order, half-close
 * and close carried across, connections and TLS handshakes counted.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { isClientHello, startLink, type Link } from '../src/link';

const ONE_WAY = 25;
// Timers may fire up to about a millisecond off the requested time.
const SLACK = 2;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP server on 127.0.0.1:0 whose connections are handed to `onConnection`. */
async function server(onConnection: (s: net.Socket) => void): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  return srv;
}

async function linkTo(srv: net.Server, extra: { connectDelayMs?: number } = {}): Promise<Link> {
  const link = await startLink({ target: { host: '127.0.0.1', port: (srv.address() as net.AddressInfo).port }, oneWayMs: ONE_WAY, ...extra });
  cleanups.push(() => link.close());
  return link;
}

async function dial(link: Link): Promise<net.Socket> {
  const s = net.connect({ host: link.host, port: link.port });
  s.on('error', () => undefined);
  cleanups.push(() => {
    s.destroy();
  });
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  return s;
}

function nextData(s: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => s.once('data', (b: Buffer) => resolve(b)));
}

function once(emitter: net.Socket, event: string): Promise<number> {
  return new Promise((resolve) => emitter.once(event, () => resolve(performance.now())));
}

const echo = (s: net.Socket): void => {
  s.on('data', (b: Buffer) => s.write(b));
  s.on('end', () => s.end());
};

describe('link', () => {
  test('a request and its response pay one way each; the first also waits for the connection round trip', async () => {
    const link = await linkTo(await server(echo));
    const c = await dial(link);
    const t0 = performance.now();
    c.write('first');
    expect((await nextData(c)).toString()).toBe('first');
    const firstMs = performance.now() - t0;
    // Held until the TCP handshake round trip (2 × one way) is over, then one way up and one way down.
    expect(firstMs).toBeGreaterThanOrEqual(4 * ONE_WAY - SLACK);
    const t1 = performance.now();
    c.write('second');
    expect((await nextData(c)).toString()).toBe('second');
    const secondMs = performance.now() - t1;
    expect(secondMs).toBeGreaterThanOrEqual(2 * ONE_WAY - SLACK);
    // The connection cost is paid once: the second exchange is clearly cheaper than the first.
    expect(secondMs).toBeLessThan(firstMs - ONE_WAY / 2);
  });

  test('the connect delay holds the first bytes until a round trip after the accept', async () => {
    let arrived = 0;
    const srv = await server((s) => s.once('data', () => (arrived = performance.now())));
    const slow = await linkTo(srv);
    const fast = await linkTo(srv, { connectDelayMs: 0 });
    for (const [link, floor] of [
      [slow, 3 * ONE_WAY],
      [fast, ONE_WAY],
    ] as const) {
      const c = await dial(link);
      const sent = performance.now();
      c.write('x');
      while (arrived < sent) await new Promise((r) => setTimeout(r, 5));
      expect(arrived - sent).toBeGreaterThanOrEqual(floor - SLACK);
      if (link === fast) expect(arrived - sent).toBeLessThan(3 * ONE_WAY - SLACK);
    }
  });

  test('bytes cross intact and in order in both directions, written before and after the connect gate', async () => {
    const link = await linkTo(await server(echo));
    const c = await dial(link);
    const sent: Buffer[] = [];
    const received: Buffer[] = [];
    c.on('data', (b: Buffer) => received.push(b));
    const ended = once(c, 'end');
    for (let i = 0; i < 200; i++) {
      const chunk = randomBytes(1 + ((i * 7919) % 3000));
      sent.push(chunk);
      c.write(chunk);
      // Spread over the gate and past it, so chunks are queued with uneven due times.
      if (i % 40 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    c.end();
    await ended;
    expect(Buffer.concat(received).equals(Buffer.concat(sent))).toBe(true);
  });

  test('a half-close crosses one way later and the other side can still answer; close follows', async () => {
    let serverEndAt = 0;
    const srv = await server((s) => {
      s.on('end', () => {
        serverEndAt = performance.now();
        // Half-open: the server still writes after the client's FIN.
        s.end('bye');
      });
    });
    const link = await linkTo(srv);
    const c = await dial(link);
    await new Promise((r) => setTimeout(r, 3 * ONE_WAY));
    let got = '';
    c.on('data', (b: Buffer) => (got += b.toString()));
    const endAt = once(c, 'end');
    const closeAt = once(c, 'close');
    const t0 = performance.now();
    c.end();
    const clientEnd = await endAt;
    expect(serverEndAt - t0).toBeGreaterThanOrEqual(ONE_WAY - SLACK);
    expect(clientEnd - t0).toBeGreaterThanOrEqual(2 * ONE_WAY - SLACK);
    expect(got).toBe('bye');
    await closeAt;
  });

  test('a close on either side reaches the other, a reset as a reset', async () => {
    const accepted: net.Socket[] = [];
    const link = await linkTo(
      await server((s) => {
        accepted.push(s);
        s.resume();
      }),
    );
    const accept = async (c: net.Socket): Promise<net.Socket> => {
      const n = accepted.length;
      c.write('hello');
      while (accepted.length === n) await new Promise((r) => setTimeout(r, 5));
      return accepted[n]!;
    };
    // Server closes (FIN): the client sees the end one way later, and closes.
    const a = await dial(link);
    const sa = await accept(a);
    let t0 = performance.now();
    const aEnd = once(a, 'end');
    const aClosed = once(a, 'close');
    sa.destroy();
    expect((await aEnd) - t0).toBeGreaterThanOrEqual(ONE_WAY - SLACK);
    await aClosed;
    // Server resets: the client gets ECONNRESET, not a clean end.
    const b = await dial(link);
    const sb = await accept(b);
    const bError = new Promise<NodeJS.ErrnoException>((resolve) => b.once('error', resolve));
    t0 = performance.now();
    sb.resetAndDestroy();
    expect((await bError).code).toBe('ECONNRESET');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(ONE_WAY - SLACK);
    // Client goes away: the server sees the FIN one way later, and closes.
    const c = await dial(link);
    const sc = await accept(c);
    const scEnd = once(sc, 'end');
    const scClosed = once(sc, 'close');
    t0 = performance.now();
    c.destroy();
    expect((await scEnd) - t0).toBeGreaterThanOrEqual(ONE_WAY - SLACK);
    sc.end();
    await scClosed;
  });

  test('counts connections and TLS handshakes; close() ends every connection', async () => {
    const srv = await server(() => undefined);
    const link = await linkTo(srv);
    const plain = await dial(link);
    plain.write('GET / HTTP/1.1\r\n\r\n');
    const t = tls.connect({ host: link.host, port: link.port, rejectUnauthorized: false });
    t.on('error', () => undefined);
    cleanups.push(() => {
      t.destroy();
    });
    while (link.stats().tlsHandshakes < 1) await new Promise((r) => setTimeout(r, 5));
    expect(link.stats()).toMatchObject({ connections: 2, tlsHandshakes: 1 });
    expect(link.stats().acceptedAt).toHaveLength(2);
    const closed = once(plain, 'close');
    const reset = new Promise<string | undefined>((resolve) => plain.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
    await link.close();
    await closed;
    expect(await reset).toBe('ECONNRESET');
    await link.close();
  });

  test('isClientHello reads the TLS record and handshake type', () => {
    expect(isClientHello(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]))).toBe(true);
    expect(isClientHello(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x10, 0x02]))).toBe(false);
    expect(isClientHello(Buffer.from('GET / HTTP/1.1'))).toBe(false);
    expect(isClientHello(Buffer.from([0x16, 0x03]))).toBe(false);
  });
});
