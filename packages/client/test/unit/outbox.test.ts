/**
 * The outbound path on scripted sockets: the direct write when nothing waits,
 * one ping per tick, and what happens to frames whose socket dies before,
 * during or after the ping that would confirm them.
 */
import { TransportError } from '@kvs-sig/core';
import { Outbox, newOutboundLink, type OutboundLink, type SendRate } from '../../src/outbox';
import type { Socket } from '../../src/transport';
import type { ClientMetrics } from '../../src/types';

/** A scripted socket: records writes and pings; writes complete when the test says so (ws) or at once (browser). */
class ScriptedSocket implements Socket {
  readonly log: string[] = [];
  readonly pending: Array<(error?: TransportError) => void> = [];
  isOpen = true;
  pingWorks = true;
  failWrites = false;
  constructor(
    readonly canPing: boolean,
    private readonly name: string,
  ) {}
  send(text: string, done: (error?: TransportError) => void): void {
    this.log.push(text);
    if (this.failWrites) {
      done(new TransportError('CONNECTION_CLOSED', 'write failed'));
      return;
    }
    if (this.canPing) this.pending.push(done);
    else done();
  }
  ping(): boolean {
    if (!this.canPing || !this.pingWorks) return false;
    this.log.push('ping');
    return true;
  }
  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }
  /** Completes every write handed to the OS so far. */
  written(error?: TransportError): void {
    for (const done of this.pending.splice(0)) done(error);
  }
  toString(): string {
    return this.name;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

/** Options of one scripted socket: `canPing` (ws, the default) or not (browsers), and its faults. */
interface SocketOptions {
  canPing?: boolean;
  pingWorks?: boolean;
  failWrites?: boolean;
}

function setup(options: { rate?: SendRate; maxMessages?: number } = {}) {
  const metrics = { messagesSent: 0 } as ClientMetrics;
  let current: OutboundLink | undefined;
  let closing = false;
  const outbox = new Outbox({ maxMessages: options.maxMessages ?? 100 }, options.rate ?? { sdp: Infinity, ice: Infinity }, {
    current: () => current,
    isClosing: () => closing,
    metrics,
  });
  /** A scripted socket named `name`, made the current connection. */
  const open = (name: string, socket: SocketOptions = {}): { sock: ScriptedSocket; conn: OutboundLink } => {
    const sock = new ScriptedSocket(socket.canPing ?? true, name);
    if (socket.pingWorks !== undefined) sock.pingWorks = socket.pingWorks;
    if (socket.failWrites !== undefined) sock.failWrites = socket.failWrites;
    const conn = newOutboundLink(sock);
    current = conn;
    return { sock, conn };
  };
  return {
    outbox,
    metrics,
    open,
    /** The next connection: opened, the queue flushed onto it, and a tick for the writes. */
    async reopen(name: string, socket: SocketOptions = {}): Promise<{ sock: ScriptedSocket; conn: OutboundLink }> {
      const next = open(name, socket);
      outbox.flush();
      await tick();
      return next;
    },
    /** `conn` is lost (or, `retired`, replaced and still read): no current connection, its frames handed back. */
    lose(conn: OutboundLink, retired?: boolean): void {
      current = undefined;
      outbox.releaseUnconfirmed(conn, retired);
    },
    closing() {
      closing = true;
    },
  };
}

function track(p: Promise<void>): { state: string; error?: unknown } {
  const t: { state: string; error?: unknown } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (e: unknown) => Object.assign(t, { state: 'rejected', error: e }),
  );
  return t;
}


describe('Outbox with ping (ws)', () => {
  test('writes in one tick share one ping, sent after them; the pong resolves them all', async () => {
    const s = setup();
    const { sock, conn } = s.open('a');
    const sends = ['f1', 'f2', 'f3'].map((f) => track(s.outbox.send(f, 'ICE_CANDIDATE')));
    // Written at once, before the tick ends; the ping waits for the end of the tick.
    expect(sock.log).toEqual(['f1', 'f2', 'f3']);
    await tick();
    expect(sock.log).toEqual(['f1', 'f2', 'f3', 'ping']);
    sock.written();
    await tick();
    expect(s.metrics.messagesSent).toBe(3);
    expect(sends.map((x) => x.state)).toEqual(['pending', 'pending', 'pending']);
    s.outbox.onPong(conn);
    await tick();
    expect(sends.map((x) => x.state)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(s.outbox.size).toBe(0);
  });

  test('a socket that dies before the ping was sent: its frames are written again on the next connection, in order', async () => {
    const s = setup();
    const { sock: sockA, conn: connA } = s.open('a');
    const sends = ['f1', 'f2'].map((f) => track(s.outbox.send(f, 'SDP_OFFER')));
    // Same tick: the socket goes before the microtask that would ping.
    sockA.isOpen = false;
    s.lose(connA);
    await tick();
    expect(sockA.log).toEqual(['f1', 'f2']);
    expect(s.outbox.size).toBe(2);
    const third = track(s.outbox.send('f3', 'SDP_OFFER'));
    const { sock: sockB, conn: connB } = await s.reopen('b');
    expect(sockB.log).toEqual(['f1', 'f2', 'f3', 'ping']);
    expect([...sends, third].map((x) => x.state)).toEqual(['pending', 'pending', 'pending']);
    s.outbox.onPong(connB);
    await tick();
    expect([...sends, third].map((x) => x.state)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  test('a ping that cannot be sent (socket going) leaves the frames unconfirmed until the close hands them back', async () => {
    const s = setup();
    const { sock: sockA, conn: connA } = s.open('a', { pingWorks: false });
    const send = track(s.outbox.send('f1', 'ICE_CANDIDATE'));
    await tick();
    expect(sockA.log).toEqual(['f1']);
    sockA.written();
    await tick();
    expect(send.state).toBe('pending');
    const drained = track(s.outbox.drain(connA, 10_000));
    s.lose(connA);
    await tick();
    expect(drained.state).toBe('resolved');
    const { sock: sockB, conn: connB } = await s.reopen('b');
    expect(sockB.log).toEqual(['f1', 'ping']);
    s.outbox.onPong(connB);
    await tick();
    expect(send.state).toBe('resolved');
  });

  test('a keepalive ping also covers frames not pinged for yet', async () => {
    const s = setup();
    const { sock, conn } = s.open('a', { pingWorks: false });
    const send = track(s.outbox.send('f1', 'ICE_CANDIDATE'));
    await tick();
    sock.pingWorks = true;
    expect(s.outbox.ping(conn)).toBe(true);
    expect(sock.log).toEqual(['f1', 'ping']);
    s.outbox.onPong(conn);
    await tick();
    expect(send.state).toBe('resolved');
  });

  test('a failed write goes back to the queue and out on the next connection; a late failure after the pong sends nothing again', async () => {
    const s = setup();
    const { sock: sockA, conn: connA } = s.open('a');
    const lost = track(s.outbox.send('f1', 'ICE_CANDIDATE'));
    await tick();
    sockA.isOpen = false;
    sockA.written(new TransportError('CONNECTION_CLOSED', 'write failed'));
    await tick();
    expect(s.outbox.size).toBe(1);
    expect(lost.state).toBe('pending');
    const { sock: sockB, conn: connB } = await s.reopen('b');
    s.outbox.onPong(connB);
    sockB.written(new TransportError('CONNECTION_CLOSED', 'late'));
    await tick();
    expect(lost.state).toBe('resolved');
    expect(s.outbox.size).toBe(0);
    expect(sockB.log).toEqual(['f1', 'ping']);
  });

  test('while the client closes, unconfirmed frames reject CLIENT_CLOSED', async () => {
    const s = setup();
    const { sock, conn } = s.open('a');
    const send = track(s.outbox.send('f1', 'SDP_ANSWER'));
    await tick();
    s.closing();
    s.lose(conn);
    await tick();
    expect(send).toMatchObject({ state: 'rejected', error: { code: 'CLIENT_CLOSED' } });
  });
});

describe('Outbox without ping (browsers)', () => {
  test('a send resolves once written; no ping; nothing stays to confirm', async () => {
    const s = setup();
    const { sock, conn } = s.open('a', { canPing: false });
    const sends = ['f1', 'f2'].map((f) => track(s.outbox.send(f, 'ICE_CANDIDATE')));
    await tick();
    expect(sock.log).toEqual(['f1', 'f2']);
    expect(sends.map((x) => x.state)).toEqual(['resolved', 'resolved']);
    expect(s.metrics.messagesSent).toBe(2);
    expect(conn.batches).toEqual([]);
    expect(await Promise.race([s.outbox.drain(conn, 10_000).then(() => 'drained'), tick().then(() => 'waiting')])).toBe('drained');
  });

  test('a write that throws goes back to the queue and out on the next connection', async () => {
    const s = setup();
    const { sock: sockA } = s.open('a', { canPing: false, failWrites: true });
    const send = track(s.outbox.send('f1', 'ICE_CANDIDATE'));
    sockA.isOpen = false;
    await tick();
    expect(send.state).toBe('pending');
    expect(s.outbox.size).toBe(1);
    const { sock: sockB } = await s.reopen('b', { canPing: false });
    expect(sockB.log).toEqual(['f1']);
    expect(send.state).toBe('resolved');
  });
});

describe('Outbox queueing and pacing', () => {
  test('without a connection sends wait in the queue (QUEUE_FULL beyond its bound) and go out in order once one opens', async () => {
    const s = setup({ maxMessages: 3 });
    const sends = ['f1', 'f2', 'f3', 'f4'].map((f) => track(s.outbox.send(f, 'ICE_CANDIDATE')));
    await tick();
    expect(sends.map((x) => x.state)).toEqual(['pending', 'pending', 'pending', 'rejected']);
    expect(sends[3]).toMatchObject({ error: { code: 'QUEUE_FULL' } });
    s.outbox.rejectAll(new TransportError('CONNECTION_CLOSED', 'reset'));
    await tick();

    const waiting = ['f1', 'f2'].map((f) => track(s.outbox.send(f, 'ICE_CANDIDATE')));
    const { sock } = s.open('a', { canPing: false });
    // A send made before the queue was flushed goes behind the waiting ones instead of overtaking them.
    const late = track(s.outbox.send('f3', 'ICE_CANDIDATE'));
    await tick();
    expect(sock.log).toEqual(['f1', 'f2', 'f3']);
    expect([...waiting, late].map((x) => x.state)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  test('pacing: beyond the per-second quota sends wait for the window and keep their order', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    try {
      const s = setup({ rate: { sdp: 2, ice: 20 } });
      const { sock } = s.open('a', { canPing: false });
      const sends = ['o1', 'o2', 'o3', 'o4'].map((f) => track(s.outbox.send(f, 'SDP_OFFER')));
      await tick();
      expect(sock.log).toEqual(['o1', 'o2']);
      expect(s.outbox.size).toBe(2);
      jest.advanceTimersByTime(1099);
      expect(sock.log).toEqual(['o1', 'o2']);
      jest.advanceTimersByTime(1);
      await tick();
      expect(sock.log).toEqual(['o1', 'o2', 'o3', 'o4']);
      expect(sends.every((x) => x.state === 'resolved')).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('Outbox: a retired connection (replaced after its keepalive, still read)', () => {
  test('retiring pings once more for the frames written while a ping was out; each late pong confirms its ping\'s frames, which leave the queue and are not sent again', async () => {
    const s = setup();
    const { sock: sockA, conn: connA } = s.open('a');
    const first = track(s.outbox.send('f1', 'ICE_CANDIDATE'));
    await tick();
    // f2 and f3 are written while f1's ping is out: no ping for them yet.
    const later = ['f2', 'f3'].map((f) => track(s.outbox.send(f, 'ICE_CANDIDATE')));
    await tick();
    expect(sockA.log).toEqual(['f1', 'ping', 'f2', 'f3']);
    s.lose(connA, true);
    // One last ping covers f2 and f3; all three wait in the queue for the next connection meanwhile.
    expect(sockA.log).toEqual(['f1', 'ping', 'f2', 'f3', 'ping']);
    await tick();
    expect(s.outbox.size).toBe(3);
    s.outbox.onPong(connA);
    await tick();
    expect(first.state).toBe('resolved');
    expect(later.map((x) => x.state)).toEqual(['pending', 'pending']);
    expect(s.outbox.size).toBe(2);
    s.outbox.onPong(connA);
    await tick();
    expect(later.map((x) => x.state)).toEqual(['resolved', 'resolved']);
    expect(s.outbox.size).toBe(0);
    // A further pong confirms nothing more.
    s.outbox.onPong(connA);
    const { sock: sockB } = await s.reopen('b');
    expect(sockB.log).toEqual([]);
  });

  test('a frame already written again on the next connection is confirmed by the late pong, and a later drop of that connection does not send it a third time', async () => {
    const s = setup();
    const { sock: sockA, conn: connA } = s.open('a');
    const send = track(s.outbox.send('f1', 'SDP_OFFER'));
    await tick();
    s.lose(connA, true);
    await tick();
    const { sock: sockB, conn: connB } = await s.reopen('b');
    expect(sockB.log).toEqual(['f1', 'ping']);
    s.outbox.onPong(connA);
    await tick();
    expect(send.state).toBe('resolved');
    s.lose(connB);
    await tick();
    expect(s.outbox.size).toBe(0);
  });
});
