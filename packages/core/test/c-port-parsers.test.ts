/**
 * Ports of the parser tests of the C library's signaling_api_utest.c
 * (protocol.md 8.2), with the section 10 fixes. "BadParams" (NULL message)
 * becomes "the text is not a string".
 */
import {
  parseCreateSignalingChannelResponse,
  parseDescribeMediaStorageConfigurationResponse,
  parseDescribeSignalingChannelResponse,
  parseFetchTempCredsResponseFromAwsIot,
  parseGetIceServerConfigResponse,
  parseGetSignalingChannelEndpointResponse,
  parseListSignalingChannelsResponse,
  parseSendAlexaOfferToMasterResponse,
  parseWssRecvMessage,
} from '@kvs-sig/core';
import { A1, expectProtocol, expectValidation } from './helpers';

const info = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ChannelInfo: {
      ChannelARN: A1,
      ChannelName: 'test-channel',
      ChannelStatus: 'ACTIVE',
      ChannelType: 'SINGLE_MASTER',
      CreationTime: '2023-05-01T12:00:00Z',
      SingleMasterConfiguration: { MessageTtlSeconds: 60 },
      Version: '1',
      UnknownKey: 'ignored',
      ...extra,
    },
  });

describe('ParseDescribeSignalingChannelResponse', () => {
  test('ParseDescribeSignalingChannelResponse (CreationTime now extracted, Q12)', () => {
    expect(parseDescribeSignalingChannelResponse(info())).toEqual({
      channelArn: A1,
      channelName: 'test-channel',
      channelStatus: 'ACTIVE',
      channelType: 'SINGLE_MASTER',
      creationTime: '2023-05-01T12:00:00Z',
      messageTtlSeconds: 60,
      version: '1',
    });
    expect(parseDescribeSignalingChannelResponse(info({ CreationTime: 1712345678.901 })).creationTime).toBe(1712345678.901);
  });
  test('_BadParams', () => {
    // A caller that passes no text misuses the API: BAD_PARAM is a ValidationError wherever it is raised.
    expectValidation(() => parseDescribeSignalingChannelResponse(undefined as never), 'text');
  });
  test('_InvalidJson', () => {
    expectProtocol(() => parseDescribeSignalingChannelResponse('{"ChannelInfo": {'), 'INVALID_JSON');
    expectProtocol(() => parseDescribeSignalingChannelResponse(info({ SingleMasterConfiguration: { MessbkpTtlSeconds: 60 } })), 'INVALID_JSON');
    expectProtocol(() => parseDescribeSignalingChannelResponse('{}'), 'INVALID_JSON');
    expectProtocol(() => parseDescribeSignalingChannelResponse(info({ SingleMasterConfiguration: {} })), 'INVALID_JSON');
    expectProtocol(() => parseDescribeSignalingChannelResponse(''), 'INVALID_JSON');
  });
  test('_UnexpectedResponse', () => {
    expectProtocol(() => parseDescribeSignalingChannelResponse('{"ChannelInfo":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeSignalingChannelResponse(`{"Unknown":${info()}}`), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeSignalingChannelResponse(info().replace('ChannelInfo', 'ChannelXXXX')), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeSignalingChannelResponse('[1]'), 'UNEXPECTED_RESPONSE');
  });
  test('key matching is exact, not by prefix (Q1) and not only the first member (Q3)', () => {
    expectProtocol(() => parseDescribeSignalingChannelResponse('{"Chan":{}}'), 'UNEXPECTED_RESPONSE');
    expect(parseDescribeSignalingChannelResponse(`{"Other":1,"ChannelInfo":{"ChannelName":"x"}}`)).toEqual({ channelName: 'x' });
    expect(parseDescribeSignalingChannelResponse('{"ChannelInfo":{"Chan":"x"}}')).toEqual({});
  });
  test('_TtlLow / _TtlHigh / _InvalidTtl; numeric strings accepted (Q7)', () => {
    for (const ttl of [0, 999, 9999999, 4, 121, 60.5, '6x', -5, true]) {
      expectProtocol(() => parseDescribeSignalingChannelResponse(info({ SingleMasterConfiguration: { MessageTtlSeconds: ttl } })), 'INVALID_TTL');
    }
    expect(parseDescribeSignalingChannelResponse(info({ SingleMasterConfiguration: { MessageTtlSeconds: '120' } })).messageTtlSeconds).toBe(120);
    expect(parseDescribeSignalingChannelResponse(info({ SingleMasterConfiguration: { MessageTtlSeconds: 5 } })).messageTtlSeconds).toBe(5);
  });
  test('_InvalidChannelType: exact match only (Q2); FULL_MESH refused as in C', () => {
    for (const t of ['INVALID_TYPE', 'SINGLE', 'FULL_MESH', '', 1]) {
      expectProtocol(() => parseDescribeSignalingChannelResponse(info({ ChannelType: t })), 'INVALID_CHANNEL_TYPE');
    }
  });
  test('_ChannelNameTooLong: 265 refused; 256 accepted (Q13)', () => {
    expectProtocol(() => parseDescribeSignalingChannelResponse(info({ ChannelName: 'a'.repeat(265) })), 'INVALID_CHANNEL_NAME');
    expectProtocol(() => parseDescribeSignalingChannelResponse(info({ ChannelName: 'a'.repeat(257) })), 'INVALID_CHANNEL_NAME');
    expect(parseDescribeSignalingChannelResponse(info({ ChannelName: 'a'.repeat(256) })).channelName).toHaveLength(256);
  });
  test('empty ChannelInfo is OK with every field absent (Q5)', () => {
    expect(parseDescribeSignalingChannelResponse('{"ChannelInfo":{}}')).toEqual({});
  });
  test('wrong member types are UNEXPECTED_RESPONSE', () => {
    expectProtocol(() => parseDescribeSignalingChannelResponse(info({ ChannelARN: 5 })), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeSignalingChannelResponse(info({ CreationTime: {} })), 'UNEXPECTED_RESPONSE');
  });
});

describe('ParseFetchTempCredsResponseFromAwsIot', () => {
  const creds = (c: Record<string, unknown>) => JSON.stringify({ credentials: c });
  const good = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/key+x', sessionToken: 'token==', expiration: '2024-12-23T18:26:52Z', unknown: 'x' };
  test('ParseFetchTempCredsResponseFromAwsIot', () => {
    const r = parseFetchTempCredsResponseFromAwsIot(creds(good));
    expect(r.accessKeyId).toBe('AKIDEXAMPLE');
    expect(r.secretAccessKey).toBe('secret/key+x');
    expect(r.sessionToken).toBe('token==');
    expect(r.expiration).toBeInstanceOf(Date);
    expect(r.expiration.toISOString()).toBe('2024-12-23T18:26:52.000Z');
  });
  test('_InvalidJson', () => {
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds(good).slice(0, 8)), 'INVALID_JSON');
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot('{}'), 'INVALID_JSON');
  });
  test('_UnexpectedResponse', () => {
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot('{"credentials":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(JSON.stringify({ Unknown: good })), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(JSON.stringify({ credentiwww: good })), 'UNEXPECTED_RESPONSE');
  });
  test.each([
    ['accessKeyId', 137, 'ACCESS_KEY_LENGTH_TOO_LARGE'],
    ['secretAccessKey', 137, 'SECRET_ACCESS_KEY_LENGTH_TOO_LARGE'],
    ['sessionToken', 2057, 'SESSION_TOKEN_LENGTH_TOO_LARGE'],
    ['expiration', 137, 'EXPIRATION_LENGTH_TOO_LARGE'],
  ] as const)('_%s TooLong (%d)', (field, len, code) => {
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds({ ...good, [field]: 'a'.repeat(len) })), code);
  });
  test('limits are exclusive: 127 / 2047 accepted, 128 / 2048 refused', () => {
    expect(parseFetchTempCredsResponseFromAwsIot(creds({ ...good, accessKeyId: 'a'.repeat(127), sessionToken: 't'.repeat(2047) })).accessKeyId).toHaveLength(127);
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds({ ...good, accessKeyId: 'a'.repeat(128) })), 'ACCESS_KEY_LENGTH_TOO_LARGE');
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds({ ...good, sessionToken: 'a'.repeat(2048) })), 'SESSION_TOKEN_LENGTH_TOO_LARGE');
  });
  test('the first over-long field in document order wins', () => {
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds({ sessionToken: 'a'.repeat(3000), accessKeyId: 'a'.repeat(200), secretAccessKey: 's', expiration: good.expiration })), 'SESSION_TOKEN_LENGTH_TOO_LARGE');
  });
  test.each(['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration'])('_No %s', (field) => {
    const c: Record<string, unknown> = { ...good };
    delete c[field];
    expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds(c)), 'UNEXPECTED_RESPONSE');
  });
  test('an invalid expiration is a typed error', () => {
    for (const exp of ['tomorrow', '2024-13-01T00:00:00Z', '2024-12-23', '2024-12-23T25:00:00Z', '2024-02-30T00:00:00Zx', '2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-01-00T00:00:00Z', '2024-01-01T00:00:60Z']) {
      expectProtocol(() => parseFetchTempCredsResponseFromAwsIot(creds({ ...good, expiration: exp })), 'UNEXPECTED_RESPONSE');
    }
    expect(parseFetchTempCredsResponseFromAwsIot(creds({ ...good, expiration: '2025-06-01T12:00:00.123+02:00' })).expiration.toISOString()).toBe('2025-06-01T10:00:00.123Z');
    expect(parseFetchTempCredsResponseFromAwsIot(creds({ ...good, expiration: '2024-02-29T23:59:59Z' })).expiration.toISOString()).toBe('2024-02-29T23:59:59.000Z');
  });
});

describe('ParseDescribeMediaStorageConfigResponse', () => {
  test('ParseDescribeMediaStorageConfigResponse', () => {
    const arn = 'arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1234567890123';
    expect(parseDescribeMediaStorageConfigurationResponse(JSON.stringify({ MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: arn, Unknown: 1 } }))).toEqual({ status: 'ENABLED', streamArn: arn });
  });
  test('_MissingFields', () => {
    expect(parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":{"Status":"ENABLED"}}')).toEqual({ status: 'ENABLED' });
  });
  test('StreamARN null is null, not the text "null" (Q11)', () => {
    expect(parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":{"Status":"DISABLED","StreamARN":null}}')).toEqual({ status: 'DISABLED', streamArn: null });
  });
  test('_InvalidJson', () => {
    expectProtocol(() => parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":{"Status":'), 'INVALID_JSON');
    expectProtocol(() => parseDescribeMediaStorageConfigurationResponse('{}'), 'INVALID_JSON');
  });
  test('_UnexpectedResponse', () => {
    expectProtocol(() => parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeMediaStorageConfigurationResponse('{"Unknown":{"Status":"ENABLED"}}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeMediaStorageConfigurationResponse('{"PediaStorageConfiguration":{"Status":"ENABLED"}}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":{"Status":1}}'), 'UNEXPECTED_RESPONSE');
  });
});

describe('ParseCreateSignalingChannelResponse', () => {
  test('ParseCreateSignalingChannelResponse', () => {
    expect(parseCreateSignalingChannelResponse(`{"ChannelARN": "${A1}"}`)).toEqual({ channelArn: A1 });
  });
  test('_InvalidJson', () => {
    expectProtocol(() => parseCreateSignalingChannelResponse('{"ChannelARN": "test-arn"'), 'INVALID_JSON');
  });
  test('_UnexpectedResponse: {} is UNEXPECTED_RESPONSE (Q4), unknown key, prefix key, wrong type', () => {
    expectProtocol(() => parseCreateSignalingChannelResponse('{}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseCreateSignalingChannelResponse(`{"Unknown": "${A1}"}`), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseCreateSignalingChannelResponse(`{"Chan": "${A1}"}`), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseCreateSignalingChannelResponse('{"ChannelARN": 5}'), 'UNEXPECTED_RESPONSE');
  });
});

describe('ParseGetSignalingChannelEndpointResponse', () => {
  test('ParseGetSignalingChannelEndpointResponse: incomplete entries are skipped (Q23)', () => {
    const text = JSON.stringify({
      ResourceEndpointList: [
        { Protocol: 'WSS', ResourceEndpoint: 'wss://example.com' },
        { Protocol: 'HTTPS', ResourceEndpoint: 'https://example.com' },
        { Protocol: 'WEBRTC', ResourceEndpoint: 'webrtc://example.com' },
        { ResourceEndpoint: 'https://no-protocol.example.com' },
        { Protocol: 'HTTPS' },
      ],
    });
    expect(parseGetSignalingChannelEndpointResponse(text)).toEqual({ wssEndpoint: 'wss://example.com', httpsEndpoint: 'https://example.com', webrtcEndpoint: 'webrtc://example.com' });
  });
  test('_SmallCaps', () => {
    const text = '{"ResourceEndpointList":[{"Protocol":"wss","ResourceEndpoint":"wss://e"},{"Protocol":"https","ResourceEndpoint":"https://e"},{"Protocol":"webrtc","ResourceEndpoint":"webrtc://e"}]}';
    expect(parseGetSignalingChannelEndpointResponse(text)).toEqual({ wssEndpoint: 'wss://e', httpsEndpoint: 'https://e', webrtcEndpoint: 'webrtc://e' });
  });
  test('duplicates: the last wins; empty list is OK', () => {
    expect(parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[{"Protocol":"WSS","ResourceEndpoint":"a"},{"Protocol":"WSS","ResourceEndpoint":"b"}]}')).toEqual({ wssEndpoint: 'b' });
    expect(parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[]}')).toEqual({});
  });
  test('_InvalidJson (incl. the malformed {{…}} case of _UnexpectedResponse (a), §8.3)', () => {
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[{"Protocol":"WSS"'), 'INVALID_JSON');
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{}'), 'INVALID_JSON');
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":{ {"Protocol":"WSS","ResourceEndpoint":"a"},{"Protocol":"HTTPS","ResourceEndpoint":"b"} }}'), 'INVALID_JSON');
  });
  test('_UnexpectedResponse', () => {
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"Unknown":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"ResourceEndpointBist":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":{}}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[1]}'), 'UNEXPECTED_RESPONSE');
  });
  test('_InvalidProtocol (mixed case too, Q22)', () => {
    for (const p of ['INVALID', 'ABS', 'HTTPA', 'WEBRTA', 'Wss', '', 'WS']) {
      expectProtocol(() => parseGetSignalingChannelEndpointResponse(JSON.stringify({ ResourceEndpointList: [{ Protocol: p, ResourceEndpoint: 'x' }] })), 'INVALID_PROTOCOL');
    }
    expectProtocol(() => parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[{"Protocol":"__proto__","ResourceEndpoint":"x"}]}'), 'INVALID_PROTOCOL');
  });
});

describe('ParseGetIceServerConfigResponse', () => {
  const server = { Password: 'password123', Ttl: 300, Uris: ['turn:example.com:3478'], Username: 'username123', Unknown: 'x' };
  test('ParseGetIceServerConfigResponse', () => {
    expect(parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [server] }), { maxIceServers: 1 })).toEqual({
      iceServers: [{ password: 'password123', ttl: 300, uris: ['turn:example.com:3478'], username: 'username123' }],
    });
  });
  test('_Empty', () => {
    expect(parseGetIceServerConfigResponse('{"IceServerList":[]}')).toEqual({ iceServers: [] });
  });
  test('_InvalidJson (incl. malformed (a), §8.3)', () => {
    expectProtocol(() => parseGetIceServerConfigResponse('{"IceServerList":[{"Password":"p"'), 'INVALID_JSON');
    expectProtocol(() => parseGetIceServerConfigResponse('{}'), 'INVALID_JSON');
    expectProtocol(() => parseGetIceServerConfigResponse('{"IceServerList":{ {"Password":"p"} }}'), 'INVALID_JSON');
  });
  test('_UnexpectedResponse', () => {
    expectProtocol(() => parseGetIceServerConfigResponse('{"Unknown":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseGetIceServerConfigResponse('{"UnexpectedKey":[]}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseGetIceServerConfigResponse('{"IceServerList":[{"Uris":"turn:x"}]}'), 'UNEXPECTED_RESPONSE');
  });
  test('_InvalidTtl / _LowTtl / _HighTtl', () => {
    for (const ttl of [30000000, 15, 86411, 29, '1e3', 300.5]) {
      expectProtocol(() => parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [{ ...server, Ttl: ttl }] })), 'INVALID_TTL');
    }
    expect(parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [{ ...server, Ttl: '86400' }] })).iceServers[0]?.ttl).toBe(86400);
  });
  test('each Ttl is read independently (Q6: 86400 then 300 gives 300, not 30000)', () => {
    const r = parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [{ ...server, Ttl: 86400 }, { ...server, Ttl: 300 }] }));
    expect(r.iceServers.map((s) => s.ttl)).toEqual([86400, 300]);
  });
  test('missing Ttl is absent, not 0 (Q8)', () => {
    const { Ttl: _t, ...noTtl } = server;
    const r = parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [noTtl] }));
    expect(r.iceServers[0]).not.toHaveProperty('ttl');
  });
  test('more than 4 URIs is INVALID_ICE_SERVER_URIS_COUNT (Q9); 4 accepted', () => {
    expect(parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [{ ...server, Uris: ['a', 'b', 'c', 'd'] }] })).iceServers[0]?.uris).toHaveLength(4);
    expectProtocol(() => parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: [{ ...server, Uris: ['a', 'b', 'c', 'd', 'e'] }] })), 'INVALID_ICE_SERVER_URIS_COUNT');
  });
  test('servers beyond maxIceServers (default 5) are left out (Q10) and counted in omittedIceServers', () => {
    const seven = JSON.stringify({ IceServerList: Array.from({ length: 7 }, (_, i) => ({ ...server, Username: `u${i}` })) });
    const capped = parseGetIceServerConfigResponse(seven);
    expect(capped.iceServers.map((s) => s.username)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(capped.omittedIceServers).toBe(2);
    const two = parseGetIceServerConfigResponse(seven, { maxIceServers: 2 });
    expect([two.iceServers.length, two.omittedIceServers]).toEqual([2, 5]);
    const all = parseGetIceServerConfigResponse(seven, { maxIceServers: Infinity });
    expect(all.iceServers.map((s) => s.username)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    expect(all).not.toHaveProperty('omittedIceServers');
    // Exactly at the cap nothing is left out, so the result keeps its C-port shape.
    const five = JSON.stringify({ IceServerList: Array.from({ length: 5 }, () => server) });
    expect(parseGetIceServerConfigResponse(five)).not.toHaveProperty('omittedIceServers');
  });
  test('with maxIceServers: Infinity every entry is checked, so a malformed 7th server is refused', () => {
    const list = [...Array.from({ length: 6 }, () => server), { ...server, Ttl: 5 }];
    expect(parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: list })).omittedIceServers).toBe(2);
    expectProtocol(() => parseGetIceServerConfigResponse(JSON.stringify({ IceServerList: list }), { maxIceServers: Infinity }), 'INVALID_TTL');
  });
});

describe('ParseWssRecvMessage', () => {
  const sdp = { type: 'offer', sdp: 'v=0\r\n' };
  const b64 = Buffer.from(JSON.stringify(sdp)).toString('base64');
  test.each(['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'] as const)('_%s with a real payload: decoded', (type) => {
    const r = parseWssRecvMessage(JSON.stringify({ senderClientId: 'sender123', messageType: type, messagePayload: b64 }));
    expect(r).toEqual({ messageType: type, senderClientId: 'sender123', messagePayload: b64, payload: sdp });
  });
  test.each(['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'] as const)('_%s with C\'s fake "base64encodedpayload": INVALID_BASE64 (documented deviation)', (type) => {
    expectProtocol(() => parseWssRecvMessage(`{"senderClientId":"sender123","messageType":"${type}","messagePayload":"base64encodedpayload"}`), 'INVALID_BASE64');
  });
  test.each(['GO_AWAY', 'RECONNECT_ICE_SERVER'] as const)('_%s', (type) => {
    expect(parseWssRecvMessage(`{"senderClientId":"sender123","messageType":"${type}","messagePayload":"base64encodedpayload"}`)).toEqual({
      messageType: type,
      senderClientId: 'sender123',
      messagePayload: 'base64encodedpayload',
    });
  });
  test('_ExcludeNullTerminator (Q26: one trailing NUL stripped)', () => {
    expect(parseWssRecvMessage('{"messageType":"GO_AWAY"}\0')).toEqual({ messageType: 'GO_AWAY' });
    expectProtocol(() => parseWssRecvMessage('{"messageType":"GO_AWAY"}\0\0'), 'INVALID_JSON');
  });
  test('_StatusResponse', () => {
    expect(parseWssRecvMessage('{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"corr123","errorType":"None","statusCode":"200","description":"OK","Unknown":"value"}}')).toEqual({
      messageType: 'STATUS_RESPONSE',
      statusResponse: { correlationId: 'corr123', errorType: 'None', statusCode: '200', description: 'OK' },
    });
  });
  test('_InvalidJson / _Empty / non-object top level (Q24)', () => {
    expectProtocol(() => parseWssRecvMessage('{"senderClientId":"sender123",'), 'INVALID_JSON');
    expectProtocol(() => parseWssRecvMessage(''), 'INVALID_JSON');
    expectProtocol(() => parseWssRecvMessage('[]'), 'INVALID_JSON');
    expectProtocol(() => parseWssRecvMessage('"x"'), 'INVALID_JSON');
  });
  test('_UnknownMessageType, exact match (Q2), and {} → UNKNOWN (Q24)', () => {
    expect(parseWssRecvMessage('{"messageType":"UNKNOWN_TYPE","unknownKey":"x"}')).toEqual({ messageType: 'UNKNOWN' });
    expect(parseWssRecvMessage('{"messageType":"SDP"}')).toEqual({ messageType: 'UNKNOWN' });
    expect(parseWssRecvMessage('{"messageType":""}')).toEqual({ messageType: 'UNKNOWN' });
    expect(parseWssRecvMessage('{}')).toEqual({ messageType: 'UNKNOWN' });
    expect(parseWssRecvMessage('{"message":"Endpoint request timed out","connectionId":"c","requestId":"r"}')).toEqual({ messageType: 'UNKNOWN' });
  });
  test('_UnexpectedStatusResponse / _InvalidStatusResponse (Q25)', () => {
    expectProtocol(() => parseWssRecvMessage('{"messageType":"STATUS_RESPONSE","statusResponse":"invalid"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssRecvMessage('{"messageType":"STATUS_RESPONSE","statusResponse":{}}'), 'INVALID_STATUS_RESPONSE');
  });
  test('payload that is base64 but not JSON, or JSON but not an object, is INVALID_BASE64', () => {
    const notJson = Buffer.from('hello').toString('base64');
    const notObject = Buffer.from('[1]').toString('base64');
    const badUtf8 = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64');
    for (const p of [notJson, notObject, badUtf8, 'AAA', 'A===']) {
      expectProtocol(() => parseWssRecvMessage(JSON.stringify({ messageType: 'ICE_CANDIDATE', messagePayload: p })), 'INVALID_BASE64');
    }
  });
  test('64 KiB frames are accepted', () => {
    const big = Buffer.from(JSON.stringify({ type: 'offer', sdp: 'a'.repeat(48 * 1024) })).toString('base64');
    expect(parseWssRecvMessage(JSON.stringify({ messageType: 'SDP_OFFER', messagePayload: big })).payload).toEqual({ type: 'offer', sdp: 'a'.repeat(48 * 1024) });
  });
  test('wrong member types are UNEXPECTED_RESPONSE', () => {
    expectProtocol(() => parseWssRecvMessage('{"messageType":"SDP_OFFER","senderClientId":5}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssRecvMessage('{"messageType":"SDP_OFFER","messagePayload":[]}'), 'UNEXPECTED_RESPONSE');
  });
});

describe('parsers without a C counterpart', () => {
  test('parseListSignalingChannelsResponse', () => {
    const text = JSON.stringify({
      ChannelInfoList: [
        { ChannelARN: A1, ChannelName: 'a', ChannelStatus: 'ACTIVE', ChannelType: 'SINGLE_MASTER', SingleMasterConfiguration: { MessageTtlSeconds: 60 }, Version: 'v1', CreationTime: 1.5 },
      ],
      NextToken: 'abc=',
    });
    expect(parseListSignalingChannelsResponse(text)).toEqual({
      channels: [{ channelArn: A1, channelName: 'a', channelStatus: 'ACTIVE', channelType: 'SINGLE_MASTER', messageTtlSeconds: 60, version: 'v1', creationTime: 1.5 }],
      nextToken: 'abc=',
    });
    expect(parseListSignalingChannelsResponse('{}')).toEqual({ channels: [] });
    expectProtocol(() => parseListSignalingChannelsResponse('{"ChannelInfoList":{}}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseListSignalingChannelsResponse('{"ChannelInfoList":[1]}'), 'UNEXPECTED_RESPONSE');
  });
  test('parseSendAlexaOfferToMasterResponse', () => {
    expect(parseSendAlexaOfferToMasterResponse('{"Answer":"YWJj"}')).toEqual({ answer: 'YWJj' });
    expectProtocol(() => parseSendAlexaOfferToMasterResponse('{}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseSendAlexaOfferToMasterResponse('{"Answer":1}'), 'UNEXPECTED_RESPONSE');
  });
});
