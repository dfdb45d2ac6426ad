/**
 * The open-time benchmark's analysis: pure functions from samples to the
 * figures the report gives (sequential chains of exchanges, connection waves,
 * medians per variant, link-model round trips). No I/O.
 * @packageDocumentation
 */
import type { RequestRecord } from '@kvs-sig/emulator';
import { summarize, type Summary } from '../harness';
import { HOSTS, RTT_MS, type Host, type OpenSample } from './model';

/** The longest chain of exchanges where each starts after the previous one answered: the round trips a user waits for. @public */
export function sequentialDepth(records: readonly Pick<RequestRecord, 'time' | 'durationMs'>[], toleranceMs = 5): number {
  return Math.max(0, ...depthsOf(records, toleranceMs));
}

/** For each record (in the given order), the length of the longest chain ending with it. @public */
export function depthsOf(records: readonly Pick<RequestRecord, 'time' | 'durationMs'>[], toleranceMs = 5): number[] {
  const order = records.map((_, i) => i).sort((a, b) => (records[a] as RequestRecord).time - (records[b] as RequestRecord).time);
  const depth = new Array<number>(records.length).fill(1);
  for (let x = 0; x < order.length; x++) {
    const i = order[x] as number;
    const cur = records[i] as Pick<RequestRecord, 'time' | 'durationMs'>;
    for (let y = 0; y < x; y++) {
      const j = order[y] as number;
      const prev = records[j] as Pick<RequestRecord, 'time' | 'durationMs'>;
      // `time` is whole epoch ms, `durationMs` fractional: allow a few ms of rounding.
      if (prev.time + prev.durationMs <= cur.time + toleranceMs) depth[i] = Math.max(depth[i] as number, (depth[j] as number) + 1);
    }
  }
  return depth;
}

/**
 * Groups connection start times into waves: connections opened within
 * `windowMs` of a wave's first one were opened together (in parallel); a later
 * one waited for something and starts the next wave. The count is how many
 * times a flow paid connection setup in sequence. @public
 */
export function connectionWaves(acceptedAt: readonly number[], windowMs: number): number {
  const sorted = [...acceptedAt].sort((a, b) => a - b);
  let waves = 0;
  let start = Number.NEGATIVE_INFINITY;
  for (const t of sorted) {
    if (t - start > windowMs) {
      waves++;
      start = t;
    }
  }
  return waves;
}


/** The median of `xs`. */
export const p50 = (xs: readonly number[]): number => summarize(xs).p50;

/** A per-host count summed over the three hosts. */
export const sumHosts = (r: Readonly<Record<Host, number>>): number => HOSTS.reduce((a, h) => a + r[h], 0);

/** Per-variant figures both models report. */
export interface OpenFigures {
  ready: Summary;
  open: Summary;
  depth: number;
  count: number;
}

/** Medians of one variant's samples. */
export function figures(list: readonly OpenSample[]): OpenFigures {
  return {
    ready: summarize(list.map((s) => s.readyMs)),
    open: summarize(list.map((s) => s.openMs)),
    depth: p50(list.map((s) => s.depth)),
    count: p50(list.map((s) => s.exchanges)),
  };
}

/** Link-model figures: connections, handshakes, waves and round trips. */
export interface NetFigures {
  connections: number;
  perHost: Record<Host, number>;
  tls: number;
  waves: number;
  /** Sequential exchanges + 2 × connection waves (TCP and TLS 1.3 each cost one round trip per new connection). */
  counted: number;
  /** Ready p50 in round trips. */
  measured: number;
  /** p50 of when the first connection to each host opened, ms after the start (NaN: the flow did not use that host). */
  firstAcceptMs: Record<Host, number>;
}

/** What the links counted for one variant (p50 over its samples); `readyP50` gives the measured round trips. */
export function netFigures(list: readonly OpenSample[], readyP50: number): NetFigures {
  const nets = list.map((s) => {
    if (!s.net) throw new Error('open-time: a link-model sample without link counts');
    return { ...s.net, depth: s.depth };
  });
  return {
    connections: p50(nets.map((n) => sumHosts(n.connections))),
    perHost: { cp: p50(nets.map((n) => n.connections.cp)), https: p50(nets.map((n) => n.connections.https)), wss: p50(nets.map((n) => n.connections.wss)) },
    tls: p50(nets.map((n) => sumHosts(n.tls))),
    waves: p50(nets.map((n) => n.waves)),
    counted: p50(nets.map((n) => n.depth + 2 * n.waves)),
    measured: readyP50 / RTT_MS,
    firstAcceptMs: { cp: p50OrNaN(nets.map((n) => n.firstAcceptMs.cp)), https: p50OrNaN(nets.map((n) => n.firstAcceptMs.https)), wss: p50OrNaN(nets.map((n) => n.firstAcceptMs.wss)) },
  };
}

/** Link-model figures of a variant: its open figures, what the links counted, and the CORS preflights (p50). */
export type LinkFigures = OpenFigures & { net: NetFigures; preflights: number };

/** {@link LinkFigures} of each variant, by name. */
export function linkFigures(variants: readonly { name: string }[], results: ReadonlyMap<string, OpenSample[]>): Map<string, LinkFigures> {
  const out = new Map<string, LinkFigures>();
  for (const v of variants) {
    const list = results.get(v.name) ?? [];
    const f = figures(list);
    out.set(v.name, { ...f, net: netFigures(list, f.ready.p50), preflights: p50(list.map((x) => x.preflights)) });
  }
  return out;
}

/** The median of the finite values, NaN when there are none (a host the flow never reached). */
export function p50OrNaN(xs: readonly number[]): number {
  const used = xs.filter((x) => Number.isFinite(x));
  return used.length ? p50(used) : Number.NaN;
}

