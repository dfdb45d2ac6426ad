/**
 * JoinStorageSession and JoinStorageSessionAsViewer (webrtc-storage service).
 * C builds the viewer form on `/joinStorageSession`; we follow the official
 * API (`/joinStorageSessionAsViewer`, protocol.md 9.1). Replies are empty: any
 * 2xx is success, so there is no parser.
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_webrtc_JoinStorageSession.html
 * @packageDocumentation
 */
import { requireEndpoint } from './endpoint';
import { postJson } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelArn, requireClientId, requireObject } from './validate';

/** Input of {@link constructJoinStorageSessionRequest}. @public */
export interface JoinStorageSessionInput {
  /** The WEBRTC endpoint from GetSignalingChannelEndpoint. */
  webrtcEndpoint: string;
  channelArn: string;
}

/** Input of {@link constructJoinStorageSessionAsViewerRequest}. @public */
export interface JoinStorageSessionAsViewerInput extends JoinStorageSessionInput {
  clientId: string;
}

/**
 * Builds JoinStorageSession (master): `POST <webrtc>/joinStorageSession`, body `{"channelArn"}`.
 * @throws ValidationError `BAD_PARAM`, `INSECURE_ENDPOINT`.
 * @public
 */
export function constructJoinStorageSessionRequest(input: JoinStorageSessionInput): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['webrtcEndpoint', 'channelArn']);
  const endpoint = requireEndpoint(obj.webrtcEndpoint, 'webrtcEndpoint', 'https');
  return postJson(`${endpoint}/joinStorageSession`, { channelArn: requireChannelArn(obj.channelArn, 'channelArn', 'storage') });
}

/**
 * Builds JoinStorageSessionAsViewer: `POST <webrtc>/joinStorageSessionAsViewer`, body `{"channelArn","clientId"}`.
 * @throws ValidationError `BAD_PARAM`, `INSECURE_ENDPOINT`.
 * @public
 */
export function constructJoinStorageSessionAsViewerRequest(input: JoinStorageSessionAsViewerInput): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['webrtcEndpoint', 'channelArn', 'clientId']);
  const endpoint = requireEndpoint(obj.webrtcEndpoint, 'webrtcEndpoint', 'https');
  return postJson(`${endpoint}/joinStorageSessionAsViewer`, {
    channelArn: requireChannelArn(obj.channelArn, 'channelArn', 'storage'),
    clientId: requireClientId(obj.clientId),
  });
}
