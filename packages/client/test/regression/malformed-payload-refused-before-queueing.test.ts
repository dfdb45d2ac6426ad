/**
 * A malformed SDP or candidate is refused with a ValidationError naming the
 * field, before anything is built, queued or written: the peer never gets an
 * offer whose SDP silently went missing, a `bogus` type, or a lone surrogate.
 */
import { ValidationError } from '@kvs-sig/core';
import { Harness, offer } from '../support/helpers';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const sdp = offer.sdp;
const bad: Array<[string, 'offer' | 'answer' | 'candidate', unknown, string]> = [
  ['sdp not a string', 'offer', { type: 'offer', sdp: 42 }, 'offer.sdp'],
  ['no sdp', 'offer', { type: 'offer' }, 'offer.sdp'],
  ['empty sdp', 'answer', { type: 'answer', sdp: '' }, 'answer.sdp'],
  ['type bogus', 'offer', { type: 'bogus', sdp }, 'offer.type'],
  ['an answer sent as an offer', 'offer', { type: 'answer', sdp }, 'offer.type'],
  ['an offer sent as an answer', 'answer', { type: 'offer', sdp }, 'answer.type'],
  ['lone surrogate in the sdp', 'offer', { type: 'offer', sdp: `${sdp}a=x:\uD800\r\n` }, 'offer.sdp'],
  ['lone surrogate in the candidate', 'candidate', { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host \uDC00' }, 'candidate.candidate'],
  ['candidate not a string', 'candidate', { candidate: 7 }, 'candidate.candidate'],
];

function send(c: ReturnType<Harness['viewer']>, kind: 'offer' | 'answer' | 'candidate', payload: unknown): Promise<void> {
  if (kind === 'offer') return c.sendSdpOffer(payload as never);
  if (kind === 'answer') return c.sendSdpAnswer(payload as never);
  return c.sendIceCandidate(payload as never);
}

describe('malformed payloads are refused before anything is queued', () => {
  test.each(bad)('%s → ValidationError on %s; nothing reaches the service', async (_what, kind, payload, field) => {
    h = await Harness.start();
    const master = h.master('payloads', { createChannelIfMissing: true });
    await master.connect();
    const viewer = h.viewer('payloads', 'viewer-1');
    await viewer.connect();
    const inbound = () => h.emu.log.frames().filter((f) => f.direction === 'in').length;
    const before = inbound();

    const error = await send(viewer, kind, payload).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'BAD_PARAM', field });

    // While reconnecting the send would wait in the queue: refused all the same, and nothing waits.
    h.emu.faults.refuseHandshake(1000, { role: 'VIEWER' });
    const closed = viewer.waitFor('close');
    h.emu.faults.dropConnections({ role: 'VIEWER' });
    await closed;
    await expect(send(viewer, kind, payload)).rejects.toMatchObject({ name: 'ValidationError', field });
    expect(viewer.metrics().queued).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(inbound()).toBe(before);
    expect(viewer.metrics().messagesSent).toBe(0);
  });

  test('a well-formed offer still goes through', async () => {
    h = await Harness.start();
    const master = h.master('payloads-ok', { createChannelIfMissing: true });
    await master.connect();
    const viewer = h.viewer('payloads-ok', 'viewer-1');
    await viewer.connect();
    const got = master.waitFor('sdpOffer', { timeoutMs: 3000 });
    await viewer.sendSdpOffer(offer);
    expect((await got).payload).toEqual(offer);
  });
});
