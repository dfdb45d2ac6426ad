/**
 * Realistic signaling traffic for the message-cost and scale benchmarks: a
 * Chrome-shaped SDP offer/answer (audio, video, data channel) and ICE
 * candidates of each kind, as the service relays them.
 * @packageDocumentation
 */

/** An SDP init as browsers produce it. @public */
export interface SdpInit {
  type: 'offer' | 'answer';
  sdp: string;
}

/** An ICE candidate init as browsers produce it. @public */
export interface CandidateInit {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
  usernameFragment: string;
}

const CODECS_VIDEO = [
  [96, 'VP8/90000'],
  [97, 'rtx/90000', 'apt=96'],
  [98, 'VP9/90000', 'profile-id=0'],
  [99, 'rtx/90000', 'apt=98'],
  [102, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'],
  [103, 'rtx/90000', 'apt=102'],
  [106, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'],
  [107, 'rtx/90000', 'apt=106'],
  [108, 'H264/90000', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'],
  [109, 'rtx/90000', 'apt=108'],
  [45, 'AV1/90000', 'level-idx=5;profile=0;tier=0'],
  [46, 'rtx/90000', 'apt=45'],
  [116, 'red/90000'],
  [117, 'rtx/90000', 'apt=116'],
  [118, 'ulpfec/90000'],
] as const;

/**
 * A Chrome-like SDP with audio, video and a data channel. `tag` goes into the
 * origin line so a frame can carry a send timestamp (the scale benchmark).
 * @public
 */
export function makeSdp(type: 'offer' | 'answer', tag = '4611731400430051336'): SdpInit {
  const setup = type === 'offer' ? 'actpass' : 'active';
  const l: string[] = ['v=0', `o=- ${tag} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0 1 2', 'a=extmap-allow-mixed', 'a=msid-semantic: WMS stream0'];
  const common = (mid: number): void => {
    l.push('c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', 'a=ice-ufrag:Xk3e', 'a=ice-pwd:Z9b2c8f1m4q7t0w3y6a9d2g5', 'a=ice-options:trickle');
    l.push('a=fingerprint:sha-256 3C:4A:AA:2B:94:6C:9A:52:6F:0E:41:6B:75:2E:29:AB:31:1D:FA:9C:68:02:19:4B:DD:84:0C:35:A7:6E:43:92');
    l.push(`a=setup:${setup}`, `a=mid:${mid}`);
  };
  l.push('m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126');
  common(0);
  l.push('a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level', 'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time');
  l.push('a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid');
  l.push('a=sendrecv', 'a=msid:stream0 audio0', 'a=rtcp-mux', 'a=rtcp-rsize');
  l.push('a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', 'a=fmtp:111 minptime=10;useinbandfec=1');
  l.push('a=rtpmap:63 red/48000/2', 'a=fmtp:63 111/111', 'a=rtpmap:9 G722/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000');
  l.push('a=rtpmap:13 CN/8000', 'a=rtpmap:110 telephone-event/48000', 'a=rtpmap:126 telephone-event/8000');
  l.push('a=ssrc:1001 cname:k3J8mN2pQ5rT7vW9', 'a=ssrc:1001 msid:stream0 audio0');
  l.push(`m=video 9 UDP/TLS/RTP/SAVPF ${CODECS_VIDEO.map((c) => c[0]).join(' ')}`);
  common(1);
  l.push('a=extmap:14 urn:ietf:params:rtp-hdrext:toffset', 'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time');
  l.push('a=extmap:13 urn:3gpp:video-orientation', 'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01');
  l.push('a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', 'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type');
  l.push('a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing', 'a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space');
  l.push('a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid', 'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id');
  l.push('a=sendrecv', 'a=msid:stream0 video0', 'a=rtcp-mux', 'a=rtcp-rsize');
  for (const c of CODECS_VIDEO) {
    l.push(`a=rtpmap:${c[0]} ${c[1]}`);
    if (!c[1].startsWith('rtx') && !c[1].startsWith('red') && !c[1].startsWith('ulpfec')) {
      l.push(`a=rtcp-fb:${c[0]} goog-remb`, `a=rtcp-fb:${c[0]} transport-cc`, `a=rtcp-fb:${c[0]} ccm fir`, `a=rtcp-fb:${c[0]} nack`, `a=rtcp-fb:${c[0]} nack pli`);
    }
    if (c.length > 2) l.push(`a=fmtp:${c[0]} ${c[2]}`);
  }
  l.push('a=ssrc-group:FID 2001 2002', 'a=ssrc:2001 cname:k3J8mN2pQ5rT7vW9', 'a=ssrc:2001 msid:stream0 video0');
  l.push('a=ssrc:2002 cname:k3J8mN2pQ5rT7vW9', 'a=ssrc:2002 msid:stream0 video0');
  l.push('m=application 9 UDP/DTLS/SCTP webrtc-datachannel');
  common(2);
  l.push('a=sctp-port:5000', 'a=max-message-size:262144');
  return { type, sdp: `${l.join('\r\n')}\r\n` };
}

/** Candidates of each kind a browser trickles. @public */
export function makeCandidates(): CandidateInit[] {
  const c = (candidate: string, mid: string, index: number): CandidateInit => ({ candidate, sdpMid: mid, sdpMLineIndex: index, usernameFragment: 'Xk3e' });
  return [
    c('candidate:842163049 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag Xk3e network-id 1 network-cost 10', '0', 0),
    c('candidate:1467250027 1 tcp 1518280447 192.168.1.10 9 typ host tcptype active generation 0 ufrag Xk3e network-id 1 network-cost 10', '0', 0),
    c('candidate:3048927346 1 udp 1686052607 203.0.113.7 61234 typ srflx raddr 192.168.1.10 rport 54321 generation 0 ufrag Xk3e network-id 1 network-cost 10', '0', 0),
    c('candidate:2517643911 1 udp 41885439 198.51.100.20 50123 typ relay raddr 203.0.113.7 rport 61234 generation 0 ufrag Xk3e network-id 1 network-cost 10', '0', 0),
  ];
}

/** Standard base64 of the UTF-8 JSON of `value` (what every encoder on the wire produces). @public */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** A service → client frame as the service relays it (protocol.md 5.2). @public */
export function recvFrame(messageType: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE', payload: unknown, senderClientId?: string): string {
  return JSON.stringify({ ...(senderClientId === undefined ? {} : { senderClientId }), messageType, messagePayload: b64json(payload) });
}
