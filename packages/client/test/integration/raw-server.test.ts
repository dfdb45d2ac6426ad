import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SignalingClient } from '../../src/index';
import { until } from '../support/helpers';

const arn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/plain/1234567890123';

/** A bare WebSocket server that never answers pings (a half-open peer). */
async function silentServer(autoPong = false) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets: WebSocket[] = [];
  const urls: string[] = [];
  const messages: string[][] = [];
  wss.on('connection', (ws, req) => {
    const mine: string[] = [];
    messages.push(mine);
    ws.on('message', (d) => mine.push(String(d)));
    sockets.push(ws);
    urls.push(req.url ?? '');
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    endpoint: `ws://127.0.0.1:${port}`,
    sockets,
    urls,
    messages,
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
    signalingEndpoints: { wssEndpoint: server.endpoint },
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

test('a frame written into a connection that dies unread is sent again on the next one; its send resolves only once read', async () => {
  const server = await silentServer(true);
  const client = new SignalingClient({
    role: 'VIEWER',
    region: 'us-west-2',
    channelArn: arn,
    clientId: 'v1',
    allowInsecureEndpoints: true,
    signalingEndpoints: { wssEndpoint: server.endpoint },
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    requestSigner: { getSignedUrl: async (endpoint, query) => `${endpoint}/?${new URLSearchParams(query).toString()}` },
  });
  try {
    await client.connect();
    const first = server.sockets[0]!;
    // The service stops reading: what the client writes now stays unread in the kernel.
    (first as unknown as { _socket: { pause(): void } })._socket.pause();
    let outcome = 'pending';
    const send = client.sendIceCandidate({ candidate: 'candidate:lost-1 1 udp 1 127.0.0.1 9 typ host' }).then(() => (outcome = 'resolved'));
    await new Promise((r) => setTimeout(r, 200));
    expect(outcome).toBe('pending');
    first.terminate();
    await until(() => server.sockets.length === 2, 3000, 'a second connection');
    await send;
    expect(server.messages[1]).toHaveLength(1);
    expect(server.messages[1]![0]).toContain('"action":"ICE_CANDIDATE"');
  } finally {
    await client.close();
    await server.close();
  }
});

test('frames far beyond the service size are reported as unknownMessage and the connection stays up', async () => {
  const server = await silentServer(true);
  const client = new SignalingClient({
    role: 'VIEWER',
    region: 'us-west-2',
    channelArn: arn,
    clientId: 'v1',
    allowInsecureEndpoints: true,
    signalingEndpoints: { wssEndpoint: server.endpoint },
    requestSigner: { getSignedUrl: async (endpoint, query) => `${endpoint}/?${new URLSearchParams(query).toString()}` },
  });
  try {
    await client.connect();
    const ws = server.sockets[0]!;
    const closes: unknown[] = [];
    client.on('close', (e) => closes.push(e));
    for (const text of [`{"messageType":"SDP_OFFER","messagePayload":"${'A'.repeat(10 * 1024 * 1024)}"}`, ' '.repeat(2 * 1024 * 1024) + '{}']) {
      const reported = client.waitFor('unknownMessage', { timeoutMs: 5000 });
      ws.send(text);
      expect((await reported).error?.code).toBe('FRAME_TOO_LARGE');
    }
    // Still the same connection, still relaying.
    const small = client.waitFor('unknownMessage', { timeoutMs: 3000 });
    ws.send('{"message":"Forbidden"}');
    expect((await small).error).toBeUndefined();
    expect(closes).toEqual([]);
    expect(server.sockets).toHaveLength(1);
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
