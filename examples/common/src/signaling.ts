/**
 * The part of `@kvs-sig/client`'s `SignalingClient` that a WebRTC peer needs.
 * Declared structurally so the peer code can be driven by any client of the
 * same shape (and so it reads as a checklist of what signaling must provide).
 * @packageDocumentation
 */

/** The subset of `RTCSessionDescriptionInit` that signaling carries. @public */
export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** The subset of `RTCIceCandidateInit` that signaling carries. @public */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** An ICE server as werift and browsers take it. @public */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A peer message as the client emits it. @public */
export interface PeerMessage<T> {
  payload: T;
  senderClientId?: string | undefined;
}

/** What the peers below need from a signaling client. @public */
export interface PeerSignaling {
  getIceServers(): Promise<IceServer[]>;
  sendSdpOffer(offer: SessionDescription, recipientClientId?: string): Promise<unknown> | unknown;
  sendSdpAnswer(answer: SessionDescription, recipientClientId?: string): Promise<unknown> | unknown;
  sendIceCandidate(candidate: IceCandidate, recipientClientId?: string): Promise<unknown> | unknown;
  on(event: 'sdpOffer', listener: (message: PeerMessage<SessionDescription>) => void): () => void;
  on(event: 'sdpAnswer', listener: (message: PeerMessage<SessionDescription>) => void): () => void;
  on(event: 'iceCandidate', listener: (message: PeerMessage<IceCandidate>) => void): () => void;
}
