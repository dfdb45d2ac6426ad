import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SignalingClientOptions } from '../src/index';

/** A channel ARN the raw server accepts (it checks nothing). */
export const rawArn = 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/raw/1234567890123';

/**
 * A bare WebSocket server on 127.0.0.1 that plays the signaling service by hand:
 * tests push whatever frames they like with `send` and read what the client wrote.
 */
export async function rawSignalingServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => sockets.push(ws));
  const port = (wss.address() as AddressInfo).port;
  const endpoint = `ws://127.0.0.1:${port}`;
  return {
    endpoint,
    sockets,
    /** Sends `frame` on the newest connection. */
    send(frame: string | object): void {
      const ws = sockets[sockets.length - 1];
      if (!ws) throw new Error('no connection to send on');
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    /** Client options that reach this server with a URL-only signer (no control plane). */
    clientOptions(extra: Partial<SignalingClientOptions> = {}): SignalingClientOptions {
      return {
        role: 'MASTER',
        region: 'us-west-2',
        channelArn: rawArn,
        allowInsecureEndpoints: true,
        signalingEndpoints: { wss: endpoint },
        requestSigner: { getSignedUrl: async (ep, query) => `${ep}/?${new URLSearchParams(query).toString()}` },
        ...extra,
      } as SignalingClientOptions;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of wss.clients) s.terminate();
        wss.close(() => r());
      }),
  };
}

/** base64 of the UTF-8 JSON of `value`, as the service carries payloads. */
export function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}
