/**
 * The unsigned WebSocket connect URL (C: `Signaling_ConstructConnectWssEndpointRequest`).
 * https://docs.aws.amazon.com/kinesisvideostreams-webrtc-dg/latest/devguide/ConnectAsMaster.html
 * @packageDocumentation
 */
import { ValidationError } from './errors';
import { requireEndpoint } from './endpoint';
import type { Role } from './types';
import { rejectUnknownKeys, requireChannelArn, requireClientId, requireObject, requireRole } from './validate';

/** Input of {@link constructConnectWssEndpointRequest}. @public */
export interface ConnectWssEndpointInput {
  /** The WSS endpoint from GetSignalingChannelEndpoint. */
  wssEndpoint: string;
  channelArn: string;
  role: Role;
  /** Required for a viewer (1–256 of `[a-zA-Z0-9_.-]`, not starting with `AWS_`); must be absent for a master. */
  clientId?: string;
}

/** Result of {@link constructConnectWssEndpointRequest}. @public */
export interface ConnectWssEndpointRequest {
  /** `<wss>?X-Amz-ChannelARN=<arn>[&X-Amz-ClientId=<id>]`, raw as C builds it; the signer encodes and signs it. */
  url: string;
}

/**
 * Builds the unsigned connect URL. The validated ARN and client id hold no
 * character that needs percent-encoding except `:` and `/`, which the
 * presigner encodes.
 * @throws ValidationError `BAD_PARAM` (viewer without client id, master with one, bad ids), `INSECURE_ENDPOINT`.
 * @public
 */
export function constructConnectWssEndpointRequest(input: ConnectWssEndpointInput): ConnectWssEndpointRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['wssEndpoint', 'channelArn', 'role', 'clientId']);
  const endpoint = requireEndpoint(obj.wssEndpoint, 'wssEndpoint', 'wss');
  const arn = requireChannelArn(obj.channelArn);
  const role = requireRole(obj.role);
  if (role === 'MASTER') {
    if (obj.clientId !== undefined) throw new ValidationError('clientId', 'must be absent for a MASTER (the service identifies the master by role)');
    return { url: `${endpoint}?X-Amz-ChannelARN=${arn}` };
  }
  if (obj.clientId === undefined) throw new ValidationError('clientId', 'is required for a VIEWER');
  const clientId = requireClientId(obj.clientId, 'clientId', true);
  return { url: `${endpoint}?X-Amz-ChannelARN=${arn}&X-Amz-ClientId=${clientId}` };
}
