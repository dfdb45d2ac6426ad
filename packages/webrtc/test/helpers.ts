import { SignalingClient, type SignalingClientOptions } from '@kvs-sig/client';
import { startEmulator, type Emulator, type EmulatorOptions } from '@kvs-sig/emulator';
import { RTCPeerConnection } from 'werift';
import type { DataChannelLike, PeerConnectionConstructor } from '../src';

/** werift's constructor, typed as the W3C shape the sessions take. */
export const Werift = RTCPeerConnection as unknown as PeerConnectionConstructor;

/**
 * A TLS emulator with no TURN entries (they would point at nothing; host
 * candidates are enough on loopback), plus every client and closer a test makes.
 */
export class Rig {
  readonly clients: SignalingClient[] = [];
  readonly closers: Array<() => Promise<unknown>> = [];
  private constructor(readonly emu: Emulator) {}

  static async start(options: EmulatorOptions = {}): Promise<Rig> {
    return new Rig(await startEmulator({ tls: true, iceServerCount: 0, ...options }));
  }

  client(role: 'MASTER' | 'VIEWER', channelName: string, clientId?: string, extra: Partial<SignalingClientOptions> = {}): SignalingClient {
    const c = new SignalingClient({
      role,
      channelName,
      ...(clientId ? { clientId } : {}),
      region: this.emu.region,
      endpoint: this.emu.controlPlaneEndpoint,
      credentials: this.emu.credentials,
      tls: { ca: this.emu.ca! },
      createChannelIfMissing: true,
      ...extra,
    } as SignalingClientOptions);
    this.clients.push(c);
    return c;
  }

  /** Runs `close` at the end of the test (last registered first). */
  later<T extends { close(): Promise<unknown> }>(thing: T): T {
    this.closers.push(() => thing.close());
    return thing;
  }

  async cleanup(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
  }

  async stop(): Promise<void> {
    await this.cleanup();
    await this.emu.close();
  }
}

/** Resolves when `predicate` holds, polling every 10 ms (rejects after `ms`). */
export async function until(predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves when the channel is open. */
export function opened(channel: DataChannelLike, ms = 20_000): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`channel ${channel.label} did not open`)), ms);
    const on = () => {
      clearTimeout(timer);
      channel.removeEventListener('open', on);
      resolve();
    };
    channel.addEventListener('open', on);
  });
}

/** The next text message on the channel. */
export function nextMessage(channel: DataChannelLike, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.removeEventListener('message', on);
      reject(new Error(`no message on ${channel.label}`));
    }, ms);
    const on = (e: { data: unknown }) => {
      clearTimeout(timer);
      channel.removeEventListener('message', on);
      const d = e.data;
      resolve(typeof d === 'string' ? d : Buffer.from(d as Uint8Array).toString('utf8'));
    };
    channel.addEventListener('message', on);
  });
}

/** Echoes every message on every channel the master gets, prefixed with the viewer id. */
export function echo(channel: DataChannelLike, prefix: string): void {
  channel.addEventListener('message', (e: { data: unknown }) => {
    const d = e.data;
    const text = typeof d === 'string' ? d : Buffer.from(d as Uint8Array).toString('utf8');
    try {
      channel.send(`${prefix}:${text}`);
    } catch {
      // Closed meanwhile.
    }
  });
}

/** Sends `text` once the channel is open and expects the master's echo `prefix:text`. */
export async function roundTrip(ch: DataChannelLike, text: string, prefix: string): Promise<void> {
  await opened(ch);
  const reply = nextMessage(ch);
  ch.send(text);
  expect(await reply).toBe(`${prefix}:${text}`);
}
