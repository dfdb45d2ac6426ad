/**
 * Interoperability with the official KVS JS SDK (dev-only oracle): its payload
 * serialiser, its payload parser and its STUN URL generator.
 */
import fc from 'fast-check';
import { SignalingClient } from 'amazon-kinesis-video-streams-webrtc';
import { generateStunUrl } from 'amazon-kinesis-video-streams-webrtc/lib/FipsUtils';
import * as core from '@kvs-sig/core';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 500);
type Codec = { serializeJSONObjectAsBase64String(o: unknown): string; parseJSONObjectFromBase64String(s: string): unknown };
const official = SignalingClient as unknown as Codec;

describe('payload encoding matches the official SDK', () => {
  test('ASCII and text with characters above U+00FF: byte-identical payloads', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }).map((s) => `${s}€`)), (sdp) => {
        const payload = { type: 'offer', sdp };
        const frame = JSON.parse(core.constructWssMessage({ action: 'SDP_OFFER', payload, recipientClientId: 'v' })) as { messagePayload: string };
        expect(frame.messagePayload).toBe(official.serializeJSONObjectAsBase64String(payload));
        // The official receiver (atob) only reads ASCII payloads back correctly.
        if (/^[\x00-\x7f]*$/.test(sdp)) expect(official.parseJSONObjectFromBase64String(frame.messagePayload)).toEqual(payload);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  test('Latin-1-only text, which the official SDK encodes with btoa (not UTF-8), still decodes', () => {
    // Latin-1 bytes that happen to form valid UTF-8 (e.g. "Ã©") are read as UTF-8: that ambiguity is inherent.
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const notUtf8 = (s: string) => {
      try {
        fatal.decode(Buffer.from(s, 'latin1'));
        return false;
      } catch {
        return true;
      }
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 200 }).filter(notUtf8), (sdp) => {
        const payload = { type: 'answer', sdp };
        const b64 = official.serializeJSONObjectAsBase64String(payload);
        expect(core.parseWssRecvMessage(JSON.stringify({ messageType: 'SDP_ANSWER', messagePayload: b64 })).payload).toEqual(payload);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  test('the frame has the official key order and omits absent ids', () => {
    const payload = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const expected = JSON.stringify({ action: 'ICE_CANDIDATE', messagePayload: official.serializeJSONObjectAsBase64String(payload), recipientClientId: undefined, correlationId: 'c-1' });
    expect(core.constructWssMessage({ action: 'ICE_CANDIDATE', payload, correlationId: 'c-1' })).toBe(expected);
  });
});

test.each([
  ['us-west-2', false, false],
  ['us-east-1', true, false],
  ['eu-west-1', false, true],
  ['us-gov-west-1', true, true],
])('generateStunUrl(%s, fips=%s, dualstack=%s) matches FipsUtils.generateStunUrl', (region, fips, dual) => {
  expect(core.generateStunUrl({ region, useFipsEndpoint: fips, useDualstackEndpoint: dual })).toBe(generateStunUrl({ region, useFipsEndpoints: fips, useDualStackEndpoints: dual }));
});
