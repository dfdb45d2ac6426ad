/**
 * Ports of the constructor tests of the C library's signaling_api_utest.c
 * (protocol.md 8.1), with the section 10 fixes. OOM cases are C-only (no fixed
 * buffers) and NULL-pointer cases become "a required input is missing".
 */
import {
  constructConnectWssEndpointRequest,
  constructCreateSignalingChannelRequest,
  constructDeleteSignalingChannelRequest,
  constructDescribeMediaStorageConfigurationRequest,
  constructDescribeSignalingChannelRequest,
  constructFetchTempCredsRequestForAwsIot,
  constructGetIceServerConfigRequest,
  constructGetSignalingChannelEndpointRequest,
  constructJoinStorageSessionAsViewerRequest,
  constructJoinStorageSessionRequest,
  constructWssMessage,
  createSignaling,
  resolveControlPlaneEndpoint,
} from '@kvs-sig/core';
import type { EndpointProtocol } from '@kvs-sig/core';
import { A1, ACN, AUSW2, expectValidation } from './helpers';

const cp = (region: string) => ({ controlPlaneEndpoint: resolveControlPlaneEndpoint({ region }) });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('ConstructDescribeSignalingChannelRequest', () => {
  test('ConstructDescribeSignalingChannelRequest', () => {
    const req = constructDescribeSignalingChannelRequest({ channelName: 'Test-Channel' }, cp('us-east-1'));
    expect(req).toEqual({
      method: 'POST',
      url: 'https://kinesisvideo.us-east-1.amazonaws.com/describeSignalingChannel',
      headers: JSON_HEADERS,
      body: '{"ChannelName":"Test-Channel"}',
    });
    expect(req.url).toHaveLength(69);
    expect(req.body).toHaveLength(30);
  });
  test('_SmallLengthRegion', () => {
    expect(constructDescribeSignalingChannelRequest({ channelName: 'Test-Channel' }, cp('ca')).url).toBe(
      'https://kinesisvideo.ca.amazonaws.com/describeSignalingChannel',
    );
  });
  test('_ChinaRegion', () => {
    expect(constructDescribeSignalingChannelRequest({ channelName: 'Test-Channel' }, cp('cn-east-1')).url).toBe(
      'https://kinesisvideo.cn-east-1.amazonaws.com.cn/describeSignalingChannel',
    );
  });
  test('_BadParams: missing inputs, both selectors, missing endpoint', () => {
    expectValidation(() => constructDescribeSignalingChannelRequest({} as never, cp('us-east-1')), 'channelName');
    expectValidation(() => constructDescribeSignalingChannelRequest(null as never, cp('us-east-1')), 'input');
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'a', channelArn: A1 } as never, cp('us-east-1')), 'channelName');
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'a' }, undefined as never), 'controlPlaneEndpoint');
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'a' }, { controlPlaneEndpoint: 'ftp://x' }), 'controlPlaneEndpoint');
  });
  test('by ARN', () => {
    expect(constructDescribeSignalingChannelRequest({ channelArn: A1 }, cp('us-east-1')).body).toBe(`{"ChannelARN":"${A1}"}`);
  });
  test('a quote or backslash in a name is refused, never spliced into JSON (Q14)', () => {
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'a"b' }, cp('us-east-1')), 'channelName');
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'a\\b' }, cp('us-east-1')), 'channelName');
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'é' }, cp('us-east-1')), 'channelName');
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: '' }, cp('us-east-1')), 'channelName');
  });
  test('name of 256 is accepted, 257 refused (Q13)', () => {
    expect(JSON.parse(constructDescribeSignalingChannelRequest({ channelName: 'a'.repeat(256) }, cp('us-east-1')).body!)).toEqual({ ChannelName: 'a'.repeat(256) });
    expectValidation(() => constructDescribeSignalingChannelRequest({ channelName: 'a'.repeat(257) }, cp('us-east-1')), 'channelName');
  });
});

describe('ConstructFetchTempCredsRequestForAwsIot', () => {
  test('ConstructFetchTempCredsRequestForAwsIot', () => {
    const req = constructFetchTempCredsRequestForAwsIot({ credentialsEndpoint: 'abcdef.credentials.iot.us-west-2.amazonaws.com', roleAlias: 'TestRoleAlias' });
    expect(req).toEqual({
      method: 'GET',
      url: 'https://abcdef.credentials.iot.us-west-2.amazonaws.com/role-aliases/TestRoleAlias/credentials',
      headers: {},
    });
    expect(req.url).toHaveLength(93);
    expect(req.body).toBeUndefined();
  });
  test('thing name header and URL endpoint form', () => {
    const req = constructFetchTempCredsRequestForAwsIot({ credentialsEndpoint: 'https://abc.credentials.iot.eu-west-1.amazonaws.com/', roleAlias: 'r', thingName: 'my-thing:1' });
    expect(req.url).toBe('https://abc.credentials.iot.eu-west-1.amazonaws.com/role-aliases/r/credentials');
    expect(req.headers).toEqual({ 'x-amzn-iot-thingname': 'my-thing:1' });
  });
  test('_BadParams', () => {
    expectValidation(() => constructFetchTempCredsRequestForAwsIot({ roleAlias: 'r' } as never), 'credentialsEndpoint');
    expectValidation(() => constructFetchTempCredsRequestForAwsIot({ credentialsEndpoint: 'h.example.com' } as never), 'roleAlias');
    expectValidation(() => constructFetchTempCredsRequestForAwsIot({ credentialsEndpoint: 'h.example.com', roleAlias: 'a/b' }), 'roleAlias');
    expectValidation(() => constructFetchTempCredsRequestForAwsIot({ credentialsEndpoint: 'h/x', roleAlias: 'r' }), 'credentialsEndpoint');
    expectValidation(() => constructFetchTempCredsRequestForAwsIot({ credentialsEndpoint: 'h.example.com', roleAlias: 'r', thingName: 'a b' }), 'thingName');
  });
});

describe('ConstructDescribeMediaStorageConfigRequest', () => {
  test('ConstructDescribeMediaStorageConfigRequest', () => {
    const req = constructDescribeMediaStorageConfigurationRequest({ channelArn: A1 }, cp('us-east-1'));
    expect(req.url).toBe('https://kinesisvideo.us-east-1.amazonaws.com/describeMediaStorageConfiguration');
    expect(req.url).toHaveLength(78);
    expect(req.body).toBe(`{"ChannelARN":"${A1}"}`);
    expect(req.body).toHaveLength(95);
  });
  test('_SmallLengthRegion / _ChinaRegion', () => {
    expect(constructDescribeMediaStorageConfigurationRequest({ channelArn: A1 }, cp('ca')).url).toBe('https://kinesisvideo.ca.amazonaws.com/describeMediaStorageConfiguration');
    const cn = constructDescribeMediaStorageConfigurationRequest({ channelArn: ACN }, cp('cn-north-1'));
    expect(cn.url).toBe('https://kinesisvideo.cn-north-1.amazonaws.com.cn/describeMediaStorageConfiguration');
    expect(cn.body).toBe(`{"ChannelARN":"${ACN}"}`);
  });
  test('_BadParams', () => {
    expectValidation(() => constructDescribeMediaStorageConfigurationRequest({ channelArn: 'not-an-arn' }, cp('us-east-1')), 'channelArn');
    expectValidation(() => constructDescribeMediaStorageConfigurationRequest({ channelArn: 1 } as never, cp('us-east-1')), 'channelArn');
  });
});

describe('ConstructCreateSignalingChannelRequest', () => {
  test('ConstructCreateSignalingChannelRequest', () => {
    const req = constructCreateSignalingChannelRequest({ channelName: 'Test-Channel', channelType: 'SINGLE_MASTER', messageTtlSeconds: 60 }, cp('us-east-1'));
    expect(req.url).toBe('https://kinesisvideo.us-east-1.amazonaws.com/createSignalingChannel');
    expect(req.body).toBe('{"ChannelName":"Test-Channel","ChannelType":"SINGLE_MASTER","SingleMasterConfiguration":{"MessageTtlSeconds":60}}');
    expect(req.body).toHaveLength(113);
  });
  test('defaults: SINGLE_MASTER and TTL 60, always emitted (Q15)', () => {
    expect(constructCreateSignalingChannelRequest({ channelName: 'Test-Channel' }, cp('us-east-1')).body).toBe(
      '{"ChannelName":"Test-Channel","ChannelType":"SINGLE_MASTER","SingleMasterConfiguration":{"MessageTtlSeconds":60}}',
    );
  });
  test('_WithTags', () => {
    const req = constructCreateSignalingChannelRequest(
      { channelName: 'Test-Channel', messageTtlSeconds: 60, tags: [{ key: 'Tag1', value: 'Value1' }, { key: 'Tag2', value: 'Value2' }] },
      cp('us-east-1'),
    );
    expect(req.body).toBe(
      '{"ChannelName":"Test-Channel","ChannelType":"SINGLE_MASTER","SingleMasterConfiguration":{"MessageTtlSeconds":60},"Tags":[{"Key":"Tag1","Value":"Value1"},{"Key":"Tag2","Value":"Value2"}]}',
    );
    expect(req.body).toHaveLength(186);
  });
  test('empty tag list emits no Tags', () => {
    expect(constructCreateSignalingChannelRequest({ channelName: 'c', tags: [] }, cp('us-east-1')).body).not.toContain('Tags');
  });
  test('_SmallLengthRegion / _ChinaRegion', () => {
    expect(constructCreateSignalingChannelRequest({ channelName: 'c' }, cp('ca')).url).toBe('https://kinesisvideo.ca.amazonaws.com/createSignalingChannel');
    expect(constructCreateSignalingChannelRequest({ channelName: 'c' }, cp('cn-north-1')).url).toBe('https://kinesisvideo.cn-north-1.amazonaws.com.cn/createSignalingChannel');
  });
  test('_UnknownChannelType is refused, never emitted as UNKOWN (Q16); FULL_MESH passes through', () => {
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', channelType: 'UNKNOWN' as never }, cp('us-east-1')), 'channelType');
    expect(JSON.parse(constructCreateSignalingChannelRequest({ channelName: 'c', channelType: 'FULL_MESH' }, cp('us-east-1')).body!).ChannelType).toBe('FULL_MESH');
  });
  test('_BadParams: name length 257, tags not an array, TTL out of range (Q15)', () => {
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'a'.repeat(257) }, cp('us-east-1')), 'channelName');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: null as never }, cp('us-east-1')), 'tags');
    for (const ttl of [0, 4, 121, 60.5, Number.NaN]) {
      expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', messageTtlSeconds: ttl }, cp('us-east-1')), 'messageTtlSeconds');
    }
    for (const ttl of [5, 120]) {
      expect(JSON.parse(constructCreateSignalingChannelRequest({ channelName: 'c', messageTtlSeconds: ttl }, cp('us-east-1')).body!).SingleMasterConfiguration).toEqual({ MessageTtlSeconds: ttl });
    }
  });
  test('tag validation names the offending field', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags }, cp('us-east-1')), 'tags');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'a', value: 'b' }, { key: 'x', value: '' }, { key: '', value: 'v' }] }, cp('us-east-1')), 'tags[2].key');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k'.repeat(129), value: '' }] }, cp('us-east-1')), 'tags[0].key');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k', value: 'v'.repeat(257) }] }, cp('us-east-1')), 'tags[0].value');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k', value: 'a"b' }] }, cp('us-east-1')), 'tags[0].value');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k', value: '\uD800' }] }, cp('us-east-1')), 'tags[0].value');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }] }, cp('us-east-1')), 'tags[1].key');
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k', value: 'a', extra: 1 } as never] }, cp('us-east-1')), 'tags[0].extra');
  });
  test('unicode tag text (letters, spaces, astral digits) round-trips; 128/256 code points accepted', () => {
    const tags = [
      { key: 'Ünïcödé キー', value: 'значение 𝟘 @/=+:-_.' },
      { key: '𝐀'.repeat(128), value: '𝐁'.repeat(256) },
    ];
    const body = JSON.parse(constructCreateSignalingChannelRequest({ channelName: 'c', tags }, cp('us-east-1')).body!);
    expect(body.Tags).toEqual(tags.map((t) => ({ Key: t.key, Value: t.value })));
  });
  test('unknown input keys are refused (a typo never drops data)', () => {
    expectValidation(() => constructCreateSignalingChannelRequest({ channelName: 'c', messageTTLSeconds: 30 } as never, cp('us-east-1')), 'messageTTLSeconds');
  });
});

describe('ConstructGetSignalingChannelEndpointRequest', () => {
  const body = (protocols: EndpointProtocol[], role: 'MASTER' | 'VIEWER', arn = A1) =>
    `{"ChannelARN":"${arn}","SingleMasterChannelEndpointConfiguration":{"Protocols":[${protocols.map((p) => `"${p}"`).join(',')}],"Role":"${role}"}}`;
  test('_Https', () => {
    const req = constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['HTTPS'] }, cp('us-east-1'));
    expect(req.url).toBe('https://kinesisvideo.us-east-1.amazonaws.com/getSignalingChannelEndpoint');
    expect(req.url).toHaveLength(72);
    expect(req.body).toBe(body(['HTTPS'], 'MASTER'));
  });
  test('_BodyOutofMemory case content: WSS+HTTPS MASTER body is 184 characters', () => {
    expect(constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['WSS', 'HTTPS'] }, cp('us-east-1')).body).toHaveLength(184);
  });
  test('_ChinaRegion', () => {
    const req = constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'VIEWER', protocols: ['HTTPS', 'WSS'] }, cp('cn-east-1'));
    expect(req.url).toBe('https://kinesisvideo.cn-east-1.amazonaws.com.cn/getSignalingChannelEndpoint');
    expect(req.body).toBe(body(['WSS', 'HTTPS'], 'VIEWER'));
  });
  test('_SmallLengthRegion', () => {
    const req = constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['WSS', 'HTTPS'] }, cp('ca'));
    expect(req.url).toBe('https://kinesisvideo.ca.amazonaws.com/getSignalingChannelEndpoint');
    expect(req.body).toBe(body(['WSS', 'HTTPS'], 'MASTER'));
  });
  test('_WebSocketsOrWebRtc (fixed order) / _WebRtc', () => {
    expect(constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['WEBRTC', 'WSS'] }, cp('us-east-1')).body).toBe(body(['WSS', 'WEBRTC'], 'MASTER'));
    expect(constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['WEBRTC'] }, cp('us-east-1')).body).toBe(body(['WEBRTC'], 'MASTER'));
    expect(constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['WEBRTC', 'HTTPS', 'WSS'] }, cp('us-east-1')).body).toBe(body(['WSS', 'HTTPS', 'WEBRTC'], 'MASTER'));
  });
  test('_BadParams: role NONE, no ARN, empty protocols (Q19), unknown and duplicate protocols', () => {
    expectValidation(() => constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'NONE' as never, protocols: ['WSS'] }, cp('us-east-1')), 'role');
    expectValidation(() => constructGetSignalingChannelEndpointRequest({ role: 'MASTER', protocols: ['WSS'] } as never, cp('us-east-1')), 'channelArn');
    expectValidation(() => constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: [] }, cp('us-east-1')), 'protocols');
    expectValidation(() => constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['wss' as never] }, cp('us-east-1')), 'protocols[0]');
    expectValidation(() => constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['WSS', 'WSS', 'WSS', 'WSS', 'WSS', 'WSS'] }, cp('us-east-1')), 'protocols');
  });
  test('what the model allows and C refuses: repeated protocols (kept, in the fixed order), no role, no protocols', () => {
    expect(constructGetSignalingChannelEndpointRequest({ channelArn: A1, role: 'MASTER', protocols: ['HTTPS', 'WSS', 'WSS'] }, cp('us-east-1')).body).toBe(body(['WSS', 'WSS', 'HTTPS'], 'MASTER'));
    expect(JSON.parse(constructGetSignalingChannelEndpointRequest({ channelArn: A1, protocols: ['WSS'] }, cp('us-east-1')).body!)).toEqual({ ChannelARN: A1, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS'] } });
    expect(JSON.parse(constructGetSignalingChannelEndpointRequest({ channelArn: A1 }, cp('us-east-1')).body!)).toEqual({ ChannelARN: A1 });
  });
});

describe('ConstructGetIceServerConfigRequest', () => {
  test('ConstructGetIceServerConfigRequest', () => {
    const req = constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com', channelArn: A1, clientId: 'Test-Client-Id' });
    expect(req).toEqual({
      method: 'POST',
      url: 'https://example.com/v1/get-ice-server-config',
      headers: JSON_HEADERS,
      body: `{"ChannelARN":"${A1}","ClientId":"Test-Client-Id","Service":"TURN"}`,
    });
  });
  test('without client id (Q21: included only when given); username follows the model ([a-zA-Z0-9_.-]+, 1-256)', () => {
    expect(constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com/', channelArn: A1 }).body).toBe(`{"ChannelARN":"${A1}","Service":"TURN"}`);
    const username = 'user_1.a-B';
    const req = constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com', channelArn: A1, username });
    expect(JSON.parse(req.body!)).toEqual({ ChannelARN: A1, Service: 'TURN', Username: username });
    expectValidation(() => constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com', channelArn: A1, username: 'quote " ünï 😀' }), 'username');
    expectValidation(() => constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com', channelArn: A1, username: 'u'.repeat(257) }), 'username');
  });
  test('_BadParams', () => {
    expectValidation(() => constructGetIceServerConfigRequest({ channelArn: A1 } as never), 'httpsEndpoint');
    expectValidation(() => constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com' } as never), 'channelArn');
    expectValidation(() => constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com', channelArn: A1, clientId: '' }), 'clientId');
    expectValidation(() => constructGetIceServerConfigRequest({ httpsEndpoint: 'https://example.com', channelArn: A1, service: 'STUN' as never }), 'service');
    expectValidation(() => constructGetIceServerConfigRequest({ httpsEndpoint: 'http://example.com', channelArn: A1 }), 'httpsEndpoint', 'INSECURE_ENDPOINT');
  });
  test('http:// is allowed towards loopback only', () => {
    expect(constructGetIceServerConfigRequest({ httpsEndpoint: 'http://127.0.0.1:8443', channelArn: A1 }).url).toBe('http://127.0.0.1:8443/v1/get-ice-server-config');
  });
});

describe('ConstructJoinStorageSessionRequest', () => {
  test('_Master', () => {
    const req = constructJoinStorageSessionRequest({ webrtcEndpoint: 'https://example.com', channelArn: A1 });
    expect(req.url).toBe('https://example.com/joinStorageSession');
    expect(req.body).toBe(`{"channelArn":"${A1}"}`);
    expect(req.body).not.toContain('"clientId"');
  });
  test('_Viewer targets the official /joinStorageSessionAsViewer (Q20)', () => {
    const req = constructJoinStorageSessionAsViewerRequest({ webrtcEndpoint: 'https://example.com', channelArn: A1, clientId: 'TestClient' });
    expect(req.url).toBe('https://example.com/joinStorageSessionAsViewer');
    expect(req.body).toBe(`{"channelArn":"${A1}","clientId":"TestClient"}`);
  });
  test('_BadParams (the C test fake webrtc:// scheme is refused: real endpoints are https)', () => {
    expectValidation(() => constructJoinStorageSessionRequest({ webrtcEndpoint: 'webrtc://example.com', channelArn: A1 }), 'webrtcEndpoint');
    expectValidation(() => constructJoinStorageSessionRequest({ webrtcEndpoint: 'https://example.com' } as never), 'channelArn');
    expectValidation(() => constructJoinStorageSessionAsViewerRequest({ webrtcEndpoint: 'https://example.com', channelArn: A1 } as never), 'clientId');
  });
});

describe('ConstructDeleteSignalingChannelRequest', () => {
  test('ConstructDeleteSignalingChannelRequest (model Version is alphanumeric: "100" instead of C\'s "1.0.0")', () => {
    const req = constructDeleteSignalingChannelRequest({ channelArn: A1, currentVersion: '100' }, cp('us-east-1'));
    expect(req.url).toBe('https://kinesisvideo.us-east-1.amazonaws.com/deleteSignalingChannel');
    expect(req.body).toBe(`{"ChannelARN":"${A1}","CurrentVersion":"100"}`);
  });
  test('_ChinaRegion / _SmallLengthRegion', () => {
    expect(constructDeleteSignalingChannelRequest({ channelArn: ACN, currentVersion: '200' }, cp('cn-north-1')).url).toBe('https://kinesisvideo.cn-north-1.amazonaws.com.cn/deleteSignalingChannel');
    expect(constructDeleteSignalingChannelRequest({ channelArn: A1, currentVersion: '1' }, cp('ca')).url).toBe('https://kinesisvideo.ca.amazonaws.com/deleteSignalingChannel');
  });
  test('version is optional in the API', () => {
    expect(constructDeleteSignalingChannelRequest({ channelArn: A1 }, cp('us-east-1')).body).toBe(`{"ChannelARN":"${A1}"}`);
  });
  test('_BadParams', () => {
    expectValidation(() => constructDeleteSignalingChannelRequest({} as never, cp('us-east-1')), 'channelArn');
    expectValidation(() => constructDeleteSignalingChannelRequest({ channelArn: A1, currentVersion: '1.0.0' }, cp('us-east-1')), 'currentVersion');
    expectValidation(() => constructDeleteSignalingChannelRequest({ channelArn: A1, currentVersion: 'a'.repeat(65) }, cp('us-east-1')), 'currentVersion');
  });
});

describe('ConstructConnectWssEndpointRequest', () => {
  test('_Master', () => {
    const { url } = constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', channelArn: AUSW2, role: 'MASTER' });
    expect(url).toBe(`wss://example.com?X-Amz-ChannelARN=${AUSW2}`);
    expect(url).not.toContain('X-Amz-ClientId');
  });
  test('_Viewer', () => {
    const { url } = constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', channelArn: AUSW2, role: 'VIEWER', clientId: 'TestClient' });
    expect(url).toBe(`wss://example.com?X-Amz-ChannelARN=${AUSW2}&X-Amz-ClientId=TestClient`);
    expect(url).toHaveLength(139);
  });
  test('_BadParams', () => {
    expectValidation(() => constructConnectWssEndpointRequest({ channelArn: AUSW2, role: 'MASTER' } as never), 'wssEndpoint');
    expectValidation(() => constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', role: 'MASTER' } as never), 'channelArn');
    expectValidation(() => constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', channelArn: AUSW2, role: 'NONE' as never }), 'role');
    expectValidation(() => constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', channelArn: AUSW2, role: 'VIEWER' }), 'clientId');
    expectValidation(() => constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', channelArn: AUSW2, role: 'MASTER', clientId: 'm' }), 'clientId');
    expectValidation(() => constructConnectWssEndpointRequest({ wssEndpoint: 'https://example.com', channelArn: AUSW2, role: 'MASTER' }), 'wssEndpoint');
    expectValidation(() => constructConnectWssEndpointRequest({ wssEndpoint: 'ws://example.com', channelArn: AUSW2, role: 'MASTER' }), 'wssEndpoint', 'INSECURE_ENDPOINT');
  });
  test('viewer client id: 1-256 of [a-zA-Z0-9_.-], not starting with AWS_ in any case', () => {
    const ok = (clientId: string) => constructConnectWssEndpointRequest({ wssEndpoint: 'wss://example.com', channelArn: AUSW2, role: 'VIEWER', clientId }).url;
    expect(ok('a'.repeat(256))).toContain(`X-Amz-ClientId=${'a'.repeat(256)}`);
    expect(ok('AWS-x')).toContain('X-Amz-ClientId=AWS-x');
    for (const bad of ['', 'a'.repeat(257), 'a b', 'a&b', 'AWS_x', 'aws_x', 'Aws_', 'aWs_1']) {
      expectValidation(() => ok(bad), 'clientId');
    }
  });
  test('ws:// to loopback is allowed (emulator)', () => {
    expect(constructConnectWssEndpointRequest({ wssEndpoint: 'ws://127.0.0.1:9000', channelArn: AUSW2, role: 'MASTER' }).url).toBe(`ws://127.0.0.1:9000?X-Amz-ChannelARN=${AUSW2}`);
  });
});

describe('ConstructWssMessage (documented lower-camel keys, Q17/Q18 fixes)', () => {
  test('_NullClientID_ZeroClientLength: recipient omitted, correlation kept', () => {
    expect(constructWssMessage({ action: 'ICE_CANDIDATE', messagePayload: 'base64encodedmessage', correlationId: 'TestCorrelationId' })).toBe(
      '{"action":"ICE_CANDIDATE","messagePayload":"base64encodedmessage","correlationId":"TestCorrelationId"}',
    );
  });
  test.each(['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'] as const)('_%s', (action) => {
    expect(constructWssMessage({ action, messagePayload: 'base64encodedmessage', recipientClientId: 'TestClientId', correlationId: 'TestCorrelationId' })).toBe(
      `{"action":"${action}","messagePayload":"base64encodedmessage","recipientClientId":"TestClientId","correlationId":"TestCorrelationId"}`,
    );
  });
  test('_NoCorrelationId', () => {
    expect(constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'base64encodedmessage', recipientClientId: 'TestClientId' })).toBe(
      '{"action":"SDP_OFFER","messagePayload":"base64encodedmessage","recipientClientId":"TestClientId"}',
    );
  });
  test('_Unknown action is refused (Q17)', () => {
    for (const action of ['UNKNOWN', 'GO_AWAY', 'sdp_offer', '']) {
      expectValidation(() => constructWssMessage({ action: action as never, messagePayload: 'AAAA' }), 'action');
    }
  });
  test('_BadParams: no payload, both payloads, bad ids', () => {
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER' }), 'payload');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', payload: {}, messagePayload: 'AAAA' }), 'payload');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', payload: 'x' }), 'payload');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'not base64!' }), 'messagePayload');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', messagePayload: '' }), 'messagePayload');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'AAAA', recipientClientId: '' }), 'recipientClientId');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'AAAA', recipientClientId: 'a"b' }), 'recipientClientId');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'AAAA', correlationId: 'x'.repeat(257) }), 'correlationId');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', payload: cyclic }), 'payload');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', payload: { n: BigInt(1) } }), 'payload');
  });
  test('a lone surrogate in a payload survives (JSON.stringify escapes it as \\udc00)', () => {
    const frame = JSON.parse(constructWssMessage({ action: 'SDP_OFFER', payload: { type: 'offer', sdp: 'x\uDC00y' } }));
    expect(JSON.parse(Buffer.from(frame.messagePayload, 'base64').toString('utf8'))).toEqual({ type: 'offer', sdp: 'x\uDC00y' });
  });
  test('payload objects are serialised and base64-encoded as the protocol.md 5.4 examples', () => {
    const sdp = { type: 'offer', sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    expect(JSON.parse(constructWssMessage({ action: 'SDP_OFFER', payload: sdp })).messagePayload).toBe(
      'eyJ0eXBlIjoib2ZmZXIiLCJzZHAiOiJ2PTBcclxubz0tIDQ2MTE3MzE0MDA0MzAwNTEzMzYgMiBJTiBJUDQgMTI3LjAuMC4xXHJcbnM9LVxyXG50PTAgMFxyXG4ifQ==',
    );
    const ice = { candidate: 'candidate:1 1 udp 2122260223 192.168.1.10 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    expect(JSON.parse(constructWssMessage({ action: 'ICE_CANDIDATE', payload: ice })).messagePayload).toBe(
      'eyJjYW5kaWRhdGUiOiJjYW5kaWRhdGU6MSAxIHVkcCAyMTIyMjYwMjIzIDE5Mi4xNjguMS4xMCA1NDMyMSB0eXAgaG9zdCIsInNkcE1pZCI6IjAiLCJzZHBNTGluZUluZGV4IjowfQ==',
    );
  });
  test('payload size limit: exactly 10240 base64 characters passes, more is MESSAGE_TOO_LARGE', () => {
    // {"sdp":"<n x a>"} is 10 + n bytes; 7680 bytes encode to exactly 10240 characters.
    const fits = { sdp: 'a'.repeat(7680 - 10) };
    expect(JSON.parse(constructWssMessage({ action: 'SDP_OFFER', payload: fits })).messagePayload).toHaveLength(10240);
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', payload: { sdp: 'a'.repeat(7680 - 9) } }), 'payload', 'MESSAGE_TOO_LARGE');
    expectValidation(() => constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'A'.repeat(10244) }), 'messagePayload', 'MESSAGE_TOO_LARGE');
    expect(constructWssMessage({ action: 'SDP_OFFER', messagePayload: 'A'.repeat(10240) })).toContain('A'.repeat(10240));
  });
});

describe('createSignaling binds the endpoint', () => {
  test('every control-plane builder uses the resolved endpoint', () => {
    const s = createSignaling({ region: 'cn-north-1', useFipsEndpoint: true });
    expect(s.controlPlaneEndpoint).toBe('https://kinesisvideo-fips.cn-north-1.amazonaws.com.cn');
    expect(s.region).toBe('cn-north-1');
    expect(s.constructDescribeSignalingChannelRequest({ channelName: 'c' }).url).toBe('https://kinesisvideo-fips.cn-north-1.amazonaws.com.cn/describeSignalingChannel');
    expect(s.constructCreateSignalingChannelRequest({ channelName: 'c' }).url).toMatch(/\/createSignalingChannel$/);
    expect(s.constructDeleteSignalingChannelRequest({ channelArn: ACN }).url).toMatch(/^https:\/\/kinesisvideo-fips\.cn-north-1\.amazonaws\.com\.cn\/deleteSignalingChannel$/);
    expect(s.constructListSignalingChannelsRequest().url).toMatch(/-fips.*\/listSignalingChannels$/);
    expect(s.constructUpdateSignalingChannelRequest({ channelArn: ACN, currentVersion: '1' }).url).toMatch(/-fips.*\/updateSignalingChannel$/);
    expect(s.constructGetSignalingChannelEndpointRequest({ channelArn: ACN, role: 'MASTER', protocols: ['WSS'] }).url).toMatch(/-fips.*\/getSignalingChannelEndpoint$/);
    expect(s.constructDescribeMediaStorageConfigurationRequest({ channelName: 'c' }).url).toMatch(/-fips.*\/describeMediaStorageConfiguration$/);
    expect(s.constructUpdateMediaStorageConfigurationRequest({ channelArn: ACN, status: 'DISABLED' }).url).toMatch(/-fips.*\/updateMediaStorageConfiguration$/);
    expect(s.toRtcIceServers([])).toEqual([{ urls: 'stuns:stun.kinesisvideo-fips.cn-north-1.amazonaws.com.cn:443' }]);
    expect(Object.isFrozen(s)).toBe(true);
  });
});
