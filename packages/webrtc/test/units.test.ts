/**
 * Pure parts: option validation (typed errors naming the field), the quality
 * summary, how an offer is matched to the peer connection that sent it, and the
 * m-sections a negotiation's outcome is read from.
 */
import { classify, readStats } from '../src/quality';
import { identityOf, mediaSections, samePeer } from '../src/peer';
import { createMasterSession, createViewerSession, isSessionError, SessionError, type SessionSignaling } from '../src';
import { Werift } from './helpers';

const signaling = { state: 'idle', on: () => () => undefined, connect: async () => undefined, getIceServers: async () => [], sendSdpOffer: async () => undefined, sendSdpAnswer: async () => undefined, sendIceCandidate: async () => undefined } as unknown as SessionSignaling;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(isSessionError(e)).toBe(true);
    expect((e as SessionError).code).toMatch(/INVALID_OPTIONS|NO_PEER_CONNECTION/);
    return (e as SessionError).field;
  }
  throw new Error('did not throw');
}

it('bad options throw a SessionError naming the field', () => {
  expect(fieldOf(() => createViewerSession({ signaling: {} as SessionSignaling, RTCPeerConnection: Werift }))).toBe('signaling');
  expect(fieldOf(() => createViewerSession({ signaling }))).toBe('RTCPeerConnection');
  expect(fieldOf(() => createViewerSession({ signaling, RTCPeerConnection: Werift, answerTimeoutMs: -1 }))).toBe('answerTimeoutMs');
  expect(fieldOf(() => createViewerSession({ signaling, RTCPeerConnection: Werift, dataChannels: [{} as { label: string }] }))).toBe('dataChannels[0].label');
  expect(fieldOf(() => createViewerSession({ signaling, RTCPeerConnection: Werift, receive: ['screen' as 'video'] }))).toBe('receive');
  expect(fieldOf(() => createViewerSession({ signaling, RTCPeerConnection: Werift, restart: { maxOfferAttempts: 0 } }))).toBe('restart.maxOfferAttempts');
  expect(fieldOf(() => createMasterSession({ signaling, RTCPeerConnection: Werift, maxViewers: 0 }))).toBe('maxViewers');
  const e = new SessionError('OFFER_UNANSWERED', 'x', { clientId: 'v', cause: new Error('why') });
  expect(e.toJSON()).toEqual({ name: 'SessionError', code: 'OFFER_UNANSWERED', message: 'x', clientId: 'v', cause: 'why' });
});

it('a closed session refuses connect() with SESSION_CLOSED, and calls before connect() are typed', async () => {
  const v = createViewerSession({ signaling, RTCPeerConnection: Werift, dataChannels: [{ label: 'c' }] });
  expect(() => v.createDataChannel('x')).toThrow(expect.objectContaining({ code: 'NOT_CONNECTED' }));
  await v.close();
  expect(v.state).toBe('closed');
  await expect(v.connect()).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
});

function report(entries: Array<Record<string, unknown>>) {
  return { forEach: (cb: (v: unknown, k: string) => void) => entries.forEach((e) => cb(e, String(e.id))) };
}

it('getStats: the selected pair, its candidate types and RTT; quality with reasons', () => {
  const stats = readStats(
    report([
      { id: 't', type: 'transport', selectedCandidatePairId: 'p2' },
      { id: 'p1', type: 'candidate-pair', localCandidateId: 'l1', remoteCandidateId: 'r1', currentRoundTripTime: 0.9 },
      { id: 'p2', type: 'candidate-pair', localCandidateId: 'l2', remoteCandidateId: 'r1', currentRoundTripTime: 0.25 },
      { id: 'l1', type: 'local-candidate', candidateType: 'host' },
      { id: 'l2', type: 'local-candidate', candidateType: 'relay' },
      { id: 'r1', type: 'remote-candidate', candidateType: 'srflx' },
      { id: 'i', type: 'inbound-rtp', packetsReceived: 900, packetsLost: 100 },
    ]),
    1,
  );
  expect(stats).toEqual({ sampledAt: 1, localCandidateType: 'relay', remoteCandidateType: 'srflx', candidatePairType: 'relay', rttMs: 250, packetsReceived: 900, packetsLost: 100 });
  const q = classify(stats, undefined);
  expect(q.level).toBe('fair');
  expect(q.reasons).toEqual(['rtt', 'packet-loss', 'relay']);
  // Loss counts since the previous sample: 10 lost of 1,010 more packets is good, 50 of 150 is poor.
  expect(classify({ ...stats, packetsReceived: 1900, packetsLost: 110, rttMs: 20, candidatePairType: 'host' }, stats).level).toBe('good');
  expect(classify({ ...stats, packetsReceived: 1000, packetsLost: 150, rttMs: 20, candidatePairType: 'host' }, stats)).toMatchObject({ level: 'poor', reasons: ['packet-loss'] });
  expect(classify({ sampledAt: 1 }, undefined)).toMatchObject({ level: 'poor', reasons: ['no-pair'] });
  // Older stacks: no transport stats, a nominated succeeded pair.
  const old = readStats(report([{ id: 'p', type: 'candidate-pair', nominated: true, state: 'succeeded', localCandidateId: 'l', remoteCandidateId: 'r', totalRoundTripTime: 0.03, responsesReceived: 3 }, { id: 'l', type: 'local-candidate', candidateType: 'host' }, { id: 'r', type: 'remote-candidate', candidateType: 'host' }]), 2);
  expect(old).toMatchObject({ candidatePairType: 'host', rttMs: 10 });
});

it('an offer is matched to the peer connection that sent it: same certificate and same session or same ICE credentials', () => {
  const sdp = (sess: string, ufrag: string, fp = 'sha-256 AA:BB') => `v=0\r\no=- ${sess} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:${fp}\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:${ufrag}\r\n`;
  const first = identityOf(sdp('111', 'u1'));
  expect(first).toEqual({ fingerprint: 'sha-256 aa:bb', sessionId: '111', ufrag: 'u1' });
  expect(samePeer(first, identityOf(sdp('111', 'u2')))).toBe(true); // ICE restart (browsers keep the session id)
  expect(samePeer(first, identityOf(sdp('222', 'u1')))).toBe(true); // renegotiation by a stack that draws a new session id per offer
  expect(samePeer(first, identityOf(sdp('222', 'u2')))).toBe(false); // a new peer connection
  expect(samePeer(first, identityOf(sdp('111', 'u1', 'sha-256 CC:DD')))).toBe(false); // another certificate
  expect(samePeer(undefined, first)).toBe(false);
});

it('m-sections of an SDP: kind, port (0 rejected), mid and direction (sendrecv when absent), CRLF or LF', () => {
  const sdp = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=sendonly', // session-level: not a section's
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=mid:0',
    'a=sendonly',
    'm=audio 0 UDP/TLS/RTP/SAVPF 111',
    'a=mid:1',
    'a=recvonly',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'a=mid:2',
    '',
  ];
  const expected = [
    { kind: 'video', port: 9, mid: '0', direction: 'sendonly' },
    { kind: 'audio', port: 0, mid: '1', direction: 'recvonly' },
    { kind: 'application', port: 9, mid: '2', direction: 'sendrecv' },
  ];
  expect(mediaSections(sdp.join('\r\n'))).toEqual(expected);
  expect(mediaSections(sdp.join('\n'))).toEqual(expected);
  expect(mediaSections('v=0\r\ns=-\r\n')).toEqual([]);
});
