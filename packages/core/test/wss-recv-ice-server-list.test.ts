/**
 * An `IceServerList` carried by a service → client frame (the C SDK attaches
 * one to its SDP_OFFER): parsed into `iceServers` with exactly the checks of a
 * GetIceServerConfig reply, and a malformed list refuses the frame.
 */
import fc from 'fast-check';
import { ProtocolError, parseGetIceServerConfigResponse, parseWssRecvMessage } from '@kvs-sig/core';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 500);
const sdp = { type: 'offer', sdp: 'v=0\r\n' };
const b64 = Buffer.from(JSON.stringify(sdp), 'utf8').toString('base64');
const list = [
  { Password: 'pw1', Ttl: 300, Uris: ['turn:1.2.3.4:443?transport=udp', 'turns:1.2.3.4:443?transport=tcp'], Username: 'u1' },
  { Password: 'pw2', Ttl: 120, Uris: ['turn:5.6.7.8:443?transport=udp'], Username: 'u2' },
];
const offerWith = (iceServerList: unknown) =>
  JSON.stringify({ senderClientId: 'viewer-1', messageType: 'SDP_OFFER', messagePayload: b64, IceServerList: iceServerList });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
}

test('an SDP_OFFER with an IceServerList gives the decoded SDP and the servers in camel case', () => {
  expect(parseWssRecvMessage(offerWith(list))).toEqual({
    messageType: 'SDP_OFFER',
    senderClientId: 'viewer-1',
    messagePayload: b64,
    payload: sdp,
    iceServers: [
      { uris: list[0]!.Uris, username: 'u1', password: 'pw1', ttl: 300 },
      { uris: list[1]!.Uris, username: 'u2', password: 'pw2', ttl: 120 },
    ],
  });
});

test('no IceServerList (or null) gives no iceServers key; an empty list gives an empty array', () => {
  expect(parseWssRecvMessage(offerWith(undefined))).not.toHaveProperty('iceServers');
  expect(parseWssRecvMessage(offerWith(null))).not.toHaveProperty('iceServers');
  expect(parseWssRecvMessage(offerWith([])).iceServers).toEqual([]);
});

test('an offer carrying 7 servers: 5 read and 2 counted as omitted by default; all 7 with maxIceServers: Infinity', () => {
  const seven = Array.from({ length: 7 }, (_, i) => ({ ...list[0], Username: `u${i}` }));
  const capped = parseWssRecvMessage(offerWith(seven));
  expect(capped.iceServers?.map((s) => s.username)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
  expect(capped.omittedIceServers).toBe(2);
  const all = parseWssRecvMessage(offerWith(seven), { maxIceServers: Infinity });
  expect(all.iceServers?.map((s) => s.username)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  expect(all).not.toHaveProperty('omittedIceServers');
  expect(parseWssRecvMessage(offerWith(seven), { maxIceServers: 0 })).toMatchObject({ iceServers: [], omittedIceServers: 7 });
  expect(parseWssRecvMessage(offerWith(list))).not.toHaveProperty('omittedIceServers');
  for (const bad of [-1, 2.5, '3']) {
    expect(() => parseWssRecvMessage(offerWith(seven), { maxIceServers: bad as number })).toThrow(expect.objectContaining({ code: 'BAD_PARAM' }));
  }
});

test.each([
  ['not an array', 'UNEXPECTED_RESPONSE', { Uris: ['turn:x'] }],
  ['a string', 'UNEXPECTED_RESPONSE', 'turn:x'],
  ['an entry that is not an object', 'UNEXPECTED_RESPONSE', [1]],
  ['Uris not strings', 'UNEXPECTED_RESPONSE', [{ Uris: [1] }]],
  ['five Uris', 'INVALID_ICE_SERVER_URIS_COUNT', [{ Uris: ['a', 'b', 'c', 'd', 'e'] }]],
  ['Ttl below 30', 'INVALID_TTL', [{ Uris: ['turn:x'], Ttl: 29 }]],
  ['Ttl above 86400', 'INVALID_TTL', [{ Uris: ['turn:x'], Ttl: 86401 }]],
  ['Username a number', 'UNEXPECTED_RESPONSE', [{ Uris: ['turn:x'], Username: 7 }]],
])('a malformed IceServerList (%s) refuses the frame with %s', (_, code, bad) => {
  expect(codeOf(() => parseWssRecvMessage(offerWith(bad)))).toBe(code);
});

test('the frame and a GetIceServerConfig reply agree on every list: same servers, or the same error code', () => {
  const value = fc.oneof(fc.string(), fc.integer({ min: -10, max: 100_000 }), fc.constant(null), fc.boolean(), fc.constant('300'));
  const entry = fc.oneof(
    fc.record(
      {
        Uris: fc.oneof(fc.array(fc.string(), { maxLength: 6 }), value),
        Username: value,
        Password: value,
        Ttl: fc.oneof(fc.integer({ min: 0, max: 90_000 }), value),
      },
      { requiredKeys: [] },
    ),
    value,
  );
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 7 }), (l) => {
      const viaFrame = (() => {
        try {
          const r = parseWssRecvMessage(offerWith(l));
          return { servers: r.iceServers, omitted: r.omittedIceServers };
        } catch (error) {
          return { code: (error as ProtocolError).code };
        }
      })();
      const viaReply = (() => {
        try {
          const r = parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: l }));
          return { servers: r.iceServers, omitted: r.omittedIceServers };
        } catch (error) {
          return { code: (error as ProtocolError).code };
        }
      })();
      expect(viaFrame).toEqual(viaReply);
    }),
    { numRuns: NUM_RUNS },
  );
});
