/**
 * The viewer's negotiation against a hand-driven remote (a werift peer behind a
 * scripted signaling double): candidates before the answer are held, a
 * duplicate or late answer, garbage and end-of-candidates never throw into
 * the app; a change whose offer lost a glare is offered again after the answer.
 */
import type { SignalingClientEvents } from '@kvs-sig/client';
import { TypedEmitter } from '@kvs-sig/client/internal';
import { RTCPeerConnection } from 'werift';
import { createViewerSession, type DataChannelLike, type PeerConnectionConstructor, type PeerConnectionLike, type SessionSignaling, type TrackLike } from '../src';
import { nextMessage, opened, until, Werift } from './helpers';

jest.setTimeout(30_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrtc = require('@roamhq/wrtc') as {
  RTCPeerConnection: PeerConnectionConstructor;
  nonstandard: { RTCAudioSource: new () => { createTrack(): TrackLike & { stop(): void } } };
};
/** The remote's side of @roamhq/wrtc, as this file drives it. */
type WrtcPeer = PeerConnectionLike & { onicecandidate: (e: { candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null }) => void };

class ScriptedSignaling extends TypedEmitter<SignalingClientEvents> {
  state = 'open';
  readonly offers: Array<{ type: 'offer'; sdp: string }> = [];
  readonly answers: Array<{ type: 'answer'; sdp: string }> = [];
  readonly candidates: unknown[] = [];
  async connect(): Promise<void> {}
  async getIceServers(): Promise<[]> {
    return [];
  }
  async sendSdpOffer(offer: { type: 'offer'; sdp: string }): Promise<void> {
    this.offers.push(offer);
  }
  async sendSdpAnswer(answer: { type: 'answer'; sdp: string }): Promise<void> {
    this.answers.push(answer);
  }
  async sendIceCandidate(c: unknown): Promise<void> {
    this.candidates.push(c);
  }
  fire<K extends keyof SignalingClientEvents>(event: K, payload: SignalingClientEvents[K]): void {
    this.emit(event, payload);
  }
}

const closers: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

it('held candidates, a duplicate and a late answer, garbage and end-of-candidates: connected, no error, nothing thrown', async () => {
  const signaling = new ScriptedSignaling();
  const v = createViewerSession({ signaling: signaling as unknown as SessionSignaling, RTCPeerConnection: Werift, dataChannels: [{ label: 'chat' }], qualityIntervalMs: 0, answerTimeoutMs: 20_000 });
  closers.push(() => v.close());
  const errors: unknown[] = [];
  v.on('error', (e) => errors.push(e));
  let chat: DataChannelLike | undefined;
  v.on('dataChannel', ({ channel }) => (chat = channel));

  const connecting = v.connect();
  await until(() => signaling.offers.length === 1, 5000, 'the offer');

  const remote = new RTCPeerConnection({});
  closers.push(() => remote.close());
  const remoteCandidates: Array<{ candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }> = [];
  remote.onicecandidate = (e) => {
    const c = e.candidate?.toJSON();
    if (c?.candidate) remoteCandidates.push({ candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null });
  };
  remote.ondatachannel = ({ channel }) => channel.onMessage.subscribe((m) => channel.send(`echo:${String(m)}`));
  await remote.setRemoteDescription(signaling.offers[0]!);
  const answer = await remote.createAnswer();
  void remote.setLocalDescription(answer);
  await until(() => remoteCandidates.length > 0, 5000, 'remote candidates');

  // Candidates first (held until the answer), garbage among them, then the answer twice.
  for (const c of remoteCandidates) signaling.fire('iceCandidate', { payload: c, senderClientId: undefined });
  signaling.fire('iceCandidate', { payload: { candidate: 'candidate:not a candidate', sdpMid: '0', sdpMLineIndex: 0 }, senderClientId: undefined });
  signaling.fire('sdpAnswer', { payload: { type: 'answer', sdp: answer.sdp }, senderClientId: undefined });
  signaling.fire('sdpAnswer', { payload: { type: 'answer', sdp: answer.sdp }, senderClientId: undefined });
  // End-of-candidates from the remote.
  signaling.fire('iceCandidate', { payload: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 }, senderClientId: undefined });
  for (const c of signaling.candidates) await remote.addIceCandidate(c as never).catch(() => undefined);

  await connecting;
  expect(v.state).toBe('connected');
  await opened(chat!);
  const reply = nextMessage(chat!);
  chat!.send('hi');
  expect(await reply).toBe('echo:hi');
  // A late answer after everything: still ignored.
  signaling.fire('sdpAnswer', { payload: { type: 'answer', sdp: answer.sdp }, senderClientId: undefined });
  await until(() => v.metrics().answersIgnored >= 2, 2000, 'two ignored answers');
  expect(v.metrics().candidatesRefused).toBeGreaterThanOrEqual(1);
  expect(v.metrics().offersSent).toBe(1);
  expect(errors).toEqual([]);
  expect(v.state).toBe('connected');
});

// werift keeps a rolled-back transceiver's mid (it then collides with the remote's): @roamhq/wrtc (libwebrtc) rolls back as browsers do.
it('glare (@roamhq/wrtc): the polite viewer rolls back its offer for a new track, answers the remote, then offers the track again (once)', async () => {
  const signaling = new ScriptedSignaling();
  const v = createViewerSession({ signaling: signaling as unknown as SessionSignaling, RTCPeerConnection: wrtc.RTCPeerConnection, dataChannels: [{ label: 'chat' }], qualityIntervalMs: 0, answerTimeoutMs: 20_000 });
  closers.push(() => v.close());
  const errors: unknown[] = [];
  v.on('error', (e) => errors.push(e));
  const connecting = v.connect();
  await until(() => signaling.offers.length === 1, 5000, 'the offer');

  const remote = new wrtc.RTCPeerConnection({}) as unknown as WrtcPeer;
  closers.push(() => remote.close());
  remote.onicecandidate = (e) => {
    const c = e.candidate;
    if (c?.candidate) signaling.fire('iceCandidate', { payload: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null }, senderClientId: undefined });
  };
  await remote.setRemoteDescription(signaling.offers[0]!);
  const answer = await remote.createAnswer();
  await remote.setLocalDescription(answer);
  signaling.fire('sdpAnswer', { payload: { type: 'answer', sdp: answer.sdp! }, senderClientId: undefined });
  await until(() => signaling.candidates.length > 0, 5000, 'viewer candidates');
  for (const c of signaling.candidates) await remote.addIceCandidate(c as never).catch(() => undefined);
  await connecting;
  const source = new wrtc.nonstandard.RTCAudioSource();
  const audio = source.createTrack();
  closers.push(() => audio.stop());

  // The viewer offers a new audio track; before that offer lands, the remote offers too.
  v.addTrack(audio);
  await until(() => signaling.offers.length === 2, 5000, 'the offer for the track');
  expect(signaling.offers[1]!.sdp).toMatch(/^m=audio /m);
  remote.addTransceiver!('video', { direction: 'sendonly' });
  const crossing = await remote.createOffer();
  await remote.setLocalDescription(crossing);
  signaling.fire('sdpOffer', { payload: { type: 'offer', sdp: crossing.sdp! }, senderClientId: undefined });
  // Polite: the viewer's offer is rolled back and the remote's answered (it has no audio m-line).
  await until(() => signaling.answers.length === 1, 5000, 'the answer to the crossing offer');
  await remote.setRemoteDescription(signaling.answers[0]!);
  // The track is still not negotiated: the viewer offers it again, once.
  await until(() => signaling.offers.length === 3, 5000, 'the track offered again');
  expect(signaling.offers[2]!.sdp).toMatch(/^m=audio \d+ [^\r\n]*(\r?\n(?!m=).*)*\r?\na=send(recv|only)/m);
  await remote.setRemoteDescription(signaling.offers[2]!);
  const last = await remote.createAnswer();
  await remote.setLocalDescription(last);
  signaling.fire('sdpAnswer', { payload: { type: 'answer', sdp: last.sdp! }, senderClientId: undefined });
  await until(() => v.pc!.signalingState === 'stable' && v.metrics().answersIgnored === 0 && v.metrics().timeline.answerReceived !== undefined, 5000, 'stable');
  await new Promise((r) => setTimeout(r, 1000));
  expect(signaling.offers).toHaveLength(3);
  expect(v.state).toBe('connected');
  expect(errors).toEqual([]);
});
