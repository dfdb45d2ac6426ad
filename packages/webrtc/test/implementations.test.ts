/**
 * Other W3C implementations in Node: @roamhq/wrtc (libwebrtc) on both ends,
 * including a forced ICE restart that data survives, and node-datachannel's
 * polyfill (libdatachannel) as a viewer of a werift master.
 */
import { createMasterSession, createViewerSession, type DataChannelLike, type PeerConnectionConstructor } from '../src';
import { Rig, Werift, echo, roundTrip, until } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrtc = require('@roamhq/wrtc') as { RTCPeerConnection: PeerConnectionConstructor };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ndc = require('node-datachannel/polyfill') as { RTCPeerConnection: PeerConnectionConstructor };

jest.setTimeout(30_000);

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start();
});
afterEach(() => rig.cleanup());
afterAll(async () => {
  await rig.stop();
  // libdatachannel keeps native threads until told to stop.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node-datachannel') as { cleanup?: () => void }).cleanup?.();
});

const fast = { answerTimeoutMs: 2000, restart: { initialDelayMs: 50, maxDelayMs: 200, disconnectedGraceMs: 500 }, qualityIntervalMs: 0 };

function pair(channel: string, id: string, masterPc: PeerConnectionConstructor, viewerPc: PeerConnectionConstructor) {
  const m = rig.later(createMasterSession({ signaling: rig.client('MASTER', channel), RTCPeerConnection: masterPc, ...fast }));
  m.on('dataChannel', ({ clientId, channel: ch, local }) => {
    if (!local) echo(ch, clientId);
  });
  const v = rig.later(createViewerSession({ signaling: rig.client('VIEWER', channel, id), RTCPeerConnection: viewerPc, dataChannels: [{ label: 'chat' }], ...fast }));
  let chat: DataChannelLike | undefined;
  v.on('dataChannel', ({ channel: ch, local }) => {
    if (local) chat = ch;
  });
  return { m, v, chat: () => chat! };
}

it('@roamhq/wrtc: a forced ICE restart fetches fresh ICE servers, renegotiates, and data resumes', async () => {
  const { m, v, chat } = pair('impl-wrtc', 'w1', wrtc.RTCPeerConnection, wrtc.RTCPeerConnection);
  await m.connect();
  await v.connect();
  await roundTrip(chat(), 'pre', 'w1');
  const stats = await v.sampleStats();
  expect(stats?.candidatePairType).toBe('host');
  const restarts: unknown[] = [];
  v.on('iceRestart', (e) => restarts.push(e));
  const configs: unknown[] = [];
  const pc = v.pc as unknown as { setConfiguration(c: unknown): void };
  const original = pc.setConfiguration.bind(pc);
  pc.setConfiguration = (c: unknown) => {
    configs.push(c);
    original(c);
  };
  const offers = v.metrics().offersSent;
  const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
  const before = ufrag(v.pc!.localDescription?.sdp);
  v.restartIce();
  await until(() => v.metrics().offersSent === offers + 1 && v.pc!.signalingState === 'stable', 5000, 'the restart offer answered');
  expect(restarts).toEqual([{ attempt: 1, reason: 'manual' }]);
  expect(configs.length).toBe(1);
  expect(ufrag(v.pc!.localDescription?.sdp)).not.toBe(before);
  await roundTrip(chat(), 'post', 'w1');
  expect(v.metrics().iceRestarts).toBe(1);
  // The same viewer peer renegotiated: the master kept it.
  expect(m.peers.get('w1')!.metrics().answersSent).toBe(2);
});

it('node-datachannel polyfill: a viewer connects to a werift master and chats', async () => {
  const { m, v, chat } = pair('impl-ndc', 'n1', Werift, ndc.RTCPeerConnection);
  await m.connect();
  await v.connect();
  expect(v.state).toBe('connected');
  await roundTrip(chat(), 'hi', 'n1');
  expect([...m.peers.keys()]).toEqual(['n1']);
});

it('@roamhq/wrtc: the master restarts; the connected viewer notices, starts over by itself and chats again', async () => {
  const masterClient = rig.client('MASTER', 'impl-restart-master');
  const first = rig.later(createMasterSession({ signaling: masterClient, RTCPeerConnection: wrtc.RTCPeerConnection, ...fast }));
  first.on('dataChannel', ({ clientId, channel: ch, local }) => !local && echo(ch, clientId));
  await first.connect();
  const v = rig.later(createViewerSession({ signaling: rig.client('VIEWER', 'impl-restart-master', 'w2'), RTCPeerConnection: wrtc.RTCPeerConnection, dataChannels: [{ label: 'chat' }], ...fast }));
  const chats: DataChannelLike[] = [];
  v.on('dataChannel', ({ channel: ch, local }) => local && chats.push(ch));
  const states: string[] = [];
  v.on('stateChange', ({ to }) => states.push(to));
  await v.connect();
  await roundTrip(chats.at(-1)!, 'one', 'w2');
  const firstPc = v.pc;

  // The master app exits and comes back: every peer connection of the master is new.
  await first.close();
  const second = rig.later(createMasterSession({ signaling: masterClient, RTCPeerConnection: wrtc.RTCPeerConnection, ...fast }));
  second.on('dataChannel', ({ clientId, channel: ch, local }) => !local && echo(ch, clientId));
  await second.connect();

  await until(() => v.state === 'connected' && v.pc !== firstPc, 40_000, 'the viewer on a new peer connection');
  await roundTrip(chats.at(-1)!, 'two', 'w2');
  expect(states).toContain('reconnecting');
  expect(states).not.toContain('failed');
  expect([...second.peers.keys()]).toEqual(['w2']);
}, 60_000);

it('werift: master.addTrack() sends a track to every viewer (the master renegotiates), removeTrack() stops it', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MediaStreamTrack } = require('werift') as { MediaStreamTrack: new (init: { kind: string }) => { kind: string; id: string } };
  const { m, v } = pair('impl-track', 't1', Werift, Werift);
  const tracks: Array<{ kind: string }> = [];
  v.on('track', ({ track }) => tracks.push(track));
  await m.connect();
  await v.connect();
  const track = new MediaStreamTrack({ kind: 'video' });
  m.addTrack(track);
  await until(() => tracks.length === 1, 10_000, 'the track at the viewer');
  expect(tracks[0]!.kind).toBe('video');
  const peer = m.peers.get('t1')!;
  expect(peer.metrics().offersSent).toBe(1);
  expect(v.metrics().timeline.firstTrack).toBeDefined();
  await until(() => v.pc!.signalingState === 'stable' && peer.pc.signalingState === 'stable', 5000, 'stable');
  m.removeTrack(track);
  await until(() => peer.metrics().offersSent === 2 && peer.pc.signalingState === 'stable', 10_000, 'the removal negotiated');
  expect(peer.pc.getSenders().filter((s) => s.track !== null)).toEqual([]);
  expect(v.state).toBe('connected');
});
