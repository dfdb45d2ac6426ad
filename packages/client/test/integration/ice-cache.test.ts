import { SignalingClient, type SignalingClientEvents } from '../../src/index';
import { until } from '../support/helpers';
import { rawSignalingServer } from '../support/raw-signaling-server';

let server: Awaited<ReturnType<typeof rawSignalingServer>>;
let client: SignalingClient;
beforeEach(async () => {
  server = await rawSignalingServer();
  client = new SignalingClient(server.signedClientOptions());
});
afterEach(async () => {
  jest.restoreAllMocks();
  await client.close();
  await server.close();
});

test('getIceServers() in flight when close() runs rejects with CLIENT_CLOSED, before and after connect', async () => {
  server.setIceReply('hang');
  // Before connect: the fetch resolves nothing (fixed endpoints) and waits on GetIceServerConfig.
  const early = client.getIceServers();
  await until(() => server.iceCalls() === 1, 3000, 'the GetIceServerConfig request');
  await client.close();
  await expect(early).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  await expect(client.getIceServers()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });

  client = new SignalingClient(server.signedClientOptions());
  await client.connect();
  const late = client.getIceServers();
  await until(() => server.iceCalls() === 2, 3000, 'the second request');
  const closing = client.close();
  await expect(late).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  await closing;
});

test('the ICE cache lives for the TTL minus a 30 s grace: used before, refreshed after (with iceServersChanged)', async () => {
  server.setIceReply([{ Uris: ['turn:192.0.2.1:443?transport=udp'], Username: 'first', Password: 'p', Ttl: 300 }]);
  const changed: Array<SignalingClientEvents['iceServersChanged']> = [];
  client.on('iceServersChanged', (e) => changed.push(e));
  await client.connect();
  const first = await client.getIceServers();
  expect(first[1]).toMatchObject({ username: 'first' });
  const calls = server.iceCalls();
  expect(calls).toBe(1);

  server.setIceReply([{ Uris: ['turn:192.0.2.2:443?transport=udp'], Username: 'second', Password: 'p', Ttl: 300 }]);
  const t0 = Date.now();
  const now = jest.spyOn(Date, 'now');
  now.mockReturnValue(t0 + 269_000); // 300 s TTL − 30 s grace = 270 s
  expect(await client.getIceServers()).toEqual(first);
  expect(server.iceCalls()).toBe(1);
  expect(changed).toEqual([]);

  now.mockReturnValue(t0 + 271_000);
  const second = await client.getIceServers();
  expect(second[1]).toMatchObject({ username: 'second' });
  expect(server.iceCalls()).toBe(2);
  expect(changed).toEqual([{ iceServers: second }]);
  // The refreshed servers are cached again from the new fetch time.
  expect(await client.getIceServers()).toEqual(second);
  expect(server.iceCalls()).toBe(2);
});

test('a short TTL caps the grace at half the TTL (60 s → cached 30 s)', async () => {
  server.setIceReply([{ Uris: ['turn:192.0.2.1:443?transport=udp'], Username: 'u', Password: 'p', Ttl: 60 }]);
  await client.connect();
  await client.getIceServers();
  expect(server.iceCalls()).toBe(1);
  const t0 = Date.now();
  const now = jest.spyOn(Date, 'now');
  now.mockReturnValue(t0 + 29_000);
  await client.getIceServers();
  expect(server.iceCalls()).toBe(1);
  now.mockReturnValue(t0 + 31_000);
  await client.getIceServers();
  expect(server.iceCalls()).toBe(2);
});
