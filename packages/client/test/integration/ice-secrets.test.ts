import { SignalingClient, type Logger } from '../../src/index';
import { Harness, candidate, offer, until } from '../support/helpers';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
});

async function pair(name: string, masterExtra = {}) {
  const master = h.master(name, { createChannelIfMissing: true, ...masterExtra });
  await master.connect();
  const viewer = h.viewer(name, 'viewer-1');
  await viewer.connect();
  return { master, viewer };
}

/** Sends candidates before the offer, waits until the service relayed them all. */
async function candidatesThenOffer(viewer: SignalingClient, master: SignalingClient, events: string[]) {
  master.on('iceCandidate', (e) => events.push(`ice:${(e.payload.candidate ?? '').split(' ')[0]}`));
  master.on('sdpOffer', () => events.push('offer'));
  await viewer.sendIceCandidate(candidate(1));
  await viewer.sendIceCandidate(candidate(2));
  await until(() => h.emu.log.frames().filter((f) => f.direction === 'out' && f.role === 'MASTER').length === 2, 3000, 'relay');
  await new Promise((r) => setTimeout(r, 30));
}

describe('ICE candidates that arrive before their sender SDP', () => {
  test('default: held per sender, released right after the SDP event, in order', async () => {
    const { master, viewer } = await pair('ice-auto');
    const events: string[] = [];
    await candidatesThenOffer(viewer, master, events);
    expect(events).toEqual([]);
    expect(master.getPendingIceCandidates('viewer-1')).toHaveLength(2);
    const got = master.waitFor('sdpOffer');
    await viewer.sendSdpOffer(offer);
    await got;
    expect(events).toEqual(['offer', 'ice:candidate:1', 'ice:candidate:2']);
    // Later candidates pass straight through.
    await viewer.sendIceCandidate(candidate(3));
    await until(() => events.length === 4, 3000, 'third candidate');
    expect(events[3]).toBe('ice:candidate:3');
  });

  test("'manual': held until drainPendingIceCandidates; resetIceCandidateState drops them", async () => {
    const { master, viewer } = await pair('ice-manual', { iceBuffering: 'manual' });
    const events: string[] = [];
    await candidatesThenOffer(viewer, master, events);
    const got = master.waitFor('sdpOffer');
    await viewer.sendSdpOffer(offer);
    await got;
    expect(events).toEqual(['offer']);
    expect(master.drainPendingIceCandidates('viewer-1')).toBe(2);
    expect(events).toEqual(['offer', 'ice:candidate:1', 'ice:candidate:2']);
    // After the drain, later candidates pass straight through.
    await viewer.sendIceCandidate(candidate(3));
    await until(() => events.length === 4, 3000, 'third candidate');
    // A reset (renegotiation) holds them again.
    expect(master.resetIceCandidateState('viewer-1')).toBe(0);
    await viewer.sendIceCandidate(candidate(4));
    await until(() => master.getPendingIceCandidates('viewer-1').length === 1, 3000, 'held again');
    expect(events).toHaveLength(4);
  });

  test('false: candidates pass on at once', async () => {
    const { master, viewer } = await pair('ice-off', { iceBuffering: false });
    const events: string[] = [];
    await candidatesThenOffer(viewer, master, events);
    expect(events).toEqual(['ice:candidate:1', 'ice:candidate:2']);
  });

  test('messages() yields peer messages in order and ends on close', async () => {
    const { master, viewer } = await pair('iter');
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const m of master.messages()) seen.push(m.type);
    })();
    await viewer.sendSdpOffer(offer);
    await viewer.sendIceCandidate(candidate(1));
    await until(() => seen.length === 2, 3000, 'messages');
    await master.close();
    await consumer;
    expect(seen).toEqual(['sdpOffer', 'iceCandidate']);
  });

  test('unparseable and unknown frames are reported as unknownMessage, not dropped', async () => {
    const { viewer } = await pair('unknown');
    const got = viewer.waitFor('unknownMessage', { timeoutMs: 3000 });
    // The emulator answers an unroutable frame with {"message":"Forbidden",...}; provoke it with a raw socket frame.
    const conn = (viewer as unknown as { current: { socket: { send(t: string, done: (e?: Error) => void): void } } }).current;
    await new Promise<void>((resolve, reject) => conn.socket.send('not json', (e) => (e ? reject(e) : resolve())));
    const e = await got;
    expect(e.raw).toContain('Forbidden');
  });
});

describe('duplicates', () => {
  test('an identical message from the same sender within the window is dropped and counted; dedupeWindowMs: 0 keeps it', async () => {
    const { master, viewer } = await pair('dups');
    const seen: string[] = [];
    master.on('iceCandidate', (e) => seen.push(e.payload.candidate ?? ''));
    const got = master.waitFor('sdpOffer');
    await viewer.sendSdpOffer(offer);
    await got;
    await viewer.sendIceCandidate(candidate(1));
    await viewer.sendIceCandidate(candidate(1));
    await viewer.sendIceCandidate(candidate(2));
    await until(() => seen.length === 2, 3000, 'two candidates');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([candidate(1).candidate, candidate(2).candidate]);
    expect(master.metrics().duplicatesDropped).toBe(1);

    const keep = h.viewer('dups', 'viewer-2', { dedupeWindowMs: 0 });
    await keep.connect();
    const atViewer: string[] = [];
    keep.on('iceCandidate', (e) => atViewer.push(e.payload.candidate ?? ''));
    await master.sendIceCandidate(candidate(5), 'viewer-2');
    await master.sendIceCandidate(candidate(5), 'viewer-2');
    // viewer-2 has no SDP from the master yet: both are held, not deduplicated.
    await until(() => keep.getPendingIceCandidates().length === 2, 3000, 'two held');
  });
});

describe('secrets never reach logs, events or errors', () => {
  test('a debug logger, every event and every error stay free of keys, tokens and signatures', async () => {
    const secret = h.emu.credentials.secretAccessKey;
    const token = 'SESSIONTOKEN-should-never-appear-0123456789';
    const lines: string[] = [];
    const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
    const logger: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };
    // Wrong session token first: the service refuses, the client refreshes (and errors flow through events).
    let calls = 0;
    const creds = h.emu.credentials;
    const master = h.master('secrets', {
      createChannelIfMissing: true,
      logger,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
      credentials: async () => (++calls === 1 ? { ...creds, sessionToken: token } : { ...creds }),
    });
    const seen: string[] = [];
    for (const ev of ['error', 'reconnecting', 'close', 'open', 'stateChange'] as const) {
      master.on(ev, (p: unknown) => seen.push(JSON.stringify(p, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message } : v))));
    }
    await master.connect();
    h.emu.faults.refuseHandshake(1, { status: 403, errorType: 'AccessDeniedException' });
    h.emu.faults.dropConnections();
    await master.waitFor('open', { timeoutMs: 3000 });
    const caught = await h.viewer('secrets', 'v1', { logger, credentials: { ...creds, secretAccessKey: 'WRONG' + secret } })
      .connect()
      .catch((e: Error) => JSON.stringify(e) + e.message + String(e.stack));
    const all = [...lines, ...seen, String(caught)].join('\n');
    expect(lines.some((l) => l.startsWith('debug'))).toBe(true);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(token);
    expect(all).not.toMatch(/X-Amz-Signature=[0-9a-f]{8}/);
    expect(all).not.toMatch(/X-Amz-Credential=AKIA/);
    expect(all).not.toMatch(/Signature=[0-9a-f]{16}/);
  });
});
