/**
 * Structured generators, one per message shape the SDK reads, plus real frames
 * (from protocol.md) that the mutation fuzzer starts from. A slot holds the
 * valid value most of the time and a hostile one otherwise.
 * @packageDocumentation
 */
import fc from 'fast-check';
import { J, base64Of, hostileJson, invalidBase64, objectOf, renderJson, slot } from './hostile';
import type { JsonNode } from './hostile';

const ID_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-'];
const DIGITS = [...'0123456789'];

/** A valid id (`[a-zA-Z0-9_.-]`, 1–`max`). @public */
export const idArb = (max = 32): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: max });
const digits = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...DIGITS), minLength: n, maxLength: n });
const region = fc.constantFrom('us-west-2', 'us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-2');

/** A valid channel ARN. @public */
export const channelArnArb: fc.Arbitrary<string> = fc
  .tuple(region, digits(12), idArb(40), digits(13))
  .map(([r, acct, name, id]) => `arn:aws:kinesisvideo:${r}:${acct}:channel/${name}/${id}`);

const str = (a: fc.Arbitrary<string>): fc.Arbitrary<JsonNode> => a.map(J.str);
const int = (min: number, max: number): fc.Arbitrary<JsonNode> => fc.integer({ min, max }).map(J.num);

/** The decoded SDP payload of an offer or answer. @public */
export const sdpPayloadArb: fc.Arbitrary<JsonNode> = objectOf({
  type: slot(str(fc.constantFrom('offer', 'answer', 'pranswer', 'rollback'))),
  sdp: slot(str(fc.string({ maxLength: 200 }).map((s) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=${s}\r\nt=0 0\r\n`))),
});

/** The decoded payload of an ICE candidate. @public */
export const icePayloadArb: fc.Arbitrary<JsonNode> = objectOf({
  candidate: slot(str(fc.integer({ min: 1, max: 65535 }).map((p) => `candidate:1 1 udp 2122260223 192.168.1.10 ${p} typ host`))),
  sdpMid: slot(str(fc.constantFrom('0', '1', 'audio'))),
  sdpMLineIndex: slot(int(0, 4)),
  usernameFragment: slot(str(idArb(8))),
});

/** A `messagePayload` value: base64 of a real or hostile payload, or invalid base64. @public */
export const messagePayloadArb: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(sdpPayloadArb, icePayloadArb).map((n) => J.str(base64Of(renderJson(n)))) },
  { weight: 1, arbitrary: hostileJson(3).map((n) => J.str(base64Of(renderJson(n)))) },
  { weight: 1, arbitrary: invalidBase64().map(J.str) },
);

const channelInfo = objectOf({
  ChannelARN: slot(str(channelArnArb)),
  ChannelName: slot(str(idArb(40))),
  ChannelStatus: slot(str(fc.constantFrom('CREATING', 'ACTIVE', 'UPDATING', 'DELETING'))),
  ChannelType: slot(str(fc.constantFrom('SINGLE_MASTER', 'FULL_MESH'))),
  CreationTime: slot(fc.oneof(fc.double({ min: 1e9, max: 2e9, noNaN: true }).map(J.num), fc.constant(J.str('2024-01-02T03:04:05Z')))),
  SingleMasterConfiguration: slot(objectOf({ MessageTtlSeconds: slot(fc.oneof(int(5, 120), int(5, 120).map((n) => J.str(renderJson(n))))) })),
  Version: slot(str(fc.string({ unit: fc.constantFrom(...ID_CHARS.slice(0, 62)), minLength: 1, maxLength: 64 }))),
});

/** One message shape the SDK parses. @public */
export interface Shape {
  /** The core export that parses it. */
  parser: string;
  /** Structured generator: the shape with hostile slots. */
  structured: fc.Arbitrary<string>;
  /** Real frames for mutation. */
  seeds: string[];
}

const ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:channel/door-cam-01/1712345678901';
const SDP_B64 = 'eyJ0eXBlIjoib2ZmZXIiLCJzZHAiOiJ2PTBcclxubz0tIDQ2MTE3MzE0MDA0MzAwNTEzMzYgMiBJTiBJUDQgMTI3LjAuMC4xXHJcbnM9LVxyXG50PTAgMFxyXG4ifQ==';
const ICE_B64 = 'eyJjYW5kaWRhdGUiOiJjYW5kaWRhdGU6MSAxIHVkcCAyMTIyMjYwMjIzIDE5Mi4xNjguMS4xMCA1NDMyMSB0eXAgaG9zdCIsInNkcE1pZCI6IjAiLCJzZHBNTGluZUluZGV4IjowfQ==';

/** Real WebSocket frames the service sends (protocol.md §5.2 and the JS fixtures). @public */
export const WSS_SEEDS = [
  `{"senderClientId":"viewer-7","messageType":"SDP_OFFER","messagePayload":"${SDP_B64}"}`,
  `{"messageType":"SDP_ANSWER","messagePayload":"${SDP_B64.replace('b2ZmZXIi', 'YW5zd2VyIi')}"}`,
  `{"senderClientId":"viewer-7","messageType":"ICE_CANDIDATE","messagePayload":"${ICE_B64}"}`,
  '{"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId":"1700000000000","errorType":"InvalidArgumentException","statusCode":"400","description":"Recipient not found"}}',
  '{"messageType":"GO_AWAY"}',
  '{"messageType":"RECONNECT_ICE_SERVER"}',
  '{"message":"Endpoint request timed out","connectionId":"Xyz=","requestId":"abc-123"}',
];

/** Every shape, keyed by the parser that reads it. @public */
export const SHAPES: Shape[] = [
  {
    parser: 'parseDescribeSignalingChannelResponse',
    structured: objectOf({ ChannelInfo: slot(channelInfo) }).map(renderJson),
    seeds: [
      `{"ChannelInfo":{"ChannelARN":"${ARN}","ChannelName":"door-cam-01","ChannelStatus":"ACTIVE","ChannelType":"SINGLE_MASTER","CreationTime":1712345678.901,"SingleMasterConfiguration":{"MessageTtlSeconds":60},"Version":"AbCd1234EfGh"}}`,
      '{"ChannelInfo":{}}',
    ],
  },
  {
    parser: 'parseCreateSignalingChannelResponse',
    structured: objectOf({ ChannelARN: slot(str(channelArnArb)) }).map(renderJson),
    seeds: [`{"ChannelARN":"${ARN}"}`],
  },
  {
    parser: 'parseListSignalingChannelsResponse',
    structured: objectOf({
      ChannelInfoList: slot(fc.array(channelInfo, { maxLength: 3 }).map(J.arr)),
      NextToken: slot(str(fc.base64String({ maxLength: 40 }))),
    }).map(renderJson),
    seeds: [`{"ChannelInfoList":[{"ChannelARN":"${ARN}","ChannelName":"door-cam-01","ChannelStatus":"ACTIVE","ChannelType":"SINGLE_MASTER","CreationTime":1712345678.901,"SingleMasterConfiguration":{"MessageTtlSeconds":60},"Version":"AbCd1234EfGh"}],"NextToken":"abc="}`],
  },
  {
    parser: 'parseGetSignalingChannelEndpointResponse',
    structured: objectOf({
      ResourceEndpointList: slot(
        fc
          .array(
            objectOf({
              Protocol: slot(str(fc.constantFrom('WSS', 'HTTPS', 'WEBRTC', 'wss', 'https', 'webrtc', 'Wss'))),
              ResourceEndpoint: slot(str(fc.webUrl())),
            }),
            { maxLength: 4 },
          )
          .map(J.arr),
      ),
    }).map(renderJson),
    seeds: ['{"ResourceEndpointList":[{"Protocol":"HTTPS","ResourceEndpoint":"https://r-0a1b2c3d.kinesisvideo.eu-west-1.amazonaws.com"},{"Protocol":"WSS","ResourceEndpoint":"wss://v-4e5f6a7b.kinesisvideo.eu-west-1.amazonaws.com"}]}'],
  },
  {
    parser: 'parseGetIceServerConfigResponse',
    structured: objectOf({
      IceServerList: slot(
        fc
          .array(
            objectOf({
              Password: slot(str(fc.string({ maxLength: 40 }))),
              Ttl: slot(fc.oneof(int(30, 86400), int(30, 86400).map((n) => J.str(renderJson(n))))),
              Uris: slot(fc.array(str(fc.constantFrom('turn:1.2.3.4:443?transport=udp', 'turns:h.example:443?transport=tcp')), { maxLength: 6 }).map(J.arr)),
              Username: slot(str(fc.string({ maxLength: 40 }))),
            }),
            { maxLength: 7 },
          )
          .map(J.arr),
      ),
    }).map(renderJson),
    seeds: ['{"IceServerList":[{"Password":"pw1","Ttl":300,"Uris":["turn:203-0-113-5.t-1234abcd.kinesisvideo.eu-west-1.amazonaws.com:443?transport=udp","turns:203-0-113-5.t-1234abcd.kinesisvideo.eu-west-1.amazonaws.com:443?transport=tcp"],"Username":"1712349999:djE6YXJuOmF3czpr"}]}'],
  },
  {
    parser: 'parseDescribeMediaStorageConfigurationResponse',
    structured: objectOf({
      MediaStorageConfiguration: slot(objectOf({ Status: slot(str(fc.constantFrom('ENABLED', 'DISABLED'))), StreamARN: slot(fc.oneof(str(channelArnArb), fc.constant(J.nul()))) })),
    }).map(renderJson),
    seeds: ['{"MediaStorageConfiguration":{"Status":"ENABLED","StreamARN":"arn:aws:kinesisvideo:us-west-2:111122223333:stream/s/1712345678901"}}', '{"MediaStorageConfiguration":{"Status":"DISABLED","StreamARN":null}}'],
  },
  {
    parser: 'parseSendAlexaOfferToMasterResponse',
    structured: objectOf({ Answer: slot(messagePayloadArb) }).map(renderJson),
    seeds: [`{"Answer":"${SDP_B64}"}`],
  },
  {
    parser: 'parseWssRecvMessage',
    structured: objectOf({
      senderClientId: slot(str(idArb(32))),
      messageType: slot(str(fc.constantFrom('SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE', 'GO_AWAY', 'RECONNECT_ICE_SERVER', 'STATUS_RESPONSE', 'SDP', '', 'sdp_offer'))),
      messagePayload: slot(messagePayloadArb),
      statusResponse: slot(
        objectOf({
          correlationId: slot(str(idArb(32))),
          errorType: slot(str(fc.constantFrom('InvalidArgumentException', 'None'))),
          statusCode: slot(str(fc.constantFrom('200', '400', '404', '500'))),
          description: slot(str(fc.string({ maxLength: 60 }))),
          success: slot(fc.boolean().map(J.bool)),
        }),
      ),
    }).map(renderJson),
    seeds: WSS_SEEDS,
  },
  {
    parser: 'parseFetchTempCredsResponseFromAwsIot',
    structured: objectOf({
      credentials: slot(
        objectOf({
          accessKeyId: slot(str(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 16, maxLength: 20 }))),
          secretAccessKey: slot(str(fc.base64String({ minLength: 40, maxLength: 40 }))),
          sessionToken: slot(str(fc.base64String({ minLength: 4, maxLength: 400 }))),
          expiration: slot(str(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()))),
        }),
      ),
    }).map(renderJson),
    seeds: ['{"credentials":{"accessKeyId":"ASIAEXAMPLE123","secretAccessKey":"abc/def+ghi","sessionToken":"IQoJ...==","expiration":"2025-06-01T12:00:00Z"}}'],
  },
];

/** Input of `parseServiceError`: a reply as a transport saw it. @public */
export interface ReplyInput {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Hostile non-2xx replies for `parseServiceError`. @public */
export const serviceErrorArb: fc.Arbitrary<ReplyInput> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 400, max: 599 }), fc.integer(), fc.constantFrom(0, -1, 200, 204, 301, Number.NaN, 1e12)),
    fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('x-amzn-errortype', 'x-amzn-requestid', 'date', 'content-type', '__proto__', 'constructor'), fc.string({ maxLength: 12 })),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.constantFrom('ResourceNotFoundException:', 'ClientLimitExceededException:http://internal.amazon.com/', 'a:b:c', ':', '', 'Thrott#lingException'),
          fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
          fc.constant(undefined),
        ),
      ),
      { maxLength: 5 },
    ),
    fc.oneof(
      objectOf({
        __type: slot(str(fc.constantFrom('com.amazonaws#ResourceNotFoundException', 'InvalidArgumentException', '#', ''))),
        code: slot(str(fc.string({ maxLength: 30 }))),
        message: slot(str(fc.string({ maxLength: 80 }))),
        Message: slot(str(fc.string({ maxLength: 80 }))),
      }).map(renderJson),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.constantFrom('', '<html>502 Bad Gateway</html>', 'null', '[]'),
    ),
  )
  .map(([status, headerList, body]) => {
    const headers: Record<string, string | string[] | undefined> = {};
    // defineProperty, so a `__proto__` header is an own member as a transport would produce it
    for (const [k, v] of headerList) Object.defineProperty(headers, k, { value: v, enumerable: true, writable: true, configurable: true });
    return { status, headers, body };
  });
