/**
 * Node defaults: `ws` for the WebSocket (Node 20 has no global one) and, for
 * HTTPS, an undici Agent with keep-alive shared by every client and manager of
 * the process that has the same TLS trust (`tls.ca`). The WebSocket's TLS
 * shares a secure context and resumable sessions per trust the same way.
 * @packageDocumentation
 */

import * as net from 'node:net';
import * as tls from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { MAX_REQUESTS_PER_ORIGIN } from './gate';
import type { TlsOptions } from './connection-options';
import type { Platform } from './platform';
import type { FetchLike, WebSocketLike } from './transport';

/**
 * Connections one shared Agent opens to one origin (control plane, or one
 * HTTPS signaling endpoint): as many as the client lets requests run at once
 * per origin (gate.ts), so no request waits inside undici. Without a bound, a
 * burst of N connects would open N sockets (N TLS handshakes). 64 is enough to
 * saturate the account quotas (DescribeSignalingChannel and
 * GetSignalingChannelEndpoint: 300 TPS each) at 100 ms per request; beyond
 * the quotas, more sockets only buy `ClientLimitExceeded`.
 * @internal
 */
export const MAX_CONNECTIONS_PER_ORIGIN = MAX_REQUESTS_PER_ORIGIN;

interface SharedAgent {
  readonly agent: Agent;
  users: number;
}

/** Live Agents by trust key; an entry goes when its last user disposes it. */
const agents = new Map<string, SharedAgent>();

/**
 * A key that is equal only for the same trust: the CA list, each entry
 * length-prefixed so no two lists collide. `undefined` for a value it cannot
 * compare (not a string or bytes), which then gets an Agent of its own.
 */
function trustKey(trust: TlsOptions | undefined): string | undefined {
  const ca: unknown = trust?.ca;
  if (ca === undefined) return 'default';
  let key = 'ca';
  for (const c of Array.isArray(ca) ? (ca as unknown[]) : [ca]) {
    if (typeof c === 'string') key += `|s${c.length}:${c}`;
    else if (c instanceof Uint8Array) key += `|b${c.length}:${Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1')}`;
    else return undefined;
  }
  return key;
}

function newAgent(trust: TlsOptions | undefined): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: MAX_CONNECTIONS_PER_ORIGIN,
    ...(trust?.ca === undefined ? {} : { connect: { ca: trust.ca } }),
  });
}

/**
 * undici hands a socket back to its pool one turn after the body has ended, so a
 * request sent as soon as the previous body was read (Describe, then
 * GetSignalingChannelEndpoint on the same host) finds it busy and opens another
 * connection: in AWS a TCP and a TLS round trip more on every cold open. Settling
 * the body a turn later lets the next request reuse the socket.
 */
function afterRelease(body: string): Promise<string> {
  return new Promise((resolve) => setImmediate(resolve, body));
}

/** The shared Agents alive now and how many clients use each (tests). @internal */
export function sharedAgentUsers(): number[] {
  return [...agents.values()].map((a) => a.users);
}

/**
 * Secure contexts and TLS sessions kept per trust: at most this many trusts,
 * and this many sessions (one per WSS origin) per trust, the oldest going first.
 * A process has a handful of each; the bounds only stop a pathological caller.
 * @internal
 */
export const MAX_TLS_TRUSTS = 16;
/** @internal */
export const MAX_TLS_SESSIONS = 100;

interface TlsTrust {
  readonly context: tls.SecureContext;
  /** The newest session ticket per `host:port`, for the next handshake to resume. */
  readonly sessions: Map<string, Buffer>;
}

const trusts = new Map<string, TlsTrust>();

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

function newTrust(trust: TlsOptions | undefined): TlsTrust {
  return { context: tls.createSecureContext(trust?.ca === undefined ? {} : { ca: trust.ca }), sessions: new Map() };
}

/**
 * The WebSocket's TLS connect. Left to itself, ws calls `tls.connect` with the
 * options of one socket, so every handshake builds a secure context (parsing
 * the whole CA list again) and verifies the full certificate chain: about a
 * third of the client's CPU per WSS connect with a private CA (4.6 against
 * 3.0 ms, measured). Here the
 * process shares one context per trust, and a connection resumes the last TLS
 * session of its origin, as undici does for HTTPS. A session is resumed only
 * under the trust that verified it.
 */
function tlsConnector(trust: TlsOptions | undefined): (options: tls.ConnectionOptions & { host?: string; port?: number; path?: string | undefined }) => tls.TLSSocket {
  const key = trustKey(trust);
  let own: TlsTrust | undefined;
  const entry = (): TlsTrust => {
    // A trust that cannot be compared stays with this client.
    if (key === undefined) return (own ??= newTrust(trust));
    let t = trusts.get(key);
    if (!t) {
      t = newTrust(trust);
      remember(trusts, key, t, MAX_TLS_TRUSTS);
    }
    return t;
  };
  return (options) => {
    const t = entry();
    const origin = `${options.host ?? ''}:${String(options.port ?? 443)}`;
    const socket = tls.connect({
      ...options,
      // As ws's own connect: `path` would make tls.connect open an IPC socket, and SNI is for names only.
      path: undefined,
      servername: options.servername || (net.isIP(options.host ?? '') ? '' : options.host),
      secureContext: t.context,
      session: t.sessions.get(origin),
    });
    socket.on('session', (session: Buffer) => remember(t.sessions, origin, session, MAX_TLS_SESSIONS));
    return socket;
  };
}

/** Trusts with a shared secure context, and the sessions each holds (tests). @internal */
export function tlsTrustSessions(): number[] {
  return [...trusts.values()].map((t) => t.sessions.size);
}

/**
 * Bun runs the Node entry, but its `undici` and `ws` are stand-ins over its
 * own fetch and WebSocket: they ignore a dispatcher and `createConnection` (so
 * `tls.ca` was lost: UNABLE_TO_VERIFY_LEAF_SIGNATURE), and the Agent has no
 * `close()`. Bun's own fetch and WebSocket take the CA as `tls: { ca }` and
 * pool connections themselves, so there is no Agent to share or dispose.
 */
const bunPlatform: Platform = {
  name: 'node',
  createFetch(trust: TlsOptions | undefined) {
    const bunFetch = globalThis.fetch as unknown as (url: string, init: Record<string, unknown>) => ReturnType<FetchLike>;
    const tlsInit = trust?.ca === undefined ? {} : { tls: { ca: trust.ca } };
    let released = false;
    const fetch: FetchLike = async (url, init) => {
      if (released) throw new TypeError('fetch failed: this client released its connection pool (closed)');
      return bunFetch(url, { ...init, ...tlsInit });
    };
    return {
      fetch,
      dispose: async () => {
        released = true;
      },
    };
  },
  createWebSocket(trust: TlsOptions | undefined) {
    const BunWebSocket = globalThis.WebSocket as unknown as new (url: string, options?: Record<string, unknown>) => WebSocketLike;
    const options = trust?.ca === undefined ? undefined : { tls: { ca: trust.ca } };
    return (url: string) => new BunWebSocket(url, options);
  },
};

const nodeOnlyPlatform: Platform = {
  name: 'node',
  createFetch(trust: TlsOptions | undefined) {
    // One Agent per trust for the whole process: N masters in a gateway share a few
    // warm sockets instead of doing N TLS handshakes and keeping N idle sockets.
    // The share is taken on the first request, so a client whose constructor threw
    // after this call (it can never be closed) holds none.
    const key = trustKey(trust);
    let shared: SharedAgent | undefined;
    let released = false;
    const acquire = (): SharedAgent => {
      if (shared) return shared;
      let entry = key === undefined ? undefined : agents.get(key);
      if (!entry) {
        entry = { agent: newAgent(trust), users: 0 };
        if (key !== undefined) agents.set(key, entry);
      }
      entry.users++;
      shared = entry;
      return entry;
    };
    const fetch: FetchLike = async (url, init) => {
      if (released) throw new TypeError('fetch failed: this client released its connection pool (closed)');
      const res = await undiciFetch(url, { ...init, dispatcher: acquire().agent });
      return { status: res.status, headers: res.headers, text: () => res.text().then(afterRelease) };
    };
    const dispose = async (): Promise<void> => {
      if (released) return;
      released = true;
      if (!shared || --shared.users > 0) return;
      // Removed before closing, so a client created meanwhile gets a fresh Agent.
      if (key !== undefined && agents.get(key) === shared) agents.delete(key);
      await shared.agent.close();
    };
    return { fetch, dispose };
  },
  createWebSocket(trust: TlsOptions | undefined) {
    const connect = tlsConnector(trust);
    return (url: string) =>
      new WebSocket(url, {
        perMessageDeflate: false,
        // Far above any real frame (~14 KB): a hostile or broken frame is reported as
        // unknownMessage instead of costing the connection (ws closes with 1009 beyond this).
        maxPayload: 32 * 1024 * 1024,
        // ws:// (loopback, allowInsecureEndpoints) keeps ws's own plain connect.
        // ws types this as net.createConnection's overloads; it only ever passes the options object.
        ...(url.startsWith('wss:') ? { createConnection: connect as unknown as typeof net.createConnection } : {}),
      }) as unknown as WebSocketLike;
  },
};

interface DenoHttp {
  createHttpClient(options: { caCerts?: string[] }): { close(): void };
}

/**
 * Deno runs the Node entry (its `deno` build, which bundles ws: see
 * tsup.config.ts) with ws over node:tls, but undici's fetch reads environment
 * variables on every request, which Deno refuses without --allow-env. Deno's
 * own fetch takes the CA through an HTTP client. Its own WebSocket cannot: with
 * a custom client it speaks only WebSocket over HTTP/2, so ws stays.
 */
function denoPlatform(deno: DenoHttp): Platform {
  return {
    name: 'node',
    createFetch(trust: TlsOptions | undefined) {
      const denoFetch = globalThis.fetch as unknown as (url: string, init: Record<string, unknown>) => ReturnType<FetchLike>;
      const caCerts = trust?.ca === undefined ? undefined : Array.isArray(trust.ca) ? trust.ca : [trust.ca];
      // Made on the first request, so a client whose constructor threw holds none.
      let client: { close(): void } | undefined;
      let released = false;
      const fetch: FetchLike = async (url, init) => {
        if (released) throw new TypeError('fetch failed: this client released its connection pool (closed)');
        if (caCerts === undefined) return denoFetch(url, init);
        client ??= deno.createHttpClient({ caCerts });
        return denoFetch(url, { ...init, client });
      };
      const dispose = async (): Promise<void> => {
        released = true;
        client?.close();
        client = undefined;
      };
      return { fetch, dispose };
    },
    createWebSocket: nodeOnlyPlatform.createWebSocket,
  };
}

function runtimePlatform(): Platform {
  const g = globalThis as { Bun?: unknown; Deno?: DenoHttp };
  if (g.Bun !== undefined) return bunPlatform;
  if (g.Deno !== undefined && typeof g.Deno.createHttpClient === 'function') return denoPlatform(g.Deno);
  return nodeOnlyPlatform;
}

/** The Node entry's defaults: Node's (undici, ws), or Bun's or Deno's own where those differ. @internal */
export const nodePlatform: Platform = runtimePlatform();
