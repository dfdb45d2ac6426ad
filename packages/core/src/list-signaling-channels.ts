/**
 * ListSignalingChannels (no C counterpart).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_ListSignalingChannels.html
 * @packageDocumentation
 */
import { MAX_LIST_MAX_RESULTS, MIN_LIST_MAX_RESULTS } from './constants';
import { ProtocolError } from './errors';
import { get, isObject, optString, parseJsonObject } from './json';
import { readChannelInfo } from './describe-signaling-channel';
import type { ChannelInfo } from './describe-signaling-channel';
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelName, requireInteger, requireNextToken, requireObject } from './validate';

/** Input of {@link constructListSignalingChannelsRequest}. @public */
export interface ListSignalingChannelsInput {
  /** 1–10000 (service default 500). */
  maxResults?: number;
  nextToken?: string;
  /** Sent as `ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue }`. */
  channelNamePrefix?: string;
}

/**
 * Builds ListSignalingChannels: `POST <cp>/listSignalingChannels`.
 * @throws ValidationError `BAD_PARAM`.
 * @public
 */
export function constructListSignalingChannelsRequest(input: ListSignalingChannelsInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input ?? {}, 'input');
  rejectUnknownKeys(obj, ['maxResults', 'nextToken', 'channelNamePrefix']);
  const body: Record<string, unknown> = {};
  if (obj.maxResults !== undefined) body.MaxResults = requireInteger(obj.maxResults, 'maxResults', MIN_LIST_MAX_RESULTS, MAX_LIST_MAX_RESULTS);
  if (obj.nextToken !== undefined) body.NextToken = requireNextToken(obj.nextToken);
  if (obj.channelNamePrefix !== undefined) {
    body.ChannelNameCondition = { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: requireChannelName(obj.channelNamePrefix, 'channelNamePrefix') };
  }
  return postJson(controlPlaneUrl(target, '/listSignalingChannels'), body);
}

/** Result of {@link parseListSignalingChannelsResponse}. @public */
export interface ListSignalingChannelsResult {
  channels: ChannelInfo[];
  nextToken?: string;
}

/**
 * Parses a ListSignalingChannels reply; a missing `ChannelInfoList` is an empty page.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`, and the channel codes of DescribeSignalingChannel.
 * @public
 */
export function parseListSignalingChannelsResponse(text: string): ListSignalingChannelsResult {
  const what = 'ListSignalingChannels';
  const obj = parseJsonObject(text, what);
  const list = get(obj, 'ChannelInfoList');
  const channels: ChannelInfo[] = [];
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ChannelInfoList is not an array`);
    for (const item of list) {
      if (!isObject(item)) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: a ChannelInfoList entry is not an object`);
      channels.push(readChannelInfo(item, what));
    }
  }
  const out: ListSignalingChannelsResult = { channels };
  const token = optString(obj, 'NextToken', what);
  if (token !== undefined) out.nextToken = token;
  return out;
}
