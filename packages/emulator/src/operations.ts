import { createHash, createHmac, randomBytes } from 'node:crypto';
import { awsError, invalidArgument } from './aws-errors';
import type { Channel, ChannelStore } from './channels';
import { cannedSession, type MediaServer } from './media-server';
import type { SignalingHub } from './signaling';
import { recvFrame } from './wire';
import type { Clock } from './state';
import type { EmulatorLimits, Operation, TurnRestConfig } from './types';
import {
  DEFAULT_MESSAGE_TTL_SECONDS,
  MAX_ALEXA_PAYLOAD_LENGTH,
  MAX_LIST_MAX_RESULTS,
  MAX_MESSAGE_TTL_SECONDS,
  MAX_TAGS,
  MIN_MESSAGE_TTL_SECONDS,
} from '@kvs-sig/core';
import {
  BASE64_PATTERN,
  CHANNEL_ARN,
  CHANNEL_NAME,
  CLIENT_ID,
  NAME_PATTERN,
  STREAM_ARN,
  VERSION,
  checkClientId,
  checkEnum,
  constraint,
  optionalArray,
  optionalInt,
  optionalObject,
  optionalString,
  parseTagList,
  requireString,
  type Json,
} from './validate';

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
  '/v1/get-ice-server-config': 'GetIceServerConfig',
  '/v1/send-alexa-offer-to-master': 'SendAlexaOfferToMaster',
  '/joinStorageSession': 'JoinStorageSession',
  '/joinStorageSessionAsViewer': 'JoinStorageSessionAsViewer',
};

/** Operations of the webrtc-storage model (lower-case `message` in errors, 403 AccessDenied). @internal */
export const STORAGE_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>(['JoinStorageSession', 'JoinStorageSessionAsViewer']);

const NOT_FOUND = 'The requested channel is not found or not active.';

function channelByArn(ctx: OperationContext, arn: string): Channel {
  const channel = ctx.store.getByArn(arn);
  if (!channel) throw awsError('ResourceNotFoundException', NOT_FOUND);
  return channel;
}

function requireArn(body: Json, field: string): string {
  return requireString(body, field, CHANNEL_ARN);
}

/** Describe* take a name or an ARN; when both are given they must agree. */
function channelByNameOrArn(body: Json, ctx: OperationContext): Channel {
  const name = optionalString(body, 'ChannelName', CHANNEL_NAME);
  const arn = optionalString(body, 'ChannelARN', CHANNEL_ARN);
  if (name === undefined && arn === undefined) throw invalidArgument('Either ChannelName or ChannelARN is required');
  const channel = arn !== undefined ? ctx.store.getByArn(arn) : ctx.store.getByName(name ?? '');
  if (!channel || (name !== undefined && channel.name !== name)) throw awsError('ResourceNotFoundException', NOT_FOUND);
  return channel;
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

function checkVersion(body: Json, c: Channel, required: boolean): void {
  const version = required
    ? requireString(body, 'CurrentVersion', VERSION)
    : optionalString(body, 'CurrentVersion', VERSION);
  if (version !== undefined && version !== c.version) {
    throw awsError('VersionMismatchException', `The version ${version} does not match the channel's current version ${c.version}`);
  }
}

function messageTtl(body: Json): number | undefined {
  const config = optionalObject(body, 'SingleMasterConfiguration');
  return config ? optionalInt(config, 'MessageTtlSeconds', MIN_MESSAGE_TTL_SECONDS, MAX_MESSAGE_TTL_SECONDS) : undefined;
}

function tagsOn(c: Channel, add: Array<[string, string]>): void {
  const merged = new Map(c.tags);
  for (const [k, v] of add) merged.set(k, v);
  if (merged.size > MAX_TAGS) {
    throw awsError('TagsPerResourceExceededLimitException', `The resource would have more than ${MAX_TAGS} tags`);
  }
  c.tags = merged;
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
  const arn = requireString(body, 'channelArn', CHANNEL_ARN);
  const channel = channelByArn(ctx, arn);
  if (channel.mediaStorage.status !== 'ENABLED') {
    throw invalidArgument('The channel is not configured for media storage (UpdateMediaStorageConfiguration with Status ENABLED first)');
  }
  return channel;
}

/** The operation handlers, by operation. @internal */
export const HANDLERS: Readonly<Partial<Record<Operation, Handler>>> = {
  CreateSignalingChannel(body, ctx) {
    const name = requireString(body, 'ChannelName', CHANNEL_NAME);
    const type = optionalString(body, 'ChannelType');
    if (type !== undefined) {
      checkEnum('ChannelType', type, ['SINGLE_MASTER', 'FULL_MESH'] as const);
      if (type !== 'SINGLE_MASTER') throw invalidArgument('Only SINGLE_MASTER channels are supported');
    }
    const ttl = messageTtl(body) ?? DEFAULT_MESSAGE_TTL_SECONDS;
    const tagList = optionalArray(body, 'Tags', 0, MAX_TAGS);
    const tags = tagList ? parseTagList('Tags', tagList) : [];
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
    const max = optionalInt(body, 'MaxResults', 1, MAX_LIST_MAX_RESULTS) ?? 500;
    const token = optionalString(body, 'NextToken', { min: 0, max: 1024, pattern: /^[a-zA-Z0-9+/=]*$/ });
    const condition = optionalObject(body, 'ChannelNameCondition');
    let prefix: string | undefined;
    if (condition) {
      const op = optionalString(condition, 'ComparisonOperator');
      if (op !== undefined) checkEnum('ComparisonOperator', op, ['BEGINS_WITH'] as const);
      prefix = optionalString(condition, 'ComparisonValue', CHANNEL_NAME);
    }
    let list = ctx.store.list();
    if (prefix !== undefined) list = list.filter((c) => c.name.startsWith(prefix));
    if (token) {
      const after = decodeToken(token);
      list = list.filter((c) => c.name > after);
    }
    const page = list.slice(0, max);
    const last = page[page.length - 1];
    return {
      body: {
        ChannelInfoList: page.map(channelInfo),
        ...(list.length > max && last ? { NextToken: encodeToken(last.name) } : {}),
      },
    };
  },

  UpdateSignalingChannel(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ChannelARN'));
    checkVersion(body, channel, true);
    const ttl = messageTtl(body);
    if (ttl !== undefined) channel.messageTtlSeconds = ttl;
    ctx.store.bumpVersion(channel);
    return { body: {}, channelArn: channel.arn };
  },

  DeleteSignalingChannel(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ChannelARN'));
    checkVersion(body, channel, false);
    ctx.store.delete(channel);
    ctx.hub.closeChannel(channel);
    return { body: {}, channelArn: channel.arn };
  },

  GetSignalingChannelEndpoint(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ChannelARN'));
    const config = optionalObject(body, 'SingleMasterChannelEndpointConfiguration') ?? {};
    const rawProtocols = optionalArray(config, 'Protocols', 1, 5) ?? ['WSS', 'HTTPS'];
    const protocols = rawProtocols.map((p, i) => {
      if (typeof p !== 'string') throw invalidArgument(`Protocols[${i}] must be a string`);
      return checkEnum(`Protocols[${i}]`, p, ['WSS', 'HTTPS', 'WEBRTC'] as const);
    });
    const role = optionalString(config, 'Role');
    if (role !== undefined) checkEnum('Role', role, ['MASTER', 'VIEWER'] as const);
    if (protocols.includes('WEBRTC') && channel.mediaStorage.status !== 'ENABLED') {
      throw invalidArgument('The WEBRTC protocol is only available for a channel with media storage enabled');
    }
    const list = [...new Set(protocols)].map((p) => ({
      Protocol: p,
      ResourceEndpoint: ctx.advertised[p],
    }));
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
    const channel = channelByArn(ctx, requireArn(body, 'ChannelARN'));
    const config = optionalObject(body, 'MediaStorageConfiguration');
    if (!config) throw constraint('MediaStorageConfiguration', null, 'Member must not be null');
    const status = checkEnum('Status', requireString(config, 'Status'), ['ENABLED', 'DISABLED'] as const);
    const streamArn = optionalString(config, 'StreamARN', STREAM_ARN);
    if (status === 'ENABLED' && streamArn === undefined) throw invalidArgument('StreamARN is required when Status is ENABLED');
    channel.mediaStorage = { status, ...(streamArn !== undefined ? { streamArn } : {}) };
    return { body: {}, channelArn: channel.arn };
  },

  TagResource(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ResourceARN'));
    const list = optionalArray(body, 'Tags', 1, MAX_TAGS);
    if (!list) throw constraint('Tags', null, 'Member must not be null');
    tagsOn(channel, parseTagList('Tags', list));
    return { body: {}, channelArn: channel.arn };
  },

  UntagResource(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ResourceARN'));
    const keys = optionalArray(body, 'TagKeyList', 1, MAX_TAGS);
    if (!keys) throw constraint('TagKeyList', null, 'Member must not be null');
    for (const [i, k] of keys.entries()) {
      if (typeof k !== 'string' || k.length < 1 || k.length > 128) throw invalidArgument(`TagKeyList[${i}] must be a string of 1-128 characters`);
    }
    for (const k of keys as string[]) channel.tags.delete(k);
    return { body: {}, channelArn: channel.arn };
  },

  ListTagsForResource(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ResourceARN'));
    optionalString(body, 'NextToken', { min: 0, max: 512 });
    return { body: { Tags: Object.fromEntries(channel.tags) }, channelArn: channel.arn };
  },

  GetIceServerConfig(body, ctx) {
    const channel = channelByArn(ctx, requireArn(body, 'ChannelARN'));
    const clientId = optionalString(body, 'ClientId', CLIENT_ID);
    const service = optionalString(body, 'Service');
    if (service !== undefined) checkEnum('Service', service, ['TURN'] as const);
    optionalString(body, 'Username', { min: 1, max: 256, pattern: NAME_PATTERN });
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
    const channel = channelByArn(ctx, requireArn(body, 'ChannelARN'));
    const sender = requireString(body, 'SenderClientId', CLIENT_ID);
    const payload = requireString(body, 'MessagePayload', { min: 1, max: MAX_ALEXA_PAYLOAD_LENGTH, pattern: BASE64_PATTERN });
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
    const clientId = checkClientId('clientId', requireString(body, 'clientId'));
    const viewer = ctx.hub.viewer(channel, clientId);
    if (!viewer) throw invalidArgument(`The viewer ${clientId} must be connected to the signaling channel before joining the storage session`);
    sendViewerStorageSession(ctx.hub, viewer);
    return { body: undefined, channelArn: channel.arn };
  },
};
