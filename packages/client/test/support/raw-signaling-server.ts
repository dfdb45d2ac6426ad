import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SignalingClient, type SignalingClientOptions } from '../../src/index';

/** A channel ARN the raw server accepts (it checks nothing). */
export const rawArn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/raw/1234567890123';

export interface RawSignalingServerOptions {
  autoPong?: boolean;
  onConnection?: (ws: WebSocket) => void;
}

/**
 * A bare WebSocket server on 127.0.0.1 that plays the signaling service by hand:
 * tests push whatever frames they like with `send` and read what the client wrote.
 */
export async function rawSignalingServer(options: RawSignalingServerOptions = {}) {
  const http = createServer((req, res) => void onRequest(req, res));
  // autoPong: false lets a test decide when (and whether) the client's pings are answered.
  const wss = new WebSocketServer({ server: http, autoPong: options.autoPong ?? true });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    options.onConnection?.(ws);
  });
  const port = (http.address() as AddressInfo).port;
  const endpoint = `ws://127.0.0.1:${port}`;
  const httpsEndpoint = `http://127.0.0.1:${port}`;
  /** Paths of the HTTP requests received (GetIceServerConfig is `/v1/get-ice-server-config`). */
  const requests: string[] = [];
  /** What GetIceServerConfig answers; `'hang'` never answers. */
  let iceReply: unknown[] | 'hang' = [{ Uris: ['turn:192.0.2.1:443?transport=udp'], Username: 'u0', Password: 'p0', Ttl: 300 }];
  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req) void _;
    requests.push(req.url ?? '');
    if (req.url !== '/v1/get-ice-server-config') {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{"message":"not here"}');
      return;
    }
    if (iceReply === 'hang') return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ IceServerList: iceReply }));
  }
  return {
    endpoint,
    httpsEndpoint,
    sockets,
    requests,
    /** GetIceServerConfig calls so far. */
    iceCalls: () => requests.filter((u) => u === '/v1/get-ice-server-config').length,
    setIceReply(list: unknown[] | 'hang'): void {
      iceReply = list;
    },
    /** Sends `frame` on the newest connection. */
    send(frame: string | object): void {
      const ws = sockets[sockets.length - 1];
      if (!ws) throw new Error('no connection to send on');
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    /** Client options that reach this server with a URL-only signer (no control plane, no GetIceServerConfig). */
    clientOptions(extra: Partial<SignalingClientOptions> = {}): SignalingClientOptions {
      return {
        role: 'MASTER',
        region: 'us-west-2',
        channelArn: rawArn,
        allowInsecureEndpoints: true,
        signalingEndpoints: { wssEndpoint: endpoint },
        requestSigner: { getSignedUrl: async (ep, query) => `${ep}/?${new URLSearchParams(query).toString()}` },
        ...extra,
      } as SignalingClientOptions;
    },
    /** Client options with SigV4 credentials and this server as the HTTPS endpoint too (GetIceServerConfig lands here). */
    signedClientOptions(extra: Partial<SignalingClientOptions> = {}): SignalingClientOptions {
      return {
        role: 'MASTER',
        region: 'us-west-2',
        channelArn: rawArn,
        allowInsecureEndpoints: true,
        signalingEndpoints: { wssEndpoint: endpoint, httpsEndpoint },
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        ...extra,
      } as SignalingClientOptions;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of wss.clients) s.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}

export type RawSignalingServer = Awaited<ReturnType<typeof rawSignalingServer>>;

/**
 * For tests that each start their own raw server and one client of it (`clientOptions(options)`):
 * returns the function that starts them, and closes both after each test, the client first.
 * Call it inside the `describe`.
 */
export function rawServerAndClientPerTest(): (options: Partial<SignalingClientOptions>, serverOptions?: RawSignalingServerOptions) => Promise<{ server: RawSignalingServer; client: SignalingClient }> {
  let server: RawSignalingServer | undefined;
  let client: SignalingClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });
  return async (options, serverOptions) => {
    server = await rawSignalingServer(serverOptions);
    client = new SignalingClient(server.clientOptions(options));
    return { server, client };
  };
}

/** Stops (and resumes) reading the server side of a socket: to the client, the server is frozen (it can still write). */
export function tcp(ws: WebSocket): { pause(): void; resume(): void } {
  return (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
}

/** What the server read on one socket, in order: each frame's candidate, or `ping`. */
export function record(ws: WebSocket): string[] {
  const seen: string[] = [];
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as { messagePayload: string };
    seen.push((JSON.parse(Buffer.from(f.messagePayload, 'base64').toString('utf8')) as { candidate: string }).candidate);
  });
  ws.on('ping', () => seen.push('ping'));
  return seen;
}

/** base64 of the UTF-8 JSON of `value`, as the service carries payloads. */
export function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}
