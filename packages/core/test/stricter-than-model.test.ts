import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '../src';
import { expectValidation } from './helpers';

// Each place core refuses what the service model accepts is listed in STRICTER_THAN_MODEL;
// these tests pin both halves: the model accepts it, core refuses it naming the field and rule.
const models = join(__dirname, '..', '..', 'emulator', 'test', 'models');
const kv = JSON.parse(readFileSync(join(models, 'kinesisvideo.json'), 'utf8')) as { shapes: Record<string, { pattern?: string; required?: string[]; members?: Record<string, { shape: string }>; type: string }> };
const cp = { controlPlaneEndpoint: 'https://kinesisvideo.us-west-2.amazonaws.com' };
const A = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1234567890123';
const STREAM = 'arn:aws:kinesisvideo:us-west-2:123456789012:stream/c/1234567890123';

function entry(field: string): core.StricterThanModel {
  const e = core.STRICTER_THAN_MODEL.find((x) => x.field === field);
  if (!e) throw new Error(`no entry for ${field}`);
  expect(e.rule.length).toBeGreaterThan(0);
  expect(e.why.length).toBeGreaterThan(0);
  return e;
}

test('the table lists exactly the four deliberate differences', () => {
  expect(core.STRICTER_THAN_MODEL.map((e) => e.field).sort()).toEqual(['channelArn', 'channelName', 'streamArn', 'tags[i].key']);
});

test("channelArn: the model takes any resource type, core only 'channel'", () => {
  const e = entry('channelArn');
  expect(new RegExp(`^(?:${kv.shapes.ResourceARN!.pattern})$`).test(STREAM)).toBe(true);
  expect(e.operations).toContain('GetSignalingChannelEndpoint');
  const err = expectValidation(() => core.constructGetSignalingChannelEndpointRequest({ channelArn: STREAM }, cp), 'channelArn');
  expect(err.message).toMatch(/resource type is 'stream', not 'channel'/);
  expectValidation(() => core.constructDeleteSignalingChannelRequest({ channelArn: STREAM }, cp), 'channelArn');
});

test('channelName/channelArn: the model requires neither, core exactly one', () => {
  entry('channelName');
  expect(kv.shapes.DescribeSignalingChannelInput!.required ?? []).toEqual([]);
  expect(kv.shapes.DescribeMediaStorageConfigurationInput!.required ?? []).toEqual([]);
  expect(expectValidation(() => core.constructDescribeSignalingChannelRequest({} as never, cp), 'channelName').message).toMatch(/required \(or channelArn\)/);
  expect(expectValidation(() => core.constructDescribeMediaStorageConfigurationRequest({ channelName: 'c', channelArn: A } as never, cp), 'channelName').message).toMatch(/not both/);
});

test('streamArn: the model leaves it optional, core requires it with ENABLED', () => {
  entry('streamArn');
  expect(kv.shapes.MediaStorageConfiguration!.required).toEqual(['Status']);
  expect(expectValidation(() => core.constructUpdateMediaStorageConfigurationRequest({ channelArn: A, status: 'ENABLED' }, cp), 'streamArn').message).toMatch(/required when status is 'ENABLED'/);
});

test('tags: the model allows a key twice, core refuses the repeat', () => {
  entry('tags[i].key');
  expect(kv.shapes.TagOnCreateList!.type).toBe('list');
  const err = expectValidation(() => core.constructCreateSignalingChannelRequest({ channelName: 'c', tags: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] }, cp), 'tags[1].key');
  expect(err.message).toMatch(/duplicates the key/);
});
