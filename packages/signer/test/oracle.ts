/**
 * The randomised presign oracle: random KVS connect URLs and credentials, and
 * what the official KVS JS SDK's `SigV4RequestSigner` makes of them. The Node
 * build is checked against it in presign.test.ts, the browser build in
 * Chromium in chromium.test.ts.
 */
import fc from 'fast-check';
import { SigV4RequestSigner } from 'amazon-kinesis-video-streams-webrtc/lib/SigV4RequestSigner';
import type { Credentials } from '../src';

/** One presign input. */
export interface PresignCase {
  region: string;
  /** `wss://host[/path]`, no query. */
  endpoint: string;
  params: Record<string, string>;
  credentials: Credentials;
  date: Date;
}

const idChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-'.split('');
const id = (min: number, max: number) => fc.array(fc.constantFrom(...idChars), { minLength: min, maxLength: max }).map((a) => a.join(''));
const region = fc.constantFrom('us-west-2', 'us-east-1', 'eu-central-1', 'ap-northeast-1', 'cn-north-1', 'us-gov-west-1', 'il-central-1');
const host = fc.tuple(id(1, 12).map((s) => s.replace(/[^a-z0-9]/gi, 'x').toLowerCase()), region).map(([p, r]) => `v-${p}.kinesisvideo.${r}.amazonaws.com`);
const path = fc.oneof(fc.constant(''), fc.constant('/'), fc.array(id(1, 10), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`));
const secret = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'.split('')), { minLength: 1, maxLength: 40 }).map((a) => a.join(''));
const token = fc.option(fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/='.split('')), { minLength: 1, maxLength: 300 }).map((a) => a.join('')), { nil: undefined });
const date = fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2040-12-31T23:59:59Z'), noInvalidDate: true });

/** Random presign inputs over the shapes KVS uses (master and viewer, every partition, with and without a session token). */
export const presignCase: fc.Arbitrary<PresignCase> = fc
  .tuple(region, host, path, id(1, 40), id(1, 256), fc.boolean(), fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'), fc.stringMatching(/^\d{12}$/), fc.stringMatching(/^\d{13}$/), id(16, 20), secret, token, date)
  .map(([reg, h, p, channel, clientId, viewer, partition, account, ts, akid, sk, tok, d]): PresignCase => {
    const arn = `arn:${partition}:kinesisvideo:${reg}:${account}:channel/${channel}/${ts}`;
    return {
      region: reg,
      endpoint: `wss://${h}${p}`,
      params: viewer ? { 'X-Amz-ChannelARN': arn, 'X-Amz-ClientId': clientId } : { 'X-Amz-ChannelARN': arn },
      credentials: tok === undefined ? { accessKeyId: akid, secretAccessKey: sk } : { accessKeyId: akid, secretAccessKey: sk, sessionToken: tok },
      date: d,
    };
  });

/** The unsigned URL with raw (unencoded) query values, as core builds it. */
export function rawUrl(c: PresignCase): string {
  return `${c.endpoint}?${Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** The official SDK's presigned URL for the case. */
export function officialPresign(c: PresignCase): Promise<string> {
  return new SigV4RequestSigner(c.region, c.credentials).getSignedURL(c.endpoint, c.params, c.date);
}
