/**
 * Viewer and master sessions with werift through the TLS emulator, with real
 * data channels.
 */
import { createMasterSession, createViewerSession, type DataChannelLike, type MasterSession } from '../src';
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
