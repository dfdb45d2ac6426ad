import { createHash, createHmac } from 'node:crypto';
import { awsError, invalidArgument } from './aws-errors';
import type { Channel, ChannelStore } from './channels';
import { cannedSession, type MediaServer } from './media-server';
import type { SignalingHub } from './signaling';
import { recvFrame } from './wire';
import type { Clock } from './state';
import type { EmulatorLimits, Operation, TurnRestConfig } from './types';
import { DEFAULT_MESSAGE_TTL_SECONDS, MAX_TAGS, isValidClientId } from '@kvs-sig/core';
import { validateInput } from './model-validate';
import { streamsOf, type Stream } from './streams';
import { BASE64_PATTERN, type Json } from './validate';

/** What every operation handler can use. @internal */
export interface OperationContext {
  store: ChannelStore;
  hub: SignalingHub;
  mediaServer: MediaServer;
  clock: Clock;
  limits: EmulatorLimits;
  /** `https://127.0.0.1:PORT` (or `http://` without TLS). */
  httpOrigin: string;
  /** `wss://127.0.0.1:PORT` (or `ws://`). */
  wsOrigin: string;
  /** What GetSignalingChannelEndpoint returns per protocol (the origins above unless `advertisedEndpoints` says otherwise). */
  advertised: { HTTPS: string; WSS: string; WEBRTC: string };
  turn: TurnRestConfig | undefined;
  /** Servers listed by GetIceServerConfig. */
  iceServerCount: number;
  /** Secret that derives the default (fake) TURN credentials. */
  iceSecret: Buffer;
}

/** What a handler returns: the JSON reply (undefined = empty body) and the channel it touched. @internal */
export interface OperationResult {
  body: unknown;
  channelArn?: string;
}

type Handler = (body: Json, ctx: OperationContext) => OperationResult | Promise<OperationResult>;

/** Paths of the three HTTP services, as the SDKs call them. @internal */
export const ROUTES: Readonly<Record<string, Operation>> = {
  '/createSignalingChannel': 'CreateSignalingChannel',
  '/describeSignalingChannel': 'DescribeSignalingChannel',
  '/listSignalingChannels': 'ListSignalingChannels',
  '/updateSignalingChannel': 'UpdateSignalingChannel',
  '/deleteSignalingChannel': 'DeleteSignalingChannel',
  '/getSignalingChannelEndpoint': 'GetSignalingChannelEndpoint',
  '/describeMediaStorageConfiguration': 'DescribeMediaStorageConfiguration',
  '/updateMediaStorageConfiguration': 'UpdateMediaStorageConfiguration',
  '/TagResource': 'TagResource',
  '/UntagResource': 'UntagResource',
  '/ListTagsForResource': 'ListTagsForResource',
  '/createStream': 'CreateStream',
  '/describeStream': 'DescribeStream',
  '/deleteStream': 'DeleteStream',
  '/listStreams': 'ListStreams',
  '/v1/get-ice-server-config': 'GetIceServerConfig',
  '/v1/send-alexa-offer-to-master': 'SendAlexaOfferToMaster',
  '/joinStorageSession': 'JoinStorageSession',
  '/joinStorageSessionAsViewer': 'JoinStorageSessionAsViewer',
};

/** Operations of the webrtc-storage model (lower-case `message` in errors, 403 AccessDenied). @internal */
export const STORAGE_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>(['JoinStorageSession', 'JoinStorageSessionAsViewer']);

const NOT_FOUND = 'The requested channel is not found or not active.';
const STREAM_NOT_FOUND = 'The requested stream is not found or not active.';

// Handlers run after validateInput (model-validate.ts): every member they read
// has the model's type and constraints, so they only cast and look up.
const str = (body: Json, field: string): string | undefined => (typeof body[field] === 'string' ? (body[field] as string) : undefined);
const obj = (body: Json, field: string): Json | undefined => {
  const v = body[field];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
};
const int = (body: Json, field: string): number | undefined => (typeof body[field] === 'number' ? (body[field] as number) : undefined);

function channelByArn(ctx: OperationContext, arn: string | undefined): Channel {
  const channel = arn === undefined ? undefined : ctx.store.getByArn(arn);
  if (!channel) throw awsError('ResourceNotFoundException', NOT_FOUND);
  return channel;
}

/** Describe* take a name or an ARN; when both are given they must agree. */
function channelByNameOrArn(body: Json, ctx: OperationContext): Channel {
  const name = str(body, 'ChannelName');
  const arn = str(body, 'ChannelARN');
  if (name === undefined && arn === undefined) throw invalidArgument('Either ChannelName or ChannelARN is required');
  const channel = arn !== undefined ? ctx.store.getByArn(arn) : ctx.store.getByName(name ?? '');
  if (!channel || (name !== undefined && channel.name !== name)) throw awsError('ResourceNotFoundException', NOT_FOUND);
  return channel;
}

function streamByNameOrArn(body: Json, ctx: OperationContext): Stream {
  const name = str(body, 'StreamName');
  const arn = str(body, 'StreamARN');
  if (name === undefined && arn === undefined) throw invalidArgument('Either StreamName or StreamARN is required');
  const streams = streamsOf(ctx.store);
  const stream = arn !== undefined ? streams.getByArn(arn) : streams.getByName(name ?? '');
  if (!stream || (name !== undefined && stream.name !== name)) throw awsError('ResourceNotFoundException', STREAM_NOT_FOUND);
  return stream;
}

/** Tag operations take the ARN of a channel or a stream. */
function taggable(ctx: OperationContext, arn: string | undefined): { tags: Map<string, string>; channelArn?: string; set(tags: Map<string, string>): void } {
  const channel = arn === undefined ? undefined : ctx.store.getByArn(arn);
  if (channel) return { tags: channel.tags, channelArn: channel.arn, set: (t) => (channel.tags = t) };
  const stream = arn === undefined ? undefined : streamsOf(ctx.store).getByArn(arn);
  if (stream) return { tags: stream.tags, set: (t) => (stream.tags = t) };
  throw awsError('ResourceNotFoundException', 'The requested resource is not found or not active.');
}

function streamInfo(s: Stream): Json {
  return {
    ...(s.deviceName !== undefined ? { DeviceName: s.deviceName } : {}),
    StreamName: s.name,
    StreamARN: s.arn,
    ...(s.mediaType !== undefined ? { MediaType: s.mediaType } : {}),
    KmsKeyId: s.kmsKeyId,
    Version: s.version,
    Status: s.status,
    CreationTime: s.creationTime,
    DataRetentionInHours: s.dataRetentionInHours,
  };
}

function channelInfo(c: Channel): Json {
  return {
    ChannelARN: c.arn,
    ChannelName: c.name,
    ChannelStatus: c.status,
    ChannelType: c.type,
    CreationTime: c.creationTime,
    SingleMasterConfiguration: { MessageTtlSeconds: c.messageTtlSeconds },
    Version: c.version,
  };
}

function checkVersion(body: Json, current: string): void {
  const version = str(body, 'CurrentVersion');
  if (version !== undefined && version !== current) {
    throw awsError('VersionMismatchException', `The version ${version} does not match the current version ${current}`);
  }
}

function messageTtl(body: Json): number | undefined {
  const config = obj(body, 'SingleMasterConfiguration');
  return config ? int(config, 'MessageTtlSeconds') : undefined;
}

function tagList(body: Json, field: string): Array<[string, string]> {
  const list = Array.isArray(body[field]) ? (body[field] as Json[]) : [];
  return list.map((t) => [t.Key as string, t.Value as string]);
}

function mergeTags(current: Map<string, string>, add: Array<[string, string]>): Map<string, string> {
  const merged = new Map(current);
  for (const [k, v] of add) merged.set(k, v);
  if (merged.size > MAX_TAGS) {
    throw awsError('TagsPerResourceExceededLimitException', `The resource would have more than ${MAX_TAGS} tags`);
  }
  return merged;
}

/** A paging position, encoded as the service's NextToken pattern `[a-zA-Z0-9+/=]*` allows. */
function page<T extends { name: string }>(all: T[], body: Json, prefix: string | undefined): { page: T[]; next?: string } {
  const max = int(body, 'MaxResults') ?? 500;
  const token = str(body, 'NextToken');
  let list = prefix === undefined ? all : all.filter((x) => x.name.startsWith(prefix));
  if (token) {
    const after = decodeToken(token);
    list = list.filter((x) => x.name > after);
  }
  const out = list.slice(0, max);
  const last = out[out.length - 1];
  return { page: out, ...(list.length > max && last ? { next: encodeToken(last.name) } : {}) };
}

/** base64 of a list position; the service's NextToken pattern is [a-zA-Z0-9+/=]*. */
function encodeToken(name: string): string {
  return Buffer.from(`after:${name}`, 'utf8').toString('base64');
}

function decodeToken(token: string): string {
  const text = BASE64_PATTERN.test(token) ? Buffer.from(token, 'base64').toString('utf8') : '';
  if (!text.startsWith('after:')) throw invalidArgument('NextToken is not a token this service issued');
  return text.slice('after:'.length);
}

/** What the storage media server sends a viewer that joined (no WebRTC stack behind it for viewers). */
function sendViewerStorageSession(hub: SignalingHub, peer: NonNullable<ReturnType<SignalingHub['viewer']>>): void {
  for (const f of cannedSession()) {
    const messagePayload = Buffer.from(JSON.stringify(f.body), 'utf8').toString('base64');
    hub.sendServiceFrame(peer, recvFrame({ messageType: f.messageType, messagePayload }));
  }
}

function storageChannel(body: Json, ctx: OperationContext): Channel {
  const channel = channelByArn(ctx, str(body, 'channelArn'));
  if (channel.mediaStorage.status !== 'ENABLED') {
    throw invalidArgument('The channel is not configured for media storage (UpdateMediaStorageConfiguration with Status ENABLED first)');
  }
  return channel;
}

/** The handlers, each after the input has passed the model (validation before any lookup). */
const RAW_HANDLERS: Readonly<Partial<Record<Operation, Handler>>> = {
  CreateSignalingChannel(body, ctx) {
    const name = body.ChannelName as string;
    if (str(body, 'ChannelType') === 'FULL_MESH') throw invalidArgument('Only SINGLE_MASTER channels are supported');
    const ttl = messageTtl(body) ?? DEFAULT_MESSAGE_TTL_SECONDS;
    const tags = tagList(body, 'Tags');
    mergeTags(new Map(), tags);
    if (ctx.store.getByName(name)) throw awsError('ResourceInUseException', `The signaling channel ${name} already exists`);
    if (ctx.store.size >= ctx.limits.maxChannels) {
      throw awsError('AccountChannelLimitExceededException', `The account already has the maximum of ${ctx.limits.maxChannels} channels`);
    }
    const channel = ctx.store.create(name, ttl, tags, ctx.clock.now());
    return { body: { ChannelARN: channel.arn }, channelArn: channel.arn };
  },

  DescribeSignalingChannel(body, ctx) {
    const channel = channelByNameOrArn(body, ctx);
    return { body: { ChannelInfo: channelInfo(channel) }, channelArn: channel.arn };
  },

  ListSignalingChannels(body, ctx) {
    const prefix = str(obj(body, 'ChannelNameCondition') ?? {}, 'ComparisonValue');
    const { page: list, next } = page(ctx.store.list(), body, prefix);
    return { body: { ChannelInfoList: list.map(channelInfo), ...(next !== undefined ? { NextToken: next } : {}) } };
  },

  UpdateSignalingChannel(body, ctx) {
    const channel = channelByArn(ctx, str(body, 'ChannelARN'));
    checkVersion(body, channel.version);
    const ttl = messageTtl(body);
    if (ttl !== undefined) channel.messageTtlSeconds = ttl;
    ctx.store.bumpVersion(channel);
    return { body: {}, channelArn: channel.arn };
  },

  DeleteSignalingChannel(body, ctx) {
    const channel = channelByArn(ctx, str(body, 'ChannelARN'));
    checkVersion(body, channel.version);
    ctx.store.delete(channel);
    ctx.hub.closeChannel(channel);
    return { body: {}, channelArn: channel.arn };
  },

  GetSignalingChannelEndpoint(body, ctx) {
    const channel = channelByArn(ctx, str(body, 'ChannelARN'));
    const config = obj(body, 'SingleMasterChannelEndpointConfiguration') ?? {};
    const protocols = (config.Protocols as Array<'WSS' | 'HTTPS' | 'WEBRTC'> | undefined) ?? ['WSS', 'HTTPS'];
    if (protocols.includes('WEBRTC') && channel.mediaStorage.status !== 'ENABLED') {
      throw invalidArgument('The WEBRTC protocol is only available for a channel with media storage enabled');
    }
    const list = [...new Set(protocols)].map((p) => ({ Protocol: p, ResourceEndpoint: ctx.advertised[p] }));
    return { body: { ResourceEndpointList: list }, channelArn: channel.arn };
  },

  DescribeMediaStorageConfiguration(body, ctx) {
    const channel = channelByNameOrArn(body, ctx);
    const m = channel.mediaStorage;
    return {
      body: { MediaStorageConfiguration: { Status: m.status, ...(m.streamArn !== undefined ? { StreamARN: m.streamArn } : {}) } },
      channelArn: channel.arn,
    };
  },

  UpdateMediaStorageConfiguration(body, ctx) {
    const channel = channelByArn(ctx, str(body, 'ChannelARN'));
    const config = obj(body, 'MediaStorageConfiguration') as Json;
    const status = config.Status as 'ENABLED' | 'DISABLED';
    const streamArn = str(config, 'StreamARN');
    if (status === 'ENABLED' && streamArn === undefined) throw invalidArgument('StreamARN is required when Status is ENABLED');
    if (streamArn !== undefined) {
      // The service maps the channel to an existing stream only, one with retention to store into.
      const stream = streamsOf(ctx.store).getByArn(streamArn);
      if (!stream) throw awsError('ResourceNotFoundException', STREAM_NOT_FOUND);
      if (status === 'ENABLED' && stream.dataRetentionInHours === 0) {
        throw awsError('NoDataRetentionException', `The stream ${stream.name} has a data retention of 0 hours`);
      }
    }
    channel.mediaStorage = { status, ...(streamArn !== undefined ? { streamArn } : {}) };
    return { body: {}, channelArn: channel.arn };
  },

  TagResource(body, ctx) {
    const resource = taggable(ctx, str(body, 'ResourceARN'));
    resource.set(mergeTags(resource.tags, tagList(body, 'Tags')));
    return { body: {}, ...(resource.channelArn !== undefined ? { channelArn: resource.channelArn } : {}) };
  },

  UntagResource(body, ctx) {
    const resource = taggable(ctx, str(body, 'ResourceARN'));
    for (const k of body.TagKeyList as string[]) resource.tags.delete(k);
    return { body: {}, ...(resource.channelArn !== undefined ? { channelArn: resource.channelArn } : {}) };
  },

  ListTagsForResource(body, ctx) {
    const resource = taggable(ctx, str(body, 'ResourceARN'));
    return { body: { Tags: Object.fromEntries(resource.tags) }, ...(resource.channelArn !== undefined ? { channelArn: resource.channelArn } : {}) };
  },

  CreateStream(body, ctx) {
    const name = body.StreamName as string;
    const streams = streamsOf(ctx.store);
    const tags = Object.entries((obj(body, 'Tags') ?? {}) as Record<string, string>);
    if (streams.getByName(name)) throw awsError('ResourceInUseException', `The stream ${name} already exists`);
    const deviceName = str(body, 'DeviceName');
    const mediaType = str(body, 'MediaType');
    const kmsKeyId = str(body, 'KmsKeyId');
    const stream = streams.create(
      {
        name,
        ...(deviceName !== undefined ? { deviceName } : {}),
        ...(mediaType !== undefined ? { mediaType } : {}),
        ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
        dataRetentionInHours: int(body, 'DataRetentionInHours') ?? 0,
        tags: new Map(tags),
      },
      ctx.clock.now(),
    );
    return { body: { StreamARN: stream.arn } };
  },

  DescribeStream(body, ctx) {
    return { body: { StreamInfo: streamInfo(streamByNameOrArn(body, ctx)) } };
  },

  DeleteStream(body, ctx) {
    const streams = streamsOf(ctx.store);
    const stream = streams.getByArn(body.StreamARN as string);
    if (!stream) throw awsError('ResourceNotFoundException', STREAM_NOT_FOUND);
    checkVersion(body, stream.version);
    const mapped = ctx.store.list().find((c) => c.mediaStorage.streamArn === stream.arn && c.mediaStorage.status === 'ENABLED');
    if (mapped) throw awsError('ResourceInUseException', `The stream is mapped to the channel ${mapped.name}`);
    streams.delete(stream);
    return { body: {} };
  },

  ListStreams(body, ctx) {
    const prefix = str(obj(body, 'StreamNameCondition') ?? {}, 'ComparisonValue');
    const { page: list, next } = page(streamsOf(ctx.store).list(), body, prefix);
    return { body: { StreamInfoList: list.map(streamInfo), ...(next !== undefined ? { NextToken: next } : {}) } };
  },

  GetIceServerConfig(body, ctx) {
    const channel = channelByArn(ctx, str(body, 'ChannelARN'));
    const clientId = str(body, 'ClientId');
    const ttl = ctx.limits.iceServerTtlSeconds;
    const expiry = Math.floor(ctx.clock.now() / 1000) + ttl;
    // TURN REST API credentials: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username)).
    const credential = (secret: string | Buffer, tag: string) => {
      // A short opaque id keeps Username within the model's 1-256 characters whatever the channel name.
      const id = createHash('sha256').update(`${channel.arn}\n${clientId ?? ''}\n${channel.iceEpoch}\n${tag}`).digest('base64url').slice(0, 22);
      const username = `${expiry}:${id}`;
      return { Username: username, Password: createHmac('sha1', secret).update(username).digest('base64') };
    };
    const tags = Array.from({ length: ctx.iceServerCount }, (_, i) => `t${i}`);
    if (ctx.turn) {
      const turn = ctx.turn;
      return { body: { IceServerList: tags.map((tag) => ({ Uris: turn.urls, ...credential(turn.secret, tag), Ttl: ttl })) }, channelArn: channel.arn };
    }
    const host = new URL(ctx.httpOrigin).hostname;
    const server = (tag: string) => ({
      Uris: [`turn:${host}:3478?transport=udp`, `turns:${host}:5349?transport=udp`, `turns:${host}:5349?transport=tcp`],
      ...credential(ctx.iceSecret, tag),
      Ttl: ttl,
    });
    return { body: { IceServerList: tags.map(server) }, channelArn: channel.arn };
  },

  async SendAlexaOfferToMaster(body, ctx) {
    const channel = channelByArn(ctx, str(body, 'ChannelARN'));
    const sender = body.SenderClientId as string;
    const payload = body.MessagePayload as string;
    if (!ctx.hub.master(channel)) throw awsError('ResourceNotFoundException', 'No master is connected to the channel');
    const answer = await ctx.hub.alexaOffer(channel, sender, payload);
    if (answer === undefined) {
      throw awsError('ResourceNotFoundException', `The master did not answer within ${ctx.limits.alexaAnswerTimeoutMs} ms`);
    }
    return { body: { Answer: answer }, channelArn: channel.arn };
  },

  JoinStorageSession(body, ctx) {
    const channel = storageChannel(body, ctx);
    const master = ctx.hub.master(channel);
    if (!master) throw invalidArgument('The master must be connected to the signaling channel before joining the storage session');
    ctx.mediaServer.join(channel.arn);
    return { body: undefined, channelArn: channel.arn };
  },

  JoinStorageSessionAsViewer(body, ctx) {
    const channel = storageChannel(body, ctx);
    const clientId = body.clientId as string;
    // Not in the model's pattern but a service rule (ConnectAsViewer reserves the prefix).
    if (!isValidClientId(clientId, { viewer: true })) throw invalidArgument('clientId must not start with AWS_ (reserved)');
    const viewer = ctx.hub.viewer(channel, clientId);
    if (!viewer) throw invalidArgument(`The viewer ${clientId} must be connected to the signaling channel before joining the storage session`);
    sendViewerStorageSession(ctx.hub, viewer);
    return { body: undefined, channelArn: channel.arn };
  },
};

/** The operation handlers, by operation: each validates its input against the model first. @internal */
export const HANDLERS: Readonly<Partial<Record<Operation, Handler>>> = Object.fromEntries(
  Object.entries(RAW_HANDLERS).map(([op, handler]) => [
    op,
    (body: Json, ctx: OperationContext) => {
      validateInput(op, body);
      return (handler as Handler)(body, ctx);
    },
  ]),
);
