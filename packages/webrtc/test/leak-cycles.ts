/**
 * Open/close cycles of a viewer session (werift) against a master session over
 * the emulator, sampling heap (after a GC when `--expose-gc`), live resources
 * and the signaling client's listeners. Used by leaks.test.ts (a few cycles)
 * and leaks-main.ts (the full run whose figures go to RELIABILITY.md).
 */
import { SignalingClient } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import { RTCPeerConnection } from 'werift';
import { createMasterSession, createViewerSession, type PeerConnectionConstructor } from '../src';

export interface CycleSample {
  cycle: number;
  heapMb: number;
  resources: number;
  byType: Record<string, number>;
  signalingListeners: number;
}

function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

async function sample(cycle: number, viewer: SignalingClient): Promise<CycleSample> {
  // Let closed sockets and timers go before counting.
  await new Promise((r) => setTimeout(r, 200));
  (globalThis as { gc?: () => void }).gc?.();
  const byType = resources();
  return {
    cycle,
    heapMb: process.memoryUsage().heapUsed / 1048576,
    resources: Object.values(byType).reduce((a, b) => a + b, 0),
    byType,
    signalingListeners: viewer.listenerCount(),
  };
}

/** Runs `cycles` connect/close cycles; samples before the first and every `every` cycles. */
export async function viewerCycles(cycles: number, every: number, onSample: (s: CycleSample) => void = () => undefined): Promise<CycleSample[]> {
  // Short emulator logs: the emulator shares the process, and its request and frame logs are not the session's heap.
  const emu = await startEmulator({ tls: true, iceServerCount: 0, limits: { maxLogRecords: 50 } });
  const base = { region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: emu.credentials, tls: { ca: emu.ca! }, createChannelIfMissing: true };
  const masterClient = new SignalingClient({ ...base, role: 'MASTER', channelName: 'leaks' });
  const viewerClient = new SignalingClient({ ...base, role: 'VIEWER', channelName: 'leaks', clientId: 'cycler' });
  const Werift = RTCPeerConnection as unknown as PeerConnectionConstructor;
  const master = createMasterSession({ signaling: masterClient, RTCPeerConnection: Werift, qualityIntervalMs: 0 });
  const samples: CycleSample[] = [];
  try {
    await master.connect();
    await viewerClient.connect();
    const take = async (cycle: number) => {
      const s = await sample(cycle, viewerClient);
      samples.push(s);
      onSample(s);
    };
    await take(0);
    for (let i = 1; i <= cycles; i++) {
      const v = createViewerSession({ signaling: viewerClient, RTCPeerConnection: Werift, dataChannels: [{ label: 'c' }], qualityIntervalMs: 1000 });
      await v.connect();
      await v.close();
      if (i % every === 0 || i === cycles) await take(i);
    }
  } finally {
    await master.close();
    await Promise.all([masterClient.close(), viewerClient.close()]);
    await emu.close();
  }
  return samples;
}
