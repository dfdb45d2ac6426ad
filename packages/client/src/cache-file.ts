/**
 * A file-backed endpoint cache for Node (the C SDK's `.SignalingCache_v0` idea).
 * Only the Node entry exports it.
 * @packageDocumentation
 */

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PolicyCache, isCachedChannel, type CacheOptions, type CachedChannel } from './cache';

/** Options of {@link FileCache}. @public */
export interface FileCacheOptions extends CacheOptions {
  /** File path. @default '.kvs-sig-cache.json' in the working directory */
  path?: string;
}

/**
 * Persists entries as JSON in one file, written atomically (temp file + rename)
 * and serialised within the process. Corrupt or unreadable files read as empty.
 * @public
 */
export class FileCache extends PolicyCache {
  /** The file this cache uses. */
  readonly path: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(options: FileCacheOptions = {}) {
    super(options);
    this.path = path.resolve(options.path ?? '.kvs-sig-cache.json');
  }

  private async read(): Promise<Record<string, CachedChannel>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return {};
      const out: Record<string, CachedChannel> = {};
      for (const [k, v] of Object.entries(parsed)) if (isCachedChannel(v)) out[k] = v;
      return out;
    } catch {
      return {};
    }
  }

  private async update(change: (record: Record<string, CachedChannel>) => void): Promise<void> {
    const run = this.chain.then(async () => {
      const record = await this.read();
      change(record);
      await mkdir(path.dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, JSON.stringify(this.prune(record)), { mode: 0o600 });
      await rename(tmp, this.path);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async get(key: string): Promise<CachedChannel | undefined> {
    await this.chain;
    return this.fresh((await this.read())[key]);
  }

  set(key: string, value: CachedChannel): Promise<void> {
    return this.update((r) => {
      r[key] = value;
    });
  }

  delete(key: string): Promise<void> {
    return this.update((r) => {
      delete r[key];
    });
  }
}
