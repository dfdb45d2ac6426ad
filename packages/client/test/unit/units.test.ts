import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileCache, LocalStorageCache, MemoryCache, type CachedChannel, type StorageLike } from '../../src/index';
import { Backoff, backoffDelay } from '../../src/backoff';
import { cacheKey } from '../../src/cache';
import { TypedEmitter } from '../../src/emitter';
import { IceCandidateBuffer } from '../../src/ice-buffer';
import { OutboundQueue } from '../../src/queue';

class Emitter extends TypedEmitter<{ a: number; b: string }> {
  fire<K extends 'a' | 'b'>(k: K, v: { a: number; b: string }[K]) {
    this.emit(k, v);
  }
  cancel(e: unknown) {
    this.cancelWaiters(e);
  }
}

describe('TypedEmitter', () => {
  test('on returns an unsubscribe; off removes; once runs once', () => {
    const e = new Emitter();
    const seen: number[] = [];
    const off = e.on('a', (v) => seen.push(v));
    e.once('a', (v) => seen.push(v * 10));
    e.fire('a', 1);
    e.fire('a', 2);
    off();
    off();
    e.fire('a', 3);
    expect(seen).toEqual([1, 10, 2]);
    expect(e.listenerCount()).toBe(0);
  });

  test('once with an aborted or later-aborted signal does not run', () => {
    const e = new Emitter();
    const seen: number[] = [];
    e.once('a', (v) => seen.push(v), { signal: AbortSignal.abort() });
    const ac = new AbortController();
    e.once('a', (v) => seen.push(v), { signal: ac.signal });
    ac.abort();
    e.fire('a', 1);
    expect(seen).toEqual([]);
    expect(e.listenerCount('a')).toBe(0);
  });

  test('a throwing listener does not stop the others and is reported', () => {
    const reported: unknown[] = [];
    const e2 = new (class extends TypedEmitter<{ a: number }> {
      fire(v: number) {
        this.emit('a', v);
      }
    })((err) => reported.push(err));
    const seen: number[] = [];
    e2.on('a', () => {
      throw new Error('boom');
    });
    e2.on('a', (v) => seen.push(v));
    e2.fire(7);
    expect(seen).toEqual([7]);
    expect(reported).toHaveLength(1);
  });

  test('waitFor: filter, timeout, abort and cancel', async () => {
    const e = new Emitter();
    const p = e.waitFor('a', { filter: (v) => v > 1 });
    e.fire('a', 1);
    e.fire('a', 2);
    await expect(p).resolves.toBe(2);
    await expect(e.waitFor('a', { timeoutMs: 10 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const ac = new AbortController();
    const q = e.waitFor('b', { signal: ac.signal });
    ac.abort();
    await expect(q).rejects.toMatchObject({ code: 'ABORTED' });
    const r = e.waitFor('b', { timeoutMs: 10_000 });
    e.cancel(new Error('closed'));
    await expect(r).rejects.toThrow('closed');
    expect(e.listenerCount()).toBe(0);
  });

  test('a non-function listener is refused', () => {
    expect(() => new Emitter().on('a', 5 as never)).toThrow(TypeError);
  });
});

describe('backoff (full jitter)', () => {
  test('the ceiling doubles from 100 ms and caps at 10 s', () => {
    const top = (n: number) => backoffDelay(n, { random: () => 0.999999 });
    expect([0, 1, 2, 3, 6, 7, 8, 50, 5000].map(top)).toEqual([99, 199, 399, 799, 6399, 9999, 9999, 9999, 9999]);
    expect(backoffDelay(5, { random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { initialDelayMs: 10, maxDelayMs: 25, random: () => 0.5 })).toBe(12);
  });

  test('random draws stay within [0, ceiling)', () => {
    for (let n = 0; n < 200; n++) {
      const d = backoffDelay(n % 12);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(10_000, 100 * 2 ** (n % 12)));
    }
  });

  test('Backoff counts attempts and resets', () => {
    const b = new Backoff({ random: () => 0.999999 });
    expect([b.next(), b.next(), b.next()]).toEqual([99, 199, 399]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.next()).toBe(99);
  });
});

describe('OutboundQueue', () => {
  afterEach(() => jest.useRealTimers());

  test('QUEUE_FULL beyond maxMessages; FIFO take; requeue keeps the original order', async () => {
    const q = new OutboundQueue({ maxMessages: 3 });
    const ps = ['a', 'b', 'c'].map((f) => q.enqueue(f, 'X'));
    await expect(q.enqueue('d', 'X')).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    const a = q.take()!;
    const b = q.take()!;
    q.requeue(b);
    q.requeue(a);
    expect([q.take()!.frame, q.take()!.frame, q.take()!.frame]).toEqual(['a', 'b', 'c']);
    q.rejectAll(new Error('x'));
    q.dispose();
    void ps;
  });

  test('an entry that was written once expires with DELIVERY_UNCONFIRMED (it may have been delivered), one never written with MESSAGE_EXPIRED; remove() takes one out', async () => {
    jest.useFakeTimers();
    let now = 1000;
    const q = new OutboundQueue({ maxAgeMs: 500 }, () => now);
    const settled: string[] = [];
    const mk = (name: string) => q.entry(name, 'ICE_CANDIDATE', () => settled.push(`${name} sent`), (e) => settled.push(`${name} ${(e as { code: string }).code}`));
    const written = mk('w');
    written.written = true;
    const gone = mk('g');
    gone.written = true;
    q.requeue(written);
    q.requeue(gone);
    const never = q.enqueue('n', 'ICE_CANDIDATE').then(
      () => 'n sent',
      (e: { code: string }) => `n ${e.code}`,
    );
    expect(q.remove(gone)).toBe(true);
    expect(q.remove(gone)).toBe(false);
    now = 1500;
    jest.advanceTimersByTime(500);
    expect(settled).toEqual(['w DELIVERY_UNCONFIRMED']);
    expect(await never).toBe('n MESSAGE_EXPIRED');
    expect(q.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });

  test('entries older than maxAgeMs reject MESSAGE_EXPIRED by timer', async () => {
    jest.useFakeTimers();
    let now = 1000;
    const q = new OutboundQueue({ maxAgeMs: 500 }, () => now);
    const p1 = q.enqueue('a', 'SDP_OFFER');
    now = 1300;
    const p2 = q.enqueue('b', 'SDP_ANSWER');
    now = 1500;
    jest.advanceTimersByTime(500);
    await expect(p1).rejects.toMatchObject({ code: 'MESSAGE_EXPIRED' });
    expect(q.size).toBe(1);
    now = 1800;
    jest.advanceTimersByTime(300);
    await expect(p2).rejects.toMatchObject({ code: 'MESSAGE_EXPIRED' });
    expect(q.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('one lazy expiry timer: armed by the first waiting entry only, gone once the queue is empty', async () => {
    jest.useFakeTimers();
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const clearTimeoutSpy = jest.spyOn(globalThis, 'clearTimeout');
    try {
      const q = new OutboundQueue({ maxAgeMs: 500 });
      const ps = Array.from({ length: 50 }, (_, i) => q.enqueue(`f${i}`, 'ICE_CANDIDATE'));
      expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
      expect(jest.getTimerCount()).toBe(1);
      // Taking entries does not reschedule; the last one out stops the timer.
      for (let i = 0; i < 49; i++) q.take()!.resolve();
      expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
      expect(clearTimeoutSpy).not.toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(1);
      q.take()!.resolve();
      expect(jest.getTimerCount()).toBe(0);
      await Promise.all(ps);
    } finally {
      setTimeoutSpy.mockRestore();
      clearTimeoutSpy.mockRestore();
    }
  });

  test('expiry stays on time when the head the timer was armed for is taken, and when an older entry is requeued', async () => {
    jest.useFakeTimers();
    let now = 0;
    const q = new OutboundQueue({ maxAgeMs: 500 }, () => now);
    const settled: string[] = [];
    const track = (p: Promise<void>, name: string) =>
      p.then(
        () => settled.push(`${name} ok`),
        (e: { code?: string }) => settled.push(`${name} ${e.code}`),
      );
    const flushPromises = () => new Promise((r) => jest.requireActual<typeof import('timers')>('timers').setImmediate(r));
    void track(q.enqueue('a', 'X'), 'a'); // due 500 (armed)
    now = 100;
    void track(q.enqueue('b', 'X'), 'b'); // due 600
    now = 200;
    void track(q.enqueue('c', 'X'), 'c'); // due 700
    now = 50;
    const a = q.take()!;
    now = 500;
    jest.advanceTimersByTime(500); // the timer armed for a fires: b is still fresh, the timer re-arms for 600
    await flushPromises();
    expect(settled).toEqual([]);
    expect(q.size).toBe(2);
    now = 599;
    jest.advanceTimersByTime(99);
    await flushPromises();
    expect(settled).toEqual([]);
    // a's write was lost: it goes back at the head, older than the timer's due time (600).
    q.requeue(a);
    await flushPromises();
    expect(settled).toEqual(['a MESSAGE_EXPIRED']);
    now = 600;
    jest.advanceTimersByTime(1);
    await flushPromises();
    expect(settled).toEqual(['a MESSAGE_EXPIRED', 'b MESSAGE_EXPIRED']);
    now = 700;
    jest.advanceTimersByTime(100);
    await flushPromises();
    expect(settled).toEqual(['a MESSAGE_EXPIRED', 'b MESSAGE_EXPIRED', 'c MESSAGE_EXPIRED']);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a shorter age limit (the channel TTL) re-arms the timer earlier; peek past expired entries leaves no timer', async () => {
    jest.useFakeTimers();
    let now = 0;
    const q = new OutboundQueue({ maxAgeMs: 60_000 }, () => now);
    const p = q.enqueue('a', 'SDP_OFFER');
    now = 100;
    q.setMaxAge(1000);
    expect(q.size).toBe(1);
    now = 1000;
    jest.advanceTimersByTime(900);
    await expect(p).rejects.toMatchObject({ code: 'MESSAGE_EXPIRED' });
    expect(jest.getTimerCount()).toBe(0);

    const p2 = q.enqueue('b', 'SDP_OFFER');
    now = 2000;
    expect(q.peek()).toBeUndefined();
    await expect(p2).rejects.toMatchObject({ code: 'MESSAGE_EXPIRED' });
    expect(jest.getTimerCount()).toBe(0);
  });

  test('rejectAll settles every entry and clears the timer', async () => {
    jest.useFakeTimers();
    const q = new OutboundQueue({});
    const ps = [q.enqueue('a', 'X'), q.enqueue('b', 'X')];
    q.rejectAll(new Error('closed'));
    for (const p of ps) await expect(p).rejects.toThrow('closed');
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('IceCandidateBuffer', () => {
  const c = (n: number) => ({ payload: { candidate: `c${n}` }, senderClientId: n < 10 ? 'v1' : undefined });
  test('holds per sender, releases in order after the SDP, peek/reset', () => {
    const b = new IceCandidateBuffer(3);
    expect(b.hold(c(1))).toBe(true);
    expect(b.hold(c(2))).toBe(true);
    expect(b.hold(c(11))).toBe(true);
    expect(b.peek('v1').map((x) => x.payload.candidate)).toEqual(['c1', 'c2']);
    expect(b.senders()).toEqual(['v1', undefined]);
    expect(b.release('v1').map((x) => x.payload.candidate)).toEqual(['c1', 'c2']);
    expect(b.hasSdp('v1')).toBe(true);
    expect(b.hasSdp(undefined)).toBe(false);
    expect(b.reset(undefined)).toBe(1);
    expect(b.reset('v1')).toBe(0);
    expect(b.hasSdp('v1')).toBe(false);
  });
  test('refuses beyond the per-sender bound', () => {
    const b = new IceCandidateBuffer(1);
    expect(b.hold(c(1))).toBe(true);
    expect(b.hold(c(2))).toBe(false);
  });
});

const entry = (storedAt: number, arn = 'arn:1'): CachedChannel => ({
  channelArn: arn,
  endpoints: { wssEndpoint: 'wss://a', httpsEndpoint: 'https://b' },
  messageTtlSeconds: 60,
  storedAt,
});

describe('endpoint caches', () => {
  test('cacheKey separates region, channel and role', () => {
    const keys = new Set([
      cacheKey('us-west-2', { channelName: 'x' }, 'MASTER'),
      cacheKey('us-west-2', { channelName: 'x' }, 'VIEWER'),
      cacheKey('eu-west-1', { channelName: 'x' }, 'MASTER'),
      cacheKey('us-west-2', { channelArn: 'x' }, 'MASTER'),
    ]);
    expect(keys.size).toBe(4);
  });

  test('MemoryCache: TTL and max entries (oldest write goes first)', () => {
    let now = 10_000;
    const m = new MemoryCache({ ttlMs: 1000, maxEntries: 2, now: () => now });
    m.set('a', entry(now));
    m.set('b', entry(now));
    m.set('c', entry(now));
    expect(m.get('a')).toBeUndefined();
    expect(m.get('b')).toEqual(entry(10_000));
    now += 1000;
    expect(m.get('b')).toBeUndefined();
    m.delete('c');
    expect(m.size).toBe(0);
  });

  test('LocalStorageCache: persists through the storage, ignores corrupt data, needs a storage', () => {
    const data = new Map<string, string>();
    const storage: StorageLike = {
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => void data.set(k, v),
      removeItem: (k) => void data.delete(k),
    };
    const now = Date.now();
    new LocalStorageCache({ storage }).set('k', entry(now));
    expect(new LocalStorageCache({ storage }).get('k')).toEqual(entry(now));
    data.set('kvs-sig:endpoints:v1', '{not json');
    expect(new LocalStorageCache({ storage }).get('k')).toBeUndefined();
    data.set('kvs-sig:endpoints:v1', JSON.stringify({ k: { channelArn: 5 } }));
    expect(new LocalStorageCache({ storage }).get('k')).toBeUndefined();
    const throwing: StorageLike = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); }, removeItem: () => undefined };
    const t = new LocalStorageCache({ storage: throwing });
    expect(() => t.set('k', entry(now))).not.toThrow();
    expect(t.get('k')).toBeUndefined();
    expect(() => new LocalStorageCache()).toThrow(expect.objectContaining({ code: 'INVALID_CONFIGURATION' }));
  });

  test('FileCache: survives a new instance, serialises writes, reads corrupt files as empty', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kvs-cache-'));
    try {
      const file = path.join(dir, 'sub', 'cache.json');
      const now = Date.now();
      const a = new FileCache({ path: file });
      await Promise.all([a.set('x', entry(now, 'arn:x')), a.set('y', entry(now, 'arn:y')), a.set('z', entry(now, 'arn:z'))]);
      const b = new FileCache({ path: file });
      expect((await b.get('x'))?.channelArn).toBe('arn:x');
      expect((await b.get('z'))?.channelArn).toBe('arn:z');
      await b.delete('x');
      expect(await new FileCache({ path: file }).get('x')).toBeUndefined();
      expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('y');
      await writeFile(file, 'garbage');
      expect(await new FileCache({ path: file }).get('y')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('types', () => {
  test('DOM RTCSessionDescriptionInit and RTCIceCandidateInit are accepted as they are (checked by tsc)', () => {
    // Never called: this function exists for the type checker.
    const typed = async (client: import('../../src/index').SignalingClient) => {
      const sdp: RTCSessionDescriptionInit = { type: 'offer', sdp: 'v=0\r\n' };
      const cand: RTCIceCandidateInit = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
      await client.sendSdpOffer(sdp);
      await client.sendSdpAnswer(sdp, 'viewer');
      await client.sendIceCandidate(cand);
      // @ts-expect-error a candidate must be an object
      await client.sendIceCandidate('candidate:1');
    };
    expect(typeof typed).toBe('function');
  });
});
