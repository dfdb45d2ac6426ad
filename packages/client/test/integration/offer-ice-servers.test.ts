import { SignalingClient, type RtcIceServer, type SignalingClientEvents } from '../../src/index';
import { offer, until } from '../support/helpers';
import { b64, rawSignalingServer } from '../support/raw-signaling-server';

// peers.md 3.4: an IceServerList received inside an SDP_OFFER replaces the client's list
// (the C SDK attaches one to the offers it sends); it saves the master a GetIceServerConfig.
const stun: RtcIceServer = { urls: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443' };
const peerList = [
  { Password: 'peer-pw', Ttl: 300, Uris: ['turn:198.51.100.7:443?transport=udp', 'turns:198.51.100.7:443?transport=tcp'], Username: 'peer-user' },
];
const peerRtc: RtcIceServer[] = [stun, { urls: peerList[0]!.Uris, username: 'peer-user', credential: 'peer-pw' }];
const offerFrame = (iceServerList: unknown, sender = 'viewer-1') =>
  JSON.stringify({ senderClientId: sender, messageType: 'SDP_OFFER', messagePayload: b64(offer), IceServerList: iceServerList });

let server: Awaited<ReturnType<typeof rawSignalingServer>>;
const clients: SignalingClient[] = [];
beforeEach(async () => {
  server = await rawSignalingServer();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});
function track(c: SignalingClient): SignalingClient {
  clients.push(c);
  return c;
}

test('with no way to call GetIceServerConfig, an offer\'s list is what getIceServers() answers, already inside the sdpOffer handler', async () => {
  const client = track(new SignalingClient(server.clientOptions()));
  const changed: Array<SignalingClientEvents['iceServersChanged']> = [];
  client.on('iceServersChanged', (e) => changed.push(e));
  await client.connect();
  await expect(client.getIceServers()).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  const inHandler = new Promise<RtcIceServer[]>((resolve, reject) => {
    client.once('sdpOffer', () => void client.getIceServers().then(resolve, reject));
  });
  server.send(offerFrame(peerList));
  expect(await inHandler).toEqual(peerRtc);
  expect(changed).toEqual([{ iceServers: peerRtc }]);
  expect(await client.getIceServers()).toEqual(peerRtc);
  expect(server.requests).toEqual([]);
});

test('an offer\'s list replaces the fetched cache, emits iceServersChanged, and no GetIceServerConfig follows', async () => {
  const client = track(new SignalingClient(server.signedClientOptions()));
  const changed: Array<SignalingClientEvents['iceServersChanged']> = [];
  client.on('iceServersChanged', (e) => changed.push(e));
  await client.connect();
  const fetched = await client.getIceServers();
  expect(fetched[1]).toMatchObject({ username: 'u0' });
  expect(server.iceCalls()).toBe(1);

  const offers: unknown[] = [];
  client.on('sdpOffer', (e) => offers.push(e.payload));
  server.send(offerFrame(peerList));
  await until(() => offers.length === 1, 3000, 'the offer');
  expect(changed).toEqual([{ iceServers: peerRtc }]);
  expect(await client.getIceServers()).toEqual(peerRtc);
  expect(server.iceCalls()).toBe(1);

  // The same list again changes nothing, so it is not announced again.
  server.send(offerFrame(peerList, 'viewer-2'));
  await until(() => offers.length === 2, 3000, 'the second offer');
  expect(changed).toHaveLength(1);
});

test('the offer\'s TTL sets the cache lifetime (TTL minus the grace): a 60 s list is used for 30 s, then fetched again', async () => {
  const client = track(new SignalingClient(server.signedClientOptions()));
  await client.connect();
  await until(() => server.iceCalls() === 1, 3000, 'the prefetch');
  const offers: unknown[] = [];
  client.on('sdpOffer', (e) => offers.push(e.payload));
  server.send(offerFrame([{ ...peerList[0], Ttl: 60 }]));
  await until(() => offers.length === 1, 3000, 'the offer');
  const t0 = Date.now();
  const now = jest.spyOn(Date, 'now');
  now.mockReturnValue(t0 + 29_000);
  expect(await client.getIceServers()).toEqual(peerRtc);
  expect(server.iceCalls()).toBe(1);
  now.mockReturnValue(t0 + 31_000);
  const refetched = await client.getIceServers();
  expect(refetched[1]).toMatchObject({ username: 'u0' });
  expect(server.iceCalls()).toBe(2);
});

test('a malformed IceServerList refuses the offer as unknownMessage and keeps the cache; a list without URIs is not adopted', async () => {
  const client = track(new SignalingClient(server.signedClientOptions()));
  await client.connect();
  const fetched = await client.getIceServers();
  const unknown: Array<SignalingClientEvents['unknownMessage']> = [];
  const offers: unknown[] = [];
  const changed: unknown[] = [];
  client.on('unknownMessage', (e) => unknown.push(e));
  client.on('sdpOffer', (e) => offers.push(e.payload));
  client.on('iceServersChanged', (e) => changed.push(e));
  const bad = offerFrame([{ ...peerList[0], Ttl: 5 }]);
  server.send(bad);
  await until(() => unknown.length === 1, 3000, 'unknownMessage');
  expect(unknown[0]).toMatchObject({ raw: bad, error: { code: 'INVALID_TTL' } });
  expect(offers).toEqual([]);

  server.send(offerFrame([{ Username: 'x', Password: 'y', Ttl: 300 }]));
  await until(() => offers.length === 1, 3000, 'the offer without URIs');
  expect(changed).toEqual([]);
  expect(await client.getIceServers()).toEqual(fetched);
  expect(server.iceCalls()).toBe(1);
});

test('an offer carrying 7 servers: all 7 are adopted (not the C SDK\'s 5)', async () => {
  const client = track(new SignalingClient(server.clientOptions()));
  const changed: Array<SignalingClientEvents['iceServersChanged']> = [];
  client.on('iceServersChanged', (e) => changed.push(e));
  await client.connect();
  const seven = Array.from({ length: 7 }, (_, i) => ({ ...peerList[0], Username: `peer-${i}`, Uris: [`turn:198.51.100.${i + 1}:443?transport=udp`] }));
  const offers: unknown[] = [];
  client.on('sdpOffer', (e) => offers.push(e.payload));
  server.send(offerFrame(seven));
  await until(() => offers.length === 1, 3000, 'the offer');
  const expected: RtcIceServer[] = [stun, ...seven.map((s) => ({ urls: s.Uris, username: s.Username, credential: 'peer-pw' }))];
  expect(await client.getIceServers()).toEqual(expected);
  expect(changed).toEqual([{ iceServers: expected }]);
});
