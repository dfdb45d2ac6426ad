import * as fc from 'fast-check';
import { isValidCorrelationId, parseWssSendMessage } from '@kvs-sig/core';
import type { Emulator } from '../src';
import { b64, call, connect, createChannel, withEmulator, type Peer } from './helpers';

// Random input never crashes the emulator, and each input gets the reply the rules promise.
let emu: Emulator;
let arn: string;
let master: Peer;
let viewer: Peer;

beforeAll(async () => {
  emu = await withEmulator({ tls: false });
  arn = await createChannel(emu, 'fuzz');
  master = await connect(emu, arn);
  viewer = await connect(emu, arn, { clientId: 'fz' });
});
afterAll(async () => {
  await Promise.all([master.close(), viewer.close()]);
  await emu.close();
});

const keys = ['action', 'messagePayload', 'MessagePayload', 'recipientClientId', 'RecipientClientId', 'correlationId', 'CorrelationId', 'other'];
const values = fc.oneof(
  fc.constantFrom('SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE', 'GO_AWAY', '', 'eyJhIjoxfQ==', 'c-1', 'AWS_x', 'a b', '!!!'),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);
// Frames close to valid ones, in either key casing, so every rule is reached.
const nearlyValid = fc
  .record(
    {
      action: fc.constantFrom('SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE', 'HELLO'),
      payload: fc.oneof(fc.base64String({ minLength: 4, maxLength: 40 }).filter((p) => p.length > 0), fc.constantFrom('', 'no base64!', 'A'.repeat(10_241))),
      recipient: fc.constantFrom('v1', '', 'a b', 'x'.repeat(257)),
      correlation: fc.constantFrom('c-1', '', 'bad id!', 'y'.repeat(257)),
      pascal: fc.boolean(),
    },
    { requiredKeys: ['action', 'pascal'] },
  )
  .map(({ action, payload, recipient, correlation, pascal }) => {
    const k = (camel: string) => (pascal ? camel.charAt(0).toUpperCase() + camel.slice(1) : camel);
    const o: Record<string, unknown> = { action };
    if (payload !== undefined) o[k('messagePayload')] = payload;
    if (recipient !== undefined) o[k('recipientClientId')] = recipient;
    if (correlation !== undefined) o[k('correlationId')] = correlation;
    return JSON.stringify(o);
  });
const frames = fc.oneof(
  { weight: 3, arbitrary: nearlyValid },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...keys), values, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.json() },
);

let seq = 0;
const outcomes = new Map<string, number>();
test('any viewer frame is forwarded, answered with STATUS_RESPONSE or Forbidden, or ignored — exactly as the rules say', async () => {
  await fc.assert(
    fc.asyncProperty(frames, async (text) => {
      viewer.send(text);
      // A valid frame after it: once the master has it, the random frame has been handled.
      const marker = b64({ candidate: `candidate:${++seq} 1 udp 1 127.0.0.1 9 typ host` });
      viewer.send({ action: 'ICE_CANDIDATE', messagePayload: marker });
      const toMaster: Record<string, unknown>[] = [];
      for (;;) {
        const f = await master.next();
        if (f.messagePayload === marker) break;
        toMaster.push(f);
      }
      await new Promise((r) => setTimeout(r, 5));
      const toViewer = viewer.drain();

      let expected: 'forward' | 'status' | 'forbidden' | 'silent';
      let parsed: ReturnType<typeof parseWssSendMessage> | undefined;
      try {
        parsed = parseWssSendMessage(text);
        expected = 'forward';
      } catch {
        let obj: unknown;
        try {
          obj = JSON.parse(text);
        } catch {
          obj = undefined;
        }
        const o = obj as Record<string, unknown> | undefined;
        const routable = typeof o === 'object' && o !== null && !Array.isArray(o) && ['SDP_OFFER', 'SDP_ANSWER', 'ICE_CANDIDATE'].includes(o.action as string);
        const corr = routable ? (o!.correlationId !== undefined ? o!.correlationId : o!.CorrelationId) : undefined;
        expected = !routable ? 'forbidden' : isValidCorrelationId(corr) ? 'status' : 'silent';
      }
      outcomes.set(expected, (outcomes.get(expected) ?? 0) + 1);
      if (expected === 'forward') {
        expect(toMaster).toEqual([{ senderClientId: 'fz', messageType: parsed!.action, messagePayload: parsed!.messagePayload }]);
        expect(toViewer).toEqual([]);
      } else {
        expect(toMaster).toEqual([]);
        if (expected === 'silent') expect(toViewer).toEqual([]);
        if (expected === 'forbidden') expect(toViewer).toEqual([{ message: 'Forbidden', connectionId: expect.any(String), requestId: expect.any(String) }]);
        if (expected === 'status') expect(toViewer).toEqual([{ messageType: 'STATUS_RESPONSE', statusResponse: expect.objectContaining({ statusCode: '400' }) }]);
      }
      expect(viewer.closeCode).toBeUndefined();
    }),
    { numRuns: 300 },
  );
  // The generator must reach every outcome, or the property proves less than it claims.
  expect([...outcomes.keys()].sort()).toEqual(['forbidden', 'forward', 'silent', 'status']);
}, 60_000);

const paths = ['/createSignalingChannel', '/describeSignalingChannel', '/listSignalingChannels', '/updateSignalingChannel', '/deleteSignalingChannel', '/getSignalingChannelEndpoint', '/describeMediaStorageConfiguration', '/updateMediaStorageConfiguration', '/TagResource', '/UntagResource', '/ListTagsForResource', '/v1/get-ice-server-config', '/v1/send-alexa-offer-to-master', '/joinStorageSession', '/joinStorageSessionAsViewer'];
const members = ['ChannelName', 'ChannelARN', 'channelArn', 'clientId', 'CurrentVersion', 'Protocols', 'Role', 'SingleMasterConfiguration', 'Tags', 'MaxResults', 'NextToken', 'ResourceARN', 'TagKeyList', 'MediaStorageConfiguration', 'ClientId', 'Service', 'MessagePayload', 'SenderClientId'];
const bodyValuesFor = (target: string) => fc.oneof(values, fc.constant(target), fc.dictionary(fc.constantFrom('MessageTtlSeconds', 'Protocols', 'Role', 'Status', 'StreamARN', 'Key', 'Value'), values, { maxKeys: 3 }), fc.array(fc.dictionary(fc.constantFrom('Key', 'Value'), values), { maxLength: 2 }));

test('any signed request body to any operation gets a 200 or a 4xx with an exception name — never a 5xx', async () => {
  // A channel of its own: random bodies may update, tag or delete it.
  const bodyValues = bodyValuesFor(await createChannel(emu, 'fuzz-target'));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...paths),
      fc.oneof(fc.dictionary(fc.constantFrom(...members), bodyValues, { maxKeys: 4 }).map((o) => JSON.stringify(o)), fc.string({ maxLength: 30 }), fc.json()),
      async (path, body) => {
        const r = await call(emu, path, undefined, { rawBody: body });
        expect(r.status === 200 || (r.status >= 400 && r.status < 500)).toBe(true);
        if (r.status !== 200) expect(typeof r.headers['x-amzn-errortype']).toBe('string');
      },
    ),
    { numRuns: 300 },
  );
  // Still serving.
  expect((await call(emu, '/describeSignalingChannel', { ChannelARN: arn })).status).toBe(200);
}, 60_000);
