/**
 * The Node WebSocket's TLS: one secure context per trust for the process, and
 * a reconnect resumes the origin's last TLS session instead of a full
 * handshake, but only under the trust that verified it.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { GeneratedCertificates } from '@kvs-sig/emulator';
import { WebSocketServer } from 'ws';
import { nodePlatform, tlsTrustSessions } from '../../src/platform-node';
import type { WebSocketLike } from '../../src/transport';
import { suiteCertificates } from '../support/helpers';

/** A WSS server that records, per accepted TLS connection, whether it resumed a session. */
class WssServer {
  readonly resumed: boolean[] = [];
  private constructor(
    private readonly server: https.Server,
    private readonly wss: WebSocketServer,
  ) {
    server.on('secureConnection', (s: TLSSocket) => this.resumed.push(s.isSessionReused()));
  }

  static async start(certs: GeneratedCertificates): Promise<WssServer> {
    const server = https.createServer({ cert: certs.cert, key: certs.key });
    const wss = new WebSocketServer({ server });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return new WssServer(server, wss);
  }

  get url(): string {
    return `wss://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Opens a socket, waits for open (or the error), then closes it and waits for the close. */
async function openAndClose(ws: WebSocketLike): Promise<'open' | string> {
  const outcome = await new Promise<string>((resolve) => {
    ws.addEventListener('open', () => resolve('open'));
    ws.addEventListener('error', (e) => resolve(String((e as { message?: string }).message ?? 'error')));
  });
  await new Promise<void>((resolve) => {
    ws.addEventListener('close', () => resolve());
    if (ws.readyState === 1 || ws.readyState === 0) ws.close(1000);
    else resolve();
  });
  return outcome;
}

describe('the Node WebSocket shares TLS state per trust', () => {
  const tls = suiteCertificates();
  let srv: WssServer;
  beforeEach(async () => {
    srv = await WssServer.start(tls.certs);
  });
  afterEach(async () => {
    await srv.close();
  });

  test('the first connection does a full handshake; later ones, from any client of the same trust, resume it', async () => {
    const trustsBefore = tlsTrustSessions().length;
    const a = nodePlatform.createWebSocket({ ca: tls.certs.ca })!;
    const b = nodePlatform.createWebSocket({ ca: [tls.certs.ca] })!;
    expect(await openAndClose(a(srv.url))).toBe('open');
    expect(await openAndClose(a(srv.url))).toBe('open');
    expect(await openAndClose(b(srv.url))).toBe('open');
    expect(srv.resumed).toEqual([false, true, true]);
    // One context for the trust, however many clients hold it.
    expect(tlsTrustSessions().length).toBe(trustsBefore + 1);
  });

  test('a session is never offered under another trust: a client that does not trust the server is refused even after a resumed one', async () => {
    const good = nodePlatform.createWebSocket({ ca: tls.certs.ca })!;
    expect(await openAndClose(good(srv.url))).toBe('open');
    expect(await openAndClose(good(srv.url))).toBe('open');
    const stranger = nodePlatform.createWebSocket({ ca: tls.other.ca })!;
    expect(await openAndClose(stranger(srv.url))).toMatch(/self[- ]signed|unable to verify|certificate/i);
    // And a new trust that does trust the server starts with a full handshake.
    const both = nodePlatform.createWebSocket({ ca: [tls.other.ca, tls.certs.ca] })!;
    expect(await openAndClose(both(srv.url))).toBe('open');
    expect(srv.resumed.filter((r) => r)).toHaveLength(1);
    expect(srv.resumed[0]).toBe(false);
    expect(srv.resumed[srv.resumed.length - 1]).toBe(false);
  });
});
