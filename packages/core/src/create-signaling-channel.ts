/**
 * CreateSignalingChannel (C: `Signaling_ConstructCreateSignalingChannelRequest` / `…Parse…`).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_CreateSignalingChannel.html
 * @packageDocumentation
 */
import { DEFAULT_MESSAGE_TTL_SECONDS, MAX_TAGS, MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from './constants';
import { ProtocolError, ValidationError } from './errors';
import { get, parseJsonObject } from './json';
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { ChannelType, HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelName, requireObject, requireTagText, requireTtl } from './validate';

/** A resource tag. @public */
export interface Tag {
  key: string;
  value: string;
}

/** Input of {@link constructCreateSignalingChannelRequest}. @public */
export interface CreateSignalingChannelInput {
  channelName: string;
  /** Default `SINGLE_MASTER`; `FULL_MESH` is passed through (the service rejects it today). */
  channelType?: ChannelType;
  /** 5–120, default 60; always sent as `SingleMasterConfiguration`, like C. */
  messageTtlSeconds?: number;
  /** At most 50; key 1–128, value 0–256 characters of letters, digits, spaces and `_.:/=+-@`. */
  tags?: readonly Tag[];
}

/** @internal */
function tagsBody(tags: unknown, field = 'tags'): { Key: string; Value: string }[] {
  if (!Array.isArray(tags)) throw new ValidationError(field, 'must be an array of { key, value }');
  if (tags.length > MAX_TAGS) throw new ValidationError(field, `has ${tags.length} tags, more than ${MAX_TAGS}`);
  const seen = new Set<string>();
  return tags.map((t: unknown, i) => {
    const tag = requireObject(t, `${field}[${i}]`);
    rejectUnknownKeys(tag, ['key', 'value'], `${field}[${i}].`);
    const key = requireTagText(tag.key, `${field}[${i}].key`, 1, MAX_TAG_KEY_LENGTH);
    const value = requireTagText(tag.value, `${field}[${i}].value`, 0, MAX_TAG_VALUE_LENGTH);
    if (seen.has(key)) throw new ValidationError(`${field}[${i}].key`, `duplicates the key ${JSON.stringify(key)}`);
    seen.add(key);
    return { Key: key, Value: value };
  });
}

/**
 * Builds CreateSignalingChannel: `POST <cp>/createSignalingChannel`, body
 * `{"ChannelName","ChannelType","SingleMasterConfiguration":{"MessageTtlSeconds"}[,"Tags"]}`
 * (the C library's key order; `Tags` only when non-empty).
 * @throws ValidationError `BAD_PARAM` naming the field (e.g. `tags[2].key`).
 * @public
 */
export function constructCreateSignalingChannelRequest(input: CreateSignalingChannelInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelName', 'channelType', 'messageTtlSeconds', 'tags']);
  const name = requireChannelName(obj.channelName);
  const type = obj.channelType ?? 'SINGLE_MASTER';
  if (type !== 'SINGLE_MASTER' && type !== 'FULL_MESH') throw new ValidationError('channelType', "must be 'SINGLE_MASTER' or 'FULL_MESH'");
  const ttl = obj.messageTtlSeconds === undefined ? DEFAULT_MESSAGE_TTL_SECONDS : requireTtl(obj.messageTtlSeconds);
  const body: Record<string, unknown> = {
    ChannelName: name,
    ChannelType: type,
    SingleMasterConfiguration: { MessageTtlSeconds: ttl },
  };
  if (obj.tags !== undefined) {
    const tags = tagsBody(obj.tags);
    if (tags.length > 0) body.Tags = tags;
  }
  return postJson(controlPlaneUrl(target, '/createSignalingChannel'), body);
}

/** Result of {@link parseCreateSignalingChannelResponse}. @public */
export interface CreateSignalingChannelResult {
  channelArn: string;
}

/**
 * Parses a CreateSignalingChannel reply.
 * @throws ProtocolError `INVALID_JSON`, or `UNEXPECTED_RESPONSE` when `ChannelARN` is missing, not a string, or the reply is `{}` (as C).
 * @public
 */
export function parseCreateSignalingChannelResponse(text: string): CreateSignalingChannelResult {
  const what = 'CreateSignalingChannel';
  const obj = parseJsonObject(text, what);
  const arn = get(obj, 'ChannelARN');
  if (typeof arn !== 'string' || arn.length === 0) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ChannelARN is missing or not a string`);
  return { channelArn: arn };
}
