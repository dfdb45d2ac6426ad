/**
 * The media leg of the link model: a UDP relay in front of a TURN server that
 * delays every datagram one way in each direction (as `link.ts` does for TCP),
 * and can **rebind**: every flow gets a new source port towards the server, as
 * when a client's network changes (Wi-Fi to cellular, a NAT rebinding). The
 * server then sees a new 5-tuple; the old TURN allocation, and every ICE pair
 * on it, is unreachable from then on, while new allocations work.
 *
 * Not modelled: loss, jitter, bandwidth.
 * @packageDocumentation
 */
import * as dgram from 'node:dgram';

/** A running UDP link. @public */
export interface UdpLink {
  readonly port: number;
  /** Datagrams received from clients, forwarded each way, flows (client addresses) seen and rebinds, since the start. */
  stats(): { received: number; up: number; down: number; flows: number; rebinds: number };
  /** Moves every flow to a new source port towards the server, dropping what is in flight; returns how many flows moved. */
  rebind(): number;
  close(): Promise<void>;
}

/** Options of {@link startUdpLink}. @public */
export interface UdpLinkOptions {
  readonly target: { readonly host: string; readonly port: number };
  /** Delay of every datagram in each direction. */
  readonly oneWayMs: number;
}

interface Flow {
  readonly upstream: dgram.Socket;
  closed: boolean;
}

/**
 * Starts a UDP link on 127.0.0.1:0.
 * @throws RangeError on a negative delay.
 * @public
 */
export async function startUdpLink(options: UdpLinkOptions): Promise<UdpLink> {
  const { target, oneWayMs } = options;
  if (!(oneWayMs >= 0)) throw new RangeError(`startUdpLink: oneWayMs must be non-negative (${oneWayMs})`);
  const server = dgram.createSocket('udp4');
  const flows = new Map<string, Flow>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let received = 0;
  let up = 0;
  let down = 0;
  let seen = 0;
  let rebinds = 0;
  let closed = false;
  const later = (fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, oneWayMs);
    timers.add(t);
  };
  const flowFor = (address: string, port: number): Flow => {
    const key = `${address}:${port}`;
    let flow = flows.get(key);
    if (flow) return flow;
    seen++;
    const upstream = dgram.createSocket('udp4');
    const f: Flow = { upstream, closed: false };
    flow = f;
    flows.set(key, f);
    upstream.on('error', () => undefined);
    upstream.on('message', (msg) => {
      if (f.closed) return;
      later(() => {
        if (f.closed || closed) return;
        down++;
        server.send(msg, port, address);
      });
    });
    upstream.bind(0, '127.0.0.1');
    return f;
  };
  server.on('error', () => undefined);
  server.on('message', (msg, rinfo) => {
    received++;
    // The flow is looked up when the datagram arrives: one sent before a rebind travels on the old path and is lost.
    const flow = flowFor(rinfo.address, rinfo.port);
    later(() => {
      if (flow.closed || closed) return;
      up++;
      flow.upstream.send(msg, target.port, target.host);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const drop = (): number => {
    const n = flows.size;
    for (const f of flows.values()) {
      f.closed = true;
      f.upstream.close();
    }
    flows.clear();
    return n;
  };
  return {
    port: server.address().port,
    stats: () => ({ received, up, down, flows: seen, rebinds }),
    rebind() {
      rebinds++;
      return drop();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      drop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
