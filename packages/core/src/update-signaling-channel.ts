/**
 * UpdateSignalingChannel (no C counterpart).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_UpdateSignalingChannel.html
 * @packageDocumentation
 */
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelArn, requireObject, requireTtl, requireVersion } from './validate';

/** Input of {@link constructUpdateSignalingChannelRequest}. @public */
export interface UpdateSignalingChannelInput {
  channelArn: string;
  currentVersion: string;
  messageTtlSeconds?: number;
}

/**
 * Builds UpdateSignalingChannel: `POST <cp>/updateSignalingChannel`, body
 * `{"ChannelARN","CurrentVersion"[,"SingleMasterConfiguration":{"MessageTtlSeconds"}]}`. The reply is `{}`.
 * @throws ValidationError `BAD_PARAM`.
 * @public
 */
export function constructUpdateSignalingChannelRequest(input: UpdateSignalingChannelInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelArn', 'currentVersion', 'messageTtlSeconds']);
  const body: Record<string, unknown> = {
    ChannelARN: requireChannelArn(obj.channelArn),
    CurrentVersion: requireVersion(obj.currentVersion),
  };
  if (obj.messageTtlSeconds !== undefined) body.SingleMasterConfiguration = { MessageTtlSeconds: requireTtl(obj.messageTtlSeconds) };
  return postJson(controlPlaneUrl(target, '/updateSignalingChannel'), body);
}
