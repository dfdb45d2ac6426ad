import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SignalingClient } from '../src/index';
import { until } from './helpers';

const arn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/plain/1234567890123';

/** A bare WebSocket server that never answers pings (a half-open peer). */
async function silentServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets: WebSocket[] = [];
  const urls: string[] = [];
  wss.on('connection', (ws, req) => {
    sockets.push(ws);
    urls.push(req.url ?? '');
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    endpoint: `ws://127.0.0.1:${port}`,
    sockets,
    urls,
    close: () =>
      new Promise<void>((r) => {
        for (const s of wss.clients) s.terminate();
        wss.close(() => r());
      }),
  };
}

test('a URL-only requestSigner with known endpoints: no control-plane call, re-signed on every attempt; a silent peer is detected by keepalive', async () => {
  const server = await silentServer();
  const signed: string[] = [];
  const client = new SignalingClient({
    role: 'VIEWER',
    region: 'us-west-2',
    channelArn: arn,
    clientId: 'v1',
    allowInsecureEndpoints: true,
    signalingEndpoints: { wss: server.endpoint },
    keepaliveIntervalMs: 100,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    requestSigner: {
      getSignedUrl: async (endpoint, query, date) => {
        signed.push(date?.toISOString() ?? '');
        return `${endpoint}/?${new URLSearchParams({ ...query, 'X-Amz-Signature': `sig${signed.length}` }).toString()}`;
      },
    },
  });
  try {
    const closes: Array<{ code: number; reason: string; willReconnect: boolean }> = [];
    client.on('close', (e) => closes.push(e));
    await client.connect();
    expect(server.urls[0]).toContain('X-Amz-ClientId=v1');
    expect(server.urls[0]).toContain('X-Amz-Signature=sig1');
    // No pong comes back: within two intervals the client gives up on the socket and reconnects.
    await until(() => server.sockets.length >= 2 && client.state === 'open', 3000, 'a second connection');
    expect(closes[0]).toEqual({ code: 1006, reason: 'keepalive timeout', willReconnect: true });
    expect(signed.length).toBeGreaterThanOrEqual(2);
    expect(server.urls[1]).toContain(`X-Amz-Signature=sig2`);
    await expect(client.getIceServers()).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  } finally {
    await client.close();
    await server.close();
  }
});

test('a requestSigner without signRequest needs signalingEndpoints', () => {
  expect(
    () =>
      new SignalingClient({
        role: 'MASTER',
        region: 'us-west-2',
        channelArn: arn,
        requestSigner: { getSignedUrl: async () => 'wss://x' },
      }),
  ).toThrow(expect.objectContaining({ field: 'signalingEndpoints' }));
});
