/**
 * fast-check properties: every builder's body parses back to its input, and
 * every parser only ever returns or throws a SignalingError.
 * Run counts are modest for CI; set FC_NUM_RUNS for long runs.
 */
import fc from 'fast-check';
import * as core from '@kvs-sig/core';
import { isSignalingError } from '@kvs-sig/core';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);
const cp = { controlPlaneEndpoint: 'https://kinesisvideo.us-east-1.amazonaws.com' };

const idChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-'.split(''));
const id = (max = 256) => fc.string({ unit: idChar, minLength: 1, maxLength: max });
const viewerId = id().filter((s) => !s.toUpperCase().startsWith('AWS_'));
const arn = fc
  .record({
    partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
    region: fc.stringMatching(/^[a-z]{2}-[a-z]{4,9}-[1-9]$/),
    account: fc.stringMatching(/^[0-9]{12}$/),
    name: id(200),
    creation: fc.stringMatching(/^[0-9]{13}$/),
  })
  .map((p) => `arn:${p.partition}:kinesisvideo:${p.region}:${p.account}:channel/${p.name}/${p.creation}`);
const tagText = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'aZ09 _.:/=+-@éü日本𝐀\u00a0'.match(/./gu)!), minLength: min, maxLength: max });
const version = fc.stringMatching(/^[a-zA-Z0-9]{1,64}$/);
const protocols = fc.subarray(['WSS', 'HTTPS', 'WEBRTC'] as const, { minLength: 1 }).chain((ps) => fc.shuffledSubarray(ps, { minLength: ps.length }));

function body(req: core.HttpRequest): unknown {
  expect(req.headers['content-type']).toBe('application/json');
  return JSON.parse(req.body as string);
}

describe('builders: valid input → body parses back to the same values', () => {
  const opt = { numRuns: NUM_RUNS };
  test('describe / describe media storage', () => {
    fc.assert(fc.property(id(), arn, (name, a) => {
      expect(body(core.constructDescribeSignalingChannelRequest({ channelName: name }, cp))).toEqual({ ChannelName: name });
      expect(body(core.constructDescribeMediaStorageConfigurationRequest({ channelArn: a }, cp))).toEqual({ ChannelARN: a });
    }), opt);
  });
  test('create', () => {
    const tags = fc.uniqueArray(fc.record({ key: tagText(1, 128), value: tagText(0, 256) }), { maxLength: 50, selector: (t) => t.key });
    fc.assert(fc.property(id(), fc.integer({ min: 5, max: 120 }), tags, (name, ttl, ts) => {
      const b = body(core.constructCreateSignalingChannelRequest({ channelName: name, messageTtlSeconds: ttl, tags: ts }, cp));
      const expected: Record<string, unknown> = { ChannelName: name, ChannelType: 'SINGLE_MASTER', SingleMasterConfiguration: { MessageTtlSeconds: ttl } };
      if (ts.length > 0) expected.Tags = ts.map((t) => ({ Key: t.key, Value: t.value }));
      expect(b).toEqual(expected);
    }), { numRuns: Math.ceil(NUM_RUNS / 4) });
  });
  test('delete / update / list', () => {
    fc.assert(fc.property(arn, version, fc.option(fc.integer({ min: 5, max: 120 }), { nil: undefined }), fc.integer({ min: 1, max: 10000 }), fc.stringMatching(/^[a-zA-Z0-9+/=]{0,1024}$/), id(), (a, v, ttl, max, token, prefix) => {
      expect(body(core.constructDeleteSignalingChannelRequest({ channelArn: a, currentVersion: v }, cp))).toEqual({ ChannelARN: a, CurrentVersion: v });
      const upd = body(core.constructUpdateSignalingChannelRequest({ channelArn: a, currentVersion: v, messageTtlSeconds: ttl }, cp));
      expect(upd).toEqual(ttl === undefined ? { ChannelARN: a, CurrentVersion: v } : { ChannelARN: a, CurrentVersion: v, SingleMasterConfiguration: { MessageTtlSeconds: ttl } });
      expect(body(core.constructListSignalingChannelsRequest({ maxResults: max, nextToken: token, channelNamePrefix: prefix }, cp))).toEqual({
        MaxResults: max,
        NextToken: token,
        ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: prefix },
      });
    }), opt);
  });
  test('get endpoint', () => {
    fc.assert(fc.property(arn, fc.constantFrom('MASTER', 'VIEWER') as fc.Arbitrary<core.Role>, protocols, (a, role, ps) => {
      const b = body(core.constructGetSignalingChannelEndpointRequest({ channelArn: a, role, protocols: ps }, cp)) as { SingleMasterChannelEndpointConfiguration: { Protocols: string[] } };
      expect(b).toEqual({ ChannelARN: a, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS', 'WEBRTC'].filter((p) => ps.includes(p as never)), Role: role } });
    }), opt);
  });
  test('ICE config / Alexa / storage sessions / media storage update', () => {
    // The signaling model takes only the partition 'aws' (its ARN pattern starts arn:aws:kinesisvideo:); Username is [a-zA-Z0-9_.-]+.
    fc.assert(fc.property(arn.filter((a) => a.startsWith('arn:aws:')), id(), id(), fc.base64String({ minLength: 4, maxLength: 10000 }), (a, cid, user, b64) => {
      expect(body(core.constructGetIceServerConfigRequest({ httpsEndpoint: 'https://r.example.com', channelArn: a, clientId: cid, username: user }))).toEqual({ ChannelARN: a, ClientId: cid, Service: 'TURN', Username: user });
      expect(body(core.constructSendAlexaOfferToMasterRequest({ httpsEndpoint: 'https://r.example.com', channelArn: a, senderClientId: cid, messagePayload: b64 }))).toEqual({ ChannelARN: a, SenderClientId: cid, MessagePayload: b64 });
      expect(body(core.constructJoinStorageSessionRequest({ webrtcEndpoint: 'https://w.example.com', channelArn: a }))).toEqual({ channelArn: a });
      expect(body(core.constructJoinStorageSessionAsViewerRequest({ webrtcEndpoint: 'https://w.example.com', channelArn: a, clientId: cid }))).toEqual({ channelArn: a, clientId: cid });
      expect(body(core.constructUpdateMediaStorageConfigurationRequest({ channelArn: a, status: 'ENABLED', streamArn: a.replace(':channel/', ':stream/') }, cp))).toEqual({ ChannelARN: a, MediaStorageConfiguration: { StreamARN: a.replace(':channel/', ':stream/'), Status: 'ENABLED' } });
    }), { numRuns: Math.ceil(NUM_RUNS / 4) });
  });
  test('connect URL carries the ARN and viewer id verbatim', () => {
    fc.assert(fc.property(arn, viewerId, (a, cid) => {
      expect(core.constructConnectWssEndpointRequest({ wssEndpoint: 'wss://v.example.com', channelArn: a, role: 'VIEWER', clientId: cid }).url).toBe(`wss://v.example.com?X-Amz-ChannelARN=${a}&X-Amz-ClientId=${cid}`);
    }), opt);
  });
  test('WSS message: payload → frame → service parse → recv frame → client parse gives the payload back', () => {
    const sdpText = fc.string({ unit: 'grapheme', maxLength: 1500 });
    fc.assert(fc.property(fc.constantFrom('SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE') as fc.Arbitrary<core.WssAction>, sdpText, fc.option(id(), { nil: undefined }), fc.option(id(), { nil: undefined }), (action, sdp, rid, corr) => {
      const payload = { type: 'offer', sdp };
      const frame = core.constructWssMessage({ action, payload, recipientClientId: rid, correlationId: corr });
      const sent = core.parseWssSendMessage(frame);
      expect(sent.action).toBe(action);
      expect(sent.recipientClientId).toBe(rid);
      expect(sent.correlationId).toBe(corr);
      const recv = core.parseWssRecvMessage(core.constructWssRecvMessage({ messageType: action, senderClientId: rid, messagePayload: sent.messagePayload }));
      expect(recv.payload).toEqual(payload);
    }), opt);
  });
});

// ---- parser fuzzing ----

const parsers: [string, (t: string) => unknown][] = [
  ['parseDescribeSignalingChannelResponse', core.parseDescribeSignalingChannelResponse],
  ['parseCreateSignalingChannelResponse', core.parseCreateSignalingChannelResponse],
  ['parseListSignalingChannelsResponse', core.parseListSignalingChannelsResponse],
  ['parseGetSignalingChannelEndpointResponse', core.parseGetSignalingChannelEndpointResponse],
  ['parseGetIceServerConfigResponse', (t) => core.parseGetIceServerConfigResponse(t)],
  ['parseDescribeMediaStorageConfigurationResponse', core.parseDescribeMediaStorageConfigurationResponse],
  ['parseSendAlexaOfferToMasterResponse', core.parseSendAlexaOfferToMasterResponse],
  ['parseWssRecvMessage', core.parseWssRecvMessage],
  ['parseWssSendMessage', core.parseWssSendMessage],
  ['parseFetchTempCredsResponseFromAwsIot', core.parseFetchTempCredsResponseFromAwsIot],
  ['parseServiceError', (t) => core.parseServiceError({ status: 400, headers: { 'x-amzn-errortype': typeof t === 'string' ? t.slice(0, 50) : t }, body: t })],
];

const A = 'arn:aws:kinesisvideo:us-east-1:123456789012:channel/c/1234567890123';
const realReplies = [
  `{"ChannelInfo":{"ChannelARN":"${A}","ChannelName":"c","ChannelStatus":"ACTIVE","ChannelType":"SINGLE_MASTER","CreationTime":1712345678.9,"SingleMasterConfiguration":{"MessageTtlSeconds":60},"Version":"AbC1"}}`,
  `{"ChannelARN":"${A}"}`,
  `{"ChannelInfoList":[{"ChannelName":"c","ChannelType":"SINGLE_MASTER"}],"NextToken":"abc"}`,
  '{"ResourceEndpointList":[{"Protocol":"HTTPS","ResourceEndpoint":"https://r"},{"Protocol":"WSS","ResourceEndpoint":"wss://v"}]}',
  '{"IceServerList":[{"Password":"pw","Ttl":300,"Uris":["turn:a:443?transport=udp"],"Username":"u"}]}',
  '{"MediaStorageConfiguration":{"Status":"ENABLED","StreamARN":null}}',
  '{"Answer":"YWJj"}',
  '{"senderClientId":"v","messageType":"SDP_OFFER","messagePayload":"eyJ0eXBlIjoib2ZmZXIiLCJzZHAiOiJ2PTAifQ=="}',
  '{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"c","errorType":"E","statusCode":"400","description":"d"}}',
  '{"action":"SDP_OFFER","RecipientClientId":"","MessagePayload":"AAAA","CorrelationId":"x"}',
  '{"credentials":{"accessKeyId":"AK","secretAccessKey":"s","sessionToken":"t","expiration":"2025-06-01T12:00:00Z"}}',
];

function onlySignalingErrors(parse: (t: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (e) {
    if (!isSignalingError(e)) throw new Error(`non-SignalingError escaped for ${typeof text === 'string' ? JSON.stringify(text.slice(0, 200)) : typeof text}: ${String(e)}`);
  }
}

// Mutations of real replies: values swapped for other JSON types, keys renamed
// to __proto__/constructor, truncations and character flips.
const jsonValue = fc.oneof(
  fc.constant(null), fc.boolean(), fc.double(), fc.integer(), fc.string(), fc.string({ unit: 'binary' }),
  fc.constant('\uD800'), fc.constant([]), fc.constant({}), fc.constant({ __proto__: 1 }),
  fc.constant(-0), fc.constant(1e308), fc.constant('9'.repeat(400)),
);
function mutate(value: unknown, rnd: () => number, replacement: () => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (rnd() < 0.3 ? replacement() : mutate(v, rnd, replacement)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = rnd() < 0.1 ? (rnd() < 0.5 ? '__proto__' : 'constructor') : k;
      Object.defineProperty(out, key, { value: rnd() < 0.3 ? replacement() : mutate(v, rnd, replacement), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

describe.each(parsers)('%s: only SignalingError may escape', (_name, parse) => {
  test('arbitrary strings and JSON-ish text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (t) => onlySignalingErrors(parse, t)), { numRuns: NUM_RUNS });
  });
  test('mutated real replies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...realReplies), fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), fc.array(jsonValue, { minLength: 50, maxLength: 50 }), fc.nat(), (reply, stream, values, cut) => {
        const it = stream[Symbol.iterator]();
        let i = 0;
        const mutated = JSON.stringify(mutate(JSON.parse(reply), () => it.next().value as number, () => values[i++ % values.length]));
        onlySignalingErrors(parse, mutated);
        onlySignalingErrors(parse, mutated.slice(0, cut % (mutated.length + 1)));
        onlySignalingErrors(parse, reply.slice(0, cut % (reply.length + 1)) + '\0');
      }),
      { numRuns: NUM_RUNS },
    );
  });
  test('hostile inputs: deep nesting, huge strings, __proto__, lone surrogates, wrong types', () => {
    const hostile = [
      '['.repeat(10000) + ']'.repeat(10000),
      '{"a":'.repeat(10000) + '1' + '}'.repeat(10000),
      `{"ChannelInfo":${'{"x":'.repeat(10000)}1${'}'.repeat(10000)}}`,
      `{"messageType":"SDP_OFFER","messagePayload":"${'A'.repeat(4 * 1024 * 1024)}"}`,
      `{"ChannelARN":"${'x'.repeat(8 * 1024 * 1024)}"}`,
      'x'.repeat(17 * 1024 * 1024),
      '{"__proto__":{"ChannelInfo":{"ChannelName":"x"}},"constructor":{"prototype":{}}}',
      '{"ChannelInfo":{"__proto__":{"ChannelType":"FULL_MESH"}}}',
      '{"credentials":{"__proto__":{"accessKeyId":"a","secretAccessKey":"b","sessionToken":"c","expiration":"2025-01-01T00:00:00Z"}}}',
      '{"messageType":"SDP_OFFER","messagePayload":"\uD800"}',
      '{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":{"toString":1}}}',
      '{"IceServerList":[{"Uris":[1,2]}]}',
      '{"IceServerList":[{"Ttl":{"valueOf":1}}]}',
      'null', 'true', '1', '"s"', '[]', '\0', '\uFEFF{}', '{"a":1}garbage',
    ];
    for (const t of hostile) onlySignalingErrors(parse, t);
    for (const t of [undefined, null, 5, {}, [], Symbol('x')]) onlySignalingErrors(parse as (t: unknown) => unknown, t as never);
  });
});

test('__proto__ in a reply never pollutes or leaks into results', () => {
  const r = core.parseDescribeSignalingChannelResponse('{"ChannelInfo":{"ChannelName":"c","__proto__":{"polluted":true}}}') as Record<string, unknown>;
  expect(r).toEqual({ channelName: 'c' });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
});

test('the fuzz oracle itself fails when a parser lets a TypeError escape', () => {
  const leaky = (t: string) => {
    if (t.length > 3) throw new TypeError('leak');
    return t;
  };
  expect(() => onlySignalingErrors(leaky, 'abcd')).toThrow(/non-SignalingError escaped/);
  expect(() => onlySignalingErrors(core.parseCreateSignalingChannelResponse, '{')).not.toThrow();
});
