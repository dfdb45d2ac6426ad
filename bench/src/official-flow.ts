/**
 * The official KVS JS SDK viewer sample's (examples/viewer.js) calls before it
 * opens its SignalingClient, with AWS SDK v3, in its order. Browser code: the
 * browser pages' apps (browser-page.ts, session-page.ts) import it, so both
 * time the same official flow.
 * @packageDocumentation
 */
import { DescribeSignalingChannelCommand, GetSignalingChannelEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetIceServerConfigCommand, KinesisVideoSignalingClient, type IceServer } from '@aws-sdk/client-kinesis-video-signaling';
import { Role } from 'amazon-kinesis-video-streams-webrtc';

/** What the flow starts from. */
export interface OfficialViewerArgs {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };
  /** The control plane's origin. */
  endpoint: string;
  channelName: string;
  clientId: string;
}

/** The channel, its viewer WSS endpoint, and GetIceServerConfig's list as the service sent it (possibly absent). */
export interface OfficialViewerChannel {
  channelARN: string;
  wssEndpoint: string;
  iceServerList: IceServer[] | undefined;
}

/** DescribeSignalingChannel, GetSignalingChannelEndpoint (WSS and HTTPS, as a viewer), then GetIceServerConfig on the HTTPS endpoint. */
export async function officialViewerChannel({ region, credentials, endpoint, channelName, clientId }: OfficialViewerArgs): Promise<OfficialViewerChannel> {
  const kv = new KinesisVideoClient({ region, credentials, endpoint });
  const d = await kv.send(new DescribeSignalingChannelCommand({ ChannelName: channelName }));
  const channelARN = d.ChannelInfo!.ChannelARN!;
  const e = await kv.send(new GetSignalingChannelEndpointCommand({ ChannelARN: channelARN,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: Role.VIEWER } }));
  const ep = Object.fromEntries(e.ResourceEndpointList!.map((x) => [x.Protocol, x.ResourceEndpoint])) as Record<string, string>;
  const sig = new KinesisVideoSignalingClient({ region, credentials, endpoint: ep.HTTPS });
  const ice = await sig.send(new GetIceServerConfigCommand({ ChannelARN: channelARN, ClientId: clientId }));
  return { channelARN, wssEndpoint: ep.WSS!, iceServerList: ice.IceServerList };
}
