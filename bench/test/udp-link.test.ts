/**
 * The UDP link of the session-time benchmark: each direction delayed, datagrams
 * intact, one source port per client towards the server, and a rebind that
 * moves every client to a new source port and loses what was in flight.
 */
import * as dgram from 'node:dgram';
import { startUdpLink, type UdpLink } from '../src/udp-link';

const ONE_WAY = 25;
const SLACK = 2;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function socket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => s.close(() => resolve())));
  return s;
}

/** An echo server that reports the source port of each datagram it got. */
async function echo(): Promise<{ port: number; sources: number[] }> {
  const s = await socket();
  const sources: number[] = [];
  s.on('message', (msg, r) => {
    sources.push(r.port);
    s.send(msg, r.port, r.address);
  });
  return { port: s.address().port, sources };
}

async function linkTo(port: number, oneWayMs = ONE_WAY): Promise<UdpLink> {
  const link = await startUdpLink({ target: { host: '127.0.0.1', port }, oneWayMs });
  cleanups.push(() => link.close());
  return link;
}

function reply(s: dgram.Socket, ms: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    s.once('message', (m: Buffer) => {
      clearTimeout(t);
      resolve(m);
    });
  });
}

test('a round trip through the link takes two one-way delays and keeps the bytes', async () => {
  const server = await echo();
  const link = await linkTo(server.port);
  const client = await socket();
  const payload = Buffer.from([0, 1, 2, 250, 255]);
  const t0 = performance.now();
  const got = reply(client, 2000);
  client.send(payload, link.port, '127.0.0.1');
  expect(await got).toEqual(payload);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * ONE_WAY - SLACK);
  expect(link.stats()).toMatchObject({ received: 1, up: 1, down: 1, flows: 1, rebinds: 0 });
});

test('each client has its own source port towards the server, kept until a rebind', async () => {
  const server = await echo();
  const link = await linkTo(server.port);
  const [a, b] = [await socket(), await socket()];
  for (const s of [a, b, a]) {
    const got = reply(s, 2000);
    s.send('x', link.port, '127.0.0.1');
    await got;
  }
  expect(server.sources).toHaveLength(3);
  expect(server.sources[0]).toBe(server.sources[2]);
  expect(server.sources[1]).not.toBe(server.sources[0]);
  expect(link.stats().flows).toBe(2);
});

test('a rebind loses what was in flight and moves the client to a new source port', async () => {
  const server = await echo();
  // A long delay, so the datagram below is surely still in flight when the rebind comes, even on a loaded machine.
  const oneWay = 300;
  const link = await linkTo(server.port, oneWay);
  const client = await socket();
  const first = reply(client, 5000);
  client.send('before', link.port, '127.0.0.1');
  await first;
  // In flight towards the server when the path changes: lost.
  const lost = reply(client, 3 * oneWay);
  client.send('lost', link.port, '127.0.0.1');
  while (link.stats().received < 2) await new Promise((r) => setTimeout(r, 2));
  expect(link.stats().up).toBe(1);
  expect(link.rebind()).toBe(1);
  expect(await lost).toBeUndefined();
  expect(server.sources).toHaveLength(1);
  // The same client socket afterwards: reaches the server from a new port.
  const after = reply(client, 5000);
  client.send('after', link.port, '127.0.0.1');
  expect((await after)?.toString()).toBe('after');
  expect(server.sources).toHaveLength(2);
  expect(server.sources[1]).not.toBe(server.sources[0]);
  expect(link.stats()).toMatchObject({ flows: 2, rebinds: 1 });
});
