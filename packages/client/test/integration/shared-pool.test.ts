import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { GeneratedCertificates } from '@kvs-sig/emulator';
import { fetch as undiciFetch, Agent } from 'undici';
import { ChannelManager, SignalingClient, type FetchLike } from '../../src/index';
import { MAX_CONNECTIONS_PER_ORIGIN, nodePlatform, sharedAgentUsers } from '../../src/platform-node';
import { tlsTrustCode } from '../../src/transport';
import { Harness, suiteCertificates, until } from '../support/helpers';

function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

async function backToBaseline(before: Record<string, number>): Promise<void> {
  const extra = (): [string, number][] => Object.entries(handles()).filter(([k, n]) => n > (before[k] ?? 0));
  await until(() => extra().length === 0, 2000, 'handles back to the baseline').catch(() => undefined);
  expect(extra()).toEqual([]);
}

/** An HTTPS server that counts the TLS connections it accepts and how many are open. */
class CountingServer {
  accepted = 0;
  maxOpen = 0;
  readonly open = new Set<TLSSocket>();
  delayMs = 0;
  private constructor(readonly server: https.Server) {
    server.on('secureConnection', (s: TLSSocket) => {
      this.accepted++;
      this.open.add(s);
      this.maxOpen = Math.max(this.maxOpen, this.open.size);
      s.on('close', () => this.open.delete(s));
    });
  }

  static async start(certs: GeneratedCertificates): Promise<CountingServer> {
    let self: CountingServer | undefined;
    const server = https.createServer({ cert: certs.cert, key: certs.key, keepAliveTimeout: 60_000 }, (req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('ok'), self?.delayMs ?? 0));
    });
    self = new CountingServer(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return self;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function get(fetch: FetchLike, url: string): Promise<string> {
  const res = await fetch(url, { method: 'GET', headers: {} });
  return res.text();
}

describe('the Node platform shares one HTTPS Agent per TLS trust', () => {
  const tls = suiteCertificates();
  let srv: CountingServer;
  let before: Record<string, number>;
  beforeEach(async () => {
    await new Promise((r) => setTimeout(r, 20));
    before = handles();
    srv = await CountingServer.start(tls.certs);
  });
  afterEach(async () => {
    await srv.close();
    // Whatever a failed test left behind must not leak into the next one.
    expect(sharedAgentUsers()).toEqual([]);
  });

  test('two users of the same CA share one Agent and its warm socket; closing one keeps the other working; closing both closes every socket', async () => {
    const a = nodePlatform.createFetch({ ca: tls.certs.ca })!;
    // The same trust given as a one-element list is the same pool.
    const b = nodePlatform.createFetch({ ca: [tls.certs.ca] })!;
    try {
      // Taken on the first request, not at creation.
      expect(sharedAgentUsers()).toEqual([]);
      expect(await get(a.fetch, srv.url)).toBe('ok');
      expect(await get(b.fetch, srv.url)).toBe('ok');
      expect(sharedAgentUsers()).toEqual([2]);
      expect(srv.accepted).toBe(1);

      await a.dispose();
      await a.dispose(); // idempotent: must not release b's share
      expect(sharedAgentUsers()).toEqual([1]);
      expect(await get(b.fetch, srv.url)).toBe('ok');
      expect(srv.accepted).toBe(1);
      expect(srv.open.size).toBe(1);
      await expect(get(a.fetch, srv.url)).rejects.toThrow(/released/);
    } finally {
      await a.dispose();
      await b.dispose();
    }
    expect(sharedAgentUsers()).toEqual([]);
    await until(() => srv.open.size === 0, 2000, 'the server to see every pooled socket closed');
    await srv.close();
    await backToBaseline(before);
  });

  test('a request sent right after the previous body was read reuses its socket (Describe then GetEndpoint: no second TCP+TLS setup)', async () => {
    const a = nodePlatform.createFetch({ ca: tls.certs.ca })!;
    try {
      for (let i = 0; i < 3; i++) {
        const res = await a.fetch(srv.url, { method: 'POST', headers: {}, body: '{}' });
        expect(await res.text()).toBe('ok');
      }
      expect(srv.accepted).toBe(1);
    } finally {
      await a.dispose();
    }
    await until(() => srv.open.size === 0, 2000, 'the pooled socket to close');
    await srv.close();
    await backToBaseline(before);
  });

  test('after the last user closed it, a new user gets a fresh Agent; a user that never fetched holds nothing', async () => {
    const a = nodePlatform.createFetch({ ca: tls.certs.ca })!;
    const idle = nodePlatform.createFetch({ ca: tls.certs.ca })!;
    expect(await get(a.fetch, srv.url)).toBe('ok');
    expect(sharedAgentUsers()).toEqual([1]);
    await a.dispose();
    expect(sharedAgentUsers()).toEqual([]);
    const b = nodePlatform.createFetch({ ca: tls.certs.ca })!;
    try {
      expect(await get(b.fetch, srv.url)).toBe('ok');
      expect(sharedAgentUsers()).toEqual([1]);
      expect(srv.accepted).toBe(2);
    } finally {
      await b.dispose();
      await idle.dispose();
    }
    expect(sharedAgentUsers()).toEqual([]);
  });

  test('a different trust never rides on a warm socket of another', async () => {
    const trusted = nodePlatform.createFetch({ ca: tls.certs.ca })!;
    const wrongCa = nodePlatform.createFetch({ ca: tls.other.ca })!;
    const systemCas = nodePlatform.createFetch(undefined)!;
    const bytes = nodePlatform.createFetch({ ca: Buffer.from(tls.other.ca) as unknown as string })!;
    // A value it cannot compare is never shared.
    const odd = [nodePlatform.createFetch({ ca: 42 as unknown as string })!, nodePlatform.createFetch({ ca: 42 as unknown as string })!];
    try {
      expect(await get(trusted.fetch, srv.url)).toBe('ok');
      for (const f of [wrongCa, systemCas, bytes, ...odd]) {
        const error = await get(f.fetch, srv.url).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeDefined();
        if (f !== odd[0] && f !== odd[1]) expect(tlsTrustCode(error)).toBeDefined();
      }
      // Four trusts, four shared Agents; the two odd values got private ones.
      expect(sharedAgentUsers()).toEqual([1, 1, 1, 1]);
    } finally {
      await Promise.all([trusted, wrongCa, systemCas, bytes, ...odd].map((f) => f.dispose()));
    }
    expect(sharedAgentUsers()).toEqual([]);
  });

  test(`a burst opens at most ${MAX_CONNECTIONS_PER_ORIGIN} connections to one origin; the rest wait for a free one`, async () => {
    srv.delayMs = 30;
    const users = Array.from({ length: 10 }, () => nodePlatform.createFetch({ ca: tls.certs.ca })!);
    try {
      const bodies = await Promise.all(Array.from({ length: 200 }, (_, i) => get(users[i % users.length]!.fetch, srv.url)));
      expect(bodies.every((b) => b === 'ok')).toBe(true);
      expect(srv.maxOpen).toBeGreaterThan(1);
      expect(srv.maxOpen).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_ORIGIN);
      expect(srv.accepted).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_ORIGIN);
    } finally {
      await Promise.all(users.map((u) => u.dispose()));
    }
  });
});

describe('SignalingClient and ChannelManager on the shared pool', () => {
  test('a client whose constructor throws, or that never connects, holds no share', async () => {
    const h = await Harness.start();
    try {
      // signalingEndpoints is checked after the ChannelManager (and its fetch) exist.
      expect(() => h.master('bad', { signalingEndpoints: { wssEndpoint: 'wss://127.0.0.1:1' } })).toThrow(/channelArn/);
      h.master('never-connected');
      expect(sharedAgentUsers()).toEqual([]);
    } finally {
      await h.stop();
    }
    expect(sharedAgentUsers()).toEqual([]);
  });

  test('they share one Agent; closing one keeps the others working; closing all leaves no handle', async () => {
    await new Promise((r) => setTimeout(r, 20));
    const before = handles();
    const h = await Harness.start();
    const m1 = h.master('pool-1', { createChannelIfMissing: true });
    const m2 = h.master('pool-2', { createChannelIfMissing: true });
    const mgr = new ChannelManager(h.base());
    try {
      await m1.connect();
      await m2.connect();
      expect(sharedAgentUsers()).toEqual([2]);
      expect((await mgr.describeChannel({ channelName: 'pool-1' })).channelName).toBe('pool-1');
      expect(sharedAgentUsers()).toEqual([3]);
      await m1.close();
      expect(sharedAgentUsers()).toEqual([2]);
      expect((await m2.channels.describeChannel({ channelName: 'pool-2' })).channelName).toBe('pool-2');
      expect((await mgr.describeChannel({ channelName: 'pool-1' })).channelName).toBe('pool-1');
      await m2.close();
      expect(sharedAgentUsers()).toEqual([1]);
      expect((await mgr.describeChannel({ channelName: 'pool-2' })).channelName).toBe('pool-2');
    } finally {
      await mgr.close();
      await h.stop();
    }
    expect(sharedAgentUsers()).toEqual([]);
    await backToBaseline(before);
  });

  test('a user-supplied fetch bypasses the shared pool', async () => {
    const h = await Harness.start();
    const agent = new Agent({ connect: { ca: h.emu.ca! } });
    const calls: string[] = [];
    const fetch: FetchLike = (url, init) => {
      calls.push(url);
      return undiciFetch(url, { ...init, dispatcher: agent });
    };
    try {
      const c = new SignalingClient({ ...h.base(), role: 'MASTER', channelName: 'own-fetch', createChannelIfMissing: true, fetch });
      h.clients.push(c);
      expect(sharedAgentUsers()).toEqual([]);
      await c.connect();
      expect(calls.length).toBeGreaterThan(0);
      expect(sharedAgentUsers()).toEqual([]);
    } finally {
      await h.stop();
      await agent.close();
    }
  });
});
