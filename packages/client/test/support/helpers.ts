import * as https from 'node:https';
import { CreateStreamCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { generateCertificates, startEmulator, type Emulator, type EmulatorOptions, type GeneratedCertificates } from '@kvs-sig/emulator';
import { SignalingClient, type SignalingClientOptions } from '../../src/index';

/** Starts a TLS emulator and tracks clients so every test can tear everything down. */
export class Harness {
  readonly clients: SignalingClient[] = [];
  private constructor(readonly emu: Emulator) {}

  static async start(options: EmulatorOptions = {}): Promise<Harness> {
    return new Harness(await startEmulator({ tls: true, ...options }));
  }

  /** Options that reach the emulator over TLS with its CA. */
  base(): Pick<SignalingClientOptions, 'region' | 'endpoint' | 'credentials' | 'tls'> {
    return {
      region: this.emu.region,
      endpoint: this.emu.controlPlaneEndpoint,
      credentials: this.emu.credentials,
      tls: { ca: this.emu.ca! },
    };
  }

  client(options: Partial<SignalingClientOptions> & Pick<SignalingClientOptions, 'role'>): SignalingClient {
    const c = new SignalingClient({ ...this.base(), ...options } as SignalingClientOptions);
    this.clients.push(c);
    return c;
  }

  master(channelName: string, extra: Partial<SignalingClientOptions> = {}): SignalingClient {
    return this.client({ role: 'MASTER', channelName, ...extra });
  }

  viewer(channelName: string, clientId: string, extra: Partial<SignalingClientOptions> = {}): SignalingClient {
    return this.client({ role: 'VIEWER', channelName, clientId, ...extra });
  }

  /** Creates a channel through the emulator's API and returns its ARN. */
  async createChannel(channelName: string): Promise<string> {
    const c = this.master(channelName, { createChannelIfMissing: true });
    await c.connect();
    const arn = c.channelArn!;
    await c.close();
    return arn;
  }

  /**
   * Creates a Kinesis video stream (24 h retention, so a channel can store into it)
   * with the AWS SDK, as an app would around ingestion; returns its ARN.
   */
  async createStream(streamName: string): Promise<string> {
    const agent = new https.Agent({ ca: this.emu.ca!, keepAlive: false });
    const kv = new KinesisVideoClient({
      region: this.emu.region,
      endpoint: this.emu.controlPlaneEndpoint,
      credentials: this.emu.credentials,
      maxAttempts: 1,
      requestHandler: { httpsAgent: agent },
    });
    try {
      return (await kv.send(new CreateStreamCommand({ StreamName: streamName, DataRetentionInHours: 24 }))).StreamARN!;
    } finally {
      kv.destroy();
      agent.destroy();
    }
  }

  ops(): string[] {
    return this.emu.log.requests().map((r) => r.operation);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await this.emu.close();
  }
}

export const offer = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
export const answer = { type: 'answer' as const, sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
export const candidate = (n: number) => ({ candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

/** A loopback port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves when `predicate` holds, polling every 10 ms (rejects after `ms`). */
export async function until(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Two certificate sets made for the suite (one the servers use, one no server
 * does) and removed after it; read them inside tests or hooks.
 */
export function suiteCertificates(): { readonly certs: GeneratedCertificates; readonly other: GeneratedCertificates } {
  const made: { certs?: GeneratedCertificates; other?: GeneratedCertificates } = {};
  beforeAll(async () => {
    [made.certs, made.other] = await Promise.all([generateCertificates(), generateCertificates()]);
  });
  afterAll(async () => {
    for (const c of [made.certs, made.other]) if (c) await rm(c.dir, { recursive: true, force: true });
  });
  const get = (which: 'certs' | 'other'): GeneratedCertificates => {
    const c = made[which];
    if (!c) throw new Error('suiteCertificates: read inside a test or hook, after beforeAll');
    return c;
  };
  return {
    get certs() {
      return get('certs');
    },
    get other() {
      return get('other');
    },
  };
}
