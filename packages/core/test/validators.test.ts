import * as core from '@kvs-sig/core';
import { isValidArn, isValidChannelArn, isValidChannelName, isValidClientId, isValidCorrelationId, isValidMessageTtl, isValidProtocol, isValidRole, isValidVersion, parseChannelArn } from '@kvs-sig/core';
import { A1, ACN, expectValidation } from './helpers';

describe('validators (one source of truth for the emulator)', () => {
  test('isValidChannelName', () => {
    for (const ok of ['a', 'Test-Channel', 'a.b_c-d', 'x'.repeat(256)]) expect(isValidChannelName(ok)).toBe(true);
    for (const bad of ['', 'x'.repeat(257), 'a b', 'a/b', 'ü', 'a"b', 5, null, undefined]) expect(isValidChannelName(bad)).toBe(false);
  });
  test('isValidClientId with and without the viewer AWS_ rule', () => {
    expect(isValidClientId('AWS_x')).toBe(true);
    expect(isValidClientId('AWS_x', { viewer: true })).toBe(false);
    expect(isValidClientId('aws_x', { viewer: true })).toBe(false);
    expect(isValidClientId('AWSx', { viewer: true })).toBe(true);
    expect(isValidClientId('c'.repeat(256), { viewer: true })).toBe(true);
    for (const bad of ['', 'c'.repeat(257), 'a:b', 7]) expect(isValidClientId(bad)).toBe(false);
  });
  test('isValidCorrelationId / isValidVersion / isValidMessageTtl / isValidRole / isValidProtocol', () => {
    expect(isValidCorrelationId('1700000000000')).toBe(true);
    expect(isValidCorrelationId('')).toBe(false);
    expect(isValidCorrelationId('a'.repeat(257))).toBe(false);
    expect(isValidVersion('AbCd1234')).toBe(true);
    expect(isValidVersion('1.0.0')).toBe(false);
    expect(isValidVersion('a'.repeat(65))).toBe(false);
    expect([4, 5, 60, 120, 121, 5.5, '60'].map(isValidMessageTtl)).toEqual([false, true, true, true, false, false, false]);
    expect(['MASTER', 'VIEWER', 'master', 'NONE'].map(isValidRole)).toEqual([true, true, false, false]);
    expect(['WSS', 'HTTPS', 'WEBRTC', 'wss', 'HTTP'].map(isValidProtocol)).toEqual([true, true, true, false, false]);
  });
  test('ARNs: the model pattern, 1024 max, channel resource type', () => {
    expect(isValidChannelArn(A1)).toBe(true);
    expect(isValidChannelArn(ACN)).toBe(true);
    expect(isValidArn('arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1')).toBe(true);
    expect(isValidChannelArn('arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1')).toBe(false);
    const long = `arn:aws:kinesisvideo:us-east-1:123456789012:channel/${'n'.repeat(1024)}/1`;
    expect(isValidChannelArn(long)).toBe(false);
    for (const bad of ['', 'arn:aws:s3:us-east-1:1:channel/c/1', 'arn:aws:kinesisvideo:us-east-1:12a:channel/c/1', `${A1} `, `${A1}"`, `x${A1}`]) expect(isValidChannelArn(bad)).toBe(false);
  });
  test('parseChannelArn', () => {
    expect(parseChannelArn(A1)).toEqual({ partition: 'aws', region: 'us-east-1', accountId: '123456789012', channelName: 'test-channel', creationId: '1234567890123' });
    expect(parseChannelArn(ACN).partition).toBe('aws-cn');
    expectValidation(() => parseChannelArn('nope'), 'channelArn');
  });
  test('constants match the service model', () => {
    expect(core.MAX_WSS_MESSAGE_PAYLOAD_LENGTH).toBe(10240);
    expect([core.MIN_MESSAGE_TTL_SECONDS, core.DEFAULT_MESSAGE_TTL_SECONDS, core.MAX_MESSAGE_TTL_SECONDS]).toEqual([5, 60, 120]);
    expect([core.MIN_ICE_SERVER_TTL_SECONDS, core.MAX_ICE_SERVER_TTL_SECONDS, core.MAX_ICE_SERVER_URIS]).toEqual([30, 86400, 4]);
    expect([core.MAX_CHANNEL_NAME_LENGTH, core.MAX_CLIENT_ID_LENGTH, core.MAX_ARN_LENGTH, core.MAX_TAGS]).toEqual([256, 256, 1024, 50]);
  });
  test('update / list / media-storage builders validate too', () => {
    const cp = { controlPlaneEndpoint: 'https://kinesisvideo.us-east-1.amazonaws.com' };
    expectValidation(() => core.constructUpdateSignalingChannelRequest({ channelArn: A1 } as never, cp), 'currentVersion');
    expectValidation(() => core.constructUpdateSignalingChannelRequest({ channelArn: A1, currentVersion: '1', messageTtlSeconds: 200 }, cp), 'messageTtlSeconds');
    expectValidation(() => core.constructListSignalingChannelsRequest({ maxResults: 0 }, cp), 'maxResults');
    expectValidation(() => core.constructListSignalingChannelsRequest({ maxResults: 10001 }, cp), 'maxResults');
    expectValidation(() => core.constructListSignalingChannelsRequest({ nextToken: 'a b' }, cp), 'nextToken');
    expectValidation(() => core.constructListSignalingChannelsRequest({ nextToken: 'a'.repeat(1025) }, cp), 'nextToken');
    expectValidation(() => core.constructListSignalingChannelsRequest({ channelNamePrefix: '' }, cp), 'channelNamePrefix');
    expect(core.constructListSignalingChannelsRequest({}, cp).body).toBe('{}');
    expectValidation(() => core.constructUpdateMediaStorageConfigurationRequest({ channelArn: A1, status: 'ENABLED' }, cp), 'streamArn');
    expectValidation(() => core.constructUpdateMediaStorageConfigurationRequest({ channelArn: A1, status: 'ON' as never }, cp), 'status');
    expect(core.constructUpdateMediaStorageConfigurationRequest({ channelArn: A1, status: 'DISABLED' }, cp).body).toBe(`{"ChannelARN":"${A1}","MediaStorageConfiguration":{"Status":"DISABLED"}}`);
    expectValidation(() => core.constructSendAlexaOfferToMasterRequest({ httpsEndpoint: 'https://e', channelArn: A1, senderClientId: 'c', messagePayload: 'A'.repeat(10004) }), 'messagePayload', 'MESSAGE_TOO_LARGE');
    expectValidation(() => core.constructSendAlexaOfferToMasterRequest({ httpsEndpoint: 'https://e', channelArn: A1, senderClientId: 'c', messagePayload: 'not b64' }), 'messagePayload');
  });
});
