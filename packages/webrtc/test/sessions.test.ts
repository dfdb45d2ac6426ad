/**
 * Viewer and master sessions with werift through the TLS emulator, with real
 * data channels; a master answering a viewer's offer sends no offer of its own
 * when its answer already carried everything it added (werift fires
 * `negotiationneeded` on the answering side after an answer), and still
 * renegotiates, once per change, for a track it adds later (no m-line yet) or
 * removes: counted on the wire, in the emulator's frame log.
 */
import { MediaStreamTrack } from 'werift';
import { createMasterSession, createViewerSession, type DataChannelLike, type MasterSession, type TrackLike } from '../src';
import { echo, nextMessage, opened, Rig, until, Werift } from './helpers';

jest.setTimeout(30_000);

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start();
});
afterEach(() => rig.cleanup());
afterAll(() => rig.stop());

function master(channel: string, extra: Partial<Parameters<typeof createMasterSession>[0]> = {}): MasterSession {
  const m = rig.later(createMasterSession({ signaling: rig.client('MASTER', channel), RTCPeerConnection: Werift, ...extra }));
  m.on('dataChannel', ({ clientId, channel: ch, local }) => {
    if (!local) echo(ch, clientId);
  });
  return m;
}

it('a viewer connects to a master and a data channel carries messages both ways', async () => {
  const m = master('s-basic');
  await m.connect();
  const v = rig.later(createViewerSession({ signaling: rig.client('VIEWER', 's-basic', 'v1'), RTCPeerConnection: Werift, dataChannels: [{ label: 'chat' }] }));
  const channels: DataChannelLike[] = [];
  v.on('dataChannel', ({ channel, local }) => local && channels.push(channel));
  const states: string[] = [];
  v.on('stateChange', ({ to }) => states.push(to));
  await v.connect();
  expect(v.state).toBe('connected');
  expect(states).toEqual(['connecting', 'connected']);
  // One channel per peer connection (a peer that fails before connecting is replaced, with its own).
  expect(new Set(channels.map((c) => c.label))).toEqual(new Set(['chat']));
  const chat = channels.at(-1)!;
  await opened(chat);
  const reply = nextMessage(chat);
  chat.send('hello');
  expect(await reply).toBe('v1:hello');
  expect([...m.peers.keys()]).toEqual(['v1']);
  expect(m.peers.get('v1')!.state).toBe('connected');
  const tl = v.metrics().timeline;
  expect(tl.offerSent).toBeLessThanOrEqual(tl.answerReceived!);
  expect(tl.answerReceived).toBeLessThanOrEqual(tl.connected!);
  expect(tl.signalingOpen).toBeDefined();
  const stats = await v.sampleStats();
  expect(stats?.candidatePairType).toBe('host');
  expect(typeof stats?.rttMs).toBe('number');
  await until(() => v.metrics().timeline.firstDataMessage !== undefined, 2000, 'firstDataMessage');
});

it('a connected viewer reports quality periodically from getStats (a host pair on loopback is good)', async () => {
  const m = master('s-quality');
  await m.connect();
  const v = rig.later(createViewerSession({ signaling: rig.client('VIEWER', 's-quality', 'q1'), RTCPeerConnection: Werift, dataChannels: [{ label: 'c' }], qualityIntervalMs: 300 }));
  const reports: Array<{ level: string; reasons: string[]; stats: { candidatePairType?: string } }> = [];
  v.on('quality', (q) => reports.push(q));
  await v.connect();
  await until(() => reports.length >= 2, 10_000, 'two quality reports');
  expect(reports[1]).toMatchObject({ level: 'good', reasons: [], stats: { candidatePairType: 'host' } });
  expect(v.metrics().quality?.level).toBe('good');
  await v.close();
  const n = reports.length;
  await new Promise((r) => setTimeout(r, 700));
  expect(reports.length).toBe(n);
});

/** Long enough for a stray `negotiationneeded` offer to reach the emulator on a loaded machine. */
const SETTLE_MS = 1500;

/** SDP offers the master sent to `viewerId` on channel `channel`, as the emulator received them. */
function masterOffersTo(channel: string, viewerId: string): number {
  return rig.emu.log.frames().filter((f) => {
    if (f.direction !== 'in' || f.role !== 'MASTER' || !f.channelArn.includes(`:channel/${channel}/`)) return false;
    const frame = JSON.parse(f.text) as { action?: string; recipientClientId?: string };
    return frame.action === 'SDP_OFFER' && frame.recipientClientId === viewerId;
  }).length;
}

it('werift master with a track: no offer after answering a viewer; an audio track added later, then the video removed, each renegotiate exactly once', async () => {
  const channel = 'reneg-answerer';
  const video = new MediaStreamTrack({ kind: 'video' }) as unknown as TrackLike;
  const m = rig.later(createMasterSession({ signaling: rig.client('MASTER', channel), RTCPeerConnection: Werift, tracks: [video], qualityIntervalMs: 0 }));
  await m.connect();
  // The viewer offers a receive-only video m-line (the master's track takes it) and no data channel.
  const v = rig.later(createViewerSession({ signaling: rig.client('VIEWER', channel, 'rv'), RTCPeerConnection: Werift, receive: ['video'], dataChannels: [], qualityIntervalMs: 0 }));
  const tracks: string[] = [];
  v.on('track', ({ track }) => tracks.push(track.kind));
  const errors: unknown[] = [];
  v.on('error', (e) => errors.push(e));
  m.on('error', (e) => errors.push(e));
  await v.connect();
  await until(() => m.peers.get('rv')?.state === 'connected', 10_000, 'the master peer connected');
  const peer = m.peers.get('rv')!;
  // The answer carried the track: it arrives without a second round.
  await until(() => tracks.includes('video'), 10_000, 'the video track at the viewer');

  await new Promise((r) => setTimeout(r, SETTLE_MS));
  // The viewer offered, the master answered: nothing local is left to negotiate.
  expect(masterOffersTo(channel, 'rv')).toBe(0);
  expect(peer.metrics()).toMatchObject({ offersSent: 0, answersSent: 1 });
  expect(v.metrics()).toMatchObject({ offersSent: 1, offerRetries: 0 });

  // A real change: an audio track has no m-line in the viewer's offer, so the
  // (impolite) master must offer for it, once. (Not a data channel: one the
  // master adds by renegotiation between two werift peers never opens, before
  // this fix as after.)
  m.addTrack(new MediaStreamTrack({ kind: 'audio' }) as unknown as TrackLike);
  await until(() => tracks.includes('audio'), 10_000, 'the audio track at the viewer');
  await until(() => peer.pc.signalingState === 'stable' && v.pc!.signalingState === 'stable', 5000, 'stable');
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  expect(masterOffersTo(channel, 'rv')).toBe(1);
  expect(peer.metrics().offersSent).toBe(1);
  expect(v.metrics()).toMatchObject({ offersSent: 1, answersSent: 1 });

  // A removal is a change too: one more offer, and the video m-section stops sending.
  m.removeTrack(video);
  await until(() => peer.metrics().offersSent === 2 && peer.pc.signalingState === 'stable' && v.pc!.signalingState === 'stable', 10_000, 'the removal negotiated');
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  expect(masterOffersTo(channel, 'rv')).toBe(2);
  expect(peer.pc.getSenders().filter((s) => s.track !== null).map((s) => s.track!.kind)).toEqual(['audio']);
  expect(v.state).toBe('connected');
  expect(peer.state).toBe('connected');
  expect(errors).toEqual([]);
});
