import type { Emulator } from '../src';
import { b64, connect, createChannel, refused, sleep, withEmulator, type HandshakeRefused } from './helpers';

let emu: Emulator;
let n = 0;
const fresh = (extra: Record<string, unknown> = {}) => createChannel(emu, `relay-${++n}`, extra);
const offer = b64({ type: 'offer', sdp: 'v=0\r\n' });
const offer2 = b64({ type: 'offer', sdp: 'v=0\r\ns=second\r\n' });
const answer = b64({ type: 'answer', sdp: 'v=0\r\n' });
const cand = (i: number) => b64({ candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${1000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

beforeAll(async () => {
  emu = await withEmulator({ limits: { maxViewersPerChannel: 3, maxPayloadLength: 200 } });
});
afterAll(async () => {
  await emu.close();
});

describe('routing', () => {
  test('a viewer\'s message goes to the master with senderClientId, whatever recipient it names', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    const v2 = await connect(emu, arn, { clientId: 'v2' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer, recipientClientId: 'v2' });
    expect(await master.next()).toEqual({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: offer });
    await v2.expectSilence(200);
    await Promise.all([master.close(), v1.close(), v2.close()]);
  });

  test('a master\'s message goes only to the named viewer, without senderClientId', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    const v2 = await connect(emu, arn, { clientId: 'v2' });
    master.send({ action: 'SDP_ANSWER', messagePayload: answer, recipientClientId: 'v2' });
    const got = await v2.next();
    expect(got).toEqual({ messageType: 'SDP_ANSWER', messagePayload: answer });
    expect(got).not.toHaveProperty('senderClientId');
    await v1.expectSilence(200);
    await Promise.all([master.close(), v1.close(), v2.close()]);
  });

  test('the C SDK\'s Pascal-case keys route the same way as the documented lower-camel keys', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'ICE_CANDIDATE', RecipientClientId: '', MessagePayload: cand(1), CorrelationId: 'c1' });
    expect(await master.next()).toEqual({ senderClientId: 'v1', messageType: 'ICE_CANDIDATE', messagePayload: cand(1) });
    master.send({ action: 'ICE_CANDIDATE', RecipientClientId: 'v1', MessagePayload: cand(2) });
    expect(await v1.next()).toEqual({ messageType: 'ICE_CANDIDATE', messagePayload: cand(2) });
    await Promise.all([master.close(), v1.close()]);
  });

  test('success produces no reply to the sender, even with a correlationId', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer, correlationId: 'ok-1' });
    await master.next();
    await v1.expectSilence(200);
    await Promise.all([master.close(), v1.close()]);
  });
});

describe('failures', () => {
  test('a master message without recipient: STATUS_RESPONSE with the correlationId, nothing without one', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    master.send({ action: 'SDP_OFFER', messagePayload: offer, correlationId: 'corr-1' });
    const status = await master.next();
    expect(status).toEqual({
      messageType: 'STATUS_RESPONSE',
      statusResponse: { correlationId: 'corr-1', errorType: 'InvalidArgumentException', statusCode: '400', description: expect.stringMatching(/recipientClientId/) },
    });
    master.send({ action: 'SDP_OFFER', messagePayload: offer });
    await master.expectSilence(250);
    await master.close();
  });

  test('a payload over the limit is refused: STATUS_RESPONSE when correlated, silence otherwise, never forwarded', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    const big = 'A'.repeat(201);
    v1.send({ action: 'SDP_OFFER', messagePayload: big, correlationId: 'big-1' });
    const status = await v1.next();
    expect(status.statusResponse).toMatchObject({ correlationId: 'big-1', statusCode: '400', errorType: 'InvalidArgumentException' });
    expect(String((status.statusResponse as { description: string }).description)).toMatch(/201 characters; the limit is 200/);
    v1.send({ action: 'SDP_OFFER', messagePayload: big });
    v1.send({ action: 'SDP_OFFER', messagePayload: 'A'.repeat(200) });
    expect(await master.next()).toMatchObject({ messagePayload: 'A'.repeat(200) });
    await master.expectSilence(150);
    await v1.expectSilence(150);
    await Promise.all([master.close(), v1.close()]);
  });

  test('a frame giving both casings of one key is refused (ambiguous), with a STATUS_RESPONSE', async () => {
    const arn = await fresh();
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer, MessagePayload: offer2, correlationId: 'both-1' });
    const status = await v1.next();
    expect(status.statusResponse).toMatchObject({ correlationId: 'both-1', statusCode: '400' });
    expect(String((status.statusResponse as { description: string }).description)).toMatch(/both messagePayload and MessagePayload/);
    await v1.close();
  });

  test('a missing or non-base64 payload is refused with a STATUS_RESPONSE', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    master.send({ action: 'SDP_OFFER', recipientClientId: 'v1', correlationId: 'p1' });
    expect((await master.next()).statusResponse).toMatchObject({ correlationId: 'p1', statusCode: '400' });
    master.send({ action: 'SDP_OFFER', messagePayload: 'not base64!', recipientClientId: 'v1', correlationId: 'p2' });
    expect((await master.next()).statusResponse).toMatchObject({ correlationId: 'p2', statusCode: '400' });
    await master.close();
  });

  test('malformed and binary frames get the front end\'s Forbidden frame; the socket and server keep working', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    for (const bad of ['not json', '[]', '{"action":"HELLO","messagePayload":"eA=="}', '{"messagePayload":"eA=="}', 'null']) {
      v1.send(bad);
      const reply = await v1.next();
      expect(reply).toEqual({ message: 'Forbidden', connectionId: expect.any(String), requestId: expect.any(String) });
    }
    v1.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await v1.next()).message).toBe('Forbidden');
    v1.send({ action: 'SDP_OFFER', messagePayload: offer });
    expect(await master.next()).toMatchObject({ senderClientId: 'v1', messagePayload: offer });
    const inbound = emu.log.frames().filter((f) => f.direction === 'in' && f.clientId === 'v1' && f.channelArn === arn);
    expect(inbound.map((f) => f.text)).toContain('<binary 3 bytes>');
    await Promise.all([master.close(), v1.close()]);
  });

  test('a frame larger than 128 KiB closes the socket with 1009', async () => {
    const arn = await fresh();
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send('x'.repeat(129 * 1024));
    expect(await v1.closed).toBe(1009);
  });
});

describe('held messages', () => {
  test('messages for a peer not yet connected are delivered when it connects, in order', async () => {
    const arn = await fresh();
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer });
    v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(1) });
    v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(2) });
    await sleep(100);
    const master = await connect(emu, arn);
    expect((await master.next()).messagePayload).toBe(offer);
    expect((await master.next()).messagePayload).toBe(cand(1));
    expect((await master.next()).messagePayload).toBe(cand(2));
    master.send({ action: 'SDP_ANSWER', messagePayload: answer, recipientClientId: 'late' });
    await sleep(100);
    const late = await connect(emu, arn, { clientId: 'late' });
    expect(await late.next()).toEqual({ messageType: 'SDP_ANSWER', messagePayload: answer });
    await Promise.all([master.close(), v1.close(), late.close()]);
  });

  test('a newer undelivered offer replaces the older one; candidates are all kept', async () => {
    const arn = await fresh();
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer });
    v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(1) });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer2 });
    await sleep(100);
    const master = await connect(emu, arn);
    expect((await master.next()).messagePayload).toBe(cand(1));
    expect((await master.next()).messagePayload).toBe(offer2);
    await master.expectSilence(200);
    await Promise.all([master.close(), v1.close()]);
  });

  test('held offers from two viewers both reach the master; only the same viewer\'s newer offer replaces its older one', async () => {
    const arn = await fresh();
    const a = await connect(emu, arn, { clientId: 'a' });
    const b = await connect(emu, arn, { clientId: 'b' });
    a.send({ action: 'SDP_OFFER', messagePayload: offer });
    a.send({ action: 'SDP_OFFER', messagePayload: offer2 });
    b.send({ action: 'SDP_OFFER', messagePayload: offer });
    await sleep(100);
    const master = await connect(emu, arn);
    const got = [await master.next(), await master.next()].map((f) => `${String(f.senderClientId)}:${f.messagePayload === offer2 ? 2 : 1}`);
    expect(got.sort()).toEqual(['a:2', 'b:1']);
    await master.expectSilence(200);
    await Promise.all([master.close(), a.close(), b.close()]);
  });

  test('held messages expire after the channel\'s MessageTtlSeconds: recorded as EXPIRED when due, without a STATUS_RESPONSE', async () => {
    const arn = await fresh({ SingleMasterConfiguration: { MessageTtlSeconds: 5 } });
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer, correlationId: 'ttl-1' });
    v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(1) });
    const expired = () => emu.log.undelivered().filter((r) => r.channelArn === arn);
    await sleep(4700);
    expect(expired()).toEqual([]);
    // No traffic touches the channel: the expiry is recorded by the emulator's own timer.
    await sleep(600);
    expect(expired()).toEqual([
      expect.objectContaining({ reason: 'EXPIRED', action: 'SDP_OFFER', senderClientId: 'v1', correlationId: 'ttl-1', statusResponseSent: false }),
      expect.objectContaining({ reason: 'EXPIRED', action: 'ICE_CANDIDATE', senderClientId: 'v1', messagePayload: cand(1) }),
    ]);
    expect(expired()[0]).not.toHaveProperty('recipientClientId');
    const master = await connect(emu, arn);
    await master.expectSilence(300);
    await v1.expectSilence(0);
    await Promise.all([master.close(), v1.close()]);
  }, 15_000);
});

describe('connection limits', () => {
  test('a new master replaces the old connection (closed with 1000); messages go to the new one', async () => {
    const arn = await fresh();
    const m1 = await connect(emu, arn);
    const m2 = await connect(emu, arn);
    expect(await m1.closed).toBe(1000);
    expect(m1.closeReason).toMatch(/Replaced/);
    expect(emu.connections({ channelArn: arn, role: 'MASTER' })).toHaveLength(1);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    v1.send({ action: 'SDP_OFFER', messagePayload: offer });
    expect((await m2.next()).messagePayload).toBe(offer);
    await Promise.all([m2.close(), v1.close()]);
  });

  test('a viewer with an existing client id replaces the old one', async () => {
    const arn = await fresh();
    const a = await connect(emu, arn, { clientId: 'same' });
    const b = await connect(emu, arn, { clientId: 'same' });
    expect(await a.closed).toBe(1000);
    expect(emu.connections({ channelArn: arn, clientId: 'same' })).toHaveLength(1);
    await b.close();
  });

  test('more viewers than the limit get 400 ClientLimitExceededException; a slot frees when one leaves', async () => {
    const arn = await fresh();
    const viewers = [];
    for (const id of ['a', 'b', 'c']) viewers.push(await connect(emu, arn, { clientId: id }));
    await sleep(1100); // stay clear of the connect rate limit
    const r = await refused(connect(emu, arn, { clientId: 'd' }));
    expect([r.status, r.errorType]).toEqual([400, 'ClientLimitExceededException']);
    expect(JSON.parse(r.body).message).toMatch(/maximum number of viewers/);
    // Replacing an existing id does not need a free slot.
    const again = await connect(emu, arn, { clientId: 'a' });
    await viewers[0]!.closed;
    await viewers[1]!.close();
    await sleep(50);
    const d = await connect(emu, arn, { clientId: 'd' });
    await Promise.all([again.close(), viewers[2]!.close(), d.close()]);
  });

  test('connects are limited per channel and role to 3 per second', async () => {
    const arn = await fresh();
    const other = await fresh();
    // Five at once: three fit in the second, two are refused.
    const results = await Promise.allSettled(['r1', 'r2', 'r3', 'r5', 'r6'].map((id) => connect(emu, arn, { clientId: id })));
    const peers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as HandshakeRefused] : []));
    expect(peers).toHaveLength(3);
    expect(refusals.map((r) => [r.status, r.errorType])).toEqual([
      [400, 'ClientLimitExceededException'],
      [400, 'ClientLimitExceededException'],
    ]);
    expect(JSON.parse(refusals[0]!.body).message).toMatch(/3 calls per second/);
    // The master's budget and other channels are separate.
    peers.push(await connect(emu, arn));
    peers.push(await connect(emu, other, { clientId: 'r4' }));
    await sleep(1050);
    // A second later the budget is back (replacing a connected id: the viewer slots are full).
    const connectedId = emu.connections({ channelArn: arn, role: 'VIEWER' })[0]!.clientId!;
    peers.push(await connect(emu, arn, { clientId: connectedId }));
    await Promise.all(peers.map((p) => p.close()));
  });
});

describe('message quotas (opt-in)', () => {
  test('over the per-connection SDP and ICE quotas: ClientLimitExceededException, per connection and per kind', async () => {
    const q = await withEmulator({ tls: false, limits: { sdpMessagesPerSecondPerConnection: 2, iceCandidatesPerSecondPerConnection: 3 } });
    try {
      const arn = await createChannel(q, 'quota');
      const master = await connect(q, arn);
      const v1 = await connect(q, arn, { clientId: 'v1' });
      const v2 = await connect(q, arn, { clientId: 'v2' });
      for (let i = 0; i < 3; i++) v1.send({ action: 'SDP_OFFER', messagePayload: offer, correlationId: `s${i}` });
      for (let i = 0; i < 4; i++) v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(i), correlationId: `i${i}` });
      v2.send({ action: 'SDP_OFFER', messagePayload: offer2 });
      const status = [await v1.next(), await v1.next()];
      expect(status.map((f) => (f.statusResponse as { correlationId: string }).correlationId)).toEqual(['s2', 'i3']);
      expect(status[0]!.statusResponse).toMatchObject({ errorType: 'ClientLimitExceededException', statusCode: '400' });
      const relayed = [];
      for (let i = 0; i < 2 + 3 + 1; i++) relayed.push(await master.next());
      expect(relayed.filter((f) => f.senderClientId === 'v1').map((f) => f.messageType)).toEqual(['SDP_OFFER', 'SDP_OFFER', 'ICE_CANDIDATE', 'ICE_CANDIDATE', 'ICE_CANDIDATE']);
      expect(relayed.filter((f) => f.senderClientId === 'v2')).toHaveLength(1);
      await master.expectSilence(150);
      await sleep(1000);
      v1.send({ action: 'SDP_OFFER', messagePayload: offer });
      expect((await master.next()).senderClientId).toBe('v1');
      await Promise.all([master.close(), v1.close(), v2.close()]);
    } finally {
      await q.close();
    }
  });
});

describe('timeouts', () => {
  test('an idle socket is closed with 1001 after idleTimeoutMs; traffic keeps it open', async () => {
    const short = await withEmulator({ tls: false, limits: { idleTimeoutMs: 800 } });
    try {
      const arn = await createChannel(short, 'idle');
      const quiet = await connect(short, arn, { clientId: 'quiet' });
      const chatty = await connect(short, arn, { clientId: 'chatty' });
      const t0 = Date.now();
      const timer = setInterval(() => chatty.ws.ping(), 100);
      expect(await quiet.closed).toBe(1001);
      expect(quiet.closeReason).toBe('Idle timeout');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(750);
      await sleep(300);
      clearInterval(timer);
      expect(chatty.closeCode).toBeUndefined();
      expect(await chatty.closed).toBe(1001);
    } finally {
      await short.close();
    }
  });

  test('a socket is closed after maxConnectionMs even while active', async () => {
    const short = await withEmulator({ tls: false, limits: { maxConnectionMs: 500 } });
    try {
      const arn = await createChannel(short, 'max');
      const peer = await connect(short, arn);
      const timer = setInterval(() => peer.ws.ping(), 50);
      expect(await peer.closed).toBe(1001);
      clearInterval(timer);
      expect(peer.closeReason).toMatch(/Maximum connection duration/);
    } finally {
      await short.close();
    }
  });
});

test('the frame log records both directions with channel, role and client id', async () => {
  const arn = await fresh();
  emu.log.clear();
  const master = await connect(emu, arn);
  const v1 = await connect(emu, arn, { clientId: 'v1' });
  v1.send({ action: 'SDP_OFFER', messagePayload: offer });
  await master.next();
  const frames = emu.log.frames();
  expect(frames).toEqual([
    expect.objectContaining({ direction: 'in', channelArn: arn, role: 'VIEWER', clientId: 'v1' }),
    expect.objectContaining({ direction: 'out', channelArn: arn, role: 'MASTER', text: JSON.stringify({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: offer }) }),
  ]);
  expect(frames[1]).not.toHaveProperty('clientId');
  expect(emu.log.requests().map((r) => [r.operation, r.status])).toEqual([
    ['ConnectAsMaster', 101],
    ['ConnectAsViewer', 101],
  ]);
  await Promise.all([master.close(), v1.close()]);
});
