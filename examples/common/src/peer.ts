/**
 * What the Node examples add to `@kvs-sig/webrtc`: werift as the peer
 * connection, a signaling view without TURN servers (--stun-only), and the
 * next text message of a data channel.
 * @packageDocumentation
 */
import type { DataChannelLike, PeerConnectionConstructor, SessionSignaling } from '@kvs-sig/webrtc';
import { RTCPeerConnection } from 'werift';
import { isTurnServer } from './app';

/** werift's constructor, typed as the W3C shape the sessions take. @public */
export const Werift = RTCPeerConnection as unknown as PeerConnectionConstructor;

/**
 * The same signaling client, minus the TURN entries of its ICE servers: an
 * emulator's TURN entries that point at nothing would make werift spend seconds
 * trying to allocate on them before it connects.
 * @public
 */
export function withoutTurn(client: SessionSignaling): SessionSignaling {
  return {
    get state() {
      return client.state;
    },
    connect: (options) => client.connect(options),
    on: client.on.bind(client),
    getIceServers: async (options) => (await client.getIceServers(options)).filter((s) => !isTurnServer(s)),
    sendSdpOffer: (offer, to) => client.sendSdpOffer(offer, to),
    sendSdpAnswer: (answer, to) => client.sendSdpAnswer(answer, to),
    sendIceCandidate: (candidate, to) => client.sendIceCandidate(candidate, to),
  };
}

/** The text of a data-channel message (werift gives binary ones as Buffers). @public */
export function messageText(data: unknown): string {
  return typeof data === 'string' ? data : Buffer.from(data as Uint8Array).toString('utf8');
}

/** Resolves with the channel's next message. @public */
export function nextMessage(channel: DataChannelLike, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: { data: unknown }) => {
      done();
      resolve(messageText(event.data));
    };
    const onAbort = () => {
      done();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const done = () => {
      channel.removeEventListener('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
    };
    channel.addEventListener('message', onMessage);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
