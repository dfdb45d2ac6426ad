/**
 * The master session: ten viewers at once under the service's send quotas and an
 * eleventh refused, a viewer that starts over replacing its peer, renegotiation
 * started from either side, and a viewer that vanishes being removed.
 */
import { createMasterSession, createViewerSession, type DataChannelLike, type MasterSession, type MasterSessionEvents, type PeerConnectionConstructor, type ViewerSession } from '../src';
import { Rig, Werift, echo, roundTrip, until } from './helpers';

jest.setTimeout(60_000);

let rig: Rig;
/** Frames the emulator dropped for exceeding a quota (it only logs them: our sends carry no correlationId). */
const throttled: string[] = [];
beforeAll(async () => {
  // The service's per-connection quotas on (the emulator refuses what exceeds them),
  // and room for more viewers than the master accepts.
  rig = await Rig.start({
    limits: { maxViewersPerChannel: 20, sdpMessagesPerSecondPerConnection: 5, iceCandidatesPerSecondPerConnection: 20 },
    logger: (line) => {
      if (/throttled/.test(line)) throttled.push(line);
    },
  });
});
afterEach(() => rig.cleanup());
afterAll(() => rig.stop());

const fast = { answerTimeoutMs: 3000, restart: { initialDelayMs: 50, maxDelayMs: 200, disconnectedGraceMs: 10_000, failedPeerTimeoutMs: 1000 }, qualityIntervalMs: 0 };

function master(channel: string, extra: Partial<Parameters<typeof createMasterSession>[0]> = {}): { m: MasterSession; left: Array<MasterSessionEvents['viewerLeft']> } {
  const m = rig.later(createMasterSession({ signaling: rig.client('MASTER', channel), RTCPeerConnection: Werift, ...fast, ...extra }));
  const left: Array<MasterSessionEvents['viewerLeft']> = [];
  m.on('viewerLeft', (e) => left.push(e));
  m.on('dataChannel', ({ clientId, channel: ch, local }) => {
    if (!local) echo(ch, clientId);
  });
  return { m, left };
}

function viewer(channel: string, id: string, extra: Partial<Parameters<typeof createViewerSession>[0]> = {}): { v: ViewerSession; channels: DataChannelLike[] } {
  const v = rig.later(createViewerSession({ signaling: rig.client('VIEWER', channel, id), RTCPeerConnection: Werift, dataChannels: [{ label: 'chat' }], ...fast, ...extra }));
  const channels: DataChannelLike[] = [];
  v.on('dataChannel', ({ channel: ch }) => channels.push(ch));
  return { v, channels };
}

it('ten viewers on one master, each on its own data channel; an eleventh is refused with viewerLeft "limit" and OFFER_UNANSWERED', async () => {
  const { m, left } = master('m-ten');
  const joined: string[] = [];
  m.on('viewerJoined', ({ clientId }) => joined.push(clientId));
  await m.connect();
  const ids = Array.from({ length: 10 }, (_, i) => `v${i}`);
  // The default answer timeout: ten answers paced at 5/s on a loaded machine can take seconds.
  const viewers = ids.map((id) => viewer('m-ten', id, { answerTimeoutMs: 10_000 }));
  await Promise.all(viewers.map(({ v }) => v.connect()));
  // The latest channel: a peer that failed before connecting was replaced by a new one with its own.
  await Promise.all(viewers.map(({ channels }, i) => roundTrip(channels.at(-1)!, `hello${i}`, ids[i]!)));
  expect([...m.peers.keys()].sort()).toEqual([...ids].sort());
  // A viewer peer that failed before connecting (a loaded machine) is replaced by a new one: joined again.
  expect([...new Set(joined)].sort()).toEqual([...ids].sort());

  const extra = viewer('m-ten', 'v10', { answerTimeoutMs: 500, restart: { ...fast.restart, maxOfferAttempts: 2 } });
  await expect(extra.v.connect()).rejects.toMatchObject({ code: 'OFFER_UNANSWERED' });
  expect(left.filter((e) => e.clientId === 'v10').map((e) => [e.reason, e.error?.code])).toContainEqual(['limit', 'VIEWER_LIMIT']);
  expect(m.peers.has('v10')).toBe(false);
  expect(m.peers.size).toBe(10);
  // Everything the master and viewers sent stayed inside the service's quotas.
  expect(throttled).toEqual([]);
  // The master answered and trickled to ten viewers over its one socket: enough to hit 5 SDP/s unpaced.
  const masterSdp = rig.emu.log.frames().filter((f) => f.direction === 'in' && f.role === 'MASTER' && /"action":\s*"SDP_(ANSWER|OFFER)"/.test(f.text));
  expect(masterSdp.length).toBeGreaterThanOrEqual(10);
  // The ten still talk.
  await roundTrip(viewers[3]!.channels.at(-1)!, 'still', 'v3');
});

it('a viewer that starts over (a new peer connection) replaces its old peer on the master', async () => {
  const { m, left } = master('m-replace');
  await m.connect();
  const first = viewer('m-replace', 'same');
  await first.v.connect();
  const oldPeer = m.peers.get('same')!;
  await first.v.close();
  const second = viewer('m-replace', 'same');
  await second.v.connect();
  await roundTrip(second.channels.at(-1)!, 'again', 'same');
  expect(m.peers.get('same')).not.toBe(oldPeer);
  expect(left.map((e) => [e.clientId, e.reason])).toContainEqual(['same', 'replaced']);
  expect(oldPeer.state).toBe('closed');
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrtc = require('@roamhq/wrtc') as { RTCPeerConnection: PeerConnectionConstructor };

it('renegotiation from either side (@roamhq/wrtc): the viewer adds a data channel later, the master adds one to a viewer, both at once without glare', async () => {
  const { m } = master('m-reneg', { RTCPeerConnection: wrtc.RTCPeerConnection });
  await m.connect();
  // No channel at first: only a receive-only video transceiver.
  const { v, channels } = viewer('m-reneg', 'r', { dataChannels: [], receive: ['video'], RTCPeerConnection: wrtc.RTCPeerConnection });
  const remote: DataChannelLike[] = [];
  v.on('dataChannel', ({ channel, local }) => {
    if (!local) {
      remote.push(channel);
      echo(channel, 'viewer');
    }
  });
  await v.connect();
  expect(channels).toEqual([]);

  // Viewer side: SCTP did not exist yet, so this needs an offer and an answer.
  const late = v.createDataChannel('late');
  await roundTrip(late, 'from-viewer', 'r');

  // Master side: the impolite peer offers; the viewer answers.
  const peer = m.peers.get('r')!;
  const fromMaster = peer.createDataChannel('from-master');
  await roundTrip(fromMaster, 'm', 'viewer');
  expect(remote.map((c) => c.label)).toContain('from-master');

  // Both at once: adds a track-less renegotiation on each side at the same moment.
  const a = v.createDataChannel('a');
  const b = peer.createDataChannel('b');
  await Promise.all([roundTrip(a, 'x', 'r'), roundTrip(b, 'y', 'viewer')]);
  expect(v.state).toBe('connected');
  expect(peer.state).toBe('connected');
});

it('a viewer that vanishes is removed after failedPeerTimeoutMs with viewerLeft "failed" (@roamhq/wrtc: it notices a silent peer in about 15 s, werift in 30)', async () => {
  const { m, left } = master('m-vanish', { RTCPeerConnection: wrtc.RTCPeerConnection });
  await m.connect();
  const { v } = viewer('m-vanish', 'gone', { RTCPeerConnection: wrtc.RTCPeerConnection });
  await v.connect();
  await until(() => m.peers.get('gone')?.state === 'connected', 5000, 'master peer connected');
  const states: string[] = [];
  m.peers.get('gone')!.on('stateChange', ({ to }) => states.push(to));
  // The viewer's process dies: its peer connection stops answering, nothing is signaled.
  await v.pc!.close();
  await until(() => left.some((e) => e.clientId === 'gone'), 40_000, 'viewerLeft');
  expect(left.find((e) => e.clientId === 'gone')).toMatchObject({ reason: 'failed', error: { code: 'ICE_FAILED' } });
  expect(states).toContain('reconnecting');
  expect(m.peers.has('gone')).toBe(false);
});
