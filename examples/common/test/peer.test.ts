/**
 * The shared werift peer, driven by real `SignalingClient`s through a TLS
 * emulator: several viewers at once, a viewer that reconnects with a new
 * offer, the viewer limit, and the remote-candidate queue.
 */
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { SignalingClient } from '@kvs-sig/client';
import { connectViewerPeer, isTurnServer, MasterPeers, RemoteCandidateQueue, type DataChannelPeer, type IceCandidate, type PeerOptions } from '../src';

jest.setTimeout(30_000);

let emu: Emulator;
const clients: SignalingClient[] = [];
const closers: Array<() => Promise<unknown>> = [];
// The emulator's default TURN entries point at nothing; host candidates are enough on loopback.
const stunOnly: PeerOptions = { iceServerFilter: (s) => !isTurnServer(s) };

beforeAll(async () => {
  emu = await startEmulator({ tls: true });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await emu.close();
});

function client(role: 'MASTER' | 'VIEWER', channelName: string, clientId?: string): SignalingClient {
  const c = new SignalingClient({
    role,
    channelName,
    ...(clientId ? { clientId } : {}),
    region: emu.region,
    endpoint: emu.controlPlaneEndpoint,
    credentials: emu.credentials,
    tls: { ca: emu.ca! },
    createChannelIfMissing: role === 'MASTER',
  });
  clients.push(c);
  return c;
}

async function viewerPeer(channel: string, id: string): Promise<DataChannelPeer> {
  const v = client('VIEWER', channel, id);
  await v.connect();
  const peer = await connectViewerPeer(v, stunOnly);
  closers.push(() => peer.close());
  return peer;
}

it('a master answers three viewers at once, each on its own data channel', async () => {
  const master = client('MASTER', 'peer-many');
  const peers = new MasterPeers(master, stunOnly);
  closers.push(() => peers.close());
  peers.onPeer((p) => p.onMessage((text) => p.send(`${p.remoteClientId}:${text}`)));
  await master.connect();

  const viewers = await Promise.all(['a', 'b', 'c'].map((id) => viewerPeer('peer-many', id)));
  await Promise.all(viewers.map((v) => v.opened));
  await Promise.all([...peers.peers.values()].map((p) => p.opened));
  expect([...peers.peers.keys()].sort()).toEqual(['a', 'b', 'c']);

  viewers.forEach((v, i) => v.send(`m${i}`));
  expect(await Promise.all(viewers.map((v) => v.nextMessage()))).toEqual(['a:m0', 'b:m1', 'c:m2']);
  expect(peers.broadcast('all')).toBe(3);
  expect(await Promise.all(viewers.map((v) => v.nextMessage()))).toEqual(['all', 'all', 'all']);
  for (const v of viewers) {
    expect(v.timeline.offer).toBeDefined();
    expect(v.timeline.answer).toBeGreaterThanOrEqual(v.timeline.offer!);
    expect(v.timeline.channelOpen).toBeGreaterThanOrEqual(v.timeline.answer!);
  }
});

it('a new offer from the same viewer replaces its peer; the old one is closed', async () => {
  const master = client('MASTER', 'peer-replace');
  const peers = new MasterPeers(master, stunOnly);
  closers.push(() => peers.close());
  const seen: DataChannelPeer[] = [];
  peers.onPeer((p) => seen.push(p));
  await master.connect();

  const first = await viewerPeer('peer-replace', 'same');
  await first.opened;
  const firstClosed = new Promise<void>((resolve) => seen[0]!.onClose(resolve));
  await first.close();
  const second = await viewerPeer('peer-replace', 'same');
  await second.opened;
  await firstClosed;
  expect(seen).toHaveLength(2);
  expect(peers.peers.get('same')).toBe(seen[1]);
  second.send('again');
  expect(await seen[1]!.nextMessage()).toBe('again');
});

it('refuses viewers beyond maxViewers and says so', async () => {
  const master = client('MASTER', 'peer-limit');
  const log: string[] = [];
  const peers = new MasterPeers(master, { ...stunOnly, maxViewers: 1, log: (l) => log.push(l) });
  closers.push(() => peers.close());
  await master.connect();
  const one = await viewerPeer('peer-limit', 'one');
  await one.opened;
  await viewerPeer('peer-limit', 'two');
  const deadline = Date.now() + 5000;
  while (!log.some((l) => l.includes('viewer two refused')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(log).toContain('master: viewer two refused, 1 viewers already');
  expect([...peers.peers.keys()]).toEqual(['one']);
});

describe('RemoteCandidateQueue', () => {
  const c = (n: number): IceCandidate => ({ candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

  it('holds candidates until release, then applies them in order, and later ones at once', async () => {
    const applied: string[] = [];
    const queue = new RemoteCandidateQueue(async (x) => void applied.push(x.candidate), () => undefined);
    queue.push(c(1));
    queue.push(c(2));
    expect(applied).toEqual([]);
    expect(queue.size).toBe(2);
    queue.release();
    queue.push(c(3));
    await Promise.resolve();
    expect(applied).toEqual([c(1).candidate, c(2).candidate, c(3).candidate]);
    expect(queue.size).toBe(0);
  });

  it('reports a candidate that cannot be applied instead of dropping it silently', async () => {
    const errors: unknown[] = [];
    const queue = new RemoteCandidateQueue(async () => {
      throw new Error('bad candidate');
    }, (e) => errors.push(e));
    queue.push(c(1));
    queue.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toEqual([new Error('bad candidate')]);
  });
});
