import { SignalingClient, type SignalingClientEvents } from '../../src/index';
import { offer, until } from '../support/helpers';
import { b64, rawSignalingServer } from '../support/raw-signaling-server';

// Regression: the duplicate check ran before the frame's type was known, so a second
// identical unknown or unusable frame inside dedupeWindowMs vanished with no event.
describe('repeated frames that are not usable peer messages are always surfaced', () => {
  let server: Awaited<ReturnType<typeof rawSignalingServer>>;
  let client: SignalingClient;
  const unknown: Array<SignalingClientEvents['unknownMessage']> = [];

  beforeEach(async () => {
    unknown.length = 0;
    server = await rawSignalingServer();
    client = new SignalingClient(server.clientOptions({ dedupeWindowMs: 60_000 }));
    client.on('unknownMessage', (e) => unknown.push(e));
    await client.connect();
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  test('the same unknown messageType with a payload, twice: two unknownMessage events, nothing counted as a duplicate', async () => {
    const frame = JSON.stringify({ senderClientId: 'v1', messageType: 'SOMETHING_NEW', messagePayload: b64({ a: 1 }) });
    server.send(frame);
    server.send(frame);
    await until(() => unknown.length === 2, 3000, 'two unknownMessage events');
    expect(unknown.map((e) => e.raw)).toEqual([frame, frame]);
    expect(client.metrics().duplicatesDropped).toBe(0);
  });

  test('the same SDP_OFFER without an SDP, twice, and the same ICE_CANDIDATE without a candidate, twice: four unknownMessage events with errors', async () => {
    const badOffer = JSON.stringify({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: b64({ sdp: 'v=0' }) });
    const badIce = JSON.stringify({ senderClientId: 'v1', messageType: 'ICE_CANDIDATE', messagePayload: b64({ sdpMid: '0' }) });
    for (const f of [badOffer, badOffer, badIce, badIce]) server.send(f);
    await until(() => unknown.length === 4, 3000, 'four unknownMessage events');
    expect(unknown.map((e) => e.raw)).toEqual([badOffer, badOffer, badIce, badIce]);
    for (const e of unknown) expect(e.error).toMatchObject({ code: 'UNEXPECTED_RESPONSE' });
    expect(client.metrics().duplicatesDropped).toBe(0);
  });

  test('valid offers after an unusable one are delivered once and their repeat is still deduplicated', async () => {
    const payload = b64(offer);
    const offers: unknown[] = [];
    client.on('sdpOffer', (e) => offers.push(e.payload));
    // Same type, sender and payload text as the valid offer, but unusable (bad statusResponse).
    const garbled = JSON.stringify({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: payload, statusResponse: 'x' });
    const valid = JSON.stringify({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: payload });
    for (const f of [garbled, valid, valid]) server.send(f);
    await until(() => unknown.length === 1 && offers.length === 1 && client.metrics().duplicatesDropped === 1, 3000, 'one unknown, one offer, one duplicate');
    expect(offers).toEqual([offer]);
  });
});
