/** The service side of the WebSocket protocol (used by the emulator), and its round trip with the client side. */
import { constructWssMessage, constructWssRecvMessage, parseWssRecvMessage, parseWssSendMessage } from '@kvs-sig/core';
import { expectProtocol, expectValidation } from './helpers';

describe('parseWssSendMessage', () => {
  test('reads what constructWssMessage builds', () => {
    const frame = constructWssMessage({ action: 'SDP_ANSWER', payload: { type: 'answer', sdp: 's' }, recipientClientId: 'viewer-7', correlationId: 'c1' });
    const parsed = parseWssSendMessage(frame);
    expect(parsed).toEqual({ action: 'SDP_ANSWER', messagePayload: JSON.parse(frame).messagePayload, recipientClientId: 'viewer-7', correlationId: 'c1' });
  });
  test('accepts the C library PascalCase frame; an empty recipient counts as absent', () => {
    expect(parseWssSendMessage('{"action":"ICE_CANDIDATE","RecipientClientId":"","MessagePayload":"base64encodedmessage","CorrelationId":"TestCorrelationId"}')).toEqual({
      action: 'ICE_CANDIDATE',
      messagePayload: 'base64encodedmessage',
      correlationId: 'TestCorrelationId',
    });
    expect(parseWssSendMessage('{"action":"SDP_OFFER","RecipientClientId":"TestClientId","MessagePayload":"AAAA"}')).toEqual({
      action: 'SDP_OFFER',
      messagePayload: 'AAAA',
      recipientClientId: 'TestClientId',
    });
  });
  test('typed errors for anything else', () => {
    expectProtocol(() => parseWssSendMessage('nope'), 'INVALID_JSON');
    expectProtocol(() => parseWssSendMessage('[]'), 'INVALID_JSON');
    expectProtocol(() => parseWssSendMessage('{"Action":"SDP_OFFER","messagePayload":"AAAA"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage('{"action":"GO_AWAY","messagePayload":"AAAA"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage('{"action":"SDP_OFFER"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage('{"action":"SDP_OFFER","messagePayload":"a b"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage('{"action":"SDP_OFFER","messagePayload":"AAAA","MessagePayload":"BBBB"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage('{"action":"SDP_OFFER","messagePayload":"AAAA","recipientClientId":"a b"}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage('{"action":"SDP_OFFER","messagePayload":"AAAA","correlationId":5}'), 'UNEXPECTED_RESPONSE');
    expectProtocol(() => parseWssSendMessage(JSON.stringify({ action: 'SDP_OFFER', messagePayload: 'A'.repeat(10244) })), 'FRAME_TOO_LARGE');
  });
});

describe('constructWssRecvMessage', () => {
  test('builds the frames of protocol.md 5.2', () => {
    expect(constructWssRecvMessage({ messageType: 'SDP_OFFER', senderClientId: 'viewer-7', messagePayload: 'eyJ0eXBlIjoib2ZmZXIifQ==' })).toBe(
      '{"senderClientId":"viewer-7","messageType":"SDP_OFFER","messagePayload":"eyJ0eXBlIjoib2ZmZXIifQ=="}',
    );
    expect(constructWssRecvMessage({ messageType: 'GO_AWAY' })).toBe('{"messageType":"GO_AWAY"}');
    expect(
      constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: '1700000000000', errorType: 'InvalidArgumentException', statusCode: '400', description: 'Recipient not found' } }),
    ).toBe('{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"1700000000000","errorType":"InvalidArgumentException","statusCode":"400","description":"Recipient not found"}}');
  });
  test('round trip client → service → client preserves the decoded payload', () => {
    const sdp = { type: 'offer', sdp: 'v=0\r\na=ünïcødé 😀\r\n' };
    const sent = parseWssSendMessage(constructWssMessage({ action: 'SDP_OFFER', payload: sdp, recipientClientId: 'v1' }));
    const received = parseWssRecvMessage(constructWssRecvMessage({ messageType: sent.action, senderClientId: 'master-x', messagePayload: sent.messagePayload }));
    expect(received.payload).toEqual(sdp);
    expect(received.senderClientId).toBe('master-x');
  });
  test('free-text description with quotes and unicode round-trips', () => {
    const description = 'he said "no" \\ 😀 \u2028';
    const text = constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'c', description, success: false } });
    expect(parseWssRecvMessage(text).statusResponse).toEqual({ correlationId: 'c', description, success: false });
  });
  test('validation', () => {
    expectValidation(() => constructWssRecvMessage({ messageType: 'UNKNOWN' as never }), 'messageType');
    expectValidation(() => constructWssRecvMessage({ messageType: 'SDP_OFFER', senderClientId: '' }), 'senderClientId');
    expectValidation(() => constructWssRecvMessage({ messageType: 'SDP_OFFER', messagePayload: '!' }), 'messagePayload');
    expectValidation(() => constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: {} as never }), 'statusResponse.correlationId');
    expectValidation(() => constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'c', description: 'x'.repeat(1025) } }), 'statusResponse.description');
    expectValidation(() => constructWssRecvMessage({ messageType: 'STATUS_RESPONSE', statusResponse: { correlationId: 'c', bogus: 1 } as never }), 'statusResponse.bogus');
  });
});
