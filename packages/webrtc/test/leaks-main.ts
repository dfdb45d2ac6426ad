/**
 * `node --expose-gc scripts/run-ts.mjs packages/webrtc/test/leaks-main.ts [cycles] [every]`:
 * the full open/close run of a viewer session; prints one line per sample.
 */
import { viewerCycles } from './leak-cycles';

const cycles = Number(process.argv[2] ?? 1000);
const every = Number(process.argv[3] ?? 100);
const started = Date.now();
viewerCycles(cycles, every, (s) => {
  console.log(`cycle ${s.cycle}: heap ${s.heapMb.toFixed(1)} MB, resources ${s.resources} ${JSON.stringify(s.byType)}, signaling listeners ${s.signalingListeners} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
