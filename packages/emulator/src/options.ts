/**
 * Validation of {@link EmulatorOptions}: every check {@link startEmulator}
 * makes before it binds a port, in the order it makes them, so the first bad
 * option is the one named; and the service's limits used unless options shorten them.
 * @packageDocumentation
 */

import { randomBytes, randomInt } from 'node:crypto';
import { MAX_ICE_SERVER_TTL_SECONDS, MAX_WSS_MESSAGE_PAYLOAD_LENGTH, MIN_ICE_SERVER_TTL_SECONDS, ValidationError } from '@kvs-sig/core';
import { randomAlnum } from './channels';
import { loadWerift } from './media-server';
import type { AdvertisedEndpoints, EmulatorCredentials, EmulatorLimits, EmulatorOptions, MediaServerMode, TurnRestConfig } from './types';

/** The service's limits, used unless options shorten them. @public */
export const DEFAULT_LIMITS: Readonly<EmulatorLimits> = Object.freeze({
  maxViewersPerChannel: 10,
  connectsPerSecondPerChannel: 3,
  idleTimeoutMs: 600_000,
  maxConnectionMs: 3_600_000,
  goAwayGraceMs: 60_000,
  iceServerTtlSeconds: 300,
  maxPayloadLength: MAX_WSS_MESSAGE_PAYLOAD_LENGTH,
  maxClockSkewMs: 300_000,
  maxChannels: 10_000,
  alexaAnswerTimeoutMs: 5_000,
  maxLogRecords: 50_000,
  sdpMessagesPerSecondPerConnection: Number.POSITIVE_INFINITY,
  iceCandidatesPerSecondPerConnection: Number.POSITIVE_INFINITY,
  maxHeldMessagesPerRecipient: 256,
  maxHeldMessagesPerChannel: 2048,
});

/** Limits the service's models bound; outside them clients would (rightly) refuse the replies. */
const LIMIT_RANGES: Readonly<Record<string, [number, number, string]>> = {
  iceServerTtlSeconds: [MIN_ICE_SERVER_TTL_SECONDS, MAX_ICE_SERVER_TTL_SECONDS, 'the model\'s Ttl range'],
  maxPayloadLength: [1, MAX_WSS_MESSAGE_PAYLOAD_LENGTH, 'core\'s parser enforces the service limit'],
};

/** Limits that count messages: a fraction would make the bound ambiguous. */
const INTEGER_LIMITS: ReadonlySet<string> = new Set(['maxHeldMessagesPerRecipient', 'maxHeldMessagesPerChannel']);

/** A bad option: `INVALID_CONFIGURATION` naming the field. @internal */
export function invalidOption(field: string, message: string): ValidationError {
  return new ValidationError(field, message, 'INVALID_CONFIGURATION');
}

function checkLimits(partial: Partial<EmulatorLimits> | undefined): EmulatorLimits {
  const limits: EmulatorLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw invalidOption(`limits.${key}`, 'is not a known limit');
    if (value === undefined) continue;
    const unbounded = key.endsWith('PerSecondPerConnection') && value === Number.POSITIVE_INFINITY;
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (!Number.isFinite(value) && !unbounded)) {
      throw invalidOption(`limits.${key}`, `must be a positive number, got ${String(value)}`);
    }
    if (INTEGER_LIMITS.has(key) && !Number.isInteger(value)) throw invalidOption(`limits.${key}`, `must be a positive integer, got ${value}`);
    const range = LIMIT_RANGES[key];
    if (range && (value < range[0] || value > range[1])) {
      throw invalidOption(`limits.${key}`, `must be in ${range[0]}..${range[1]} (${range[2]}), got ${value}`);
    }
    (limits as unknown as Record<string, number>)[key] = value;
  }
  return limits;
}

function randomCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomAlnum(16).toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

function checkOneCredentials(c: unknown, field: string): EmulatorCredentials {
  if (typeof c !== 'object' || c === null) throw invalidOption(field, 'must be an object');
  const k = c as Partial<EmulatorCredentials>;
  if (typeof k.accessKeyId !== 'string' || k.accessKeyId === '') throw invalidOption(`${field}.accessKeyId`, 'must be a non-empty string');
  if (typeof k.secretAccessKey !== 'string' || k.secretAccessKey === '') throw invalidOption(`${field}.secretAccessKey`, 'must be a non-empty string');
  if (k.sessionToken !== undefined && (typeof k.sessionToken !== 'string' || k.sessionToken === '')) {
    throw invalidOption(`${field}.sessionToken`, 'must be a non-empty string when given');
  }
  if (k.expiration !== undefined && (!(k.expiration instanceof Date) || Number.isNaN(k.expiration.getTime()))) {
    throw invalidOption(`${field}.expiration`, 'must be a valid Date when given');
  }
  return {
    accessKeyId: k.accessKeyId,
    secretAccessKey: k.secretAccessKey,
    ...(k.sessionToken !== undefined ? { sessionToken: k.sessionToken } : {}),
    ...(k.expiration !== undefined ? { expiration: new Date(k.expiration.getTime()) } : {}),
  };
}

/** @internal */
export function checkCredentials(c: EmulatorCredentials | EmulatorCredentials[], field = 'credentials'): EmulatorCredentials[] {
  const list = Array.isArray(c) ? c.map((one, i) => checkOneCredentials(one, `${field}[${i}]`)) : [checkOneCredentials(c, field)];
  if (list.length === 0) throw invalidOption(field, 'must hold at least one set of credentials');
  return list;
}

/** Options checked, with their defaults filled in. @internal */
export interface EmulatorConfig {
  host: string;
  port: number;
  region: string;
  accountId: string;
  credentials: EmulatorCredentials[];
  limits: EmulatorLimits;
  turn: TurnRestConfig | undefined;
  mediaServerMode: MediaServerMode;
  iceServerCount: number;
  logger: (line: string) => void;
  tls: NonNullable<EmulatorOptions['tls']>;
  advertised: AdvertisedEndpoints;
}

/**
 * Checks every option that needs nothing but the options (and whether werift loads).
 * @throws ValidationError `INVALID_CONFIGURATION` naming the first bad option.
 * @internal
 */
export async function parseOptions(options: EmulatorOptions): Promise<EmulatorConfig> {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'must be an object');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw invalidOption('host', 'must be a non-empty string');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw invalidOption('port', `must be an integer in 0..65535, got ${String(port)}`);
  const region = options.region ?? 'us-west-2';
  if (typeof region !== 'string' || !/^[a-z0-9-]{1,64}$/.test(region)) throw invalidOption('region', `must look like us-west-2, got ${String(region)}`);
  const accountId = options.accountId ?? String(randomInt(100_000_000_000, 999_999_999_999));
  if (!/^\d{12}$/.test(accountId)) throw invalidOption('accountId', 'must be 12 digits');
  const credentials = checkCredentials(options.credentials ?? randomCredentials());
  const limits = checkLimits(options.limits);
  if (options.turn !== undefined) {
    const t = options.turn;
    if (!Array.isArray(t.urls) || t.urls.length === 0 || t.urls.some((u) => typeof u !== 'string' || !/^turns?:/.test(u))) {
      throw invalidOption('turn.urls', 'must be a non-empty list of turn:/turns: URIs');
    }
    if (typeof t.secret !== 'string' || t.secret === '') throw invalidOption('turn.secret', 'must be a non-empty string');
  }
  const mediaServerMode = options.mediaServer ?? 'auto';
  if (mediaServerMode !== 'auto' && mediaServerMode !== 'webrtc' && mediaServerMode !== 'offer-only') {
    throw invalidOption('mediaServer', `must be 'auto', 'webrtc' or 'offer-only', got ${String(mediaServerMode)}`);
  }
  if (mediaServerMode === 'webrtc' && !(await loadWerift())) {
    throw invalidOption('mediaServer', "is 'webrtc' but werift is not installed (npm install -D werift), or use 'offer-only'");
  }
  const iceServerCount = options.iceServerCount ?? (options.turn !== undefined ? 1 : 2);
  if (typeof iceServerCount !== 'number' || !Number.isInteger(iceServerCount) || iceServerCount < 0) {
    throw invalidOption('iceServerCount', `must be a non-negative integer, got ${String(iceServerCount)}`);
  }
  const logger = options.logger ?? (() => {});
  const tlsOption = options.tls ?? true;
  const advertised = checkAdvertised(options.advertisedEndpoints, tlsOption !== false);
  return { host, port, region, accountId, credentials, limits, turn: options.turn, mediaServerMode, iceServerCount, logger, tls: tlsOption, advertised };
}

function checkAdvertised(value: unknown, tls: boolean): AdvertisedEndpoints {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw invalidOption('advertisedEndpoints', 'must be an object');
  const schemes: Record<keyof AdvertisedEndpoints, string> = { https: tls ? 'https:' : 'http:', wss: tls ? 'wss:' : 'ws:', webrtc: tls ? 'https:' : 'http:' };
  const out: AdvertisedEndpoints = {};
  for (const [key, raw] of Object.entries(value)) {
    const field = `advertisedEndpoints.${key}`;
    if (!(key in schemes)) throw invalidOption(field, 'is not a protocol (https, wss, webrtc)');
    if (raw === undefined) continue;
    const scheme = schemes[key as keyof AdvertisedEndpoints];
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      throw invalidOption(field, `must be an origin like ${scheme}//host:port, got ${String(raw)}`);
    }
    // Clients append their own paths and queries: anything beyond the origin would be dropped or doubled.
    if (typeof raw !== 'string' || url.protocol !== scheme || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw invalidOption(field, `must be an origin like ${scheme}//host:port (no path, query or credentials), got ${String(raw)}`);
    }
    out[key as keyof AdvertisedEndpoints] = url.origin;
  }
  return out;
}
