/**
 * The inbound duplicate check: keyed on a short sample of the payload, so
 * distinct payloads can share a key; a match must be confirmed on the whole
 * payload, sender and type before anything is dropped.
 */
import { MAX_REMEMBERED_CHARS, shortKey } from '../../src/duplicate-check';
import { Inbox, type InboxHost } from '../../src/inbox';
import { SafeLogger } from '../../src/logger';
import type { ClientMetrics, SignalingClientEvents } from '../../src/types';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

function frame(type: string, sender: string | undefined, payload: unknown): string {
  return JSON.stringify({ ...(sender === undefined ? {} : { senderClientId: sender }), messageType: type, messagePayload: b64(payload) });
}

function harness(dedupeMs: number) {
  const metrics = { messagesReceived: 0, duplicatesDropped: 0 } as ClientMetrics;
  const events: Array<{ event: string; payload: unknown }> = [];
  const host: InboxHost = {
    emit<K extends keyof SignalingClientEvents>(event: K, payload: SignalingClientEvents[K]) {
      events.push({ event, payload });
    },
    reportError: (e) => events.push({ event: 'error', payload: e }),
    onGoAway: () => undefined,
    onReconnectIceServer: () => undefined,
    onOfferIceServers: () => undefined,
    isClosed: () => false,
    metrics,
    log: new SafeLogger(undefined),
  };
  const inbox = new Inbox({ iceMode: false, dedupeMs }, host);
  const delivered = () => events.filter((e) => e.event === 'sdpOffer' || e.event === 'iceCandidate').map((e) => (e.payload as { payload: unknown }).payload);
  return { inbox, metrics, events, delivered, recv: (text: string) => inbox.onFrame(text, text) };
}

/** Two SDPs of the same length that differ only far from both ends of their base64. */
function collidingOffers(): [{ type: 'offer'; sdp: string }, { type: 'offer'; sdp: string }] {
  const sdp = (mid: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n${'a=x:'.repeat(60)}${mid}${'a=y:'.repeat(60)}t=0 0\r\n`;
  return [
    { type: 'offer', sdp: sdp('AAA') },
    { type: 'offer', sdp: sdp('BBB') },
  ];
}

afterEach(() => jest.restoreAllMocks());

describe('duplicate check', () => {
  test('two distinct payloads engineered to share the short key are both delivered; exact repeats are dropped', () => {
    const [a, b] = collidingOffers();
    const pa = b64(a);
    const pb = b64(b);
    // The premise: same length, same ends, same short key, different payloads.
    expect(pa).not.toBe(pb);
    expect(pa.length).toBe(pb.length);
    expect(shortKey('SDP_OFFER', 'v1', pa)).toBe(shortKey('SDP_OFFER', 'v1', pb));

    const h = harness(30_000);
    for (const f of [frame('SDP_OFFER', 'v1', a), frame('SDP_OFFER', 'v1', b), frame('SDP_OFFER', 'v1', a), frame('SDP_OFFER', 'v1', b)]) h.recv(f);
    expect(h.delivered()).toEqual([a, b]);
    expect(h.metrics.duplicatesDropped).toBe(2);
  });

  test('many distinct payloads under one short key: each delivered once, each repeat dropped', () => {
    const sdp = (i: number) => ({ type: 'offer' as const, sdp: `v=0\r\n${'a=x:'.repeat(60)}${String(i).padStart(4, '0')}${'a=y:'.repeat(60)}` });
    const keys = new Set(Array.from({ length: 50 }, (_, i) => shortKey('SDP_OFFER', 'v1', b64(sdp(i)))));
    expect(keys.size).toBe(1);
    const h = harness(30_000);
    for (let i = 0; i < 50; i++) h.recv(frame('SDP_OFFER', 'v1', sdp(i)));
    for (let i = 49; i >= 0; i--) h.recv(frame('SDP_OFFER', 'v1', sdp(i)));
    expect(h.delivered()).toEqual(Array.from({ length: 50 }, (_, i) => sdp(i)));
    expect(h.metrics.duplicatesDropped).toBe(50);
  });

  test('the same payload from another sender, of another type, or from the master is not a duplicate', () => {
    const c = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const h = harness(30_000);
    for (const f of [frame('ICE_CANDIDATE', 'v1', c), frame('ICE_CANDIDATE', 'v2', c), frame('ICE_CANDIDATE', undefined, c), frame('ICE_CANDIDATE', 'v1', c)]) h.recv(f);
    expect(h.delivered()).toHaveLength(3);
    expect(h.metrics.duplicatesDropped).toBe(1);
    const o = { type: 'offer', sdp: 'v=0\r\n' };
    h.recv(frame('SDP_OFFER', 'v1', o));
    h.recv(frame('SDP_ANSWER', 'v1', { ...o, type: 'offer' }));
    expect(h.events.filter((e) => e.event === 'sdpOffer' || e.event === 'sdpAnswer')).toHaveLength(2);
    expect(h.metrics.duplicatesDropped).toBe(1);
  });

  test('a repeat after the window is delivered again; inside it, dropped (also within a shared short key)', () => {
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const [a, b] = collidingOffers();
    const h = harness(1000);
    h.recv(frame('SDP_OFFER', 'v1', a));
    now += 600;
    h.recv(frame('SDP_OFFER', 'v1', b));
    now += 399; // a is 999 ms old, b 399 ms
    h.recv(frame('SDP_OFFER', 'v1', a));
    expect(h.metrics.duplicatesDropped).toBe(1);
    now += 1; // a is 1000 ms old: out of the window; b (same short key, younger) still in it
    h.recv(frame('SDP_OFFER', 'v1', a));
    h.recv(frame('SDP_OFFER', 'v1', b));
    expect(h.delivered()).toEqual([a, b, a]);
    expect(h.metrics.duplicatesDropped).toBe(2);
  });

  test('at most 4096 messages are remembered: the oldest is forgotten first', () => {
    const cand = (i: number) => ({ candidate: `candidate:${i} 1 udp 2122260223 192.0.2.1 ${i} typ host`, sdpMid: '0', sdpMLineIndex: 0 });
    const h = harness(60_000);
    for (let i = 0; i <= 4096; i++) h.recv(frame('ICE_CANDIDATE', 'v1', cand(i)));
    // 4097 remembered at most 4096: candidate 0 went, candidate 1 is still there.
    h.recv(frame('ICE_CANDIDATE', 'v1', cand(1)));
    expect(h.metrics.duplicatesDropped).toBe(1);
    h.recv(frame('ICE_CANDIDATE', 'v1', cand(0)));
    expect(h.metrics.duplicatesDropped).toBe(1);
    expect(h.delivered()).toHaveLength(4098);
  });

  test('at most MAX_REMEMBERED_CHARS of payload are remembered: large distinct frames push out the oldest, and a repeat of a forgotten one is delivered, not lost', () => {
    // Distinct offers of about 64 KB of base64 each: 16 fill the budget, well under the 4,096-entry bound.
    const offer = (i: number) => ({ type: 'offer' as const, sdp: `v=0\r\no=- ${i} 2 IN IP4 127.0.0.1\r\n${'a=x'.repeat(16_000)}\r\n` });
    const size = b64(offer(0)).length;
    const fit = Math.floor(MAX_REMEMBERED_CHARS / size);
    expect(fit).toBeGreaterThan(2);
    expect(fit).toBeLessThan(100);
    const h = harness(60_000);
    for (let i = 0; i <= fit; i++) h.recv(frame('SDP_OFFER', 'v1', offer(i)));
    // fit + 1 offers: the oldest went to stay within the budget, the next one is still there.
    h.recv(frame('SDP_OFFER', 'v1', offer(1)));
    expect(h.metrics.duplicatesDropped).toBe(1);
    h.recv(frame('SDP_OFFER', 'v1', offer(0)));
    expect(h.metrics.duplicatesDropped).toBe(1);
    expect(h.delivered()).toHaveLength(fit + 2);
    // A frame alone larger than a share of the budget is still remembered (the newest always stays).
    const big = { type: 'offer' as const, sdp: 'a=y'.repeat(200_000) };
    h.recv(frame('SDP_OFFER', 'v1', big));
    h.recv(frame('SDP_OFFER', 'v1', big));
    expect(h.metrics.duplicatesDropped).toBe(2);
  });

  test('dedupeWindowMs 0 keeps every repeat', () => {
    const h = harness(0);
    const o = { type: 'offer', sdp: 'v=0\r\n' };
    for (let i = 0; i < 3; i++) h.recv(frame('SDP_OFFER', 'v1', o));
    expect(h.delivered()).toHaveLength(3);
    expect(h.metrics.duplicatesDropped).toBe(0);
  });
});
