import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useH264, useOPUS } from 'werift';
import type { Emulator } from '../src';
import { b64, call, connect, createChannel, createStream, decode, rawRequest, sleep, withEmulator, type Peer } from './helpers';

// The storage media server as a real WebRTC peer (werift): a master that answers
// its offer and sends H.264 and Opus RTP is seen packet by packet on the far side.

let emu: Emulator;
let n = 0;

beforeAll(async () => {
  emu = await withEmulator({ mediaServer: 'webrtc' });
});
afterAll(async () => {
  await emu.close();
});

async function storageChannel(): Promise<{ arn: string; webrtc: string }> {
  const arn = await createChannel(emu, `ingest-${++n}`);
  const streamArn = await createStream(emu, `ingest-${n}`);
  const u = await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } });
  expect(u.status).toBe(200);
  const ep = await call(emu, '/getSignalingChannelEndpoint', { ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC'], Role: 'MASTER' } });
  return { arn, webrtc: (ep.json.ResourceEndpointList as Array<{ ResourceEndpoint: string }>)[0]!.ResourceEndpoint };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(emu.storageSessions())}`);
    await sleep(25);
  }
}

/** A master that answers the media server's offer over its raw socket, sending what `tracks` allows. */
async function answerAsMaster(ws: Peer, tracks: { video: boolean; audio: boolean }): Promise<{ pc: RTCPeerConnection; video?: MediaStreamTrack; audio?: MediaStreamTrack; mediaServer: string }> {
  const pc = new RTCPeerConnection({ codecs: { video: [useH264()], audio: [useOPUS()] } });
  const video = tracks.video ? new MediaStreamTrack({ kind: 'video' }) : undefined;
  const audio = tracks.audio ? new MediaStreamTrack({ kind: 'audio' }) : undefined;
  const held: Record<string, unknown>[] = [];
  let offer: Record<string, unknown> | undefined;
  while (!offer) {
    const frame = await ws.next(5000);
    if (frame.messageType === 'SDP_OFFER') offer = frame;
    else held.push(frame);
  }
  const mediaServer = offer.senderClientId as string;
  pc.onIceCandidate.subscribe((c) => {
    const candidate = c?.toJSON();
    if (candidate?.candidate) ws.send({ action: 'ICE_CANDIDATE', recipientClientId: mediaServer, messagePayload: b64(candidate) });
  });
  await pc.setRemoteDescription(decode(offer.messagePayload) as { type: 'offer'; sdp: string });
  // The offer is receive-only: the master's tracks go on the transceivers it created.
  for (const t of pc.getTransceivers()) {
    const track = t.kind === 'video' ? video : audio;
    if (track) {
      t.setDirection('sendonly');
      t.sender.replaceTrack(track);
    } else t.setDirection('inactive');
  }
  for (const f of held) if (f.messageType === 'ICE_CANDIDATE') await pc.addIceCandidate(decode(f.messagePayload) as { candidate: string });
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  ws.send({ action: 'SDP_ANSWER', recipientClientId: mediaServer, messagePayload: b64({ type: 'answer', sdp: pc.localDescription!.sdp }) });
  // Candidates the media server trickles from here on.
  void (async () => {
    for (;;) {
      const f = await ws.next(60_000).catch(() => undefined);
      if (!f) return;
      if (f.messageType === 'ICE_CANDIDATE') await pc.addIceCandidate(decode(f.messagePayload) as { candidate: string }).catch(() => undefined);
    }
  })();
  return { pc, ...(video ? { video } : {}), ...(audio ? { audio } : {}), mediaServer };
}

function pump(track: MediaStreamTrack, payloadType: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const header = new RtpHeader({ payloadType, sequenceNumber: i, timestamp: i * 3000, ssrc: 1234, marker: true });
    track.writeRtp(new RtpPacket(header, Buffer.alloc(100, i)));
  }
}

test('a master answering with H.264 and Opus reaches the media server: connected, packets counted per track', async () => {
  const { arn, webrtc } = await storageChannel();
  const ws = await connect(emu, arn);
  const r = await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
  expect(r.status).toBe(200);
  const m = await answerAsMaster(ws, { video: true, audio: true });
  expect(m.mediaServer).toMatch(/^AWS_MEDIA_SERVER_/);
  await until('connected', () => emu.storageSessions()[0]?.state === 'connected');
  const session = emu.storageSessions()[0]!;
  expect(session).toMatchObject({ channelArn: arn, answered: true });
  expect(session.problem).toBeUndefined();
  // Send until both tracks have arrived: the first packets may race the DTLS handshake on the far side.
  await until('media on both tracks', () => {
    pump(m.video!, 96, 5);
    pump(m.audio!, 111, 5);
    const tracks = emu.storageSessions()[0]?.tracks ?? [];
    return ['video', 'audio'].every((k) => (tracks.find((t) => t.kind === k)?.packets ?? 0) > 0);
  });
  const tracks = emu.storageSessions()[0]!.tracks;
  expect(tracks.find((t) => t.kind === 'video')).toMatchObject({ codec: expect.stringMatching(/H264/i), bytes: expect.any(Number) });
  expect(tracks.find((t) => t.kind === 'audio')).toMatchObject({ codec: expect.stringMatching(/opus/i) });
  // The admin API shows the same sessions.
  const admin = await rawRequest(emu, '/_emulator/storage', { method: 'GET' });
  expect(admin.status).toBe(200);
  expect(JSON.parse(admin.text)).toEqual([expect.objectContaining({ channelArn: arn, state: 'connected', tracks: expect.arrayContaining([expect.objectContaining({ kind: 'video' })]) })]);
  await m.pc.close();
  await ws.close();
}, 30_000);

test('an answer without H.264 video is named as the session problem; a newer join replaces the session', async () => {
  const { arn, webrtc } = await storageChannel();
  const ws = await connect(emu, arn);
  await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
  const m = await answerAsMaster(ws, { video: false, audio: true });
  await until('the answer', () => emu.storageSessions().some((s) => s.channelArn === arn && s.answered));
  const first = emu.storageSessions().find((s) => s.channelArn === arn)!;
  expect(first.problem).toMatch(/^the answer does not send H\.264 video \(/);
  await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
  await until('the new session', () => emu.storageSessions().some((s) => s.channelArn === arn && s.mediaServerClientId !== first.mediaServerClientId));
  expect(emu.storageSessions().filter((s) => s.channelArn === arn)).toHaveLength(1);
  await m.pc.close();
  await ws.close();
}, 30_000);

test('the master\'s frames to the media server are not relayed to any viewer or held', async () => {
  const { arn, webrtc } = await storageChannel();
  const ws = await connect(emu, arn);
  const viewer = await connect(emu, arn, { clientId: 'v1' });
  await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
  const before = emu.log.undeliveredCount();
  const m = await answerAsMaster(ws, { video: true, audio: true });
  await until('connected', () => emu.storageSessions().some((s) => s.channelArn === arn && s.state === 'connected'));
  await viewer.expectSilence(200);
  expect(emu.log.undeliveredCount()).toBe(before);
  await m.pc.close();
  await viewer.close();
  await ws.close();
}, 30_000);

test('mediaServer is checked', async () => {
  await expect(withEmulator({ mediaServer: 'bogus' as never })).rejects.toMatchObject({ field: 'mediaServer' });
});
