/**
 * GetSignalingChannelEndpoint (C: `Signaling_ConstructGetSignalingChannelEndpointRequest` / `…Parse…`).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_GetSignalingChannelEndpoint.html
 * @packageDocumentation
 */
import { MAX_PROTOCOLS } from './constants';
import { ProtocolError, ValidationError } from './errors';
import { get, isObject, parseJsonObject } from './json';
import { requireTopKey } from './describe-signaling-channel';
import { controlPlaneUrl, postJson } from './request';
import type { ControlPlaneTarget } from './request';
import type { EndpointProtocol, HttpRequest, Role } from './types';
import { isValidProtocol, rejectUnknownKeys, requireChannelArn, requireObject, requireRole } from './validate';

/** Input of {@link constructGetSignalingChannelEndpointRequest}. @public */
export interface GetSignalingChannelEndpointInput {
  channelArn: string;
  role: Role;
  /** 1–3 distinct protocols; sent in the C library's fixed order WSS, HTTPS, WEBRTC. */
  protocols: readonly EndpointProtocol[];
}

const ORDER: readonly EndpointProtocol[] = ['WSS', 'HTTPS', 'WEBRTC'];

/**
 * Builds GetSignalingChannelEndpoint: `POST <cp>/getSignalingChannelEndpoint`, body
 * `{"ChannelARN","SingleMasterChannelEndpointConfiguration":{"Protocols":[…],"Role"}}`.
 * @throws ValidationError `BAD_PARAM` (empty, duplicate or unknown protocols; bad role or ARN).
 * @public
 */
export function constructGetSignalingChannelEndpointRequest(input: GetSignalingChannelEndpointInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelArn', 'role', 'protocols']);
  const arn = requireChannelArn(obj.channelArn);
  const role = requireRole(obj.role);
  const protocols = obj.protocols;
  if (!Array.isArray(protocols) || protocols.length < 1 || protocols.length > MAX_PROTOCOLS) {
    throw new ValidationError('protocols', `must be an array of 1-${MAX_PROTOCOLS} of 'WSS', 'HTTPS', 'WEBRTC'`);
  }
  protocols.forEach((p: unknown, i) => {
    if (!isValidProtocol(p)) throw new ValidationError(`protocols[${i}]`, "must be 'WSS', 'HTTPS' or 'WEBRTC'");
    if (protocols.indexOf(p) !== i) throw new ValidationError(`protocols[${i}]`, `duplicates ${p}`);
  });
  return postJson(controlPlaneUrl(target, '/getSignalingChannelEndpoint'), {
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ORDER.filter((p) => protocols.includes(p)), Role: role },
  });
}

/** Result of {@link parseGetSignalingChannelEndpointResponse}. @public */
export interface SignalingChannelEndpoints {
  wssEndpoint?: string;
  httpsEndpoint?: string;
  webrtcEndpoint?: string;
}

const PROTOCOL_KEYS: Record<string, keyof SignalingChannelEndpoints> = {
  WSS: 'wssEndpoint',
  wss: 'wssEndpoint',
  HTTPS: 'httpsEndpoint',
  https: 'httpsEndpoint',
  WEBRTC: 'webrtcEndpoint',
  webrtc: 'webrtcEndpoint',
};

/**
 * Parses a GetSignalingChannelEndpoint reply. Entries lacking `Protocol` or
 * `ResourceEndpoint` are skipped and a later duplicate wins (as C); a protocol
 * must be all upper or all lower case.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`, `INVALID_PROTOCOL`.
 * @public
 */
export function parseGetSignalingChannelEndpointResponse(text: string): SignalingChannelEndpoints {
  const what = 'GetSignalingChannelEndpoint';
  const obj = parseJsonObject(text, what);
  const list = requireTopKey(obj, 'ResourceEndpointList', what, 'array') as unknown[];
  const out: SignalingChannelEndpoints = {};
  for (const entry of list) {
    if (!isObject(entry)) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: an entry is not an object`);
    const protocol = get(entry, 'Protocol');
    const endpoint = get(entry, 'ResourceEndpoint');
    if (protocol === undefined || endpoint === undefined) continue;
    if (typeof protocol !== 'string') throw new ProtocolError('INVALID_PROTOCOL', `${what}: Protocol is not a string`);
    if (typeof endpoint !== 'string') throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: ResourceEndpoint is not a string`);
    const key = Object.hasOwn(PROTOCOL_KEYS, protocol) ? PROTOCOL_KEYS[protocol] : undefined;
    if (key === undefined) throw new ProtocolError('INVALID_PROTOCOL', `${what}: unknown protocol ${JSON.stringify(protocol.slice(0, 32))}`);
    out[key] = endpoint;
  }
  return out;
}
