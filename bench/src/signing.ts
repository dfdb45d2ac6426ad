/**
 * Benchmark 3: SigV4 throughput. Presigned WebSocket URLs per second and
 * signed control-plane requests per second: ours (`@kvs-sig/signer`) against
 * the official SDK's `SigV4RequestSigner` and against `@smithy/signature-v4`
 * used directly.
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest as SmithyRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createSigV4RequestSigner, signRequest } from '@kvs-sig/signer';
import { SigV4RequestSigner } from 'amazon-kinesis-video-streams-webrtc';
import { fmt, ratio, recorder, interleavedThroughput, type BenchContext, type BenchResult, type Throughput } from './harness';
import { templates } from './template';

const REGION = 'us-west-2';
const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKENvalueOfRealisticLength'.repeat(8),
};
const WSS_ENDPOINT = 'wss://m-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com';
const CHANNEL_ARN = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/bench-channel/1700000000000';
const QUERY = { 'X-Amz-ChannelARN': CHANNEL_ARN };
const DESCRIBE_BODY = JSON.stringify({ ChannelName: 'bench-channel' });

/** RFC 3986 escaping and sorted keys: the least a caller of smithy's `presign` must add to get a usable URL. */
function smithyUrl(req: SmithyRequest): string {
  const q = req.query as Record<string, string>;
  const esc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = Object.keys(q)
    .sort()
    .map((k) => `${esc(k)}=${esc(q[k] as string)}`)
    .join('&');
  return `wss://${req.hostname}${req.path}?${query}`;
}

type HashCtor = ConstructorParameters<typeof SignatureV4>[0]['sha256'];

/** The native-crypto hash that AWS SDK v3 uses on Node, resolved through the installed V3 client. */
function nodeHash(): HashCtor | null {
  try {
    const v3 = createRequire(import.meta.url).resolve('@aws-sdk/client-kinesis-video');
    const mod = createRequire(v3)('@smithy/hash-node') as { Hash: new (alg: string) => unknown };
    const Hash = mod.Hash;
    return function Sha256Node(this: unknown, secret?: unknown) {
      return new (Hash as unknown as new (a: string, s?: unknown) => unknown)('sha256', secret);
    } as unknown as HashCtor;
  } catch {
    return null;
  }
}

/** Runs the signing benchmark. @public */
export async function runSigning(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const rec = recorder();
  const plan = ctx.quick ? { warmup: 5, batch: 10, samples: 3 } : { warmup: 300, batch: 300, samples: 21 };

  const ours = createSigV4RequestSigner({ credentials: CREDENTIALS, region: REGION });
  const official = new SigV4RequestSigner(REGION, CREDENTIALS);
  const smithy = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'kinesisvideo', sha256: Sha256, uriEscapePath: false });
  const NodeHash = nodeHash();
  const smithyNative = NodeHash ? new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'kinesisvideo', sha256: NodeHash }) : null;
  const presignRequest = (): SmithyRequest =>
    new SmithyRequest({ method: 'GET', protocol: 'wss:', hostname: WSS_ENDPOINT.slice(6), path: '/', query: { ...QUERY }, headers: { host: WSS_ENDPOINT.slice(6) } });
  const describeRequest = (): SmithyRequest =>
    new SmithyRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: 'kinesisvideo.us-west-2.amazonaws.com',
      path: '/describeSignalingChannel',
      headers: { host: 'kinesisvideo.us-west-2.amazonaws.com', 'content-type': 'application/json' },
      body: DESCRIBE_BODY,
    });

  // Equal work: at a fixed date ours and the official signer must produce the same URL.
  const fixed = new Date('2026-01-02T03:04:05Z');
  const a = await ours.getSignedUrl(WSS_ENDPOINT, QUERY, fixed);
  const b = await official.getSignedURL(WSS_ENDPOINT, QUERY, fixed);
  const c = smithyUrl((await smithy.presign(presignRequest(), { signingDate: fixed, expiresIn: 299 })) as SmithyRequest);
  const sameUrl = a === b && b === c;
  if (!sameUrl) ctx.log(`signing: URLs differ at a fixed date\n ours     ${a}\n official ${b}\n smithy   ${c}`);

  const presignOps: Record<string, () => unknown> = {
    ours: () => ours.getSignedUrl(WSS_ENDPOINT, QUERY),
    official: () => official.getSignedURL(WSS_ENDPOINT, QUERY),
    smithy: async () => smithyUrl((await smithy.presign(presignRequest(), { expiresIn: 299 })) as SmithyRequest),
  };
  const describe = { method: 'POST' as const, url: 'https://kinesisvideo.us-west-2.amazonaws.com/describeSignalingChannel', headers: { 'content-type': 'application/json' }, body: DESCRIBE_BODY };
  const signOps: Record<string, () => unknown> = {
    ours: () => ours.signRequest(describe),
    'ours (signRequest fn)': () => signRequest(describe, { credentials: CREDENTIALS, region: REGION }),
    smithy: () => smithy.sign(describeRequest()),
  };
  if (smithyNative) {
    presignOps['smithy + node crypto'] = async () => smithyUrl((await smithyNative.presign(presignRequest(), { expiresIn: 299 })) as SmithyRequest);
    signOps['smithy + node crypto'] = () => smithyNative.sign(describeRequest());
  }
  ctx.log('signing: presign');
  const presign: Record<string, Throughput> = await interleavedThroughput(presignOps, plan);
  ctx.log('signing: sign');
  const sign: Record<string, Throughput> = await interleavedThroughput(signOps, plan);

  const rows = (set: Record<string, Throughput>, metric: string): string[][] => {
    const base = (set.ours as Throughput).cpuMicrosPerOp.p50;
    return Object.entries(set).map(([subject, t]) => {
      rec.add(subject, `${metric}.opsPerSec`, t.opsPerSec.p50, 'ops/s');
      rec.add(subject, `${metric}.cpuMicrosPerOp`, t.cpuMicrosPerOp.p50, 'µs');
      return [subject, fmt(t.opsPerSec.p50), fmt(t.opsPerSec.min), fmt(t.wallMicrosPerOp.p50), fmt(t.cpuMicrosPerOp.p50), subject === 'ours' ? '1x' : ratio(t.cpuMicrosPerOp.p50, base)];
    });
  };
  const columns = ['implementation', 'ops/s (median of batches)', 'ops/s (worst batch)', 'wall µs/op', 'CPU µs/op', 'its CPU / ours'];
  const presignRows = rows(presign, 'presign');
  const signRows = [...rows(sign, 'sign'), ['official SigV4RequestSigner', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']];
  // CPU per operation, not wall time: on a shared machine wall time also measures the neighbours.
  const oursVsOfficial = (presign.official as Throughput).cpuMicrosPerOp.p50 / (presign.ours as Throughput).cpuMicrosPerOp.p50;
  // What our wrapping costs per presign over bare smithy with the same (native) hash, in percent.
  const sameHash = presign['smithy + node crypto'] !== undefined;
  const bare = (presign['smithy + node crypto'] ?? presign.smithy) as Throughput;
  const extra = ((presign.ours as Throughput).cpuMicrosPerOp.p50 / bare.cpuMicrosPerOp.p50 - 1) * 100;
  const prose = templates('signing');

  return {
    name: 'signing',
    title: 'Signing: presigned URLs and signed requests per second',
    method: prose.render('method', { samples: plan.samples, batch: plan.batch, warmup: plan.warmup, sameUrl }),
    tables: [
      { title: 'Presigned WebSocket URLs', columns, rows: presignRows },
      { title: 'Signed control-plane requests', columns, rows: signRows },
    ],
    measurements: rec.list,
    goals: [],
    notes: [
      oursVsOfficial >= 1 ? prose.render('note.vs-official.less', { ratio: fmt(oursVsOfficial) }) : prose.render('note.vs-official.more', { ratio: fmt(1 / oursVsOfficial) }),
      prose.render('note.vs-smithy', { more: extra >= 0, extra: fmt(Math.abs(extra)), sameHash, oursMicros: fmt((presign.ours as Throughput).cpuMicrosPerOp.p50) }),
      prose.render('note.native'),
    ],
    seconds: (performance.now() - started) / 1000,
  };
}
