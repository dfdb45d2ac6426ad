/**
 * `createSignaling`: the counterpart of the legacy C `Signaling_Init`. It
 * resolves the control-plane endpoint once and binds it to every builder.
 * @packageDocumentation
 */
import { resolveControlPlaneEndpoint } from './endpoint';
import type { ControlPlaneOptions } from './endpoint';
import { constructCreateSignalingChannelRequest, parseCreateSignalingChannelResponse } from './create-signaling-channel';
import type { CreateSignalingChannelInput } from './create-signaling-channel';
import { constructDeleteSignalingChannelRequest } from './delete-signaling-channel';
import type { DeleteSignalingChannelInput } from './delete-signaling-channel';
import { constructDescribeSignalingChannelRequest, parseDescribeSignalingChannelResponse } from './describe-signaling-channel';
import type { ChannelSelector } from './describe-signaling-channel';
import { constructGetIceServerConfigRequest, parseGetIceServerConfigResponse } from './get-ice-server-config';
import { constructGetSignalingChannelEndpointRequest, parseGetSignalingChannelEndpointResponse } from './get-signaling-channel-endpoint';
import type { GetSignalingChannelEndpointInput } from './get-signaling-channel-endpoint';
import { constructFetchTempCredsRequestForAwsIot, parseFetchTempCredsResponseFromAwsIot } from './iot-credentials';
import { constructJoinStorageSessionAsViewerRequest, constructJoinStorageSessionRequest } from './join-storage-session';
import { constructListSignalingChannelsRequest, parseListSignalingChannelsResponse } from './list-signaling-channels';
import type { ListSignalingChannelsInput } from './list-signaling-channels';
import {
  constructDescribeMediaStorageConfigurationRequest,
  constructUpdateMediaStorageConfigurationRequest,
  parseDescribeMediaStorageConfigurationResponse,
} from './media-storage-configuration';
import type { UpdateMediaStorageConfigurationInput } from './media-storage-configuration';
import { constructSendAlexaOfferToMasterRequest, parseSendAlexaOfferToMasterResponse } from './send-alexa-offer-to-master';
import { constructConnectWssEndpointRequest } from './connect-wss-endpoint';
import { parseServiceError } from './service-error';
import { toRtcIceServers } from './ice-servers';
import type { IceServer } from './get-ice-server-config';
import type { RtcIceServer, HttpRequest } from './types';
import { constructUpdateSignalingChannelRequest } from './update-signaling-channel';
import type { UpdateSignalingChannelInput } from './update-signaling-channel';
import { constructWssMessage, parseWssRecvMessage } from './wss-message';

/** Options of {@link createSignaling}. @public */
export type SignalingOptions = ControlPlaneOptions;

/**
 * Every builder and parser, with the control-plane endpoint bound.
 * @public
 */
export interface Signaling {
  /** The resolved control-plane base URL (no trailing `/`). */
  readonly controlPlaneEndpoint: string;
  /** The region, when one was given. */
  readonly region: string | undefined;
  constructDescribeSignalingChannelRequest(input: ChannelSelector): HttpRequest;
  constructCreateSignalingChannelRequest(input: CreateSignalingChannelInput): HttpRequest;
  constructDeleteSignalingChannelRequest(input: DeleteSignalingChannelInput): HttpRequest;
  constructListSignalingChannelsRequest(input?: ListSignalingChannelsInput): HttpRequest;
  constructUpdateSignalingChannelRequest(input: UpdateSignalingChannelInput): HttpRequest;
  constructGetSignalingChannelEndpointRequest(input: GetSignalingChannelEndpointInput): HttpRequest;
  constructDescribeMediaStorageConfigurationRequest(input: ChannelSelector): HttpRequest;
  constructUpdateMediaStorageConfigurationRequest(input: UpdateMediaStorageConfigurationInput): HttpRequest;
  constructGetIceServerConfigRequest: typeof constructGetIceServerConfigRequest;
  constructSendAlexaOfferToMasterRequest: typeof constructSendAlexaOfferToMasterRequest;
  constructJoinStorageSessionRequest: typeof constructJoinStorageSessionRequest;
  constructJoinStorageSessionAsViewerRequest: typeof constructJoinStorageSessionAsViewerRequest;
  constructConnectWssEndpointRequest: typeof constructConnectWssEndpointRequest;
  constructWssMessage: typeof constructWssMessage;
  constructFetchTempCredsRequestForAwsIot: typeof constructFetchTempCredsRequestForAwsIot;
  parseDescribeSignalingChannelResponse: typeof parseDescribeSignalingChannelResponse;
  parseCreateSignalingChannelResponse: typeof parseCreateSignalingChannelResponse;
  parseListSignalingChannelsResponse: typeof parseListSignalingChannelsResponse;
  parseGetSignalingChannelEndpointResponse: typeof parseGetSignalingChannelEndpointResponse;
  parseGetIceServerConfigResponse: typeof parseGetIceServerConfigResponse;
  parseDescribeMediaStorageConfigurationResponse: typeof parseDescribeMediaStorageConfigurationResponse;
  parseSendAlexaOfferToMasterResponse: typeof parseSendAlexaOfferToMasterResponse;
  parseWssRecvMessage: typeof parseWssRecvMessage;
  parseFetchTempCredsResponseFromAwsIot: typeof parseFetchTempCredsResponseFromAwsIot;
  parseServiceError: typeof parseServiceError;
  /** {@link toRtcIceServers} with this object's region and FIPS/dual-stack flags; needs a region. */
  toRtcIceServers(iceServers: readonly IceServer[]): RtcIceServer[];
}

/**
 * Resolves the control-plane endpoint (protocol.md 3.1.1) and returns every
 * builder bound to it, plus every parser.
 * @throws ValidationError `INVALID_CONFIGURATION` / `BAD_PARAM` / `INSECURE_ENDPOINT` (see {@link resolveControlPlaneEndpoint}).
 * @public
 */
export function createSignaling(options: SignalingOptions): Signaling {
  const controlPlaneEndpoint = resolveControlPlaneEndpoint(options);
  const target = { controlPlaneEndpoint };
  const { region, useFipsEndpoint, useDualstackEndpoint } = options;
  return Object.freeze({
    controlPlaneEndpoint,
    region,
    constructDescribeSignalingChannelRequest: (input: ChannelSelector) => constructDescribeSignalingChannelRequest(input, target),
    constructCreateSignalingChannelRequest: (input: CreateSignalingChannelInput) => constructCreateSignalingChannelRequest(input, target),
    constructDeleteSignalingChannelRequest: (input: DeleteSignalingChannelInput) => constructDeleteSignalingChannelRequest(input, target),
    constructListSignalingChannelsRequest: (input: ListSignalingChannelsInput = {}) => constructListSignalingChannelsRequest(input, target),
    constructUpdateSignalingChannelRequest: (input: UpdateSignalingChannelInput) => constructUpdateSignalingChannelRequest(input, target),
    constructGetSignalingChannelEndpointRequest: (input: GetSignalingChannelEndpointInput) => constructGetSignalingChannelEndpointRequest(input, target),
    constructDescribeMediaStorageConfigurationRequest: (input: ChannelSelector) => constructDescribeMediaStorageConfigurationRequest(input, target),
    constructUpdateMediaStorageConfigurationRequest: (input: UpdateMediaStorageConfigurationInput) => constructUpdateMediaStorageConfigurationRequest(input, target),
    constructGetIceServerConfigRequest,
    constructSendAlexaOfferToMasterRequest,
    constructJoinStorageSessionRequest,
    constructJoinStorageSessionAsViewerRequest,
    constructConnectWssEndpointRequest,
    constructWssMessage,
    constructFetchTempCredsRequestForAwsIot,
    parseDescribeSignalingChannelResponse,
    parseCreateSignalingChannelResponse,
    parseListSignalingChannelsResponse,
    parseGetSignalingChannelEndpointResponse,
    parseGetIceServerConfigResponse,
    parseDescribeMediaStorageConfigurationResponse,
    parseSendAlexaOfferToMasterResponse,
    parseWssRecvMessage,
    parseFetchTempCredsResponseFromAwsIot,
    parseServiceError,
    toRtcIceServers: (iceServers: readonly IceServer[]) =>
      toRtcIceServers(iceServers, { region: region as string, useFipsEndpoint, useDualstackEndpoint }),
  });
}
