/**
 * SendAlexaOfferToMaster (no C counterpart).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_signaling_SendAlexaOfferToMaster.html
 * @packageDocumentation
 */
import { MAX_ALEXA_PAYLOAD_LENGTH } from './constants';
import { ProtocolError } from './errors';
import { requireEndpoint } from './endpoint';
import { get, parseJsonObject } from './json';
import { postJson } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireBase64, requireChannelArn, requireClientId, requireObject } from './validate';

/** Input of {@link constructSendAlexaOfferToMasterRequest}. @public */
export interface SendAlexaOfferToMasterInput {
  httpsEndpoint: string;
  channelArn: string;
  senderClientId: string;
  /** The base64 SDP offer, 1–10000 characters. */
  messagePayload: string;
}

/**
 * Builds SendAlexaOfferToMaster: `POST <https>/v1/send-alexa-offer-to-master`,
 * body `{"ChannelARN","SenderClientId","MessagePayload"}`.
 * @throws ValidationError `BAD_PARAM`, `MESSAGE_TOO_LARGE`, `INSECURE_ENDPOINT`.
 * @public
 */
export function constructSendAlexaOfferToMasterRequest(input: SendAlexaOfferToMasterInput): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['httpsEndpoint', 'channelArn', 'senderClientId', 'messagePayload']);
  const endpoint = requireEndpoint(obj.httpsEndpoint, 'httpsEndpoint', 'https');
  return postJson(`${endpoint}/v1/send-alexa-offer-to-master`, {
    ChannelARN: requireChannelArn(obj.channelArn, 'channelArn', 'signaling'),
    SenderClientId: requireClientId(obj.senderClientId, 'senderClientId'),
    MessagePayload: requireBase64(obj.messagePayload, 'messagePayload', MAX_ALEXA_PAYLOAD_LENGTH, 'MESSAGE_TOO_LARGE'),
  });
}

/** Result of {@link parseSendAlexaOfferToMasterResponse}. @public */
export interface SendAlexaOfferToMasterResult {
  /** The base64 SDP answer, as sent. */
  answer: string;
}

/**
 * Parses a SendAlexaOfferToMaster reply.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`.
 * @public
 */
export function parseSendAlexaOfferToMasterResponse(text: string): SendAlexaOfferToMasterResult {
  const what = 'SendAlexaOfferToMaster';
  const obj = parseJsonObject(text, what);
  const answer = get(obj, 'Answer');
  if (typeof answer !== 'string' || answer.length === 0) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: Answer is missing or not a string`);
  return { answer };
}
