/**
 * checkSignalingPayload: what a client checks before it builds or queues a
 * frame, so a malformed SDP or candidate never leaves the process.
 */
import { checkSignalingPayload } from '@kvs-sig/core';
import { expectValidation } from './helpers';

const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

describe('checkSignalingPayload', () => {
  test('well-formed offers, answers and candidates pass (the end-of-candidates empty string too)', () => {
    expect(() => checkSignalingPayload('SDP_OFFER', { type: 'offer', sdp }, 'offer')).not.toThrow();
    expect(() => checkSignalingPayload('SDP_ANSWER', { type: 'answer', sdp: `${sdp}a=x:😀\r\n` }, 'answer')).not.toThrow();
    expect(() => checkSignalingPayload('ICE_CANDIDATE', { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 }, 'candidate')).not.toThrow();
    expect(() => checkSignalingPayload('ICE_CANDIDATE', { candidate: '', sdpMid: null, usernameFragment: null })).not.toThrow();
  });

  test('sdp must be a non-empty string', () => {
    expectValidation(() => checkSignalingPayload('SDP_OFFER', { type: 'offer', sdp: 42 }, 'offer'), 'offer.sdp');
    expectValidation(() => checkSignalingPayload('SDP_OFFER', { type: 'offer' }, 'offer'), 'offer.sdp');
    expectValidation(() => checkSignalingPayload('SDP_ANSWER', { type: 'answer', sdp: '' }, 'answer'), 'answer.sdp');
  });

  test('type must be the action\'s (offer for SDP_OFFER, answer for SDP_ANSWER)', () => {
    expectValidation(() => checkSignalingPayload('SDP_OFFER', { type: 'bogus', sdp }, 'offer'), 'offer.type');
    expectValidation(() => checkSignalingPayload('SDP_OFFER', { type: 'answer', sdp }, 'offer'), 'offer.type');
    expectValidation(() => checkSignalingPayload('SDP_ANSWER', { type: 'offer', sdp }, 'answer'), 'answer.type');
    expectValidation(() => checkSignalingPayload('SDP_ANSWER', { sdp }, 'answer'), 'answer.type');
  });

  test('the payload must be an object; a candidate needs a string candidate', () => {
    expectValidation(() => checkSignalingPayload('SDP_OFFER', 'v=0', 'offer'), 'offer');
    expectValidation(() => checkSignalingPayload('SDP_OFFER', null, 'offer'), 'offer');
    expectValidation(() => checkSignalingPayload('ICE_CANDIDATE', [], 'candidate'), 'candidate');
    expectValidation(() => checkSignalingPayload('ICE_CANDIDATE', {}, 'candidate'), 'candidate.candidate');
    expectValidation(() => checkSignalingPayload('ICE_CANDIDATE', { candidate: 1 }), 'payload.candidate');
  });

  test('a lone UTF-16 surrogate in any string field is refused, naming the field; a surrogate pair passes', () => {
    expectValidation(() => checkSignalingPayload('SDP_OFFER', { type: 'offer', sdp: `${sdp}\uD800` }, 'offer'), 'offer.sdp');
    expectValidation(() => checkSignalingPayload('SDP_ANSWER', { type: 'answer', sdp: `\uDC00${sdp}` }, 'answer'), 'answer.sdp');
    expectValidation(() => checkSignalingPayload('ICE_CANDIDATE', { candidate: 'candidate:1 \uDBFF 1' }, 'candidate'), 'candidate.candidate');
    expectValidation(() => checkSignalingPayload('ICE_CANDIDATE', { candidate: 'c', sdpMid: 'a\uDFFFb' }, 'candidate'), 'candidate.sdpMid');
    expect(() => checkSignalingPayload('ICE_CANDIDATE', { candidate: 'c \uD83D\uDE00' }, 'candidate')).not.toThrow();
    expect(() => checkSignalingPayload('SDP_OFFER', { type: 'offer', sdp: `${sdp}\uD800` }, 'offer')).toThrow(/lone UTF-16 surrogate/);
  });

  test('an unknown action is refused', () => {
    expectValidation(() => checkSignalingPayload('GO_AWAY' as never, { type: 'offer', sdp }), 'action');
  });
});
