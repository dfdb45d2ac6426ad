/**
 * GetSignalingChannelEndpoint (C: `Signaling_ConstructGetSignalingChannelEndpointRequest` / `…Parse…`).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_GetSignalingChannelEndpoint.html
 * @packageDocumentation
 */
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
  /** Omitted: the service's default. */
  role?: Role;
  /**
   * 1–5 protocols (the model's `ListOfProtocols`; repeats allowed, as the model
   * allows them); sent in the C library's fixed order WSS, HTTPS, WEBRTC.
   * Omitted: the service's default.
   */
  protocols?: readonly EndpointProtocol[];
}

const ORDER: readonly EndpointProtocol[] = ['WSS', 'HTTPS', 'WEBRTC'];
/** The model's `ListOfProtocols` bound. */
const MAX_PROTOCOL_LIST = 5;

/**
 * Builds GetSignalingChannelEndpoint: `POST <cp>/getSignalingChannelEndpoint`, body
 * `{"ChannelARN"[,"SingleMasterChannelEndpointConfiguration":{["Protocols":[…]][,"Role"]}]}`.
 * Accepts what the kinesisvideo model accepts, except that the ARN must be a channel's.
 * @throws ValidationError `BAD_PARAM` (an empty or over-long protocol list, an unknown protocol or role, a bad ARN).
 * @public
 */
export function constructGetSignalingChannelEndpointRequest(input: GetSignalingChannelEndpointInput, target: ControlPlaneTarget): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['channelArn', 'role', 'protocols']);
  const arn = requireChannelArn(obj.channelArn);
  const config: { Protocols?: EndpointProtocol[]; Role?: Role } = {};
  const protocols = obj.protocols;
  if (protocols !== undefined) {
    if (!Array.isArray(protocols) || protocols.length < 1 || protocols.length > MAX_PROTOCOL_LIST) {
      throw new ValidationError('protocols', `must be an array of 1-${MAX_PROTOCOL_LIST} of 'WSS', 'HTTPS', 'WEBRTC'`);
    }
    protocols.forEach((p: unknown, i) => {
      if (!isValidProtocol(p)) throw new ValidationError(`protocols[${i}]`, "must be 'WSS', 'HTTPS' or 'WEBRTC'");
    });
    // Stable sort into C's order: every entry is kept, repeats included.
    config.Protocols = [...(protocols as EndpointProtocol[])].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  }
  if (obj.role !== undefined) config.Role = requireRole(obj.role);
  return postJson(controlPlaneUrl(target, '/getSignalingChannelEndpoint'), {
    ChannelARN: arn,
    ...(config.Protocols !== undefined || config.Role !== undefined ? { SingleMasterChannelEndpointConfiguration: config } : {}),
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
