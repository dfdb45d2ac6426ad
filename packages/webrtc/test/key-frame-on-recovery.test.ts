/**
 * When a peer connection comes back after `disconnected` (a network change, an
 * ICE restart), every video sender switches its encodings off and on, which
 * makes the encoder start with a key frame: the remote lost the frames sent while
 * the path was down and cannot decode what follows without one, and Chromium
 * asks for one again only seconds later (BENCHMARKS.md, recovery: media back in
 * 9.2 s instead of 12.2 s). Audio, and encodings the app switched off, are left
 * alone; an encoding that cannot be switched on again is reported.
 * A scripted RTCPeerConnection drives the states: no stack lets a test choose
 * when ICE disconnects.
 */
import { PeerLink, type LinkOptions } from '../src/peer';
import type { PeerConnectionLike, SessionError } from '../src';

type Encoding = { active?: boolean };
class ScriptedSender {
  readonly set: boolean[][] = [];
  encodings: Encoding[];
  failOn: number | undefined;
  constructor(readonly track: { kind: string }, encodings: Encoding[] = [{ active: true }]) {
    this.encodings = encodings;
  }
  getParameters() {
    return { transactionId: String(this.set.length), encodings: this.encodings.map((e) => ({ ...e })) };
  }
  async setParameters(p: { encodings: Encoding[] }) {
    if (this.failOn === this.set.length) {
      this.set.push([]);
      throw new Error('InvalidModificationError');
    }
    this.set.push(p.encodings.map((e) => e.active !== false));
    this.encodings = p.encodings;
  }
}

class ScriptedPc extends EventTarget {
  signalingState = 'stable';
  connectionState = 'new';
  iceConnectionState = 'new';
  localDescription = null;
  remoteDescription = null;
  readonly senders: ScriptedSender[] = [];
  next: ScriptedSender | undefined;
  addTrack(track: { kind: string }) {
    const s = this.next ?? new ScriptedSender(track);
    this.next = undefined;
    this.senders.push(s);
    return s;
  }
  to(state: string) {
    this.connectionState = state;
    this.iceConnectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }
  getSenders() {
    return this.senders;
  }
  async getStats() {
    return new Map();
  }
  close() {}
}

let pc: ScriptedPc;
function link(): { link: PeerLink; errors: SessionError[] } {
  const options: LinkOptions = {
    RTCPeerConnection: class {
      constructor() {
        return pc;
      }
    } as unknown as LinkOptions['RTCPeerConnection'],
    configuration: {},
    signaling: { sendOffer: async () => undefined, sendAnswer: async () => undefined, sendCandidate: async () => undefined } as unknown as LinkOptions['signaling'],
    polite: false,
    restartsIce: false,
    answerTimeoutMs: 10_000,
    restart: { initialDelayMs: 50, maxDelayMs: 100, disconnectedGraceMs: 60_000, failedPeerTimeoutMs: 60_000, maxIceRestarts: 3, maxOfferAttempts: 3 } as LinkOptions['restart'],
    qualityIntervalMs: 0,
    remote: 'viewer-1',
  };
  const l = PeerLink.open(options, []);
  const errors: SessionError[] = [];
  l.on('error', (e) => errors.push(e as SessionError));
  return { link: l, errors };
}
const settle = () => new Promise((r) => setTimeout(r, 10));

beforeEach(() => {
  pc = new ScriptedPc();
});

test('coming back after disconnected: each video encoding is switched off then on; audio is not touched', async () => {
  const { link: l } = link();
  l.addTrack({ kind: 'video', id: 'v' } as never);
  l.addTrack({ kind: 'audio', id: 'a' } as never);
  const [video, audio] = pc.senders as [ScriptedSender, ScriptedSender];
  pc.to('connected');
  await settle();
  // The first connection needs no key frame: the encoder starts with one.
  expect(video.set).toEqual([]);
  pc.to('disconnected');
  expect(l.state).toBe('reconnecting');
  pc.to('connected');
  await settle();
  expect(l.state).toBe('connected');
  expect(video.set).toEqual([[false], [true]]);
  expect(video.encodings).toEqual([{ active: true }]);
  expect(audio.set).toEqual([]);
  l.close();
});

test('an encoding the app switched off stays off; a stack that refuses leaves the sender as it was', async () => {
  pc.next = new ScriptedSender({ kind: 'video' }, [{ active: true }, { active: false }]);
  const { link: l, errors } = link();
  l.addTrack({ kind: 'video', id: 'simulcast' } as never);
  pc.next = new ScriptedSender({ kind: 'video' });
  pc.next.failOn = 0;
  l.addTrack({ kind: 'video', id: 'refused' } as never);
  const [simulcast, refused] = pc.senders as [ScriptedSender, ScriptedSender];
  pc.to('connected');
  pc.to('disconnected');
  pc.to('connected');
  await settle();
  expect(simulcast.set).toEqual([]);
  expect(refused.set).toEqual([[]]);
  expect(refused.encodings).toEqual([{ active: true }]);
  expect(errors).toEqual([]);
  l.close();
});

test('an encoding that cannot be switched on again is reported as SENDER_FAILED', async () => {
  pc.next = new ScriptedSender({ kind: 'video' });
  pc.next.failOn = 1;
  const { link: l, errors } = link();
  l.addTrack({ kind: 'video', id: 'v' } as never);
  pc.to('connected');
  pc.to('disconnected');
  pc.to('connected');
  await settle();
  expect(errors.map((e) => [e.code, e.clientId, e.message])).toEqual([['SENDER_FAILED', undefined, expect.stringContaining('viewer-1')]]);
  l.close();
});
