/**
 * `@kvs-sig/core`: sans-I/O builders and parsers for every Amazon Kinesis
 * Video Streams WebRTC signaling message. Synchronous and total: input goes
 * in, a value or a `SignalingError` comes out. No I/O, no dependencies.
 * @packageDocumentation
 */
export * from './errors';
export * from './types';
export * from './constants';
export {
  encodeUtf8,
  decodeUtf8,
  encodeBase64,
  decodeBase64,
  encodeBase64Utf8,
  decodeBase64Utf8,
  encodePayload,
  decodePayload,
} from './base64';
export {
  isValidChannelName,
  isValidClientId,
  isValidCorrelationId,
  isValidArn,
  isValidChannelArn,
  isValidVersion,
  isValidMessageTtl,
  isValidRole,
  isValidProtocol,
  parseChannelArn,
} from './validate';
export type { ChannelArnParts } from './validate';
export { resolveControlPlaneEndpoint, generateStunUrl, isValidRegion, isLoopbackHost } from './endpoint';
export type { ControlPlaneOptions, StunUrlOptions } from './endpoint';
export type { ControlPlaneTarget } from './request';
export { constructDescribeSignalingChannelRequest, parseDescribeSignalingChannelResponse } from './describe-signaling-channel';
export type { ChannelSelector, ChannelInfo } from './describe-signaling-channel';
export { constructCreateSignalingChannelRequest, parseCreateSignalingChannelResponse } from './create-signaling-channel';
export type { CreateSignalingChannelInput, CreateSignalingChannelResult, Tag } from './create-signaling-channel';
export { constructDeleteSignalingChannelRequest } from './delete-signaling-channel';
export type { DeleteSignalingChannelInput } from './delete-signaling-channel';
export { constructUpdateSignalingChannelRequest } from './update-signaling-channel';
export type { UpdateSignalingChannelInput } from './update-signaling-channel';
export { constructListSignalingChannelsRequest, parseListSignalingChannelsResponse } from './list-signaling-channels';
export type { ListSignalingChannelsInput, ListSignalingChannelsResult } from './list-signaling-channels';
export { constructGetSignalingChannelEndpointRequest, parseGetSignalingChannelEndpointResponse } from './get-signaling-channel-endpoint';
export type { GetSignalingChannelEndpointInput, SignalingChannelEndpoints } from './get-signaling-channel-endpoint';
export {
  constructDescribeMediaStorageConfigurationRequest,
  parseDescribeMediaStorageConfigurationResponse,
  constructUpdateMediaStorageConfigurationRequest,
} from './media-storage-configuration';
export type { MediaStorageStatus, MediaStorageConfiguration, UpdateMediaStorageConfigurationInput } from './media-storage-configuration';
export { constructGetIceServerConfigRequest, parseGetIceServerConfigResponse } from './get-ice-server-config';
export type { GetIceServerConfigInput, IceServer, GetIceServerConfigResult, ParseIceServerConfigOptions } from './get-ice-server-config';
export { constructSendAlexaOfferToMasterRequest, parseSendAlexaOfferToMasterResponse } from './send-alexa-offer-to-master';
export type { SendAlexaOfferToMasterInput, SendAlexaOfferToMasterResult } from './send-alexa-offer-to-master';
export { constructJoinStorageSessionRequest, constructJoinStorageSessionAsViewerRequest } from './join-storage-session';
export type { JoinStorageSessionInput, JoinStorageSessionAsViewerInput } from './join-storage-session';
export { constructConnectWssEndpointRequest } from './connect-wss-endpoint';
export type { ConnectWssEndpointInput, ConnectWssEndpointRequest } from './connect-wss-endpoint';
export { constructWssMessage, checkSignalingPayload, parseWssRecvMessage, parseWssSendMessage, constructWssRecvMessage } from './wss-message';
export type { WssMessageInput, WssRecvMessage, StatusResponse, WssSendMessage, WssRecvMessageInput, ParseWssRecvMessageOptions } from './wss-message';
export { constructFetchTempCredsRequestForAwsIot, parseFetchTempCredsResponseFromAwsIot } from './iot-credentials';
export type { FetchTempCredsForAwsIotInput, AwsIotCredentials } from './iot-credentials';
export { classifyServiceError, parseServiceError, serviceErrorClasses, type ServiceErrorClass } from './service-error';
export { toRtcIceServers } from './ice-servers';
export { createSignaling } from './signaling';
export type { Signaling, SignalingOptions } from './signaling';
