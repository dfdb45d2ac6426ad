import * as https from 'node:https';
import {
  CreateSignalingChannelCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  ListStreamsCommand,
  DeleteSignalingChannelCommand,
  DescribeSignalingChannelCommand,
  GetSignalingChannelEndpointCommand,
  KinesisVideoClient,
  ListSignalingChannelsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  ListTagsForResourceCommand,
  UpdateMediaStorageConfigurationCommand,
  DescribeMediaStorageConfigurationCommand,
  UpdateSignalingChannelCommand,
  VersionMismatchException,
} from '@aws-sdk/client-kinesis-video';
import { GetIceServerConfigCommand, KinesisVideoSignalingClient } from '@aws-sdk/client-kinesis-video-signaling';
import { JoinStorageSessionCommand, KinesisVideoWebRTCStorageClient } from '@aws-sdk/client-kinesis-video-webrtc-storage';
import type { Emulator } from '../src';
import { connect, withEmulator } from './helpers';

// AWS SDK for JavaScript v3, pointed at the emulator: the proof that it speaks the service's protocol.
let emu: Emulator;
let agent: https.Agent;
const config = (endpoint: string) => ({
  region: emu.region,
  endpoint,
  credentials: emu.credentials,
  maxAttempts: 1,
  requestHandler: { httpsAgent: agent },
});

beforeAll(async () => {
  emu = await withEmulator();
  agent = new https.Agent({ ca: emu.ca, keepAlive: false });
});
afterAll(async () => {
  agent.destroy();
  await emu.close();
});

test('control plane: create, describe, list with prefix and paging, update, tag, endpoints, media storage, delete', async () => {
  const kv = new KinesisVideoClient(config(emu.controlPlaneEndpoint));
  try {
    const created = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'sdk-a', SingleMasterConfiguration: { MessageTtlSeconds: 30 }, Tags: [{ Key: 'k', Value: 'v' }] }));
    expect(created.ChannelARN).toMatch(/:channel\/sdk-a\/\d{13}$/);
    await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'sdk-b' }));
    await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'other' }));
    await expect(kv.send(new CreateSignalingChannelCommand({ ChannelName: 'sdk-a' }))).rejects.toBeInstanceOf(ResourceInUseException);

    const described = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: 'sdk-a' }));
    expect(described.ChannelInfo).toMatchObject({ ChannelARN: created.ChannelARN, ChannelStatus: 'ACTIVE', ChannelType: 'SINGLE_MASTER', SingleMasterConfiguration: { MessageTtlSeconds: 30 } });
    // The SDK parses CreationTime as a Date: the emulator sends epoch seconds as the model says.
    expect(described.ChannelInfo!.CreationTime).toBeInstanceOf(Date);
    expect(Math.abs(described.ChannelInfo!.CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);
    const notFound = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: 'missing' })).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ResourceNotFoundException);
    expect((notFound as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((notFound as ResourceNotFoundException).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const page1 = await kv.send(new ListSignalingChannelsCommand({ MaxResults: 1, ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'sdk-' } }));
    expect(page1.ChannelInfoList!.map((c) => c.ChannelName)).toEqual(['sdk-a']);
    const page2 = await kv.send(new ListSignalingChannelsCommand({ MaxResults: 1, NextToken: page1.NextToken, ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'sdk-' } }));
    expect(page2.ChannelInfoList!.map((c) => c.ChannelName)).toEqual(['sdk-b']);
    expect(page2.NextToken).toBeUndefined();

    await expect(kv.send(new UpdateSignalingChannelCommand({ ChannelARN: created.ChannelARN, CurrentVersion: 'old' }))).rejects.toBeInstanceOf(VersionMismatchException);
    await kv.send(new UpdateSignalingChannelCommand({ ChannelARN: created.ChannelARN, CurrentVersion: described.ChannelInfo!.Version, SingleMasterConfiguration: { MessageTtlSeconds: 90 } }));
    await kv.send(new TagResourceCommand({ ResourceARN: created.ChannelARN, Tags: [{ Key: 'k2', Value: 'v2' }] }));
    expect((await kv.send(new ListTagsForResourceCommand({ ResourceARN: created.ChannelARN }))).Tags).toEqual({ k: 'v', k2: 'v2' });

    const ep = await kv.send(new GetSignalingChannelEndpointCommand({ ChannelARN: created.ChannelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'VIEWER' } }));
    expect(ep.ResourceEndpointList).toEqual([
      { Protocol: 'WSS', ResourceEndpoint: emu.controlPlaneEndpoint.replace('https:', 'wss:') },
      { Protocol: 'HTTPS', ResourceEndpoint: emu.controlPlaneEndpoint },
    ]);

    const { StreamARN: streamArn } = await kv.send(new CreateStreamCommand({ StreamName: 'cam', DataRetentionInHours: 24, MediaType: 'video/h264' }));
    expect((await kv.send(new DescribeStreamCommand({ StreamName: 'cam' }))).StreamInfo).toMatchObject({ StreamARN: streamArn, Status: 'ACTIVE', DataRetentionInHours: 24 });
    expect((await kv.send(new ListStreamsCommand({}))).StreamInfoList?.map((x) => x.StreamName)).toEqual(['cam']);
    await kv.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN: created.ChannelARN, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } }));
    expect((await kv.send(new DescribeMediaStorageConfigurationCommand({ ChannelARN: created.ChannelARN }))).MediaStorageConfiguration).toEqual({ Status: 'ENABLED', StreamARN: streamArn });

    const latest = await kv.send(new DescribeSignalingChannelCommand({ ChannelARN: created.ChannelARN }));
    await kv.send(new DeleteSignalingChannelCommand({ ChannelARN: created.ChannelARN, CurrentVersion: latest.ChannelInfo!.Version }));
    await expect(kv.send(new DescribeSignalingChannelCommand({ ChannelARN: created.ChannelARN }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await kv.send(new DeleteStreamCommand({ StreamARN: streamArn }));
    await expect(kv.send(new DescribeStreamCommand({ StreamARN: streamArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  } finally {
    kv.destroy();
  }
});

test('signaling: GetIceServerConfig on the HTTPS endpoint; storage: JoinStorageSession on the WEBRTC endpoint', async () => {
  const kv = new KinesisVideoClient(config(emu.controlPlaneEndpoint));
  try {
    const { ChannelARN } = await kv.send(new CreateSignalingChannelCommand({ ChannelName: 'sdk-ice' }));
    const ep = await kv.send(new GetSignalingChannelEndpointCommand({ ChannelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['HTTPS'], Role: 'MASTER' } }));
    const httpsEndpoint = ep.ResourceEndpointList![0]!.ResourceEndpoint!;
    const sig = new KinesisVideoSignalingClient(config(httpsEndpoint));
    try {
      const ice = await sig.send(new GetIceServerConfigCommand({ ChannelARN, ClientId: 'master-1' }));
      expect(ice.IceServerList!.length).toBeGreaterThan(0);
      for (const s of ice.IceServerList!) {
        expect(s.Ttl).toBe(300);
        expect(s.Uris!.every((u) => /^turns?:/.test(u))).toBe(true);
        expect(s.Username).toMatch(/^\d+:/);
        expect(s.Password).toBeTruthy();
      }
    } finally {
      sig.destroy();
    }

    const { StreamARN } = await kv.send(new CreateStreamCommand({ StreamName: 's', DataRetentionInHours: 1 }));
    await kv.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN } }));
    const webrtc = await kv.send(new GetSignalingChannelEndpointCommand({ ChannelARN, SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC'], Role: 'MASTER' } }));
    const master = await connect(emu, ChannelARN!);
    const storage = new KinesisVideoWebRTCStorageClient(config(webrtc.ResourceEndpointList![0]!.ResourceEndpoint!));
    try {
      await storage.send(new JoinStorageSessionCommand({ channelArn: ChannelARN }));
      // The media server (a real peer here) may trickle candidates before or after its offer.
      let frame = await master.next(5000);
      while (frame.messageType === 'ICE_CANDIDATE') frame = await master.next(5000);
      expect(frame).toMatchObject({ messageType: 'SDP_OFFER', senderClientId: expect.stringMatching(/^AWS_MEDIA_SERVER_/) });
    } finally {
      storage.destroy();
      await master.close();
    }
  } finally {
    kv.destroy();
  }
});

test('the SDK corrects its clock from the Date header after a "Signature expired" refusal, as it does against AWS', async () => {
  emu.faults.setClockOffset(15 * 60_000);
  const kv = new KinesisVideoClient({ ...config(emu.controlPlaneEndpoint), maxAttempts: 3 });
  try {
    const out = await kv.send(new ListSignalingChannelsCommand({}));
    expect(out.ChannelInfoList).toBeDefined();
    expect(Math.abs(kv.config.systemClockOffset - 15 * 60_000)).toBeLessThan(5_000);
    const skewed = emu.log.requests().filter((r) => r.operation === 'ListSignalingChannels').slice(-2);
    expect(skewed.map((r) => [r.status, r.errorType])).toEqual([
      [403, 'InvalidSignatureException'],
      [200, undefined],
    ]);
  } finally {
    emu.faults.reset();
    kv.destroy();
  }
});
