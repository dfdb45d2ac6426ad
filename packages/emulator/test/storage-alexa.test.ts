import type { Emulator } from '../src';
import { b64, call, connect, createChannel, createStream, decode, withEmulator } from './helpers';

let emu: Emulator;
let n = 0;

beforeAll(async () => {
  emu = await withEmulator({ limits: { alexaAnswerTimeoutMs: 1500 }, mediaServer: 'offer-only' });
});
afterAll(async () => {
  await emu.close();
});

async function storageChannel(): Promise<{ arn: string; webrtc: string }> {
  const arn = await createChannel(emu, `store-${++n}`);
  const streamArn = await createStream(emu, `s${n}`);
  const u = await call(emu, '/updateMediaStorageConfiguration', { ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } });
  expect(u.status).toBe(200);
  const ep = await call(emu, '/getSignalingChannelEndpoint', {
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC'], Role: 'MASTER' },
  });
  const [entry] = ep.json.ResourceEndpointList as Array<{ Protocol: string; ResourceEndpoint: string }>;
  expect(entry!.Protocol).toBe('WEBRTC');
  return { arn, webrtc: entry!.ResourceEndpoint };
}

describe('JoinStorageSession', () => {
  test('offer-only: the media server sends a well-formed SDP offer (H.264 + Opus) to the connected master; 200 with empty body', async () => {
    const { arn, webrtc } = await storageChannel();
    const master = await connect(emu, arn);
    const r = await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    // As the service may: a candidate before the offer (clients must buffer it), one after.
    const early = await master.next();
    expect(early.messageType).toBe('ICE_CANDIDATE');
    expect(decode(early.messagePayload)).toEqual({ candidate: expect.stringMatching(/^candidate:\d+ 1 udp \d+ 127\.0\.0\.1 9 typ host$/), sdpMid: '0', sdpMLineIndex: 0 });
    const frame = await master.next();
    expect(frame.messageType).toBe('SDP_OFFER');
    // The master answers to the media server by this id; `AWS_` ids are reserved, so no client can take it.
    expect(frame.senderClientId).toMatch(/^AWS_MEDIA_SERVER_[0-9a-f]{12}$/);
    expect(early.senderClientId).toBe(frame.senderClientId);
    expect((await master.next()).messageType).toBe('ICE_CANDIDATE');
    expect(emu.storageSessions()).toEqual([expect.objectContaining({ channelArn: arn, mediaServerClientId: frame.senderClientId, state: 'offered', answered: false })]);
    const sdp = decode(frame.messagePayload) as { type: string; sdp: string };
    expect(sdp.type).toBe('offer');
    expect(sdp.sdp.startsWith('v=0\r\n')).toBe(true);
    expect(sdp.sdp).toMatch(/m=audio .*\r\n/);
    expect(sdp.sdp).toMatch(/a=rtpmap:\d+ opus\/48000\/2/);
    expect(sdp.sdp).toMatch(/a=rtpmap:\d+ H264\/90000/);
    expect(sdp.sdp).toMatch(/a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\r\n/);
    // Not idempotent: every call triggers an offer.
    await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
    expect([(await master.next()).messageType, (await master.next()).messageType, (await master.next()).messageType]).toEqual(['ICE_CANDIDATE', 'SDP_OFFER', 'ICE_CANDIDATE']);
    await master.close();
  });

  test('refusals: no master connected, storage disabled, bad or unknown ARN (storage errors use lower-case message)', async () => {
    const { arn, webrtc } = await storageChannel();
    const noMaster = await call(emu, '/joinStorageSession', { channelArn: arn }, { origin: webrtc });
    expect([noMaster.status, noMaster.headers['x-amzn-errortype']]).toEqual([400, 'InvalidArgumentException']);
    expect(noMaster.json.message).toMatch(/master must be connected/);
    const plain = await createChannel(emu, `plain-${n}`);
    const disabled = await call(emu, '/joinStorageSession', { channelArn: plain }, { origin: webrtc });
    expect(disabled.json.message).toMatch(/media storage/);
    const missing = await call(emu, '/joinStorageSession', {}, { origin: webrtc });
    expect([missing.status, missing.headers['x-amzn-errortype']]).toEqual([400, 'InvalidArgumentException']);
    const unknown = await call(emu, '/joinStorageSession', { channelArn: arn.replace('store-', 'gone-') }, { origin: webrtc });
    expect([unknown.status, unknown.headers['x-amzn-errortype']]).toEqual([404, 'ResourceNotFoundException']);
  });

  test('JoinStorageSessionAsViewer sends the offer to that viewer; the viewer must be connected and its id valid', async () => {
    const { arn, webrtc } = await storageChannel();
    const viewer = await connect(emu, arn, { clientId: 'sv1' });
    const r = await call(emu, '/joinStorageSessionAsViewer', { channelArn: arn, clientId: 'sv1' }, { origin: webrtc });
    expect(r.status).toBe(200);
    expect([(await viewer.next()).messageType, (await viewer.next()).messageType]).toEqual(['ICE_CANDIDATE', 'SDP_OFFER']);
    const absent = await call(emu, '/joinStorageSessionAsViewer', { channelArn: arn, clientId: 'sv2' }, { origin: webrtc });
    expect([absent.status, absent.headers['x-amzn-errortype']]).toEqual([400, 'InvalidArgumentException']);
    const noId = await call(emu, '/joinStorageSessionAsViewer', { channelArn: arn }, { origin: webrtc });
    expect([noId.status, noId.headers['x-amzn-errortype']]).toEqual([400, 'InvalidArgumentException']);
    const reserved = await call(emu, '/joinStorageSessionAsViewer', { channelArn: arn, clientId: 'AWS_x' }, { origin: webrtc });
    expect(reserved.status).toBe(400);
    await viewer.close();
  });
});

describe('SendAlexaOfferToMaster', () => {
  test('delivers the offer to the master and returns its answer', async () => {
    const arn = await createChannel(emu, `alexa-${++n}`);
    const master = await connect(emu, arn);
    const offer = b64({ type: 'offer', sdp: 'v=0\r\n' });
    const answer = b64({ type: 'answer', sdp: 'v=0\r\n' });
    const pending = call(emu, '/v1/send-alexa-offer-to-master', { ChannelARN: arn, SenderClientId: 'alexa-1', MessagePayload: offer });
    const frame = await master.next();
    expect(frame).toEqual({ senderClientId: 'alexa-1', messageType: 'SDP_OFFER', messagePayload: offer });
    master.send({ action: 'SDP_ANSWER', messagePayload: answer, recipientClientId: 'alexa-1' });
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ Answer: answer });
    await master.close();
  });

  test('no master, no answer in time, or bad input are refused', async () => {
    const arn = await createChannel(emu, `alexa-${++n}`);
    const offer = b64({ type: 'offer', sdp: 'v=0\r\n' });
    const none = await call(emu, '/v1/send-alexa-offer-to-master', { ChannelARN: arn, SenderClientId: 'a', MessagePayload: offer });
    expect([none.status, none.headers['x-amzn-errortype']]).toEqual([404, 'ResourceNotFoundException']);
    const master = await connect(emu, arn);
    const silent = await call(emu, '/v1/send-alexa-offer-to-master', { ChannelARN: arn, SenderClientId: 'a', MessagePayload: offer });
    expect([silent.status, silent.headers['x-amzn-errortype']]).toEqual([404, 'ResourceNotFoundException']);
    expect(silent.json.Message).toMatch(/did not answer within 1500 ms/);
    const bad = await call(emu, '/v1/send-alexa-offer-to-master', { ChannelARN: arn, SenderClientId: 'a', MessagePayload: 'not base64!' });
    expect([bad.status, bad.headers['x-amzn-errortype']]).toEqual([400, 'InvalidArgumentException']);
    const long = await call(emu, '/v1/send-alexa-offer-to-master', { ChannelARN: arn, SenderClientId: 'a', MessagePayload: 'A'.repeat(10_001) });
    expect(long.status).toBe(400);
    await master.close();
  });
});
