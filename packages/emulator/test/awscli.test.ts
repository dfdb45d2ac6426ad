/**
 * Debian's AWS CLI (/usr/bin/aws, awscli 2.9 with its own botocore: an
 * independent SigV4 signer and restJson client nobody here wrote) drives every
 * operation the emulator serves that the CLI knows: control plane, signaling data
 * plane (GetIceServerConfig; SendAlexaOfferToMaster with a master connected that
 * answers), and webrtc-storage (JoinStorageSession; this CLI's model predates
 * JoinStorageSessionAsViewer). scripts/test.mjs installs the `awscli` package.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../src';
import { b64, connect, withEmulator } from './helpers';

const AWS = '/usr/bin/aws';
let emu: Emulator;
let dir: string;
let caFile: string;

interface Run {
  code: number;
  json: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

/** One CLI call against the emulator, isolated from any AWS configuration on the machine. */
function aws(args: string[], endpoint = emu.controlPlaneEndpoint): Promise<Run> {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: emu.region,
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
  return new Promise((resolve) => {
    execFile(AWS, [...args, '--endpoint-url', endpoint, '--ca-bundle', caFile, '--output', 'json'], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      let json: Record<string, unknown> = {};
      if (stdout.trim() !== '') json = JSON.parse(stdout) as Record<string, unknown>;
      resolve({ code, json, stdout, stderr });
    });
  });
}

/** Exit 0; on failure the CLI's own words are in the assertion message. */
function ok(r: Run): Record<string, unknown> {
  if (r.code !== 0) throw new Error(`aws exited ${r.code}: ${r.stderr}`);
  return r.json;
}

beforeAll(async () => {
  if (!existsSync(AWS)) throw new Error(`${AWS} is missing: install Debian's awscli (scripts/test.mjs does)`);
  emu = await withEmulator({ tls: true });
  dir = await mkdtemp(join(tmpdir(), 'kvs-awscli-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, emu.ca!);
});
afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ARN = /^arn:aws:kinesisvideo:[a-z0-9-]+:\d{12}:channel\/[a-zA-Z0-9_.-]+\/\d+$/;
const STREAM_ARN = /^arn:aws:kinesisvideo:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/\d+$/;

test('the AWS CLI drives every emulated operation it knows, with the documented output shapes and exit codes', async () => {
  const kv = (...a: string[]) => aws(['kinesisvideo', ...a]);
  // Independent calls run side by side: each CLI start costs about a second of Python.
  const [a, b, s, s2] = await Promise.all([
    kv('create-signaling-channel', '--channel-name', 'cli-a', '--single-master-configuration', 'MessageTtlSeconds=30', '--tags', 'Key=team,Value=video'),
    kv('create-signaling-channel', '--channel-name', 'cli-b'),
    kv('create-stream', '--stream-name', 'cli-s', '--data-retention-in-hours', '24', '--media-type', 'video/h264'),
    kv('create-stream', '--stream-name', 'cli-s2'),
  ]);
  const arn = ok(a).ChannelARN as string;
  const arnB = ok(b).ChannelARN as string;
  const streamArn = ok(s).StreamARN as string;
  const streamArn2 = ok(s2).StreamARN as string;
  expect([arn, arnB]).toEqual([expect.stringMatching(ARN), expect.stringMatching(ARN)]);
  expect([streamArn, streamArn2]).toEqual([expect.stringMatching(STREAM_ARN), expect.stringMatching(STREAM_ARN)]);

  // Listed before the batch below deletes cli-b, not beside it.
  const list = await kv('list-signaling-channels', '--channel-name-condition', 'ComparisonOperator=BEGINS_WITH,ComparisonValue=cli-');
  const [desc, tag, dstream, lstreams, ums, delStream, delB, refused, missing] = await Promise.all([
    kv('describe-signaling-channel', '--channel-name', 'cli-a'),
    kv('tag-resource', '--resource-arn', arn, '--tags', 'Key=k2,Value=v2'),
    kv('describe-stream', '--stream-arn', streamArn),
    kv('list-streams'),
    kv('update-media-storage-configuration', '--channel-arn', arn, '--media-storage-configuration', `Status=ENABLED,StreamARN=${streamArn}`),
    kv('delete-stream', '--stream-arn', streamArn2),
    kv('delete-signaling-channel', '--channel-arn', arnB),
    kv('create-signaling-channel', '--channel-name', 'not valid'),
    kv('describe-signaling-channel', '--channel-name', 'nope'),
  ]);
  const info = ok(desc).ChannelInfo as Record<string, unknown>;
  expect(info).toEqual({
    ChannelARN: arn,
    ChannelName: 'cli-a',
    ChannelStatus: 'ACTIVE',
    ChannelType: 'SINGLE_MASTER',
    CreationTime: expect.any(String), // the CLI prints timestamps as ISO 8601 text
    SingleMasterConfiguration: { MessageTtlSeconds: 30 },
    Version: expect.stringMatching(/^[a-zA-Z0-9]{1,64}$/),
  });
  expect(Number.isNaN(Date.parse(info.CreationTime as string))).toBe(false);
  expect((ok(list).ChannelInfoList as Array<{ ChannelName: string }>).map((c) => c.ChannelName).sort()).toEqual(['cli-a', 'cli-b']);
  expect(ok(tag)).toEqual({});
  expect(ok(dstream).StreamInfo).toMatchObject({ StreamName: 'cli-s', StreamARN: streamArn, Status: 'ACTIVE', DataRetentionInHours: 24, MediaType: 'video/h264', Version: expect.any(String), KmsKeyId: expect.any(String) });
  expect((ok(lstreams).StreamInfoList as Array<{ StreamName: string }>).map((x) => x.StreamName)).toContain('cli-s');
  expect(ok(ums)).toEqual({});
  expect(ok(delStream)).toEqual({});
  expect(ok(delB)).toEqual({});
  // Refusals: the CLI exits 254 (a service error) and prints the service's type and message.
  expect(refused.code).toBe(254);
  expect(refused.stderr).toMatch(/InvalidArgumentException.*CreateSignalingChannel.*validation error detected.*channelName.*regular expression pattern/s);
  expect(missing.code).toBe(254);
  expect(missing.stderr).toMatch(/ResourceNotFoundException.*DescribeSignalingChannel/s);

  const [tags, dms, endpoints, version] = await Promise.all([
    kv('list-tags-for-resource', '--resource-arn', arn),
    kv('describe-media-storage-configuration', '--channel-arn', arn),
    kv('get-signaling-channel-endpoint', '--channel-arn', arn, '--single-master-channel-endpoint-configuration', 'Protocols=WSS,HTTPS,WEBRTC,Role=MASTER'),
    kv('describe-signaling-channel', '--channel-arn', arn).then((r) => (ok(r).ChannelInfo as { Version: string }).Version),
  ]);
  expect(ok(tags).Tags).toEqual({ team: 'video', k2: 'v2' });
  expect(ok(dms)).toEqual({ MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } });
  const list2 = ok(endpoints).ResourceEndpointList as Array<{ Protocol: string; ResourceEndpoint: string }>;
  expect(list2.map((e) => e.Protocol)).toEqual(['WSS', 'HTTPS', 'WEBRTC']);
  const https = list2.find((e) => e.Protocol === 'HTTPS')!.ResourceEndpoint;
  const webrtc = list2.find((e) => e.Protocol === 'WEBRTC')!.ResourceEndpoint;

  const [untag, update] = await Promise.all([
    kv('untag-resource', '--resource-arn', arn, '--tag-key-list', 'k2'),
    kv('update-signaling-channel', '--channel-arn', arn, '--current-version', version, '--single-master-configuration', 'MessageTtlSeconds=60'),
  ]);
  expect(ok(untag)).toEqual({});
  expect(ok(update)).toEqual({});

  // Signaling data plane and webrtc-storage, with a master connected that answers the Alexa offer.
  const master = await connect(emu, arn);
  try {
    const offer = b64({ type: 'offer', sdp: 'v=0\r\n' });
    const answer = b64({ type: 'answer', sdp: 'v=0\r\n' });
    const alexa = aws(['kinesis-video-signaling', 'send-alexa-offer-to-master', '--channel-arn', arn, '--sender-client-id', 'alexa-cli', '--message-payload', offer], https);
    const frame = await master.next(30_000);
    expect(frame).toEqual({ senderClientId: 'alexa-cli', messageType: 'SDP_OFFER', messagePayload: offer });
    master.send({ action: 'SDP_ANSWER', messagePayload: answer, recipientClientId: 'alexa-cli' });
    expect(ok(await alexa)).toEqual({ Answer: answer });

    const [ice, join] = await Promise.all([
      aws(['kinesis-video-signaling', 'get-ice-server-config', '--channel-arn', arn, '--client-id', 'cli-viewer', '--service', 'TURN'], https),
      aws(['kinesis-video-webrtc-storage', 'join-storage-session', '--channel-arn', arn], webrtc),
    ]);
    const servers = ok(ice).IceServerList as Array<Record<string, unknown>>;
    expect(servers.length).toBeGreaterThan(0);
    for (const server of servers) {
      expect(server).toEqual({ Uris: expect.any(Array), Username: expect.any(String), Password: expect.any(String), Ttl: expect.any(Number) });
      expect((server.Uris as string[]).every((u) => /^turns?:/.test(u))).toBe(true);
    }
    expect(join.code).toBe(0);
    expect(join.stdout.trim()).toBe('');
    // The join made the media server offer to the master (a real peer here: its candidates may come first).
    const types: unknown[] = [];
    while (!types.includes('SDP_OFFER') && types.length < 20) types.push((await master.next(10_000)).messageType);
    expect(types).toContain('SDP_OFFER');
  } finally {
    await master.close();
  }

  const del = await kv('delete-signaling-channel', '--channel-arn', arn);
  expect(ok(del)).toEqual({});
  // The request log saw every operation, each signed by the CLI and accepted by the emulator's SigV4 check.
  const seen = new Set(emu.log.requests().filter((r) => r.status === 200).map((r) => r.operation));
  expect([...seen].sort()).toEqual(
    [
      'CreateSignalingChannel', 'DescribeSignalingChannel', 'ListSignalingChannels', 'UpdateSignalingChannel', 'DeleteSignalingChannel',
      'GetSignalingChannelEndpoint', 'DescribeMediaStorageConfiguration', 'UpdateMediaStorageConfiguration',
      'TagResource', 'UntagResource', 'ListTagsForResource', 'CreateStream', 'DescribeStream', 'DeleteStream', 'ListStreams',
      'GetIceServerConfig', 'SendAlexaOfferToMaster', 'JoinStorageSession',
    ].sort(),
  );
}, 240_000);
