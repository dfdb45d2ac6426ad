/**
 * Model-driven wire fidelity: boundary cases generated from the botocore service
 * models in test/models go to the emulator (signed) and to core's builders, and
 * both must judge each case as the model does. The model is the only oracle here:
 * this file reads the JSON models itself (not the emulator's generated table), so
 * a mistake in the emulator's validator cannot hide behind the same mistake here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@kvs-sig/core';
import type { Emulator } from '../src';
import { ROUTES } from '../src/operations';
import { call, createChannel, createStream, withEmulator, type Reply } from './helpers';

type Json = Record<string, unknown>;
interface Shape {
  type: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  exception?: boolean;
  error?: { httpStatusCode?: number };
}
interface Model {
  metadata: { uid: string };
  operations: Record<string, { http: { requestUri: string }; input?: { shape: string }; output?: { shape: string }; errors?: Array<{ shape: string }> }>;
  shapes: Record<string, Shape>;
}

const load = (file: string): Model => JSON.parse(readFileSync(join(__dirname, 'models', `${file}.json`), 'utf8')) as Model;
const MODELS = { kinesisvideo: load('kinesisvideo'), signaling: load('kinesis-video-signaling'), storage: load('kinesis-video-webrtc-storage') };
const modelOf = (op: string): Model => {
  for (const m of Object.values(MODELS)) if (m.operations[op]) return m;
  throw new Error(`no model has ${op}`);
};

// ---- the oracle: what the model says about a value ----

const cp = (s: string): number => [...s].length;
const regexes = new Map<string, RegExp>();
/** The whole value must match (the service runs Java's `matches()`). */
const whole = (p: string): RegExp => {
  let re = regexes.get(p);
  if (!re) regexes.set(p, (re = new RegExp(`^(?:${p})$`, 'u')));
  return re;
};

/** Whether `value` satisfies shape `name` of model `m` as an input. */
function valid(m: Model, name: string, value: unknown): boolean {
  const s = m.shapes[name]!;
  const inRange = (n: number) => (s.min === undefined || n >= s.min) && (s.max === undefined || n <= s.max);
  switch (s.type) {
    case 'string':
      return typeof value === 'string' && inRange(cp(value)) && (s.pattern === undefined || whole(s.pattern).test(value)) && (s.enum === undefined || s.enum.includes(value));
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value) && inRange(value);
    case 'list':
      return Array.isArray(value) && inRange(value.length) && value.every((v) => v !== null && valid(m, s.member!.shape, v));
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value) && inRange(Object.keys(value).length) &&
        Object.entries(value).every(([k, v]) => valid(m, s.key!.shape, k) && v !== null && valid(m, s.value!.shape, v));
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const o = value as Json;
      return Object.entries(s.members ?? {}).every(([k, ref]) => (o[k] === undefined || o[k] === null ? !(s.required ?? []).includes(k) : valid(m, ref.shape, o[k])));
    }
    default:
      return true;
  }
}

/**
 * Problems of a reply value against an output shape: types, required members,
 * enums, numeric ranges and maximum lengths. Not patterns or minimum sizes: the
 * models reuse request-side shapes for outputs (TURN usernames carry ':' where
 * the `Username` pattern has none; an untagged resource's `Tags` is `{}`), so
 * those describe requests, not what the service sends (protocol.md §6).
 */
function outputProblems(m: Model, name: string, value: unknown, path: string, out: string[] = []): string[] {
  const s = m.shapes[name]!;
  const bad = (what: string) => out.push(`${path}: ${what}`);
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') bad('not a string');
      else {
        if (s.max !== undefined && cp(value) > s.max) bad(`longer than ${s.max}`);
        if (s.enum && !s.enum.includes(value)) bad(`${value} not in ${s.enum.join('|')}`);
      }
      break;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) bad('not an integer');
      else if ((s.min !== undefined && value < s.min) || (s.max !== undefined && value > s.max)) bad(`${value} out of range`);
      break;
    case 'timestamp':
      if (typeof value !== 'number') bad('not epoch seconds');
      break;
    case 'boolean':
      if (typeof value !== 'boolean') bad('not a boolean');
      break;
    case 'list':
      if (!Array.isArray(value)) bad('not a list');
      else value.forEach((v, i) => outputProblems(m, s.member!.shape, v, `${path}[${i}]`, out));
      break;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('not a map');
      else for (const [k, v] of Object.entries(value)) outputProblems(m, s.value!.shape, v, `${path}.${k}`, out);
      break;
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        bad('not an object');
        break;
      }
      const o = value as Json;
      for (const r of s.required ?? []) if (o[r] === undefined || o[r] === null) bad(`${r} missing`);
      for (const [k, v] of Object.entries(o)) {
        const ref = s.members?.[k];
        if (!ref) bad(`${k} is not in the model`);
        else if (v !== null) outputProblems(m, ref.shape, v, `${path}.${k}`, out);
      }
    }
  }
  return out;
}

// ---- case generation ----

const ASTRAL_LETTER = '\u{1D400}'; // MATHEMATICAL BOLD CAPITAL A: one code point (\p{L}), two UTF-16 units.

/** A string of `n` code points that matches `shape`'s pattern when it can, varied by `seed`. */
function filler(s: Shape, n: number, seed = ''): string {
  const cands: string[] = [];
  if (n < 0) return '';
  if (s.pattern?.includes('kinesisvideo')) {
    const head = `arn:aws:kinesisvideo:us-west-2:123456789012:channel/${seed}`;
    const tail = '/1234567890123';
    if (n >= head.length + tail.length + 1) cands.push(head + 'a'.repeat(n - head.length - tail.length) + tail);
  }
  if (s.pattern?.includes('/')) cands.push(`v/${'a'.repeat(Math.max(0, n - 2))}`.slice(0, Math.max(n, 0)));
  const body = (c: string) => (seed + c.repeat(Math.max(0, n - cp(seed)))).slice(0, n);
  cands.push(body('a'), body('A'), 'a'.repeat(n));
  for (const c of cands) if (cp(c) === n && (s.pattern === undefined || whole(s.pattern).test(c))) return c;
  return 'a'.repeat(n);
}

interface Case {
  op: string;
  what: string;
  body: Json;
  /** The member path the case changes (for "the refusal names it"). */
  member: string;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Sets (or with `undefined`, removes) the member at `path` of a copy of `body`. */
function withMember(body: Json, path: Array<string | number>, value: unknown): Json {
  const copy = clone(body);
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(last as number, 1);
    else delete at[last];
  } else at[last] = value;
  return copy;
}

/** The i-th distinct version of a list element (tags need distinct keys). */
function variant(m: Model, shapeName: string, base: unknown, i: number): unknown {
  const s = m.shapes[shapeName]!;
  if (s.type === 'string') return s.enum ? s.enum[i % s.enum.length] : filler(s, Math.min(Math.max(cp(String(base)), String(i).length + 1), s.max ?? 64), `k${i}`);
  if (s.type === 'structure' && typeof base === 'object' && base !== null) {
    const o = clone(base) as Json;
    const first = Object.entries(s.members ?? {}).find(([k, r]) => typeof o[k] === 'string' && !m.shapes[r.shape]!.enum);
    if (first) o[first[0]] = `k${i}`;
    return o;
  }
  return base;
}

function casesFor(op: string, base: Json): Case[] {
  const m = modelOf(op);
  const out: Case[] = [];
  const walk = (shapeName: string, value: unknown, path: Array<string | number>, label: string) => {
    const s = m.shapes[shapeName]!;
    const add = (what: string, v: unknown) => out.push({ op, what: `${label} ${what}`, body: withMember(base, path, v), member: label });
    // A collection at, below and above its size bounds.
    const sizes = (make: (n: number) => unknown) => {
      if (s.min !== undefined) {
        add(`with min ${s.min} entries`, make(s.min));
        if (s.min > 0) add(`with ${s.min - 1} entries`, make(s.min - 1));
      }
      if (s.max !== undefined) {
        add(`with max ${s.max} entries`, make(s.max));
        add(`with ${s.max + 1} entries`, make(s.max + 1));
      }
    };
    if (s.type === 'string') {
      const str = String(value);
      if (s.min !== undefined) {
        add(`at min length ${s.min}`, filler(s, s.min));
        if (s.min > 0) add(`below min length (${s.min - 1})`, filler(s, s.min - 1));
      }
      if (s.max !== undefined) {
        add(`at max length ${s.max}`, filler(s, s.max));
        add(`above max length (${s.max + 1})`, filler(s, s.max + 1));
        const astral = ASTRAL_LETTER.repeat(s.max);
        if (s.pattern === undefined || whole(s.pattern).test(astral)) {
          add(`at max length in astral code points (${2 * s.max} UTF-16 units)`, astral);
          add('above max length in astral code points', astral + ASTRAL_LETTER);
        }
      }
      if (s.pattern !== undefined) {
        for (const bad of ['!', '#', ' ', '\u00e9', '\n']) {
          add(`with ${JSON.stringify(bad)} appended (whole-value match)`, str + bad);
          add(`with ${JSON.stringify(bad)} prepended`, bad + str);
        }
      }
      if (s.enum !== undefined) {
        add('not in the enum', 'NOT_A_MEMBER');
        add('in lower case', s.enum[0]!.toLowerCase());
        for (const e of s.enum) add(`= ${e}`, e);
      }
      add('of the wrong type (number)', 5);
    } else if (s.type === 'integer' || s.type === 'long') {
      if (s.min !== undefined) {
        add(`at min ${s.min}`, s.min);
        add(`below min (${s.min - 1})`, s.min - 1);
      }
      if (s.max !== undefined) {
        add(`at max ${s.max}`, s.max);
        add(`above max (${s.max + 1})`, s.max + 1);
      }
      add('not an integer', 6.5);
    } else if (s.type === 'list' && Array.isArray(value) && value.length > 0) {
      const make = (n: number) => Array.from({ length: n }, (_, i) => variant(m, s.member!.shape, value[0], i));
      sizes(make);
      add('with a null entry', [null]);
      walk(s.member!.shape, value[0], [...path, 0], `${label}[0]`);
    } else if (s.type === 'map' && typeof value === 'object' && value !== null) {
      const entries = Object.entries(value as Json);
      const make = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, entries[0]?.[1] ?? 'v']));
      sizes(make);
      const key = m.shapes[s.key!.shape]!;
      if (key.max !== undefined) {
        add(`with a key of ${key.max + 1} code points`, { [filler(key, key.max + 1)]: entries[0]?.[1] ?? 'v' });
        add(`with a key of ${key.max} code points`, { [filler(key, key.max)]: entries[0]?.[1] ?? 'v' });
      }
      add('with a key "bad!"', { 'bad!': entries[0]?.[1] ?? 'v' });
    } else if (s.type === 'structure' && typeof value === 'object' && value !== null) {
      for (const [k, ref] of Object.entries(s.members ?? {})) {
        const v = (value as Json)[k];
        const sub = label === '' ? k : `${label}.${k}`;
        if (v === undefined) continue;
        out.push({ op, what: `${sub} missing`, body: withMember(base, [...path, k], undefined), member: sub });
        out.push({ op, what: `${sub} null`, body: withMember(base, [...path, k], null), member: sub });
        walk(ref.shape, v, [...path, k], sub);
      }
    }
  };
  out.push({ op, what: 'the base request', body: clone(base), member: '' });
  walk(m.operations[op]!.input!.shape, base, [], '');
  return out;
}

// ---- core's builders, fed the same cases ----

const CP = { controlPlaneEndpoint: 'https://kinesisvideo.us-west-2.amazonaws.com' };
const HTTPS = 'https://r-1234.kinesisvideo.us-west-2.amazonaws.com';
const opt = (v: unknown) => (v === null ? undefined : v);

/** Each case as core's builder takes it, or `undefined` when core's input cannot express it. */
const CORE: Record<string, (b: Json) => (() => unknown) | undefined> = {
  CreateSignalingChannel: (b) => {
    const smc = b.SingleMasterConfiguration as Json | null | undefined;
    const tags = b.Tags as Array<Json | null> | null | undefined;
    return () =>
      core.constructCreateSignalingChannelRequest(
        {
          channelName: opt(b.ChannelName) as string,
          channelType: opt(b.ChannelType) as never,
          messageTtlSeconds: opt(smc?.MessageTtlSeconds) as number,
          tags: tags === null || tags === undefined ? undefined : (tags.map((t) => (t === null ? null : { key: opt(t.Key), value: opt(t.Value) })) as never),
        },
        CP,
      );
  },
  DescribeSignalingChannel: (b) => () => core.constructDescribeSignalingChannelRequest({ channelName: opt(b.ChannelName), channelArn: opt(b.ChannelARN) } as never, CP),
  DescribeMediaStorageConfiguration: (b) => () => core.constructDescribeMediaStorageConfigurationRequest({ channelName: opt(b.ChannelName), channelArn: opt(b.ChannelARN) } as never, CP),
  ListSignalingChannels: (b) => {
    const cond = b.ChannelNameCondition as Json | null | undefined;
    // Core always sends BEGINS_WITH, the only operator; it cannot send another or a condition without a value.
    if (cond && (cond.ComparisonOperator !== 'BEGINS_WITH' || cond.ComparisonValue === undefined || cond.ComparisonValue === null)) return undefined;
    return () => core.constructListSignalingChannelsRequest({ maxResults: opt(b.MaxResults) as number, nextToken: opt(b.NextToken) as string, channelNamePrefix: opt(cond?.ComparisonValue) as string }, CP);
  },
  UpdateSignalingChannel: (b) => {
    const smc = b.SingleMasterConfiguration as Json | null | undefined;
    return () => core.constructUpdateSignalingChannelRequest({ channelArn: opt(b.ChannelARN) as string, currentVersion: opt(b.CurrentVersion) as string, messageTtlSeconds: opt(smc?.MessageTtlSeconds) as number }, CP);
  },
  DeleteSignalingChannel: (b) => () => core.constructDeleteSignalingChannelRequest({ channelArn: opt(b.ChannelARN) as string, currentVersion: opt(b.CurrentVersion) as string }, CP),
  GetSignalingChannelEndpoint: (b) => {
    const c = b.SingleMasterChannelEndpointConfiguration as Json | null | undefined;
    return () => core.constructGetSignalingChannelEndpointRequest({ channelArn: opt(b.ChannelARN) as string, protocols: opt(c?.Protocols) as never, role: opt(c?.Role) as never }, CP);
  },
  UpdateMediaStorageConfiguration: (b) => {
    const c = b.MediaStorageConfiguration as Json | null | undefined;
    if (c === null || c === undefined) return () => core.constructUpdateMediaStorageConfigurationRequest({ channelArn: opt(b.ChannelARN) } as never, CP);
    return () => core.constructUpdateMediaStorageConfigurationRequest({ channelArn: opt(b.ChannelARN) as string, status: opt(c.Status) as never, streamArn: opt(c.StreamARN) as string }, CP);
  },
  GetIceServerConfig: (b) => () =>
    core.constructGetIceServerConfigRequest({ httpsEndpoint: HTTPS, channelArn: opt(b.ChannelARN) as string, clientId: opt(b.ClientId) as string, service: opt(b.Service) as never, username: opt(b.Username) as string }),
  SendAlexaOfferToMaster: (b) => () =>
    core.constructSendAlexaOfferToMasterRequest({ httpsEndpoint: HTTPS, channelArn: opt(b.ChannelARN) as string, senderClientId: opt(b.SenderClientId) as string, messagePayload: opt(b.MessagePayload) as string }),
  JoinStorageSession: (b) => () => core.constructJoinStorageSessionRequest({ webrtcEndpoint: HTTPS, channelArn: opt(b.channelArn) as string }),
  JoinStorageSessionAsViewer: (b) => () => core.constructJoinStorageSessionAsViewerRequest({ webrtcEndpoint: HTTPS, channelArn: opt(b.channelArn) as string, clientId: opt(b.clientId) as string }),
};

/** Whether core's refusal is one of its documented differences from the model. */
function documentedStricter(op: string, err: core.ValidationError): boolean {
  const field = err.field.replace(/\[\d+\]/g, '[i]');
  return core.STRICTER_THAN_MODEL.some((e) => e.operations.includes(op) && e.field === field);
}

// ---- the run ----

let emu: Emulator;
afterAll(async () => {
  await emu?.close();
});

test('the emulator and core judge every generated boundary case as the service models do; every reply fits the model', async () => {
  emu = await withEmulator();
  const arn = await createChannel(emu, 'wf');
  const streamArn = await createStream(emu, 'wfs');
  const sarn = streamArn;
  const pathOf = Object.fromEntries(Object.entries(ROUTES).map(([p, op]) => [op, p]));

  const BASES: Record<string, Json[]> = {
    CreateSignalingChannel: [{ ChannelName: 'wf-new', ChannelType: 'SINGLE_MASTER', SingleMasterConfiguration: { MessageTtlSeconds: 60 }, Tags: [{ Key: 'k', Value: 'v' }] }],
    DescribeSignalingChannel: [{ ChannelName: 'wf' }, { ChannelARN: arn }],
    ListSignalingChannels: [{ MaxResults: 10, NextToken: '', ChannelNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'wf' } }],
    UpdateSignalingChannel: [{ ChannelARN: arn, CurrentVersion: 'v1', SingleMasterConfiguration: { MessageTtlSeconds: 60 } }],
    DeleteSignalingChannel: [{ ChannelARN: arn, CurrentVersion: 'v1' }],
    GetSignalingChannelEndpoint: [{ ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS'], Role: 'MASTER' } }],
    DescribeMediaStorageConfiguration: [{ ChannelName: 'wf' }, { ChannelARN: arn }],
    UpdateMediaStorageConfiguration: [{ ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: streamArn } }],
    TagResource: [{ ResourceARN: arn, Tags: [{ Key: 'k', Value: 'v' }] }],
    UntagResource: [{ ResourceARN: arn, TagKeyList: ['k'] }],
    ListTagsForResource: [{ ResourceARN: arn, NextToken: '' }],
    CreateStream: [{ DeviceName: 'd', StreamName: 'wfs-new', MediaType: 'video/h264', KmsKeyId: 'key', DataRetentionInHours: 1, Tags: { k: 'v' }, StreamStorageConfiguration: { DefaultStorageTier: 'HOT' } }],
    DescribeStream: [{ StreamName: 'wfs' }, { StreamARN: sarn }],
    DeleteStream: [{ StreamARN: sarn, CurrentVersion: 'v1' }],
    ListStreams: [{ MaxResults: 10, NextToken: '', StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'wf' } }],
    GetIceServerConfig: [{ ChannelARN: arn, ClientId: 'c', Service: 'TURN', Username: 'u' }],
    SendAlexaOfferToMaster: [{ ChannelARN: arn, SenderClientId: 'c', MessagePayload: 'AAAA' }],
    JoinStorageSession: [{ channelArn: arn }],
    JoinStorageSessionAsViewer: [{ channelArn: arn, clientId: 'v' }],
  };
  // Every operation the emulator serves over HTTP is covered.
  expect(Object.keys(BASES).sort()).toEqual(Object.values(ROUTES).sort());

  const cases: Case[] = [];
  for (const [op, bases] of Object.entries(BASES)) {
    for (const b of bases) {
      expect(valid(modelOf(op), modelOf(op).operations[op]!.input!.shape, b)).toBe(true);
      cases.push(...casesFor(op, b));
    }
  }

  const disagreements: string[] = [];
  let coreCompared = 0;
  let coreStricter = 0;
  let modelInvalid = 0;
  const judge = async (c: Case) => {
    const m = modelOf(c.op);
    const o = m.operations[c.op]!;
    const ok = valid(m, o.input!.shape, c.body);
    if (!ok) modelInvalid++;
    const tag = `${c.op}: ${c.what} (model: ${ok ? 'valid' : 'invalid'})`;

    // The emulator.
    const r: Reply = await call(emu, pathOf[c.op]!, c.body);
    const type = String(r.headers['x-amzn-errortype'] ?? '').split(':')[0] ?? '';
    const msgKey = Object.keys(r.json).find((k) => k.toLowerCase() === 'message');
    const message = msgKey ? String(r.json[msgKey]) : '';
    const validationRefusal = r.status === 400 && type === 'InvalidArgumentException' && /^\d+ validation errors? detected: /.test(message);
    if (!ok) {
      const named = c.member.split('.').pop()!.replace(/\[\d+\]$/, '');
      if (!validationRefusal) disagreements.push(`${tag}: emulator answered ${r.status} ${type} ${r.text.slice(0, 160)}`);
      else if (!message.toLowerCase().includes(named.toLowerCase())) disagreements.push(`${tag}: the refusal does not name ${named}: ${message.slice(0, 200)}`);
    } else if (validationRefusal) {
      disagreements.push(`${tag}: emulator refused it: ${message.slice(0, 200)}`);
    }
    if (r.status === 200) {
      if (o.output) for (const p of outputProblems(m, o.output.shape, r.text === '' ? {} : r.json, c.op)) disagreements.push(`${tag}: reply ${p}`);
    } else {
      const declared = (o.errors ?? []).map((e) => e.shape);
      const ex = m.shapes[type];
      if (!declared.includes(type) || !ex) disagreements.push(`${tag}: ${type} (${r.status}) is not a declared error of ${c.op}`);
      else {
        if (r.status !== (ex.error?.httpStatusCode ?? 400)) disagreements.push(`${tag}: ${type} came with ${r.status}, the model says ${ex.error?.httpStatusCode}`);
        const member = Object.keys(ex.members ?? {}).find((k) => k.toLowerCase() === 'message');
        if (member && msgKey !== member) disagreements.push(`${tag}: error message member is ${msgKey}, the model says ${member}`);
      }
    }

    // Core's builder.
    const build = CORE[c.op]?.(c.body);
    if (!build) return;
    coreCompared++;
    let refused: core.ValidationError | undefined;
    try {
      build();
    } catch (e) {
      if (!(e instanceof core.ValidationError)) throw e;
      refused = e;
      expect(refused.field.length).toBeGreaterThan(0);
    }
    if (!ok && !refused) disagreements.push(`${tag}: core accepted it`);
    if (ok && refused) {
      if (documentedStricter(c.op, refused)) coreStricter++;
      else disagreements.push(`${tag}: core refused it (${refused.message})`);
    }
  };
  const queue = [...cases];
  await Promise.all(Array.from({ length: 6 }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) await judge(c);
  }));

  console.log(
    `wire fidelity: ${cases.length} cases over ${Object.keys(BASES).length} operations (${modelInvalid} invalid per the model), ` +
      `${coreCompared} also through core's builders (${coreStricter} refused under STRICTER_THAN_MODEL); ${disagreements.length} disagreements`,
  );
  expect(disagreements).toEqual([]);
  expect(cases.length).toBeGreaterThan(500);
}, 120_000);
