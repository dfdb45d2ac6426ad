/**
 * Reads the selected candidate pair and inbound loss out of a `getStats()`
 * report, and turns it into a good / fair / poor summary.
 * @packageDocumentation
 */
import type { PeerStats, QualityReport, StatsReportLike } from './types';

/** @internal */
export function readStats(report: StatsReportLike, now = Date.now()): PeerStats {
  const byId = new Map<string, any>();
  const all: any[] = [];
  report.forEach((value, key) => {
    byId.set(value?.id ?? key, value);
    all.push(value);
  });
  let pair: any;
  // The spec's way: the transport names its selected pair.
  for (const s of all) {
    if (s?.type === 'transport' && s.selectedCandidatePairId) pair = byId.get(s.selectedCandidatePairId);
    if (pair) break;
  }
  // Older or partial implementations: a pair flagged selected, else a nominated succeeded one.
  pair ??= all.find((s) => s?.type === 'candidate-pair' && s.selected === true);
  pair ??= all.find((s) => s?.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
  const stats: PeerStats = { sampledAt: now };
  if (pair) {
    const local = byId.get(pair.localCandidateId);
    const remote = byId.get(pair.remoteCandidateId);
    if (local?.candidateType) stats.localCandidateType = String(local.candidateType);
    if (remote?.candidateType) stats.remoteCandidateType = String(remote.candidateType);
    if (stats.localCandidateType || stats.remoteCandidateType) {
      stats.candidatePairType = stats.localCandidateType === 'relay' || stats.remoteCandidateType === 'relay' ? 'relay' : (stats.localCandidateType ?? stats.remoteCandidateType);
    }
    const rtt = typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : pair.totalRoundTripTime && pair.responsesReceived ? pair.totalRoundTripTime / pair.responsesReceived : undefined;
    if (typeof rtt === 'number' && Number.isFinite(rtt)) stats.rttMs = Math.round(rtt * 1000 * 10) / 10;
  }
  let received: number | undefined;
  let lost: number | undefined;
  for (const s of all) {
    if (s?.type !== 'inbound-rtp') continue;
    received = (received ?? 0) + (Number(s.packetsReceived) || 0);
    lost = (lost ?? 0) + (Number(s.packetsLost) || 0);
  }
  if (received !== undefined) stats.packetsReceived = received;
  if (lost !== undefined) stats.packetsLost = lost;
  return stats;
}

/** Thresholds of {@link classify}. @public */
export interface QualityThresholds {
  /** RTT above this is `fair`. @default 200 */
  fairRttMs?: number;
  /** RTT above this is `poor`. @default 400 */
  poorRttMs?: number;
  /** Loss ratio since the last sample above this is `fair`. @default 0.03 */
  fairLoss?: number;
  /** Loss ratio since the last sample above this is `poor`. @default 0.1 */
  poorLoss?: number;
}

/**
 * The summary of one sample, compared with the previous one for loss. A relayed
 * pair is at best `fair` (every packet takes a detour through TURN).
 * @internal
 */
export function classify(stats: PeerStats, previous: PeerStats | undefined, t: QualityThresholds = {}): QualityReport {
  const reasons: string[] = [];
  let level = 0; // 0 good, 1 fair, 2 poor
  const worse = (to: number, reason: string) => {
    level = Math.max(level, to);
    reasons.push(reason);
  };
  if (!stats.candidatePairType && stats.rttMs === undefined) worse(2, 'no-pair');
  if (stats.rttMs !== undefined) {
    if (stats.rttMs > (t.poorRttMs ?? 400)) worse(2, 'rtt');
    else if (stats.rttMs > (t.fairRttMs ?? 200)) worse(1, 'rtt');
  }
  if (stats.packetsReceived !== undefined && stats.packetsLost !== undefined) {
    const dr = stats.packetsReceived - (previous?.packetsReceived ?? 0);
    const dl = stats.packetsLost - (previous?.packetsLost ?? 0);
    const ratio = dr + dl > 0 ? Math.max(0, dl) / (dr + dl) : 0;
    if (ratio > (t.poorLoss ?? 0.1)) worse(2, 'packet-loss');
    else if (ratio > (t.fairLoss ?? 0.03)) worse(1, 'packet-loss');
  }
  if (stats.candidatePairType === 'relay') worse(1, 'relay');
  return { level: (['good', 'fair', 'poor'] as const)[level]!, reasons, stats };
}
