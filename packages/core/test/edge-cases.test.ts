/** Branches the C ports do not reach: wrong member types and option checks. */
import * as core from '@kvs-sig/core';
import { A1, expectProtocol, expectValidation } from './helpers';

test('DescribeSignalingChannel: SingleMasterConfiguration of the wrong type is INVALID_JSON (as C)', () => {
  expectProtocol(() => core.parseDescribeSignalingChannelResponse('{"ChannelInfo":{"SingleMasterConfiguration":[60]}}'), 'INVALID_JSON');
  expect(core.parseDescribeSignalingChannelResponse('{"ChannelInfo":{"SingleMasterConfiguration":null,"ChannelType":null}}')).toEqual({});
});

test('GetSignalingChannelEndpoint: non-string Protocol / ResourceEndpoint', () => {
  expectProtocol(() => core.parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[{"Protocol":1,"ResourceEndpoint":"x"}]}'), 'INVALID_PROTOCOL');
  expectProtocol(() => core.parseGetSignalingChannelEndpointResponse('{"ResourceEndpointList":[{"Protocol":"WSS","ResourceEndpoint":{}}]}'), 'UNEXPECTED_RESPONSE');
});

test('GetIceServerConfig: maxIceServers must be a non-negative integer (or Infinity); non-object entries', () => {
  for (const m of [-1, 1.5, Number.NaN, '2', Number.NEGATIVE_INFINITY]) {
    expectValidation(() => core.parseGetIceServerConfigResponse('{"IceServerList":[]}', { maxIceServers: m as number }), 'maxIceServers');
  }
  expect(core.parseGetIceServerConfigResponse('{"IceServerList":[{"Uris":["a"]}]}', { maxIceServers: 0 })).toEqual({ iceServers: [], omittedIceServers: 1 });
  expectProtocol(() => core.parseGetIceServerConfigResponse('{"IceServerList":["x"]}'), 'UNEXPECTED_RESPONSE');
  expectProtocol(() => core.parseGetIceServerConfigResponse('{"IceServerList":[{"Username":5}]}'), 'UNEXPECTED_RESPONSE');
});

test('IoT credentials: non-string member', () => {
  expectProtocol(() => core.parseFetchTempCredsResponseFromAwsIot('{"credentials":{"accessKeyId":1,"secretAccessKey":"s","sessionToken":"t","expiration":"2025-01-01T00:00:00Z"}}'), 'UNEXPECTED_RESPONSE');
  expectProtocol(() => core.parseFetchTempCredsResponseFromAwsIot('{"credentials":{"accessKeyId":"","secretAccessKey":"s","sessionToken":"t","expiration":"2025-01-01T00:00:00Z"}}'), 'UNEXPECTED_RESPONSE');
});

test('DescribeMediaStorageConfiguration: StreamARN of the wrong type; by channel name', () => {
  expectProtocol(() => core.parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":{"StreamARN":5}}'), 'UNEXPECTED_RESPONSE');
  expect(core.parseDescribeMediaStorageConfigurationResponse('{"MediaStorageConfiguration":{}}')).toEqual({});
  expect(core.constructDescribeMediaStorageConfigurationRequest({ channelName: 'c' }, { controlPlaneEndpoint: 'https://e.example.com' }).body).toBe('{"ChannelName":"c"}');
});

test('STATUS_RESPONSE: correlationId required; numeric statusCode kept as text; success flag', () => {
  expectProtocol(() => core.parseWssRecvMessage('{"messageType":"STATUS_RESPONSE","statusResponse":{"errorType":"E"}}'), 'INVALID_STATUS_RESPONSE');
  expect(core.parseWssRecvMessage('{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"c","statusCode":400,"success":false}}').statusResponse).toEqual({ correlationId: 'c', statusCode: '400', success: false });
  expectProtocol(() => core.parseWssRecvMessage('{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"c","statusCode":{}}}'), 'UNEXPECTED_RESPONSE');
  expectValidation(() => core.constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'c', success: 'no' as never } }), 'statusResponse.success');
  expect(core.constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'c', errorType: 'E', statusCode: '400' } })).toBe(
    '{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"c","errorType":"E","statusCode":"400"}}',
  );
});

test('ListSignalingChannels with no input object', () => {
  expect(core.constructListSignalingChannelsRequest(undefined as never, { controlPlaneEndpoint: 'https://e.example.com' }).body).toBe('{}');
});

test('toRtcIceServers keeps servers without username or password as they are', () => {
  expect(core.toRtcIceServers([{ uris: ['stun:x'] }], { region: 'us-east-1' })[1]).toEqual({ urls: ['stun:x'] });
});

test('non-string inputs to the validators of builders name the field', () => {
  expectValidation(() => core.constructConnectWssEndpointRequest({ wssEndpoint: 5 as never, channelArn: A1, role: 'MASTER' }), 'wssEndpoint');
  expectValidation(() => core.constructGetIceServerConfigRequest({ httpsEndpoint: 'https://e', channelArn: A1, username: '' }), 'username');
  expectValidation(() => core.constructUpdateMediaStorageConfigurationRequest({ channelArn: A1, status: 'ENABLED', streamArn: 'x' }, { controlPlaneEndpoint: 'https://e' }), 'streamArn');
});
