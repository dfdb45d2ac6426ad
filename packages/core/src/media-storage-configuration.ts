/**
 * DescribeMediaStorageConfiguration (C: `Signaling_ConstructDescribeMediaStorageConfigRequest` / `…Parse…`)
 * and UpdateMediaStorageConfiguration (no C counterpart).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_DescribeMediaStorageConfiguration.html
 * @packageDocumentation
 */
import { ProtocolError, ValidationError } from './errors';
import { get, parseJsonObject } from './json';
import { requireTopKey, selectorBody } from './describe-signaling-channel';
import type { ChannelSelector } from './describe-signaling-channel';
import type { JsonObject } from './json';
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireArn, requireChannelArn, requireObject } from './validate';

/** @public */
export type MediaStorageStatus = 'ENABLED' | 'DISABLED';

/**
 * Builds DescribeMediaStorageConfiguration: `POST <cp>/describeMediaStorageConfiguration`,
 * body `{"ChannelARN"}` or `{"ChannelName"}`.
 * @throws ValidationError `BAD_PARAM`.
 * @public
 */
export function constructDescribeMediaStorageConfigurationRequest(input: ChannelSelector, target: ControlPlaneTarget): HttpRequest {
  const body = selectorBody(input);
  return postJson(controlPlaneUrl(target, '/describeMediaStorageConfiguration'), body);
}

/** Result of {@link parseDescribeMediaStorageConfigurationResponse}. @public */
export interface MediaStorageConfiguration {
  status?: MediaStorageStatus | string;
  /** `null` when the service sends JSON null (C returned the text "null"). */
  streamArn?: string | null;
}

/**
 * Parses a DescribeMediaStorageConfiguration reply.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`.
 * @public
 */
export function parseDescribeMediaStorageConfigurationResponse(text: string): MediaStorageConfiguration {
  const what = 'DescribeMediaStorageConfiguration';
  const obj = parseJsonObject(text, what);
  const cfg = requireTopKey(obj, 'MediaStorageConfiguration', what, 'object') as JsonObject;
  const out: MediaStorageConfiguration = {};
  const status = get(cfg, 'Status');
  if (status !== undefined) {
    if (typeof status !== 'string') throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: Status is not a string`);
    out.status = status;
  }
  const arn = get(cfg, 'StreamARN');
  if (arn === null) out.streamArn = null;
  else if (arn !== undefined) {
    if (typeof arn !== 'string') throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: StreamARN is not a string`);
    out.streamArn = arn;
  }
  return out;
}

/** Input of {@link constructUpdateMediaStorageConfigurationRequest}. @public */
export interface UpdateMediaStorageConfigurationInput {
  channelArn: string;
  status: MediaStorageStatus;
  /** Required when `status` is `ENABLED`. */
  streamArn?: string;
}

/**
 * Builds UpdateMediaStorageConfiguration: `POST <cp>/updateMediaStorageConfiguration`, body
 * `{"ChannelARN","MediaStorageConfiguration":{"StreamARN"?,"Status"}}`. The reply is `{}`.
 * @throws ValidationError `BAD_PARAM`.
 * @public
 */
export function constructUpdateMediaStorageConfigurationRequest(input: UpdateMediaStorageConfigurationInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelArn', 'status', 'streamArn']);
  const channelArn = requireChannelArn(obj.channelArn);
  if (obj.status !== 'ENABLED' && obj.status !== 'DISABLED') throw new ValidationError('status', "must be 'ENABLED' or 'DISABLED'");
  const cfg: Record<string, string> = {};
  if (obj.streamArn !== undefined) cfg.StreamARN = requireArn(obj.streamArn, 'streamArn');
  else if (obj.status === 'ENABLED') throw new ValidationError('streamArn', "is required when status is 'ENABLED'");
  cfg.Status = obj.status;
  return postJson(controlPlaneUrl(target, '/updateMediaStorageConfiguration'), { ChannelARN: channelArn, MediaStorageConfiguration: cfg });
}
