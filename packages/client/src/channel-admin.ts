/**
 * The channel calls a viewer never makes: create, list, delete, media storage
 * and storage sessions. `ChannelManager` loads this module with `import()` on
 * the first such call, so bundlers that split chunks leave it, and core's
 * builders and parsers of these operations, out of a viewer's page.
 * @packageDocumentation
 */

import {
  ProtocolError,
  constructCreateSignalingChannelRequest,
  constructDeleteSignalingChannelRequest,
  constructDescribeMediaStorageConfigurationRequest,
  constructJoinStorageSessionAsViewerRequest,
  constructJoinStorageSessionRequest,
  constructListSignalingChannelsRequest,
  constructUpdateMediaStorageConfigurationRequest,
  parseCreateSignalingChannelResponse,
  parseDescribeMediaStorageConfigurationResponse,
  parseListSignalingChannelsResponse,
  type ChannelInfo,
  type ChannelSelector,
  type MediaStorageConfiguration,
  type MediaStorageStatus,
  type Role,
  type Tag,
} from '@kvs-sig/core';
import type { CallOptions, ManagerCalls } from './channel-manager';

export async function createChannel(
  m: ManagerCalls,
  input: { channelName: string; messageTtlSeconds?: number; tags?: readonly Tag[] },
  options?: CallOptions,
): Promise<{ channelArn: string }> {
  const req = constructCreateSignalingChannelRequest(input, m.target);
  return m.call('CreateSignalingChannel', req, parseCreateSignalingChannelResponse, options);
}

export async function listChannels(
  m: ManagerCalls,
  input: { prefix?: string; maxResults?: number; nextToken?: string },
  options?: CallOptions,
): Promise<{ channels: ChannelInfo[]; nextToken?: string }> {
  const req = constructListSignalingChannelsRequest(
    {
      ...(input.prefix === undefined ? {} : { channelNamePrefix: input.prefix }),
      ...(input.maxResults === undefined ? {} : { maxResults: input.maxResults }),
      ...(input.nextToken === undefined ? {} : { nextToken: input.nextToken }),
    },
    m.target,
  );
  return m.call('ListSignalingChannels', req, parseListSignalingChannelsResponse, options);
}

export async function deleteChannel(
  m: ManagerCalls,
  input: { channelArn: string; currentVersion?: string } | { channelName: string },
  options?: CallOptions,
): Promise<void> {
  let arn: string;
  let version: string | undefined;
  if ('channelName' in input && input.channelName !== undefined) {
    let info: ChannelInfo;
    try {
      info = await m.describeChannel({ channelName: input.channelName }, options);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    if (!info.channelArn) throw new ProtocolError('UNEXPECTED_RESPONSE', 'DescribeSignalingChannel returned no ChannelARN');
    arn = info.channelArn;
    version = info.version;
  } else {
    const byArn = input as { channelArn: string; currentVersion?: string };
    arn = byArn.channelArn;
    version = byArn.currentVersion;
  }
  const req = constructDeleteSignalingChannelRequest({ channelArn: arn, ...(version === undefined ? {} : { currentVersion: version }) }, m.target);
  try {
    await m.call('DeleteSignalingChannel', req, () => undefined, options);
  } catch (error) {
    // A channel that is already gone counts as deleted, as in the C SDK.
    if (!isNotFound(error)) throw error;
  }
}

export async function joinStorageSession(
  m: ManagerCalls,
  input: { channelArn: string; webrtcEndpoint?: string },
  options?: CallOptions,
): Promise<void> {
  const webrtc = input.webrtcEndpoint ?? (await webrtcEndpoint(m, input.channelArn, 'MASTER', options));
  const req = constructJoinStorageSessionRequest({ webrtcEndpoint: webrtc, channelArn: input.channelArn });
  await m.call('JoinStorageSession', req, () => undefined, options);
}

export async function joinStorageSessionAsViewer(
  m: ManagerCalls,
  input: { channelArn: string; clientId: string; webrtcEndpoint?: string },
  options?: CallOptions,
): Promise<void> {
  const webrtc = input.webrtcEndpoint ?? (await webrtcEndpoint(m, input.channelArn, 'VIEWER', options));
  const req = constructJoinStorageSessionAsViewerRequest({ webrtcEndpoint: webrtc, channelArn: input.channelArn, clientId: input.clientId });
  await m.call('JoinStorageSessionAsViewer', req, () => undefined, options);
}

async function webrtcEndpoint(m: ManagerCalls, channelArn: string, role: Role, options?: CallOptions): Promise<string> {
  const ep = await m.getEndpoints({ channelArn, role, protocols: ['WEBRTC'] }, options);
  return ep.webrtcEndpoint ?? '';
}

export async function describeMediaStorageConfiguration(
  m: ManagerCalls,
  ref: ChannelSelector,
  options?: CallOptions,
): Promise<MediaStorageConfiguration> {
  const req = constructDescribeMediaStorageConfigurationRequest(ref, m.target);
  return m.call('DescribeMediaStorageConfiguration', req, parseDescribeMediaStorageConfigurationResponse, options);
}

export async function updateMediaStorageConfiguration(
  m: ManagerCalls,
  input: { channelArn: string; status: MediaStorageStatus; streamArn?: string },
  options?: CallOptions,
): Promise<void> {
  const req = constructUpdateMediaStorageConfigurationRequest(input, m.target);
  await m.call('UpdateMediaStorageConfiguration', req, () => undefined, options);
}

function isNotFound(error: unknown): boolean {
  const e = error as { httpStatus?: unknown; errorType?: unknown };
  return e?.httpStatus === 404 || e?.errorType === 'ResourceNotFoundException';
}
