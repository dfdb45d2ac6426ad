/**
 * Finding (chaos soak): `send*()` resolved as soon as the frame was handed to
 * the socket. When the service's end of the connection died before reading it
 * (a drop), the frame was lost, yet its promise had resolved and it was never
 * sent again: neither delivered nor reported as failed. The service sends no
 * acknowledgement, but a ping written after the frame is answered only once
 * the service has read it, so the client can know. Expected: the send is
 * either re-sent on the next connection or rejects with a typed error.
 */
import { isSignalingError } from '@kvs-sig/client';
import type { Socket } from 'node:net';
import { startFuzzedClient } from '../src/client-fuzz';
import type { FuzzedClient } from '../src/client-fuzz';

let fcl: FuzzedClient;
beforeAll(async () => {
  fcl = await startFuzzedClient();
}, 30_000);
afterAll(async () => {
  await fcl?.close();
});

test('a candidate written into a connection that dies unread is re-sent or reported failed', async () => {
  const first = await fcl.svc.socket();
  // the service stops reading: what the client writes now stays unread in the kernel
  ((first as unknown as { _socket: Socket })._socket).pause();
  const result: { outcome: 'pending' | 'resolved' | 'rejected'; rejection?: unknown } = { outcome: 'pending' };
  fcl.client.sendIceCandidate({ candidate: 'candidate:lost-1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 }).then(
    () => (result.outcome = 'resolved'),
    (e: unknown) => Object.assign(result, { outcome: 'rejected', rejection: e }),
  );
  await new Promise((r) => setTimeout(r, 300));
  first.terminate();
  // wait for a new connection, then see whether the candidate arrives on it
  const resent = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 5000);
    void (async () => {
      for (;;) {
        const ws = await fcl.svc.socket();
        if (ws === first) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        ws.on('message', (d) => {
          if (String(d).includes('messagePayload')) {
            clearTimeout(t);
            resolve(true);
          }
        });
        return;
      }
    })();
  });
  await new Promise((r) => setTimeout(r, 100));
  expect({ resent, outcome: result.outcome }).not.toEqual({ resent: false, outcome: 'resolved' });
  if (result.outcome === 'rejected') expect(isSignalingError(result.rejection)).toBe(true);
}, 30_000);
