import { SignalingClient, type RetryContext, type SignalingClientEvents, type SignalingError } from '../../src/index';
import { deadPort, until } from '../support/helpers';
import { rawSignalingServer } from '../support/raw-signaling-server';

let server: Awaited<ReturnType<typeof rawSignalingServer>>;
const clients: SignalingClient[] = [];
beforeEach(async () => {
  server = await rawSignalingServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});
function track(c: SignalingClient): SignalingClient {
  clients.push(c);
  return c;
}

test('an unexpected close asks the strategy (attempt 1, CONNECTION_CLOSED with the close code, the built-in delay) and waits what it returns', async () => {
  const seen: RetryContext[] = [];
  const client = track(
    new SignalingClient(
      server.clientOptions({
        reconnect: {
          initialDelayMs: 50,
          strategy: (context) => {
            seen.push(context);
            return 400;
          },
        },
      }),
    ),
  );
  const reconnecting: Array<SignalingClientEvents['reconnecting']> = [];
  client.on('reconnecting', (e) => reconnecting.push(e));
  await client.connect();
  server.sockets[0]!.terminate();
  await until(() => reconnecting.length === 1, 3000, 'reconnecting');
  const waitStarted = Date.now();
  await until(() => server.sockets.length === 2 && client.state === 'open', 5000, 'the second connection');
  // The wait is the strategy's: the socket cannot come back before its 400 ms have passed.
  expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(350);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ attempt: 1, reason: 'connection closed (1006)', error: { code: 'CONNECTION_CLOSED', closeCode: 1006 } });
  expect(seen[0]!.defaultDelayMs).toBeGreaterThanOrEqual(0);
  expect(seen[0]!.defaultDelayMs).toBeLessThan(50);
  expect(reconnecting[0]).toMatchObject({ attempt: 1, delayMs: 400 });
});

test('failed attempts are numbered, carry their error, and false makes connect() reject with that error', async () => {
  const seen: RetryContext[] = [];
  const client = track(
    new SignalingClient(
      server.clientOptions({
        signalingEndpoints: { wssEndpoint: `ws://127.0.0.1:${await deadPort()}` },
        reconnect: {
          strategy: (context) => {
            seen.push(context);
            return context.attempt < 3 ? 5 : false;
          },
        },
      }),
    ),
  );
  const err = (await client.connect().catch((e: unknown) => e)) as SignalingError;
  expect(seen.map((c) => c.attempt)).toEqual([1, 2, 3]);
  expect(err).toBe(seen[2]!.error);
  expect(err.code).toBe('CONNECTION_FAILED');
  for (const c of seen) expect(c.reason).toBe(c.error.message);
  expect(client.state).toBe('idle');
  expect(client.metrics().attempts).toBe(3);
});

test('false after the connection was open ends the client: error event with the cause, queued sends rejected, state closed', async () => {
  const client = track(new SignalingClient(server.clientOptions({ reconnect: { strategy: () => false } })));
  const errors: SignalingError[] = [];
  client.on('error', (e) => errors.push(e));
  const closes: Array<SignalingClientEvents['close']> = [];
  client.on('close', (e) => closes.push(e));
  await client.connect();
  server.sockets[0]!.terminate();
  await until(() => client.state === 'closed', 3000, 'closed');
  expect(errors.map((e) => e.code)).toEqual(['CONNECTION_CLOSED']);
  expect(closes.at(-1)).toMatchObject({ willReconnect: false });
  expect(server.sockets).toHaveLength(1);
  await expect(client.sendSdpOffer({ type: 'offer', sdp: 'v=0' }, 'viewer-1')).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
});

test.each([
  ['a negative delay', () => -1, /returned -1/],
  ['NaN', () => NaN, /returned NaN/],
  ['a string', () => '10' as unknown as number, /returned "10"/],
  ['a throw', () => {
    throw new Error('boom');
  }, /threw: .*boom/],
])('a strategy returning %s ends connect() with INVALID_CONFIGURATION naming reconnect.strategy', async (_, strategy, message) => {
  const client = track(
    new SignalingClient(server.clientOptions({ signalingEndpoints: { wssEndpoint: `ws://127.0.0.1:${await deadPort()}` }, reconnect: { strategy } })),
  );
  const err = (await client.connect().catch((e: unknown) => e)) as SignalingError & { field?: string };
  expect(err).toMatchObject({ code: 'INVALID_CONFIGURATION', field: 'reconnect.strategy' });
  expect(err.message).toMatch(message);
  expect(client.metrics().attempts).toBe(1);
});

test('a strategy that is not a function is refused by the constructor', () => {
  expect(() => new SignalingClient(server.clientOptions({ reconnect: { strategy: 5 as unknown as () => number } }))).toThrow(
    expect.objectContaining({ code: 'INVALID_CONFIGURATION', field: 'reconnect.strategy' }),
  );
});

test('without a strategy the built-in backoff stays in force (delays within [0, initialDelayMs · 2^n))', async () => {
  const client = track(
    new SignalingClient(
      server.clientOptions({ signalingEndpoints: { wssEndpoint: `ws://127.0.0.1:${await deadPort()}` }, reconnect: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 4 } }),
    ),
  );
  const delays: number[] = [];
  client.on('reconnecting', (e) => delays.push(e.delayMs));
  await expect(client.connect()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  expect(delays).toHaveLength(3);
  delays.forEach((d, i) => {
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(Math.min(40, 20 * 2 ** i));
  });
});
