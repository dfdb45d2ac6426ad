/**
 * The viewer's negotiation against a hand-driven remote (a werift peer behind a
 * scripted signaling double): candidates before the answer are held, a
 * duplicate or late answer, garbage and end-of-candidates never throw into
 * the app.
 */
import type { SignalingClientEvents } from '@kvs-sig/client';
import { TypedEmitter } from '@kvs-sig/client/internal';
import { RTCPeerConnection } from 'werift';
import { createViewerSession, type DataChannelLike, type SessionSignaling } from '../src';
import { nextMessage, opened, until, Werift } from './helpers';

jest.setTimeout(30_000);

class ScriptedSignaling extends TypedEmitter<SignalingClientEvents> {
  state = 'open';
  readonly offers: Array<{ type: 'offer'; sdp: string }> = [];
  readonly candidates: unknown[] = [];
  async connect(): Promise<void> {}
  async getIceServers(): Promise<[]> {
    return [];
  }
  async sendSdpOffer(offer: { type: 'offer'; sdp: string }): Promise<void> {
    this.offers.push(offer);
  }
  async sendSdpAnswer(): Promise<void> {}
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
