/**
 * DeleteSignalingChannel (C: `Signaling_ConstructDeleteSignalingChannelRequest`).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_DeleteSignalingChannel.html
 * @packageDocumentation
 */
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelArn, requireObject, requireVersion } from './validate';

/** Input of {@link constructDeleteSignalingChannelRequest}. @public */
export interface DeleteSignalingChannelInput {
  channelArn: string;
  /** When omitted the latest version is deleted (C requires it; the API does not). */
  currentVersion?: string;
}

/**
 * Builds DeleteSignalingChannel: `POST <cp>/deleteSignalingChannel`, body
 * `{"ChannelARN"[,"CurrentVersion"]}`. The reply is `{}`: no parser needed.
 * @throws ValidationError `BAD_PARAM`.
 * @public
 */
export function constructDeleteSignalingChannelRequest(input: DeleteSignalingChannelInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelArn', 'currentVersion']);
  const body: Record<string, string> = { ChannelARN: requireChannelArn(obj.channelArn) };
  if (obj.currentVersion !== undefined) body.CurrentVersion = requireVersion(obj.currentVersion);
  return postJson(controlPlaneUrl(target, '/deleteSignalingChannel'), body);
}
