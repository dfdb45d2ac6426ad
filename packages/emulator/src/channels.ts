import { randomBytes } from 'node:crypto';

/** A signaling channel as the emulator stores it. @internal */
export interface Channel {
  name: string;
  arn: string;
  type: 'SINGLE_MASTER';
  status: 'ACTIVE';
  /** Epoch seconds (fractional), emulator clock. */
  creationTime: number;
  version: string;
  messageTtlSeconds: number;
  tags: Map<string, string>;
  mediaStorage: { status: 'ENABLED' | 'DISABLED'; streamArn?: string };
  /** Bumped by RECONNECT_ICE_SERVER so earlier TURN credentials stop matching. */
  iceEpoch: number;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string (versions, ids). @internal */
export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** Channels by name and by ARN. @internal */
export class ChannelStore {
  private readonly byName = new Map<string, Channel>();
  private readonly byArn = new Map<string, Channel>();
  private lastSuffix = 0;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  /** Region and account the ARNs are minted in. */
  identity(): { region: string; accountId: string } {
    return { region: this.region, accountId: this.accountId };
  }

  create(name: string, messageTtlSeconds: number, tags: Array<[string, string]>, nowMs: number): Channel {
    // The ARN suffix is a 13-digit creation timestamp; keep it unique even
    // when two channels are created in the same millisecond.
    const suffix = Math.max(Math.floor(nowMs), this.lastSuffix + 1);
    this.lastSuffix = suffix;
    const channel: Channel = {
      name,
      arn: `arn:aws:kinesisvideo:${this.region}:${this.accountId}:channel/${name}/${String(suffix).padStart(13, '0')}`,
      type: 'SINGLE_MASTER',
      status: 'ACTIVE',
      creationTime: nowMs / 1000,
      version: randomAlnum(20),
      messageTtlSeconds,
      tags: new Map(tags),
      mediaStorage: { status: 'DISABLED' },
      iceEpoch: 0,
    };
    this.byName.set(name, channel);
    this.byArn.set(channel.arn, channel);
    return channel;
  }

  getByName(name: string): Channel | undefined {
    return this.byName.get(name);
  }

  getByArn(arn: string): Channel | undefined {
    return this.byArn.get(arn);
  }

  delete(channel: Channel): void {
    this.byName.delete(channel.name);
    this.byArn.delete(channel.arn);
  }

  /** Channels sorted by name (stable paging order). */
  list(): Channel[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  bumpVersion(channel: Channel): void {
    channel.version = randomAlnum(20);
  }
}
