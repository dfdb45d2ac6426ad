/**
 * Endpoint caches: where the client keeps a channel's ARN and signaling
 * endpoints per (region, channel, role), so a warm connect is one exchange.
 * Pluggable: memory (default), localStorage (browsers), file (Node entry).
 * @packageDocumentation
 */

import { SignalingError, ValidationError, type Role, type SignalingChannelEndpoints } from '@kvs-sig/core';

/** What a cache stores per key. @public */
export interface CachedChannel {
  channelArn: string;
  /** Always with `wssEndpoint`. */
  endpoints: SignalingChannelEndpoints;
  /** The channel's MessageTtlSeconds when it was described. */
  messageTtlSeconds?: number;
  /** Epoch milliseconds of the write. */
  storedAt: number;
}

/**
 * A store of {@link CachedChannel} entries. Methods may be sync or async.
 * Implementations decide how long entries live and return `undefined` for stale ones.
 * @public
 */
export interface EndpointCache {
  get(key: string): CachedChannel | undefined | Promise<CachedChannel | undefined>;
  set(key: string, value: CachedChannel): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** Options shared by the shipped caches. @public */
export interface CacheOptions {
  /** How long an entry is trusted. The service publishes no validity; the C SDK uses 10 h. @default 36000000 */
  ttlMs?: number;
  /** Most entries kept; the oldest go first. @default 32 */
  maxEntries?: number;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

/** The cache key of a channel lookup. @public */
export function cacheKey(region: string, channel: { channelName?: string; channelArn?: string }, role: Role): string {
  const id = channel.channelArn ? `arn:${channel.channelArn}` : `name:${channel.channelName ?? ''}`;
  return `${region}|${id}|${role}`;
}

/** True when `value` has the shape of a {@link CachedChannel} (used on data read back from storage). @internal */
export function isCachedChannel(value: unknown): value is CachedChannel {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const ep = v.endpoints as Record<string, unknown> | undefined;
  return (
    typeof v.channelArn === 'string' &&
    typeof v.storedAt === 'number' &&
    typeof ep === 'object' &&
    ep !== null &&
    typeof ep.wssEndpoint === 'string' &&
    (ep.httpsEndpoint === undefined || typeof ep.httpsEndpoint === 'string') &&
    (ep.webrtcEndpoint === undefined || typeof ep.webrtcEndpoint === 'string') &&
    (v.messageTtlSeconds === undefined || typeof v.messageTtlSeconds === 'number')
  );
}

/** Shared TTL and size policy over a plain record. @internal */
export abstract class PolicyCache implements EndpointCache {
  protected readonly ttlMs: number;
  protected readonly maxEntries: number;
  protected readonly now: () => number;

  constructor(options: CacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10 * 60 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 32;
    this.now = options.now ?? Date.now;
  }

  protected fresh(entry: CachedChannel | undefined): CachedChannel | undefined {
    if (!entry) return undefined;
    const age = this.now() - entry.storedAt;
    return age >= 0 && age < this.ttlMs ? entry : undefined;
  }

  /** Drops stale entries, then the oldest ones beyond `maxEntries`. */
  protected prune(record: Record<string, CachedChannel>): Record<string, CachedChannel> {
    const live = Object.entries(record).filter(([, v]) => this.fresh(v) !== undefined);
    live.sort(([, a], [, b]) => b.storedAt - a.storedAt);
    return Object.fromEntries(live.slice(0, this.maxEntries));
  }

  abstract get(key: string): CachedChannel | undefined | Promise<CachedChannel | undefined>;
  abstract set(key: string, value: CachedChannel): void | Promise<void>;
  abstract delete(key: string): void | Promise<void>;
}

/**
 * In-memory cache (the default). Share one instance between clients to share lookups.
 * @public
 */
export class MemoryCache extends PolicyCache {
  readonly #map = new Map<string, CachedChannel>();

  get(key: string): CachedChannel | undefined {
    const entry = this.fresh(this.#map.get(key));
    if (!entry) this.#map.delete(key);
    return entry;
  }

  set(key: string, value: CachedChannel): void {
    this.#map.delete(key);
    this.#map.set(key, { ...value, endpoints: { ...value.endpoints } });
    // Map keeps insertion order, so the first keys are the oldest writes.
    while (this.#map.size > this.maxEntries) this.#map.delete(this.#map.keys().next().value as string);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  /** Entries held (fresh or not). */
  get size(): number {
    return this.#map.size;
  }
}

/** The part of the Web Storage API the {@link LocalStorageCache} uses. @public */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options of {@link LocalStorageCache}. @public */
export interface LocalStorageCacheOptions extends CacheOptions {
  /** The storage to use. @default globalThis.localStorage */
  storage?: StorageLike;
  /** Item name holding all entries. @default 'kvs-sig:endpoints:v1' */
  itemName?: string;
}

/**
 * Persists entries in `localStorage` (browsers). A storage that throws (quota,
 * private mode) degrades to a miss; corrupt data is ignored.
 * @public
 */
export class LocalStorageCache extends PolicyCache {
  readonly #storage: StorageLike;
  readonly #itemName: string;

  /** @throws `INVALID_CONFIGURATION` when no storage is given and `globalThis.localStorage` is missing. */
  constructor(options: LocalStorageCacheOptions = {}) {
    super(options);
    const storage = options.storage ?? (globalThis as { localStorage?: StorageLike }).localStorage;
    if (!storage) {
      throw new ValidationError('storage', 'LocalStorageCache needs localStorage: pass { storage } or use MemoryCache in this runtime', 'INVALID_CONFIGURATION');
    }
    this.#storage = storage;
    this.#itemName = options.itemName ?? 'kvs-sig:endpoints:v1';
  }

  #read(): Record<string, CachedChannel> {
    try {
      const text = this.#storage.getItem(this.#itemName);
      if (!text) return {};
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) return {};
      const out: Record<string, CachedChannel> = {};
      for (const [k, v] of Object.entries(parsed)) if (isCachedChannel(v)) out[k] = v;
      return out;
    } catch {
      return {};
    }
  }

  #write(record: Record<string, CachedChannel>): void {
    try {
      this.#storage.setItem(this.#itemName, JSON.stringify(this.prune(record)));
    } catch {
      // A full or disabled storage only costs a cache miss next time.
    }
  }

  get(key: string): CachedChannel | undefined {
    return this.fresh(this.#read()[key]);
  }

  set(key: string, value: CachedChannel): void {
    const record = this.#read();
    record[key] = value;
    this.#write(record);
  }

  delete(key: string): void {
    const record = this.#read();
    delete record[key];
    this.#write(record);
  }
}
