import type { Emulator } from '../src';
import { b64, call, connect, createChannel, decode, withEmulator } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await withEmulator();
});
afterAll(async () => {
  await emu.close();
});

test('create, describe, endpoints, ICE, then master and viewer exchange offer, answer and candidates over WSS', async () => {
  const arn = await createChannel(emu, 'happy');
  expect(arn).toMatch(/^arn:aws:kinesisvideo:us-west-2:\d{12}:channel\/happy\/\d{13}$/);

  const d = await call(emu, '/describeSignalingChannel', { ChannelName: 'happy' });
  expect(d.status).toBe(200);
  expect(d.json.ChannelInfo).toMatchObject({ ChannelARN: arn, ChannelName: 'happy', ChannelStatus: 'ACTIVE', ChannelType: 'SINGLE_MASTER' });

  const ep = await call(emu, '/getSignalingChannelEndpoint', {
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' },
  });
  expect(ep.status).toBe(200);
  const list = ep.json.ResourceEndpointList as Array<{ Protocol: string; ResourceEndpoint: string }>;
  const wss = list.find((e) => e.Protocol === 'WSS')!.ResourceEndpoint;
  const httpsEp = list.find((e) => e.Protocol === 'HTTPS')!.ResourceEndpoint;
  expect(wss).toBe(emu.controlPlaneEndpoint.replace('https', 'wss'));
  expect(httpsEp).toBe(emu.controlPlaneEndpoint);

  const ice = await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'v1', Service: 'TURN' }, { origin: httpsEp });
  expect(ice.status).toBe(200);
  const servers = ice.json.IceServerList as Array<{ Uris: string[]; Ttl: number; Username: string; Password: string }>;
  expect(servers.length).toBeGreaterThan(0);
  expect(servers[0]!.Ttl).toBe(300);

  const master = await connect(emu, arn, { endpoint: wss });
  const viewer = await connect(emu, arn, { endpoint: wss, clientId: 'v1' });
  expect(emu.connections({ channelArn: arn }).map((c) => c.role).sort()).toEqual(['MASTER', 'VIEWER']);

  const offer = b64({ type: 'offer', sdp: 'v=0\r\n' });
  viewer.send({ action: 'SDP_OFFER', messagePayload: offer });
  const got = await master.next();
  expect(got).toEqual({ senderClientId: 'v1', messageType: 'SDP_OFFER', messagePayload: offer });

  const answer = b64({ type: 'answer', sdp: 'v=0\r\n' });
  master.send({ action: 'SDP_ANSWER', messagePayload: answer, recipientClientId: 'v1' });
  const ans = await viewer.next();
  expect(ans).toEqual({ messageType: 'SDP_ANSWER', messagePayload: answer });
  expect(decode(ans.messagePayload)).toEqual({ type: 'answer', sdp: 'v=0\r\n' });

  const cand = b64({ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 });
  master.send({ action: 'ICE_CANDIDATE', MessagePayload: cand, RecipientClientId: 'v1' });
  expect(await viewer.next()).toEqual({ messageType: 'ICE_CANDIDATE', messagePayload: cand });
  viewer.send({ action: 'ICE_CANDIDATE', MessagePayload: cand, RecipientClientId: '' });
  expect(await master.next()).toEqual({ senderClientId: 'v1', messageType: 'ICE_CANDIDATE', messagePayload: cand });

  await viewer.close();
  await master.close();
  expect(emu.log.count('ConnectAsMaster')).toBe(1);
  expect(emu.log.count('ConnectAsViewer')).toBe(1);
});
