/**
 * Node defaults: `ws` for the WebSocket (Node 20 has no global one) and, for
 * HTTPS, an undici Agent with keep-alive shared by every client and manager of
 * the process that has the same TLS trust (`tls.ca`).
 * @packageDocumentation
 */

import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import type { Platform, TlsOptions } from './options';
import type { FetchLike, WebSocketLike } from './transport';

/**
 * Connections one shared Agent opens to one origin (control plane, or one
 * HTTPS signaling endpoint); further requests wait for a free one. Without a
 * bound, a burst of N connects still opens N sockets (N TLS handshakes), since
 * each concurrent request takes its own. 64 is enough to saturate the account
 * quotas (DescribeSignalingChannel and GetSignalingChannelEndpoint: 300 TPS
 * each) at 100 ms per request, and keeps a 5 s `requestMs` safe for a queue of
 * about 3,000 requests at that latency; beyond the quotas, more sockets only
 * buy `ClientLimitExceeded`.
 * @internal
 */
export const MAX_CONNECTIONS_PER_ORIGIN = 64;

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
function trustKey(tls: TlsOptions | undefined): string | undefined {
  const ca: unknown = tls?.ca;
  if (ca === undefined) return 'default';
  let key = 'ca';
  for (const c of Array.isArray(ca) ? (ca as unknown[]) : [ca]) {
    if (typeof c === 'string') key += `|s${c.length}:${c}`;
    else if (c instanceof Uint8Array) key += `|b${c.length}:${Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1')}`;
    else return undefined;
  }
  return key;
}

function newAgent(tls: TlsOptions | undefined): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: MAX_CONNECTIONS_PER_ORIGIN,
    ...(tls?.ca === undefined ? {} : { connect: { ca: tls.ca } }),
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

/** @internal */
export const nodePlatform: Platform = {
  name: 'node',
  createFetch(tls: TlsOptions | undefined) {
    // One Agent per trust for the whole process: N masters in a gateway share a few
    // warm sockets instead of doing N TLS handshakes and keeping N idle sockets.
    // The share is taken on the first request, so a client whose constructor threw
    // after this call (it can never be closed) holds none.
    const key = trustKey(tls);
    let shared: SharedAgent | undefined;
    let released = false;
    const acquire = (): SharedAgent => {
      if (shared) return shared;
      let entry = key === undefined ? undefined : agents.get(key);
      if (!entry) {
        entry = { agent: newAgent(tls), users: 0 };
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
  createWebSocket(tls: TlsOptions | undefined) {
    return (url: string) =>
      new WebSocket(url, {
        perMessageDeflate: false,
        // Far above any real frame (~14 KB): a hostile or broken frame is reported as
        // unknownMessage instead of costing the connection (ws closes with 1009 beyond this).
        maxPayload: 32 * 1024 * 1024,
        ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
      }) as unknown as WebSocketLike;
  },
};
