/**
 * A userland link emulator: a TCP proxy that charges a one-way delay to every
 * chunk in each direction and a round trip to connection establishment, so
 * that TCP connect, each TLS handshake flight, each HTTP request and each
 * WebSocket upgrade through it pay real round trips, as over a WAN link. It
 * also counts what crossed it: TCP connections and TLS handshakes (connections
 * whose first record is a ClientHello).
 *
 * Not modelled: bandwidth, loss, jitter, congestion windows. The traffic it is
 * meant for (signaling requests of a few KB) fits in one initial window.
 * @packageDocumentation
 */
import * as net from 'node:net';

/** Where a link forwards to. @public */
export interface LinkTarget {
  readonly host: string;
  readonly port: number;
}

/** Options of {@link startLink}. @public */
export interface LinkOptions {
  /** The server behind the link; a function is asked at each connection, so the link can start before its target. */
  readonly target: LinkTarget | (() => LinkTarget);
  /** Delay of every chunk in each direction (the round trip is twice this). */
  readonly oneWayMs: number;
  /**
   * The TCP handshake: the client's bytes are held until this long after the
   * connection was accepted (the client could not send before its SYN-ACK).
   * @default 2 × oneWayMs
   */
  readonly connectDelayMs?: number;
  /** Address to listen on. @default 127.0.0.1 */
  readonly host?: string;
}

/** Counters since the link started. @public */
export interface LinkStats {
  /** TCP connections accepted. */
  readonly connections: number;
  /** Connections whose first bytes were a TLS ClientHello. */
  readonly tlsHandshakes: number;
  /** `performance.now()` of each accept, in order (to tell connections opened together from ones opened in sequence). */
  readonly acceptedAt: readonly number[];
}

/** A running link. @public */
export interface Link {
  readonly host: string;
  readonly port: number;
  /** `scheme://host:port`, e.g. `link.origin('https')`. */
  origin(scheme: string): string;
  stats(): LinkStats;
  /** Stops listening, resets every connection still open and clears every timer. Safe to call twice. */
  close(): Promise<void>;
}

type Item = { due: number; kind: 'data'; chunk: Buffer } | { due: number; kind: 'end' | 'destroy' | 'reset' };

/**
 * One direction of a connection: items leave in arrival order, each no earlier
 * than its due time. A single timer on the head keeps the order even when a
 * later item would be due first (it never is with fixed delays, but the
 * connect gate makes the due times uneven at the start).
 */
class Lane {
  private readonly queue: Item[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDue = 0;
  stopped = false;

  constructor(private readonly out: net.Socket) {}

  push(item: Item): void {
    if (this.stopped) return;
    item.due = Math.max(item.due, this.lastDue);
    this.lastDue = item.due;
    this.queue.push(item);
    if (this.queue.length === 1) this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    clearTimeout(this.timer);
  }

  private arm(): void {
    clearTimeout(this.timer);
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.ceil(head.due - performance.now())));
  }

  private flush(): void {
    const now = performance.now();
    // setTimeout may fire a fraction of a millisecond early; a sub-ms tolerance keeps it from spinning.
    while (this.queue.length && (this.queue[0] as Item).due <= now + 0.5) {
      const item = this.queue.shift() as Item;
      if (this.out.destroyed) continue;
      if (item.kind === 'data') this.out.write(item.chunk);
      else if (item.kind === 'end') this.out.end();
      else if (item.kind === 'reset') this.out.resetAndDestroy();
      else this.out.destroy();
    }
    this.arm();
  }
}

/** Whether `head` (the first bytes of a connection) starts with a TLS handshake record holding a ClientHello. */
export function isClientHello(head: Buffer): boolean {
  // Record: type 22 (handshake), legacy version 3.x, 2-byte length; then handshake type 1 (client_hello).
  return head.length >= 6 && head[0] === 0x16 && head[1] === 0x03 && head[5] === 0x01;
}

/**
 * Starts a link on `host:0`.
 * @throws Error when the port cannot be bound, or a RangeError on a negative delay.
 * @public
 */
export async function startLink(options: LinkOptions): Promise<Link> {
  const oneWay = options.oneWayMs;
  const gate = options.connectDelayMs ?? 2 * oneWay;
  if (!(oneWay >= 0) || !(gate >= 0)) throw new RangeError(`startLink: delays must be non-negative (oneWayMs ${oneWay}, connectDelayMs ${gate})`);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  const lanes = new Set<Lane>();
  let connections = 0;
  let tlsHandshakes = 0;
  const acceptedAt: number[] = [];

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const acceptedMs = performance.now();
    connections++;
    acceptedAt.push(acceptedMs);
    const target = typeof options.target === 'function' ? options.target() : options.target;
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    const up = new Lane(upstream);
    const down = new Lane(client);
    for (const [s, l] of [
      [client, up],
      [upstream, down],
    ] as const) {
      sockets.add(s);
      lanes.add(l);
      // Errors end in 'close', handled below; without a listener they would crash the process.
      s.on('error', () => undefined);
    }
    // Client bytes: not before the handshake round trip is over, then one way.
    const upDue = (): number => Math.max(performance.now(), acceptedMs + gate) + oneWay;
    const downDue = (): number => performance.now() + oneWay;
    let head: Buffer | undefined = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= 6) {
          if (isClientHello(head)) tlsHandshakes++;
          head = undefined;
        }
      }
      up.push({ due: upDue(), kind: 'data', chunk });
    });
    upstream.on('data', (chunk: Buffer) => down.push({ due: downDue(), kind: 'data', chunk }));
    // A FIN travels like data, after what was sent before it.
    client.on('end', () => up.push({ due: upDue(), kind: 'end' }));
    upstream.on('end', () => down.push({ due: downDue(), kind: 'end' }));
    // Once one side is gone the other follows one way later: closed after both FINs, or reset
    // if the side died (reset, error), so an abrupt close stays abrupt on the other side.
    client.on('close', (hadError: boolean) => {
      sockets.delete(client);
      down.stop();
      lanes.delete(down);
      up.push({ due: upDue(), kind: hadError ? 'reset' : 'destroy' });
    });
    upstream.on('close', (hadError: boolean) => {
      sockets.delete(upstream);
      up.stop();
      lanes.delete(up);
      down.push({ due: downDue(), kind: hadError ? 'reset' : 'destroy' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  let closed = false;
  return {
    host,
    port,
    origin: (scheme) => `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stats: () => ({ connections, tlsHandshakes, acceptedAt: [...acceptedAt] }),
    async close() {
      if (closed) return;
      closed = true;
      for (const l of lanes) l.stop();
      lanes.clear();
      // The link going away is a failure for whoever is still connected: reset, not a clean FIN.
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
