/**
 * DescribeSignalingChannel (C: `Signaling_ConstructDescribeSignalingChannelRequest` / `…Parse…`).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_DescribeSignalingChannel.html
 * @packageDocumentation
 */
import { MAX_CHANNEL_NAME_LENGTH, MAX_MESSAGE_TTL_SECONDS, MIN_MESSAGE_TTL_SECONDS } from './constants';
import { ProtocolError, ValidationError } from './errors';
import { get, isObject, optString, parseJsonObject, readIntLenient } from './json';
import type { JsonObject } from './json';
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { ChannelStatus, ChannelType, HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelArn, requireChannelName, requireObject } from './validate';

/** Identifies a channel by name or by ARN (exactly one). @public */
export type ChannelSelector = { channelName: string; channelArn?: undefined } | { channelArn: string; channelName?: undefined };

/** @internal */
export function selectorBody(input: unknown): { ChannelName: string } | { ChannelARN: string } {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelName', 'channelArn']);
  const hasName = obj.channelName !== undefined;
  const hasArn = obj.channelArn !== undefined;
  if (hasName && hasArn) throw new ValidationError('channelName', 'give either channelName or channelArn, not both');
  if (hasName) return { ChannelName: requireChannelName(obj.channelName) };
  if (hasArn) return { ChannelARN: requireChannelArn(obj.channelArn) };
  throw new ValidationError('channelName', 'is required (or channelArn)');
}

/**
 * Builds DescribeSignalingChannel: `POST <cp>/describeSignalingChannel`, body
 * `{"ChannelName":…}` or `{"ChannelARN":…}`.
 * @throws ValidationError `BAD_PARAM` naming the field.
 * @public
 */
export function constructDescribeSignalingChannelRequest(input: ChannelSelector, target: ControlPlaneTarget): HttpRequest {
  const body = selectorBody(input);
  return postJson(controlPlaneUrl(target, '/describeSignalingChannel'), body);
}

/** A signaling channel as DescribeSignalingChannel/ListSignalingChannels report it. @public */
export interface ChannelInfo {
  channelArn?: string;
  channelName?: string;
  channelStatus?: ChannelStatus | string;
  channelType?: ChannelType;
  messageTtlSeconds?: number;
  version?: string;
  /** Epoch seconds when the service sends a number, or the text it sent. */
  creationTime?: number | string;
}

/** @internal */
export function readChannelInfo(info: JsonObject, what: string): ChannelInfo {
  const out: ChannelInfo = {};
  const arn = optString(info, 'ChannelARN', what);
  if (arn !== undefined) out.channelArn = arn;
  const name = optString(info, 'ChannelName', what);
  if (name !== undefined) {
    if (name.length > MAX_CHANNEL_NAME_LENGTH) throw new ProtocolError('INVALID_CHANNEL_NAME', `${what}: ChannelName is longer than ${MAX_CHANNEL_NAME_LENGTH}`);
    out.channelName = name;
  }
  const status = optString(info, 'ChannelStatus', what);
  if (status !== undefined) out.channelStatus = status;
  const type = get(info, 'ChannelType');
  if (type !== undefined && type !== null) {
    if (type !== 'SINGLE_MASTER') throw new ProtocolError('INVALID_CHANNEL_TYPE', `${what}: ChannelType ${typeof type === 'string' ? type.slice(0, 64) : typeof type} is not SINGLE_MASTER`);
    out.channelType = type;
  }
  const version = optString(info, 'Version', what);
  if (version !== undefined) out.version = version;
  const created = get(info, 'CreationTime');
  if (typeof created === 'number' && Number.isFinite(created)) out.creationTime = created;
  else if (typeof created === 'string') out.creationTime = created;
  else if (created !== undefined && created !== null) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: CreationTime is neither a number nor a string`);
  const smc = get(info, 'SingleMasterConfiguration');
  if (smc !== undefined && smc !== null) {
    // C: an empty or TTL-less SingleMasterConfiguration is INVALID_JSON (its unit tests pin it).
    if (!isObject(smc)) throw new ProtocolError('INVALID_JSON', `${what}: SingleMasterConfiguration is not an object`);
    if (!Object.hasOwn(smc, 'MessageTtlSeconds')) throw new ProtocolError('INVALID_JSON', `${what}: SingleMasterConfiguration has no MessageTtlSeconds`);
    out.messageTtlSeconds = readIntLenient(get(smc, 'MessageTtlSeconds'), MIN_MESSAGE_TTL_SECONDS, MAX_MESSAGE_TTL_SECONDS, 'INVALID_TTL', `${what}: MessageTtlSeconds`);
  }
  return out;
}

/** @internal */
export function requireTopKey(obj: JsonObject, key: string, what: string, kind: 'object' | 'array'): unknown {
  // C reports an empty top-level object as INVALID_JSON (protocol.md Q4).
  if (Object.keys(obj).length === 0) throw new ProtocolError('INVALID_JSON', `${what}: the reply is an empty object`);
  const v = get(obj, key);
  if (v === undefined) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ${key} is missing`);
  const ok = kind === 'array' ? Array.isArray(v) : isObject(v);
  if (!ok) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ${key} is not an ${kind}`);
  return v;
}

/**
 * Parses a DescribeSignalingChannel reply. Fields the reply lacks are absent
 * (`ChannelInfo: {}` is accepted, as in C).
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`, `INVALID_CHANNEL_NAME`, `INVALID_CHANNEL_TYPE`, `INVALID_TTL`.
 * @public
 */
export function parseDescribeSignalingChannelResponse(text: string): ChannelInfo {
  const what = 'DescribeSignalingChannel';
  const obj = parseJsonObject(text, what);
  const info = requireTopKey(obj, 'ChannelInfo', what, 'object') as JsonObject;
  return readChannelInfo(info, what);
}
