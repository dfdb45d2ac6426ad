/**
 * What the emulator does with messages for a recipient that is not connected:
 * held (bounded by limits.maxHeld*), refused when the bound is reached — with a
 * STATUS_RESPONSE to a sender that gave a correlationId (protocol.md 5.1:
 * failures are reported only then) — expired after MessageTtlSeconds, replaced,
 * or discarded with the channel; every one of those is in log.undelivered().
 */
import type { Emulator, UndeliveredRecord } from '../src';
import { b64, call, connect, createChannel, rawRequest, sleep, withEmulator } from './helpers';

const cand = (i: number) => b64({ candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${1000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 });
const offer = (n: number) => b64({ type: 'offer', sdp: `v=0\r\ns=${n}\r\n` });

let emu: Emulator;
let n = 0;
const fresh = (extra: Record<string, unknown> = {}) => createChannel(emu, `held-${++n}`, extra);
const lines: string[] = [];

beforeAll(async () => {
  emu = await withEmulator({ tls: false, limits: { maxHeldMessagesPerRecipient: 3, maxHeldMessagesPerChannel: 5 }, logger: (l) => lines.push(l) });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.log.clear();
  lines.length = 0;
});

test('DEFAULT: 256 messages are held for an absent recipient; the 257th is refused with a STATUS_RESPONSE, and the rest arrive in order', async () => {
  const def = await withEmulator({ tls: false });
  try {
    const arn = await createChannel(def, 'default-bound');
    const v1 = await connect(def, arn, { clientId: 'v1' });
    for (let i = 0; i < 256; i++) v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(i) });
    v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(256), correlationId: 'c-256' });
    expect(await v1.next()).toEqual({
      messageType: 'STATUS_RESPONSE',
      statusResponse: {
        correlationId: 'c-256',
        errorType: 'ClientLimitExceededException',
        statusCode: '400',
        description: '256 undelivered messages are already held for the master; this ICE_CANDIDATE was not held',
      },
    });
    const master = await connect(def, arn);
    for (let i = 0; i < 256; i++) expect((await master.next()).messagePayload).toBe(cand(i));
    await master.expectSilence(200);
    expect(def.log.undelivered()).toEqual([
      expect.objectContaining({ reason: 'RECIPIENT_HOLD_FULL', senderClientId: 'v1', correlationId: 'c-256', messagePayload: cand(256), statusResponseSent: true }),
    ]);
    await Promise.all([master.close(), v1.close()]);
  } finally {
    await def.close();
  }
});

test('a refusal without a correlationId sends nothing on the wire but is recorded, counted and logged', async () => {
  const arn = await fresh();
  const master = await connect(emu, arn);
  for (let i = 0; i < 4; i++) master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(i), recipientClientId: 'away' });
  await master.expectSilence(250);
  const records = emu.log.undelivered();
  expect(records).toEqual([
    {
      reason: 'RECIPIENT_HOLD_FULL',
      channelArn: arn,
      action: 'ICE_CANDIDATE',
      recipientClientId: 'away',
      messagePayload: cand(3),
      statusResponseSent: false,
      time: expect.any(Number) as number,
    },
  ]);
  expect(records[0]).not.toHaveProperty('senderClientId');
  expect(emu.log.undeliveredCount()).toBe(1);
  expect(emu.log.undeliveredCount('RECIPIENT_HOLD_FULL')).toBe(1);
  expect(emu.log.undeliveredCount('EXPIRED')).toBe(0);
  expect(lines.some((l) => /ICE_CANDIDATE for viewer away refused .*sender not told \(no correlationId\)/.test(l))).toBe(true);
  const away = await connect(emu, arn, { clientId: 'away' });
  expect([(await away.next()).messagePayload, (await away.next()).messagePayload, (await away.next()).messagePayload]).toEqual([cand(0), cand(1), cand(2)]);
  await away.expectSilence(150);
  await Promise.all([master.close(), away.close()]);
});

test('the channel bound counts every recipient together: CHANNEL_HOLD_FULL, reported to the correlated sender', async () => {
  const arn = await fresh();
  const master = await connect(emu, arn);
  // 3 for a, 2 for b: the channel's 5 are used up although b could hold one more.
  for (let i = 0; i < 3; i++) master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(i), recipientClientId: 'a' });
  for (let i = 3; i < 5; i++) master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(i), recipientClientId: 'b' });
  master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(5), recipientClientId: 'b', correlationId: 'b-6' });
  const status = await master.next();
  expect(status.statusResponse).toEqual({
    correlationId: 'b-6',
    errorType: 'ClientLimitExceededException',
    statusCode: '400',
    description: '5 undelivered messages are already held on the channel; this ICE_CANDIDATE was not held',
  });
  expect(emu.log.undelivered()).toEqual([expect.objectContaining({ reason: 'CHANNEL_HOLD_FULL', recipientClientId: 'b', correlationId: 'b-6', statusResponseSent: true })]);
  // Delivering a's messages frees room on the channel.
  const a = await connect(emu, arn, { clientId: 'a' });
  for (let i = 0; i < 3; i++) expect((await a.next()).messagePayload).toBe(cand(i));
  master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(6), recipientClientId: 'b', correlationId: 'b-7' });
  const b = await connect(emu, arn, { clientId: 'b' });
  expect([(await b.next()).messagePayload, (await b.next()).messagePayload, (await b.next()).messagePayload]).toEqual([cand(3), cand(4), cand(6)]);
  await master.expectSilence(150);
  await Promise.all([master.close(), a.close(), b.close()]);
});

test('a newer offer replaces a held one even at the bound (no refusal), and the replaced offer is recorded as REPLACED', async () => {
  const arn = await fresh();
  const v1 = await connect(emu, arn, { clientId: 'v1' });
  v1.send({ action: 'SDP_OFFER', messagePayload: offer(1), correlationId: 'o-1' });
  v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(1) });
  v1.send({ action: 'ICE_CANDIDATE', messagePayload: cand(2) });
  v1.send({ action: 'SDP_OFFER', messagePayload: offer(2), correlationId: 'o-2' });
  await v1.expectSilence(200);
  expect(emu.log.undelivered()).toEqual([
    expect.objectContaining({ reason: 'REPLACED', action: 'SDP_OFFER', senderClientId: 'v1', correlationId: 'o-1', messagePayload: offer(1), statusResponseSent: false }),
  ]);
  const master = await connect(emu, arn);
  expect([(await master.next()).messagePayload, (await master.next()).messagePayload, (await master.next()).messagePayload]).toEqual([cand(1), cand(2), offer(2)]);
  await Promise.all([master.close(), v1.close()]);
});

test('held messages still there when the channel is deleted, or when the emulator closes, are recorded', async () => {
  const arn = await fresh();
  const master = await connect(emu, arn);
  master.send({ action: 'SDP_ANSWER', messagePayload: offer(1), recipientClientId: 'gone', correlationId: 'x-1' });
  master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(1), recipientClientId: 'gone' });
  await sleep(100);
  expect((await call(emu, '/deleteSignalingChannel', { ChannelARN: arn })).status).toBe(200);
  await master.closed;
  expect(emu.log.undelivered().map((r: UndeliveredRecord) => [r.reason, r.action, r.recipientClientId, r.correlationId])).toEqual([
    ['CHANNEL_DELETED', 'SDP_ANSWER', 'gone', 'x-1'],
    ['CHANNEL_DELETED', 'ICE_CANDIDATE', 'gone', undefined],
  ]);

  const other = await withEmulator({ tls: false });
  const otherArn = await createChannel(other, 'closing');
  const v = await connect(other, otherArn, { clientId: 'v' });
  v.send({ action: 'SDP_OFFER', messagePayload: offer(3) });
  await sleep(100);
  await other.close();
  expect(other.log.undelivered()).toEqual([expect.objectContaining({ reason: 'EMULATOR_CLOSED', senderClientId: 'v', messagePayload: offer(3) })]);
});

test('a message for a recipient whose socket is closing is held, not written into the dying socket', async () => {
  const arn = await fresh();
  const v1 = await connect(emu, arn, { clientId: 'v1' });
  const old = await connect(emu, arn);
  // Send a close frame, then stop reading: the emulator answers and waits in CLOSING for the TCP end.
  old.ws.close();
  (old.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  await sleep(200);
  expect(emu.connections({ channelArn: arn, role: 'MASTER' })).toHaveLength(1);
  v1.send({ action: 'SDP_OFFER', messagePayload: offer(9) });
  await sleep(100);
  old.ws.terminate();
  await old.closed;
  const master = await connect(emu, arn);
  expect(await master.next()).toEqual({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: offer(9) });
  expect(emu.log.undelivered()).toEqual([]);
  await Promise.all([master.close(), v1.close()]);
});

test('the admin API serves the undelivered log and its counts', async () => {
  const arn = await fresh();
  const master = await connect(emu, arn);
  for (let i = 0; i < 4; i++) master.send({ action: 'ICE_CANDIDATE', messagePayload: cand(i), recipientClientId: 'away' });
  await sleep(150);
  const list = await rawRequest(emu, '/_emulator/log/undelivered', { method: 'GET' });
  expect(JSON.parse(list.text)).toEqual([expect.objectContaining({ reason: 'RECIPIENT_HOLD_FULL', recipientClientId: 'away', messagePayload: cand(3) })]);
  expect((await rawRequest(emu, '/_emulator/log/undelivered/count', { method: 'GET' })).json).toEqual({ count: 1 });
  expect((await rawRequest(emu, '/_emulator/log/undelivered/count?reason=EXPIRED', { method: 'GET' })).json).toEqual({ count: 0 });
  const bad = await rawRequest(emu, '/_emulator/log/undelivered/count?reason=LOST', { method: 'GET' });
  expect([bad.status, String(bad.json.error)]).toEqual([400, expect.stringMatching(/reason must be one of RECIPIENT_HOLD_FULL/)]);
  await master.close();
});
