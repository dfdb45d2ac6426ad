/**
 * The open-time benchmark's two network models and what one sample records;
 * shared by its flows, its analysis and its report.
 * @packageDocumentation
 */

/** Emulator model: delay before each answer. */
export const LATENCY_MS = 50;
/** Link model: delay each way, so a round trip costs the same as one exchange of the emulator model. */
export const ONE_WAY_MS = 25;
export const RTT_MS = 2 * ONE_WAY_MS;
/** The three hosts of the service, in the order a cold open reaches them. */
export const HOSTS = ['cp', 'https', 'wss'] as const;
export type Host = (typeof HOSTS)[number];
export const HOST_LABEL: Record<Host, string> = { cp: 'control plane', https: 'HTTPS', wss: 'WSS' };

/** What the links saw during one sample. */
export interface NetCounts {
  connections: Record<Host, number>;
  tls: Record<Host, number>;
  waves: number;
  /** When the sample's first connection to each host was accepted, ms after the sample started (NaN: none). */
  firstAcceptMs: Record<Host, number>;
}

/** One open, as both models and Chromium measure it. */
export interface OpenSample {
  /** Until the socket is open. */
  openMs: number;
  /** Until the socket is open and the ICE servers are known (ready to build the RTCPeerConnection). */
  readyMs: number;
  /** Every exchange the emulator answered, CORS preflights included. */
  exchanges: number;
  depth: number;
  ops: string;
  /** CORS preflights (`OPTIONS`) among the exchanges: a browser's, none from Node. */
  preflights: number;
  /** Link model only. */
  net?: NetCounts | undefined;
}

/** One reconnect. */
export interface ReconnectSample {
  ms: number;
  exchanges: number;
  net?: NetCounts | undefined;
}

/** The official flow's row, named alike in every table (each model compares against it). */
export const OFFICIAL_FLOW = 'official flow (V3 Describe, GetEndpoint, GetIceServerConfig + SignalingClient.open)';

/** Subjects of the Chromium rows in the measurements (the table names the variant alone). */
export const CHROMIUM = 'chromium: ';
export const BROWSER_WARM = 'ours, warm (endpoint cache hit: a previous client in the same page)';
