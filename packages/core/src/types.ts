/**
 * Shared wire-level types. The service's PascalCase JSON keys live only in the
 * builders and parsers; everything public is camelCase.
 * @packageDocumentation
 */

/**
 * A complete HTTP request as the service expects it, before signing. Header
 * names are lower case. The signer takes this shape as it is.
 * @public
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** JSON text, absent for GET. */
  body?: string;
}

/** A reply as a transport saw it; the input of `parseServiceError`. @public */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** @public */
export type Role = 'MASTER' | 'VIEWER';

/** @public */
export type EndpointProtocol = 'WSS' | 'HTTPS' | 'WEBRTC';

/** @public */
export type ChannelType = 'SINGLE_MASTER' | 'FULL_MESH';

/** @public */
export type ChannelStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';

/** Actions a client may send over the WebSocket. @public */
export type WssAction = 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE';

/** Message types the service sends; anything else parses as `UNKNOWN`. @public */
export type WssMessageType =
  | 'SDP_OFFER'
  | 'SDP_ANSWER'
  | 'ICE_CANDIDATE'
  | 'GO_AWAY'
  | 'RECONNECT_ICE_SERVER'
  | 'STATUS_RESPONSE'
  | 'UNKNOWN';

/** The subset of `RTCSessionDescriptionInit` that signaling carries. @public */
export interface SdpPayload {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/**
 * An ICE candidate as signaling carries it: the W3C `RTCIceCandidateInit`
 * (what `RTCIceCandidate.toJSON()` gives and `addIceCandidate` takes). Sent
 * ones must have `candidate`; received ones always have it.
 * @public
 */
export interface IceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** An `RTCIceServer` as browsers and werift take it. @public */
export interface RtcIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}
