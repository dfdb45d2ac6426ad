import type { ChannelStore } from './channels';
import { randomAlnum } from './channels';

/**
 * Kinesis video streams, as far as signaling apps need them around ingestion:
 * created, described, listed, deleted, and referenced by
 * UpdateMediaStorageConfiguration. No media is stored.
 * @internal
 */
export interface Stream {
  name: string;
  arn: string;
  deviceName?: string;
  mediaType?: string;
  kmsKeyId: string;
  dataRetentionInHours: number;
  version: string;
  status: 'ACTIVE';
  /** Epoch seconds (fractional), emulator clock. */
  creationTime: number;
  tags: Map<string, string>;
}

/** Streams by name and ARN, one store per channel store (so per emulator). @internal */
export class StreamStore {
  private readonly byName = new Map<string, Stream>();
  private readonly byArn = new Map<string, Stream>();
  private lastSuffix = 0;

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  create(init: Omit<Stream, 'arn' | 'version' | 'status' | 'creationTime' | 'kmsKeyId'> & { kmsKeyId?: string }, nowMs: number): Stream {
    const suffix = Math.max(Math.floor(nowMs), this.lastSuffix + 1);
    this.lastSuffix = suffix;
    const stream: Stream = {
      ...init,
      // The service's default key when none is given is the account's kinesisvideo alias.
      kmsKeyId: init.kmsKeyId ?? `arn:aws:kms:${this.region}:${this.accountId}:alias/aws/kinesisvideo`,
      arn: `arn:aws:kinesisvideo:${this.region}:${this.accountId}:stream/${init.name}/${String(suffix).padStart(13, '0')}`,
      version: randomAlnum(20),
      status: 'ACTIVE',
      creationTime: nowMs / 1000,
    };
    this.byName.set(stream.name, stream);
    this.byArn.set(stream.arn, stream);
    return stream;
  }

  getByName(name: string): Stream | undefined {
    return this.byName.get(name);
  }

  getByArn(arn: string): Stream | undefined {
    return this.byArn.get(arn);
  }

  delete(stream: Stream): void {
    this.byName.delete(stream.name);
    this.byArn.delete(stream.arn);
  }

  /** Streams sorted by name (stable paging order). */
  list(): Stream[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

const stores = new WeakMap<ChannelStore, StreamStore>();

/** The streams of the emulator that owns `channels` (created on first use, same region and account). @internal */
export function streamsOf(channels: ChannelStore): StreamStore {
  let s = stores.get(channels);
  if (!s) {
    const { region, accountId } = channels.identity();
    s = new StreamStore(region, accountId);
    stores.set(channels, s);
  }
  return s;
}
