/**
 * Storage sessions (WebRTC ingestion) against the emulator's real media server
 * (a werift peer): the master joins after every signaling open, answers the
 * media server, and its H.264 and Opus RTP reach it; a lost offer leads to a
 * re-join; a reconnect re-joins; set-ups that cannot work fail with typed errors.
 */
import https from 'node:https';
import path from 'node:path';
import { CreateStreamCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { ChannelManager, SignalingClient } from '@kvs-sig/client';
import { startEmulator, type Emulator } from '@kvs-sig/emulator';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useH264, useOPUS } from 'werift';
import { createMasterSession, type MasterSession, type MasterSessionEvents, type IceServerLike, type MasterSessionOptions, type PeerConnectionConstructor, type StorageState } from '../src';
import { Rig, Werift, until } from './helpers';

jest.setTimeout(60_000);

let rig: Rig;
let cm: ChannelManager;
let streamArn: string;
beforeAll(async () => {
  // One ICE server entry: the service always lists TURN, and ingestion needs it. Its
  // URIs point at nothing on loopback; werift connects over host candidates anyway.
  rig = await Rig.start({ iceServerCount: 1, mediaServer: 'webrtc' });
  cm = new ChannelManager({ region: rig.emu.region, endpoint: rig.emu.controlPlaneEndpoint, credentials: rig.emu.credentials, tls: { ca: rig.emu.ca! } });
  streamArn = await createStream(rig.emu);
});

/**
 * A stream with retention, made with the AWS SDK as an app would: the emulator maps a
 * channel only to a stream that exists and keeps data, as the service does.
 */
async function createStream(emu: Emulator): Promise<string> {
  const agent = new https.Agent({ ca: emu.ca!, keepAlive: false });
  const kv = new KinesisVideoClient({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, maxAttempts: 1, requestHandler: { httpsAgent: agent } });
  try {
    return (await kv.send(new CreateStreamCommand({ StreamName: 'ingest', DataRetentionInHours: 24 }))).StreamARN!;
  } finally {
    kv.destroy();
    agent.destroy();
  }
}
afterEach(async () => {
  await rig.cleanup();
  rig.emu.faults.reset();
});
afterAll(async () => {
  await cm.close();
  await rig.stop();
});

/** A channel with media storage on (the default) or off. */
async function channel(name: string, enabled = true): Promise<string> {
  const { channelArn } = await cm.createChannel({ channelName: name });
  if (enabled) await cm.updateMediaStorageConfiguration({ channelArn, status: 'ENABLED', streamArn });
  return channelArn;
}

/**
 * werift without the channel's TURN entries: they point at nothing on loopback, and
 * werift waits seconds for each allocation before its checks finish. The session
 * still sees (and requires) them; host candidates carry the media here.
 */
class LoopbackWerift extends RTCPeerConnection {
  constructor(configuration: { iceServers?: IceServerLike[] } = {}) {
    super({ ...configuration, iceServers: withoutTurn(configuration.iceServers) } as never);
  }
  override setConfiguration(configuration: { iceServers?: IceServerLike[] }): void {
    super.setConfiguration({ ...configuration, iceServers: withoutTurn(configuration.iceServers) } as never);
  }
}
function withoutTurn(servers: IceServerLike[] = []): IceServerLike[] {
  return servers.filter((s) => ![s.urls].flat().some((u) => /^turns?:/.test(u)));
}

/** H.264 + Opus, what the media server records (werift offers VP8 video unless told). */
const CODECS = { codecs: { audio: [useOPUS()], video: [useH264()] } };
const fast = { qualityIntervalMs: 0, restart: { initialDelayMs: 50, maxDelayMs: 200 } };

function media(): { video: MediaStreamTrack; audio: MediaStreamTrack; pump: () => () => void } {
  const video = new MediaStreamTrack({ kind: 'video' });
  const audio = new MediaStreamTrack({ kind: 'audio' });
  // werift's senders stamp SSRC and payload type; the test only writes packets (an
  // H.264 single NAL unit and an Opus frame's worth of bytes) every 20 ms.
  const pump = () => {
    let seq = 0;
    const timer = setInterval(() => {
      seq = (seq + 1) & 0xffff;
      video.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, marker: true }), Buffer.from([0x65, ...Buffer.alloc(100, seq & 0xff)])));
      audio.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: seq * 960 }), Buffer.alloc(60, 0xfc)));
    }, 20);
    return () => clearInterval(timer);
  };
  return { video, audio, pump };
}

function master(name: string, extra: Partial<MasterSessionOptions> = {}): { m: MasterSession; states: StorageState[]; errors: string[]; joined: string[] } {
  const { video, audio } = media();
  const m = rig.later(
    createMasterSession({
      signaling: rig.client('MASTER', name, undefined, { reconnect: { initialDelayMs: 10 } }),
      RTCPeerConnection: LoopbackWerift as unknown as PeerConnectionConstructor,
      configuration: CODECS,
      tracks: [video as never, audio as never],
      storage: true,
      ...fast,
      ...extra,
    }),
  );
  const states: StorageState[] = [];
  const errors: string[] = [];
  const joined: string[] = [];
  m.on('storage', (e: MasterSessionEvents['storage']) => states.push(e.state));
  m.on('error', (e) => errors.push(e.code));
  m.on('viewerJoined', ({ clientId }) => joined.push(clientId));
  return { m, states, errors, joined };
}

/** Whether `expected` occurs in `seen` in this order (other states may come between). */
function inOrder(seen: string[], expected: string[]): boolean {
  let i = 0;
  for (const x of seen) if (x === expected[i]) i++;
  return i === expected.length;
}

const joins = (arn: string) => rig.emu.log.requests().filter((r) => r.operation === 'JoinStorageSession' && JSON.stringify(r).includes(arn)).length;
const sessionOf = (arn: string) => rig.emu.storageSessions().find((s) => s.channelArn === arn);

it("ingests H.264 and Opus RTP into the emulator's media server, apart from the viewers, and re-joins after a dropped socket and GO_AWAY", async () => {
  const arn = await channel('st-ingest');
  const { video, audio, pump } = media();
  const { m, states, joined } = master('st-ingest', { tracks: [video as never, audio as never] });
  await m.connect();
  await until(() => m.storage?.state === 'connected', 20_000, 'the storage peer to connect');
  const first = sessionOf(arn)!;
  expect(m.storage!.mediaServerClientId).toBe(first.mediaServerClientId);
  expect(first.mediaServerClientId).toMatch(/^AWS_MEDIA_SERVER_/);
  // Not a viewer: no peer, no viewerJoined, nothing counted against maxViewers.
  expect(m.peers.size).toBe(0);
  expect(joined).toEqual([]);
  // `waiting` is skipped only if the offer overtook the join's reply.
  expect(inOrder(states, ['joining', 'connecting', 'connected'])).toBe(true);

  const stop = pump();
  try {
    const enough = () => {
      const s = sessionOf(arn);
      return ['video', 'audio'].every((k) => (s?.tracks.find((t) => t.kind === k)?.packets ?? 0) >= 20);
    };
    await until(enough, 15_000, 'RTP on both tracks at the media server');
    const s = sessionOf(arn)!;
    expect(s.answered).toBe(true);
    expect(s.problem).toBeUndefined();
    expect(s.tracks.find((t) => t.kind === 'video')!.codec).toMatch(/^video\/h264$/i);
    expect(s.tracks.find((t) => t.kind === 'audio')!.codec).toMatch(/^audio\/opus$/i);
    expect(joins(arn)).toBe(1);

    // The socket drops: the reconnected master joins again, and a new media server
    // session takes the media.
    expect(rig.emu.faults.dropConnections({ role: 'MASTER', channelArn: arn })).toBe(1);
    await until(() => joins(arn) === 2 && sessionOf(arn)?.mediaServerClientId !== first.mediaServerClientId, 20_000, 'a second join');
    await until(() => m.storage?.state === 'connected' && m.storage.mediaServerClientId === sessionOf(arn)?.mediaServerClientId, 20_000, 'the new storage peer');
    await until(() => ['video', 'audio'].every((k) => (sessionOf(arn)?.tracks.find((t) => t.kind === k)?.packets ?? 0) >= 5), 15_000, 'RTP at the new session');
    expect(m.storage!.joins).toBe(2);
    expect(m.peers.size).toBe(0);

    // GO_AWAY: the client opens a replacement connection, and the session joins again.
    const second = m.storage!.mediaServerClientId;
    expect(rig.emu.faults.goAway({ channelArn: arn, role: 'MASTER' })).toBe(1);
    await until(() => joins(arn) === 3, 10_000, 'a join after GO_AWAY');
    await until(() => m.storage?.state === 'connected' && m.storage.mediaServerClientId !== second, 20_000, 'the storage peer after GO_AWAY');
    expect(sessionOf(arn)!.mediaServerClientId).toBe(m.storage!.mediaServerClientId);
    expect(joined).toEqual([]);
  } finally {
    stop();
  }
});

it("re-joins when the client replaces its connection before the service's 1 h limit (shortened here)", async () => {
  const arn = await channel('st-age');
  const { m, joined } = master('st-age', {
    signaling: rig.client('MASTER', 'st-age', undefined, { reconnect: { initialDelayMs: 10, proactiveAfterMs: 2500 } }),
  });
  await m.connect();
  await until(() => m.storage?.state === 'connected', 20_000, 'the storage peer');
  const first = m.storage!.mediaServerClientId;
  // The replacement (make-before-break) opens a new socket: the session joins again.
  await until(() => joins(arn) === 2, 10_000, 'a join after the connection was replaced');
  await until(() => m.storage?.state === 'connected' && m.storage.mediaServerClientId !== first, 20_000, 'the new storage peer');
  expect(sessionOf(arn)!.mediaServerClientId).toBe(m.storage!.mediaServerClientId);
  expect(joined).toEqual([]);
});

it('joins again with backoff when the media server sends no offer, and gives up with STORAGE_NO_OFFER after maxJoinAttempts (connect() again starts over)', async () => {
  const arn = await channel('st-lost');
  rig.emu.faults.dropStorageOffers(1);
  const { m, states } = master('st-lost', { storage: { offerTimeoutMs: 400 } });
  await m.connect();
  await until(() => m.storage?.state === 'connected', 20_000, 'the storage peer after a re-join');
  expect(joins(arn)).toBe(2);
  // The first wait ran out; the second join's offer came.
  expect(inOrder(states, ['joining', 'waiting', 'joining', 'connecting', 'connected'])).toBe(true);
  expect(states.filter((x) => x === 'joining')).toHaveLength(2);

  const other = await channel('st-never');
  rig.emu.faults.dropStorageOffers(10);
  const never = master('st-never', { storage: { offerTimeoutMs: 200, maxJoinAttempts: 3 } });
  const failed = new Promise<MasterSessionEvents['storage']>((resolve) => never.m.on('storage', (e) => e.state === 'failed' && resolve(e)));
  await never.m.connect();
  const e = await failed;
  expect(e.error).toMatchObject({ code: 'STORAGE_NO_OFFER' });
  expect(never.errors).toContain('STORAGE_NO_OFFER');
  expect(joins(other)).toBe(3);
  expect(e.joins).toBe(3);
  // connect() again starts over.
  rig.emu.faults.reset();
  await never.m.connect();
  await until(() => never.m.storage?.state === 'connected', 20_000, 'the storage peer after connect() again');
  expect(joins(other)).toBe(4);
});

it('retries a throttled or failing JoinStorageSession, and rejects connect() with STORAGE_JOIN_FAILED on an error no retry fixes', async () => {
  await channel('st-join');
  // An injected failure is answered before the channel is looked up: count every join.
  const before = rig.emu.log.count('JoinStorageSession');
  rig.emu.faults.failNext('JoinStorageSession', 1);
  const { m } = master('st-join');
  await m.connect();
  expect(rig.emu.log.count('JoinStorageSession') - before).toBe(2);
  expect(m.storage!.joins).toBe(2);
  await until(() => m.storage?.state === 'connected', 20_000, 'the storage peer');

  await channel('st-denied');
  const beforeDenied = rig.emu.log.count('JoinStorageSession');
  rig.emu.faults.failNext('JoinStorageSession', 1, { status: 403, errorType: 'AccessDeniedException', message: 'not allowed' });
  const d = master('st-denied');
  await expect(d.m.connect()).rejects.toMatchObject({ code: 'STORAGE_JOIN_FAILED', cause: expect.objectContaining({ errorType: 'AccessDeniedException' }) });
  expect(d.m.storage?.state).toBe('failed');
  expect(d.errors).toEqual(['STORAGE_JOIN_FAILED']);
  expect(rig.emu.log.count('JoinStorageSession') - beforeDenied).toBe(1);
});

it('rejects connect() with STORAGE_NOT_ENABLED on a channel without media storage, before any JoinStorageSession', async () => {
  const arn = await channel('st-off', false);
  const { m, errors } = master('st-off');
  await expect(m.connect()).rejects.toMatchObject({ code: 'STORAGE_NOT_ENABLED' });
  expect(errors).toEqual(['STORAGE_NOT_ENABLED']);
  expect(m.storage?.state).toBe('failed');
  expect(joins(arn)).toBe(0);
});

it('rejects connect() with STORAGE_TRACKS, naming tracks, when the master does not send both video and audio (nothing is sent)', async () => {
  await channel('st-tracks');
  const { video } = media();
  const { m } = master('st-tracks', { tracks: [video as never] });
  const before = rig.emu.log.requests().length;
  await expect(m.connect()).rejects.toMatchObject({ code: 'STORAGE_TRACKS', field: 'tracks', message: expect.stringContaining('an audio track (Opus)') });
  expect(rig.emu.log.requests().length).toBe(before);
});

it('reports STORAGE_TRACKS when the peer connection did not negotiate H.264 (werift offers VP8 unless told)', async () => {
  await channel('st-vp8');
  const { m, errors } = master('st-vp8', { configuration: {} });
  const failed = new Promise<MasterSessionEvents['storage']>((resolve) => m.on('storage', (e) => e.state === 'failed' && resolve(e)));
  await m.connect();
  const e = await failed;
  expect(e.error).toMatchObject({ code: 'STORAGE_TRACKS', message: expect.stringContaining('H.264 video') });
  expect(errors).toContain('STORAGE_TRACKS');
  expect(m.storage?.pc).toBeUndefined();
});

it('rejects connect() with STORAGE_NO_TURN when no TURN server is configured, and checks its options', async () => {
  // An emulator whose GetIceServerConfig lists nothing: only the region's STUN is left.
  const emu = await startEmulator({ tls: true, iceServerCount: 0 });
  try {
    const local = new ChannelManager({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, tls: { ca: emu.ca! } });
    const stream = await createStream(emu);
    const { channelArn } = await local.createChannel({ channelName: 'st-turn' });
    await local.updateMediaStorageConfiguration({ channelArn, status: 'ENABLED', streamArn: stream });
    await local.close();
    const signaling = new SignalingClient({ role: 'MASTER', channelName: 'st-turn', region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, tls: { ca: emu.ca! } });
    const { video, audio } = media();
    const m = createMasterSession({ signaling, RTCPeerConnection: Werift, tracks: [video as never, audio as never], storage: true, qualityIntervalMs: 0 });
    await expect(m.connect()).rejects.toMatchObject({ code: 'STORAGE_NO_TURN', field: 'configuration.iceServers' });
    expect(emu.log.count('JoinStorageSession')).toBe(0);
    await m.close();
    await signaling.close();
  } finally {
    await emu.close();
  }
  const signaling = rig.client('MASTER', 'st-options');
  expect(() => createMasterSession({ signaling, RTCPeerConnection: Werift, storage: { offerTimeoutMs: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'storage.offerTimeoutMs' }));
  expect(() => createMasterSession({ signaling, RTCPeerConnection: Werift, storage: { maxJoinAttempts: 1.5 } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'storage.maxJoinAttempts' }));
  const { channels: _c, ...noChannels } = { channels: 1, ...Object.fromEntries(['state', 'connect', 'on', 'getIceServers', 'sendSdpOffer', 'sendSdpAnswer', 'sendIceCandidate'].map((k) => [k, () => undefined])) };
  expect(() => createMasterSession({ signaling: noChannels as never, RTCPeerConnection: Werift, storage: true })).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'signaling' }));
});

it('stays out of a page that only makes a viewer session (tree-shaken: only the master imports it)', async () => {
  const esbuild = await import('esbuild');
  const root = path.resolve(__dirname, '../../..');
  const bundle = async (code: string) =>
    (
      await esbuild.build({
        stdin: { contents: code, resolveDir: root, loader: 'ts' },
        bundle: true,
        minify: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        conditions: ['@kvs-sig/source', 'browser'],
        logLevel: 'silent',
      })
    ).outputFiles[0]!.text;
  const entry = path.resolve(__dirname, '../src/index.ts');
  const viewer = await bundle(`import { createViewerSession } from ${JSON.stringify(entry)}; window.s = createViewerSession({ signaling: window.sig });`);
  const master = await bundle(`import { createMasterSession } from ${JSON.stringify(entry)}; window.s = createMasterSession({ signaling: window.sig, storage: true });`);
  // Markers of the storage module: present where the master is bundled, absent from the viewer's page.
  const markers = ['storage.maxJoinAttempts', 'STORAGE_NO_TURN', 'the media server'];
  expect(markers.filter((m) => master.includes(m))).toEqual(markers);
  expect(markers.filter((m) => viewer.includes(m))).toEqual([]);
});
