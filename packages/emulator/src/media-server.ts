/**
 * The storage "media server" of WebRTC ingestion: after JoinStorageSession it
 * offers to the master (H.264 video and Opus audio, receive only), trickles its
 * candidates, takes the master's answer and candidates, and counts the RTP it
 * receives per track. With werift installed (an optional dependency) it is a
 * real peer, so an ingesting master is tested end to end; without it the
 * emulator sends a well-formed offer that nothing answers behind.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { MediaServerMode, StorageSessionInfo, StorageTrackStats } from './types';

/** What the media server needs from the signaling hub. @internal */
export interface MediaServerLink {
  /** Sends a frame to the channel's master as the media server; false when no master is connected. */
  toMaster(channelArn: string, messageType: 'SDP_OFFER' | 'ICE_CANDIDATE', senderClientId: string, payload: unknown): boolean;
  logger(line: string): void;
}

// The slice of werift the media server uses, typed here so the emulator compiles and loads without it.
interface WeriftTrack {
  kind: string;
  codec?: { mimeType: string };
  onReceiveRtp: { subscribe(f: (rtp: { payload: Uint8Array }) => void): unknown };
}
interface WeriftPc {
  addTransceiver(kind: 'audio' | 'video', init: { direction: 'recvonly' }): unknown;
  createOffer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<unknown>;
  setRemoteDescription(d: { type: 'answer'; sdp: string }): Promise<unknown>;
  addIceCandidate(c: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null }): Promise<unknown>;
  readonly localDescription?: { sdp: string } | null;
  readonly connectionState: string;
  onIceCandidate: { subscribe(f: (c: { toJSON(): { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null } } | undefined) => void): unknown };
  onTrack: { subscribe(f: (track: WeriftTrack) => void): unknown };
  connectionStateChange: { subscribe(f: (state: string) => void): unknown };
  close(): Promise<void>;
}
interface Werift {
  RTCPeerConnection: new (config: { codecs: { audio: unknown[]; video: unknown[] } }) => WeriftPc;
  useH264(): unknown;
  useOPUS(): unknown;
}

interface Session {
  info: StorageSessionInfo;
  pc: WeriftPc | undefined;
  remoteSet: boolean;
  heldCandidates: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null }[];
}

/** The media server's ClientId prefix: `AWS_` ids are reserved, so no user client can take it. @internal */
export const MEDIA_SERVER_ID_PREFIX = 'AWS_MEDIA_SERVER_';

/**
 * Loads werift when it is installed (an optional peer dependency, never
 * bundled); undefined otherwise. jest runs CommonJS without `import()` unless
 * told (--experimental-vm-modules), and users run the emulator from jest: there
 * the CommonJS build falls back to `require`.
 * @internal
 */
export async function loadWerift(): Promise<Werift | undefined> {
  try {
    return (await import('werift')) as unknown as Werift;
  } catch {
    try {
      return typeof require === 'function' ? (require('werift') as Werift) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Storage sessions of every channel, one media-server peer each. @internal */
export class MediaServer {
  readonly #sessions = new Map<string, Session>();

  /** Joins still to lose their offer (fault injection: the service's asynchronous set-up can fail after its 200). */
  offersToDrop = 0;

  /** werift, loaded at the first join so an emulator that never ingests does not pay for it. */
  #werift: Promise<Werift | undefined> | undefined;

  constructor(
    private readonly mode: MediaServerMode,
    private readonly link: MediaServerLink,
  ) {}

  /**
   * A master joined: the newest join wins, so an earlier session of the channel
   * is closed, and a new one offers. Failures are logged and recorded as the
   * session's problem (the HTTP call has already succeeded, as in the service).
   */
  join(channelArn: string): void {
    void this.end(channelArn);
    const id = `${MEDIA_SERVER_ID_PREFIX}${randomBytes(6).toString('hex')}`;
    const info: StorageSessionInfo = { channelArn, mediaServerClientId: id, state: 'offered', joinedAt: Date.now(), answered: false, tracks: [] };
    const session: Session = { info, pc: undefined, remoteSet: false, heldCandidates: [] };
    this.#sessions.set(channelArn, session);
    if (this.offersToDrop > 0) {
      this.offersToDrop -= 1;
      session.info.problem = 'the offer was dropped (fault injection)';
      this.link.logger(`storage session ${id}: ${session.info.problem}`);
      return;
    }
    this.#offer(channelArn, session).catch((e: unknown) => {
      session.info.problem = `the media server could not offer: ${e instanceof Error ? e.message : String(e)}`;
      this.link.logger(`storage session ${id}: ${session.info.problem}`);
    });
  }

  async #offer(channelArn: string, session: Session): Promise<void> {
    const id = session.info.mediaServerClientId;
    const w = this.mode === 'offer-only' ? undefined : await (this.#werift ??= loadWerift());
    if (this.#sessions.get(channelArn) !== session) return;
    if (!w) {
      // As the service may: a candidate before the offer (clients must hold it), one after.
      for (const payload of cannedSession()) this.link.toMaster(channelArn, payload.messageType, id, payload.body);
      return;
    }
    const pc = new w.RTCPeerConnection({ codecs: { audio: [w.useOPUS()], video: [w.useH264()] } });
    session.pc = pc;
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.connectionStateChange.subscribe((state) => {
      if (this.#sessions.get(channelArn) !== session || session.info.state === 'closed') return;
      if (state === 'connected') session.info.state = 'connected';
      else if (state === 'failed') session.info.state = 'failed';
      else if (state === 'connecting' && session.info.state !== 'connected') session.info.state = 'connecting';
    });
    pc.onTrack.subscribe((track) => {
      const stats: StorageTrackStats = { kind: track.kind === 'audio' ? 'audio' : 'video', codec: track.codec?.mimeType ?? '', packets: 0, bytes: 0 };
      session.info.tracks.push(stats);
      track.onReceiveRtp.subscribe((rtp) => {
        if (stats.packets === 0) stats.firstPacketAt = Date.now();
        stats.packets += 1;
        stats.bytes += rtp.payload.length;
      });
    });
    pc.onIceCandidate.subscribe((c) => {
      const candidate = c?.toJSON();
      if (candidate?.candidate && this.#sessions.get(channelArn) === session) this.link.toMaster(channelArn, 'ICE_CANDIDATE', id, candidate);
    });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    // Ended while gathering: werift binds its sockets during setLocalDescription, after a close() made then.
    if (this.#sessions.get(channelArn) !== session) return void (await pc.close().catch(() => undefined));
    this.link.toMaster(channelArn, 'SDP_OFFER', id, { type: 'offer', sdp: pc.localDescription?.sdp ?? offer.sdp });
  }

  /** Whether `clientId` is the media server of the channel (the master's frames to it stop here). */
  owns(channelArn: string, clientId: string): boolean {
    return this.#sessions.get(channelArn)?.info.mediaServerClientId === clientId;
  }

  /** The master's answer or candidate to the media server. Malformed payloads are recorded as the session's problem. */
  receive(channelArn: string, action: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE', payload: unknown): void {
    const session = this.#sessions.get(channelArn);
    if (!session) return;
    const fail = (problem: string): void => {
      session.info.problem = problem;
      this.link.logger(`storage session ${session.info.mediaServerClientId}: ${problem}`);
    };
    const body = payload as { type?: unknown; sdp?: unknown; candidate?: unknown; sdpMid?: unknown; sdpMLineIndex?: unknown } | null;
    if (action === 'SDP_OFFER') return fail('the master sent an offer; in a storage session the media server offers and the master answers');
    if (action === 'SDP_ANSWER') {
      if (typeof body?.sdp !== 'string') return fail('the answer has no sdp');
      session.info.answered = true;
      const missing = missingMedia(body.sdp);
      if (missing.length) fail(`the answer does not send ${missing.join(' or ')} (a storage session needs H.264 video and Opus audio from the master)`);
      if (!session.pc) return;
      session.pc
        .setRemoteDescription({ type: 'answer', sdp: body.sdp })
        .then(() => {
          session.remoteSet = true;
          for (const c of session.heldCandidates.splice(0)) void session.pc?.addIceCandidate(c).catch(() => undefined);
        })
        .catch((e: unknown) => fail(`the answer was refused: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    if (typeof body?.candidate !== 'string') return fail('a candidate has no candidate string');
    if (body.candidate === '') return; // end of candidates
    const c = {
      candidate: body.candidate,
      ...(typeof body.sdpMid === 'string' ? { sdpMid: body.sdpMid } : {}),
      ...(typeof body.sdpMLineIndex === 'number' ? { sdpMLineIndex: body.sdpMLineIndex } : {}),
    };
    if (!session.pc) return;
    if (session.remoteSet) void session.pc.addIceCandidate(c).catch(() => undefined);
    else session.heldCandidates.push(c);
  }

  /** Closes the channel's session (a newer join, the channel deleted, or the emulator closing). */
  end(channelArn: string): Promise<void> {
    const session = this.#sessions.get(channelArn);
    if (!session) return Promise.resolve();
    session.info.state = 'closed';
    this.#sessions.delete(channelArn);
    return session.pc?.close().catch(() => undefined) ?? Promise.resolve();
  }

  /** Snapshots of the live sessions. */
  sessions(): StorageSessionInfo[] {
    return [...this.#sessions.values()].map((s) => ({ ...s.info, tracks: s.info.tracks.map((t) => ({ ...t })) }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((arn) => this.end(arn)));
  }
}

/** `H.264 video`, `Opus audio`: what an answer does not send back. */
function missingMedia(sdp: string): string[] {
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  const sends = (kind: string, codec: RegExp): boolean =>
    sections.some((s) => s.startsWith(`m=${kind} `) && !/^m=\S+ 0 /.test(s) && codec.test(s) && !/a=(recvonly|inactive)/.test(s));
  const missing: string[] = [];
  if (!sends('video', /a=rtpmap:\d+ H264\/90000/i)) missing.push('H.264 video');
  if (!sends('audio', /a=rtpmap:\d+ opus\/48000/i)) missing.push('Opus audio');
  return missing;
}

/** A host candidate on loopback's discard port: nothing answers behind it. */
function cannedCandidate(foundation: number): { candidate: string; sdpMid: string; sdpMLineIndex: number } {
  return { candidate: `candidate:${foundation} 1 udp ${2130706431 - foundation} 127.0.0.1 9 typ host`, sdpMid: '0', sdpMLineIndex: 0 };
}

/**
 * The frames of a storage session with no WebRTC stack behind it: a candidate,
 * a well-formed offer (H.264 video + Opus audio, receive only), a candidate.
 * @internal
 */
export function cannedSession(): { messageType: 'SDP_OFFER' | 'ICE_CANDIDATE'; body: unknown }[] {
  return [
    { messageType: 'ICE_CANDIDATE', body: cannedCandidate(1) },
    { messageType: 'SDP_OFFER', body: { type: 'offer', sdp: cannedOffer() } },
    { messageType: 'ICE_CANDIDATE', body: cannedCandidate(2) },
  ];
}

function cannedOffer(): string {
  const id = BigInt(`0x${randomBytes(7).toString('hex')}`).toString();
  const ufrag = randomBytes(3).toString('hex');
  const pwd = randomBytes(12).toString('base64').replace(/[+/=]/g, 'x');
  const fp = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  // Both sections share one ICE/DTLS identity (BUNDLE); only the media line, mid and codec differ.
  const section = (media: string, mid: number, codec: string[]): string[] => [
    media,
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${pwd}`,
    `a=fingerprint:sha-256 ${fp}`,
    'a=setup:actpass',
    `a=mid:${mid}`,
    'a=recvonly',
    'a=rtcp-mux',
    ...codec,
  ];
  return [
    'v=0',
    `o=- ${id} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=msid-semantic: WMS kvs-storage',
    ...section('m=audio 9 UDP/TLS/RTP/SAVPF 111', 0, ['a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1']),
    ...section('m=video 9 UDP/TLS/RTP/SAVPF 96', 1, ['a=rtpmap:96 H264/90000', 'a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f']),
    '',
  ].join('\r\n');
}
