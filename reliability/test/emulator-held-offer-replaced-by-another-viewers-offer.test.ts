/**
 * Finding (chaos soak): while the master was away, the emulator held viewers'
 * messages per recipient and let a newer SDP offer replace any older held
 * offer, whoever sent it. With several viewers, every viewer's offer but the
 * last was dropped silently. The service replaces an undelivered offer or
 * answer only with a newer one between the same two clients.
 */
import { base64Of } from '../src/hostile';
import { connectUrl, openSocket, startFuzzEmulator } from '../src/emulator-fuzz';
import type { FuzzEmulator } from '../src/emulator-fuzz';

let fz: FuzzEmulator;
beforeAll(async () => {
  fz = await startFuzzEmulator();
}, 60_000);
afterAll(async () => {
  await fz?.close();
});

const offer = (tag: string): string => JSON.stringify({ action: 'SDP_OFFER', messagePayload: base64Of(JSON.stringify({ type: 'offer', sdp: `v=0\r\ns=${tag}\r\n` })) });

test('offers from two viewers held for an absent master both reach it', async () => {
  const arn = fz.channels[0]?.arn ?? '';
  const a = await openSocket(fz, await connectUrl(fz, arn, 'VIEWER', 'held-a'));
  const b = await openSocket(fz, await connectUrl(fz, arn, 'VIEWER', 'held-b'));
  try {
    a.ws?.send(offer('from-a-1'));
    a.ws?.send(offer('from-a-2'));
    b.ws?.send(offer('from-b-1'));
    await new Promise((r) => setTimeout(r, 200));
    const m = await openSocket(fz, await connectUrl(fz, arn, 'MASTER'));
    const got: string[] = [];
    m.ws?.on('message', (d) => {
      const f = JSON.parse(String(d)) as { senderClientId?: string; messagePayload?: string };
      if (!f.messagePayload) return;
      const sdp = (JSON.parse(Buffer.from(f.messagePayload, 'base64').toString('utf8')) as { sdp: string }).sdp;
      got.push(`${f.senderClientId}:${/s=(.*)\r/.exec(sdp)?.[1]}`);
    });
    await new Promise((r) => setTimeout(r, 500));
    m.ws?.terminate();
    // a's newer offer replaced a's older one; b's offer is kept
    expect(got.sort()).toEqual(['held-a:from-a-2', 'held-b:from-b-1']);
  } finally {
    a.ws?.terminate();
    b.ws?.terminate();
  }
}, 30_000);
