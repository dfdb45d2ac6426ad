import type { Emulator } from '../src';
import { b64, connect, createChannel, sleep, withEmulator, type Peer } from './helpers';

// 1,000 concurrent WebSocket connections (100 channels × 1 master + 9 viewers) over TLS,
// with offers, answers and candidates flowing. Memory is printed, never asserted;
// nothing here measures speed.
const CHANNELS = 100;
const VIEWERS = 9;

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(async () => {
  await emu.close();
});

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

test('1,000 concurrent connections relay every message without errors', async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const arns: string[] = [];
  for (let c = 0; c < CHANNELS; c++) arns.push(await createChannel(emu, `load-${c}`));

  const masters = await Promise.all(arns.map((arn) => connect(emu, arn)));
  const viewers: Peer[][] = arns.map(() => []);
  // ConnectAsViewer is limited to 3 per second per channel: connect in waves of 3.
  for (let wave = 0; wave * 3 < VIEWERS; wave++) {
    await Promise.all(
      arns.map(async (arn, c) => {
        for (let k = wave * 3; k < Math.min(VIEWERS, wave * 3 + 3); k++) viewers[c]!.push(await connect(emu, arn, { clientId: `v${k}` }));
      }),
    );
    if ((wave + 1) * 3 < VIEWERS) await sleep(1050);
  }
  expect(emu.connections()).toHaveLength(CHANNELS * (1 + VIEWERS));
  const heapConnected = process.memoryUsage().heapUsed;

  // Every viewer: an offer and two candidates; every master: an answer and a candidate per viewer.
  const offer = (c: number, k: number) => b64({ type: 'offer', sdp: `v=0\r\no=- ${c} ${k} IN IP4 127.0.0.1\r\n` });
  const cand = (c: number, k: number, i: number) => b64({ candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${10000 + k} typ host`, sdpMid: `${c}`, sdpMLineIndex: 0 });
  viewers.forEach((list, c) =>
    list.forEach((v, k) => {
      v.send({ action: 'SDP_OFFER', messagePayload: offer(c, k), correlationId: `o-${c}-${k}` });
      v.send({ action: 'ICE_CANDIDATE', messagePayload: cand(c, k, 1) });
      v.send({ action: 'ICE_CANDIDATE', messagePayload: cand(c, k, 2) });
    }),
  );
  await Promise.all(
    masters.map(async (m, c) => {
      const seen = new Map<string, string[]>();
      for (let i = 0; i < VIEWERS * 3; i++) {
        const f = await m.next(20_000);
        const from = String(f.senderClientId);
        seen.set(from, [...(seen.get(from) ?? []), String(f.messagePayload)]);
      }
      for (let k = 0; k < VIEWERS; k++) {
        expect(seen.get(`v${k}`)).toEqual([offer(c, k), cand(c, k, 1), cand(c, k, 2)]);
        m.send({ action: 'SDP_ANSWER', messagePayload: offer(c, k), recipientClientId: `v${k}`, correlationId: `a-${c}-${k}` });
        m.send({ action: 'ICE_CANDIDATE', messagePayload: cand(c, k, 3), recipientClientId: `v${k}` });
      }
    }),
  );
  await Promise.all(
    viewers.flatMap((list, c) =>
      list.map(async (v, k) => {
        expect(await v.next(20_000)).toEqual({ messageType: 'SDP_ANSWER', messagePayload: offer(c, k) });
        expect(await v.next(20_000)).toEqual({ messageType: 'ICE_CANDIDATE', messagePayload: cand(c, k, 3) });
      }),
    ),
  );
  const heapFlowing = process.memoryUsage().heapUsed;

  // No STATUS_RESPONSE, no Forbidden frame, no close anywhere.
  const all = [...masters, ...viewers.flat()];
  expect(all.filter((p) => p.closeCode !== undefined)).toHaveLength(0);
  expect(all.every((p) => p.received.every((t) => !t.includes('STATUS_RESPONSE') && !t.includes('Forbidden')))).toBe(true);
  expect(emu.log.requests().filter((r) => r.status !== 101 && r.operation.startsWith('Connect'))).toEqual([]);

  await Promise.all(all.map((p) => p.close()));
  await sleep(100);
  expect(emu.connections()).toHaveLength(0);
  const heapAfter = process.memoryUsage().heapUsed;
  // eslint-disable-next-line no-console
  console.log(
    `load: ${all.length} connections, ${CHANNELS * VIEWERS * 5} messages relayed; heap before ${mb(heapBefore)}, ` +
      `connected ${mb(heapConnected)}, after traffic ${mb(heapFlowing)}, after close ${mb(heapAfter)}; ` +
      `rss before ${mb(rssBefore)}, after ${mb(process.memoryUsage().rss)} (client and server share this process)`,
  );
}, 60_000);
