/**
 * GetIceServerConfig (C: `Signaling_ConstructGetIceServerConfigRequest` / `…Parse…`).
 * https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_signaling_GetIceServerConfig.html
 * @packageDocumentation
 */
import { DEFAULT_MAX_ICE_SERVERS, MAX_ICE_SERVER_TTL_SECONDS, MAX_ICE_SERVER_URIS, MAX_USERNAME_LENGTH, MIN_ICE_SERVER_TTL_SECONDS } from './constants';
import { ProtocolError, ValidationError } from './errors';
import { requireEndpoint } from './endpoint';
import { get, isObject, optString, parseJsonObject, readIntLenient } from './json';
import { requireTopKey } from './describe-signaling-channel';
import { postJson } from './request';
import type { HttpRequest } from './types';
import { rejectUnknownKeys, requireChannelArn, requireClientId, requireIdText, requireObject } from './validate';

/** Input of {@link constructGetIceServerConfigRequest}. @public */
export interface GetIceServerConfigInput {
  /** The HTTPS endpoint from GetSignalingChannelEndpoint. */
  httpsEndpoint: string;
  channelArn: string;
  clientId?: string;
  /** Only `TURN` exists; always sent (C parity). */
  service?: 'TURN';
  username?: string;
}

/**
 * Builds GetIceServerConfig: `POST <https>/v1/get-ice-server-config`, body
 * `{"ChannelARN"[,"ClientId"],"Service":"TURN"[,"Username"]}`.
 * @throws ValidationError `BAD_PARAM`, `INSECURE_ENDPOINT`.
 * @public
 */
export function constructGetIceServerConfigRequest(input: GetIceServerConfigInput): HttpRequest {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ['httpsEndpoint', 'channelArn', 'clientId', 'service', 'username']);
  const endpoint = requireEndpoint(obj.httpsEndpoint, 'httpsEndpoint', 'https');
  const body: Record<string, string> = { ChannelARN: requireChannelArn(obj.channelArn, 'channelArn', 'signaling') };
  if (obj.clientId !== undefined) body.ClientId = requireClientId(obj.clientId);
  if (obj.service !== undefined && obj.service !== 'TURN') throw new ValidationError('service', "must be 'TURN'");
  body.Service = 'TURN';
  if (obj.username !== undefined) body.Username = requireIdText(obj.username, 'username', MAX_USERNAME_LENGTH);
  return postJson(`${endpoint}/v1/get-ice-server-config`, body);
}

/** One TURN server of a GetIceServerConfig reply. @public */
export interface IceServer {
  uris: string[];
  username?: string;
  password?: string;
  /** Seconds, 30–86400; absent when the reply has none. */
  ttl?: number;
}

/** Result of {@link parseGetIceServerConfigResponse}. @public */
export interface GetIceServerConfigResult {
  iceServers: IceServer[];
  /**
   * How many servers the reply listed beyond `maxIceServers` and were left out
   * (not read, not checked). Absent when none were, so a caller that caps the
   * list can always tell that it did.
   */
  omittedIceServers?: number;
}

/** Options of {@link parseGetIceServerConfigResponse}. @public */
export interface ParseIceServerConfigOptions {
  /**
   * Servers beyond this count are left out, as C ignores those beyond its
   * capacity (default 5, the C SDK's `MAX_ICE_CONFIG_COUNT`); the result's
   * `omittedIceServers` says how many. `Infinity` keeps them all.
   */
  maxIceServers?: number;
}

/** Checks a `maxIceServers` option: a non-negative integer, or `Infinity` for no cap. @internal */
export function checkMaxIceServers(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_MAX_ICE_SERVERS;
  if (typeof value !== 'number' || !(Number.isInteger(value) || value === Number.POSITIVE_INFINITY) || value < 0) {
    throw new ValidationError('maxIceServers', 'must be a non-negative integer or Infinity');
  }
  return value;
}

/** What {@link readIceServerList} read, and how many entries past `max` it left out. @internal */
export interface IceServerListRead {
  iceServers: IceServer[];
  omitted: number;
}

/**
 * Parses a GetIceServerConfig reply. Each `Ttl` is read on its own (C's
 * buffer-reuse bug is fixed); more than 4 URIs in one server is refused.
 * Servers beyond `maxIceServers` are left out and counted in `omittedIceServers`.
 * @throws ProtocolError `INVALID_JSON`, `UNEXPECTED_RESPONSE`, `INVALID_TTL`, `INVALID_ICE_SERVER_URIS_COUNT`.
 * @throws ValidationError `BAD_PARAM` on a bad `maxIceServers`.
 * @public
 */
export function parseGetIceServerConfigResponse(text: string, options: ParseIceServerConfigOptions = {}): GetIceServerConfigResult {
  const what = 'GetIceServerConfig';
  const max = checkMaxIceServers(options.maxIceServers);
  const obj = parseJsonObject(text, what);
  const list = requireTopKey(obj, 'IceServerList', what, 'array') as unknown[];
  const read = readIceServerList(list, what, max);
  const out: GetIceServerConfigResult = { iceServers: read.iceServers };
  if (read.omitted > 0) out.omittedIceServers = read.omitted;
  return out;
}

/**
 * Reads the entries of an `IceServerList` array (`{Uris, Username, Password, Ttl}`),
 * the one check shared by GetIceServerConfig replies and the list a C-SDK peer
 * may attach to an SDP_OFFER. Entries beyond `max` are not read (C's capacity)
 * but counted, so the caller can report them.
 * @throws ProtocolError `UNEXPECTED_RESPONSE`, `INVALID_TTL`, `INVALID_ICE_SERVER_URIS_COUNT`, each prefixed with `what`.
 * @internal
 */
export function readIceServerList(list: readonly unknown[], what: string, max: number = DEFAULT_MAX_ICE_SERVERS): IceServerListRead {
  const iceServers: IceServer[] = [];
  const kept = list.length > max ? list.slice(0, max) : list;
  for (const entry of kept) {
    if (!isObject(entry)) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: an IceServerList entry is not an object`);
    const server: IceServer = { uris: [] };
    const uris = get(entry, 'Uris');
    if (uris !== undefined && uris !== null) {
      if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) throw new ProtocolError('UNEXPECTED_RESPONSE', `${what}: Uris is not an array of strings`);
      if (uris.length > MAX_ICE_SERVER_URIS) throw new ProtocolError('INVALID_ICE_SERVER_URIS_COUNT', `${what}: ${uris.length} Uris, more than ${MAX_ICE_SERVER_URIS}`);
      server.uris = uris as string[];
    }
    const username = optString(entry, 'Username', what);
    if (username !== undefined) server.username = username;
    const password = optString(entry, 'Password', what);
    if (password !== undefined) server.password = password;
    const ttl = get(entry, 'Ttl');
    if (ttl !== undefined && ttl !== null) server.ttl = readIntLenient(ttl, MIN_ICE_SERVER_TTL_SECONDS, MAX_ICE_SERVER_TTL_SECONDS, 'INVALID_TTL', `${what}: Ttl`);
    iceServers.push(server);
  }
  return { iceServers, omitted: list.length - kept.length };
}
