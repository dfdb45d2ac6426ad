/**
 * Runs every benchmark in quick mode and checks it measured something of the
 * right shape: finite numbers for the subjects it compares, tables that
 * render, goals that name what they judged. It never asserts a speed.
 */
import type { BenchContext, BenchResult, Measurement } from '../src/harness';
import { parseArgs, summarize } from '../src/harness';
import { connectionWaves, depthsOf, sequentialDepth } from '../src/open-time/analysis';
import { BENCHMARKS, renderReport } from '../src/report';
import { footprint, stringLiteralBytes } from '../src/weight';
import { BUDGETED } from '../src/weight-bundle';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(240_000);

const logs: string[] = [];
const ctx: BenchContext = { quick: true, log: (m) => logs.push(m) };
const results = new Map<string, BenchResult>();

async function run(name: string): Promise<BenchResult> {
  const entry = BENCHMARKS.find((b) => b.name === name);
  if (!entry) throw new Error(`no benchmark ${name}`);
  const result = await (await entry.load())(ctx);
  results.set(name, result);
  return result;
}

function values(r: BenchResult, subject: string, metric: string): Measurement[] {
  return r.measurements.filter((m) => m.subject === subject && m.metric === metric);
}

function expectShape(r: BenchResult, name: string): void {
  expect(r.name).toBe(name);
  expect(r.title.length).toBeGreaterThan(0);
  expect(r.method.length).toBeGreaterThan(100);
  expect(r.measurements.length).toBeGreaterThan(0);
  for (const m of r.measurements) {
    expect(Number.isFinite(m.value)).toBe(true);
    expect(m.value).toBeGreaterThanOrEqual(0);
    expect(m.unit.length).toBeGreaterThan(0);
  }
  expect(r.tables.length).toBeGreaterThan(0);
  for (const t of r.tables) {
    expect(t.rows.length).toBeGreaterThan(0);
    for (const row of t.rows) expect(row).toHaveLength(t.columns.length);
  }
  for (const g of r.goals) {
    expect(g.goal.length).toBeGreaterThan(0);
    expect([true, false, null]).toContain(g.met);
  }
  expect(Number.isFinite(r.seconds)).toBe(true);
}

describe('harness', () => {
  test('summarize gives nearest-rank percentiles', () => {
    const s = summarize([5, 1, 4, 2, 3, 6, 7, 8, 9, 10]);
    expect(s).toMatchObject({ n: 10, min: 1, p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
    expect(() => summarize([])).toThrow(RangeError);
    expect(() => summarize([1, Number.NaN])).toThrow(RangeError);
  });

  test('parseArgs reads --quick, --only and --out, and names bad input', () => {
    expect(parseArgs(['--quick', '--only', 'signing,weight', '--out=x.md'], ['signing', 'weight'])).toEqual({ quick: true, only: ['signing', 'weight'], out: 'x.md' });
    expect(() => parseArgs(['--only', 'nope'], ['signing'])).toThrow(/unknown benchmark 'nope'/);
    expect(() => parseArgs(['--fast'], ['signing'])).toThrow(/unknown argument '--fast'/);
    expect(() => parseArgs(['--only'], ['signing'])).toThrow(/needs a value/);
  });

  test('sequentialDepth counts chains, not parallel exchanges', () => {
    // Describe → GetEndpoint → (WSS ∥ ICE): 3 sequential, 4 in all.
    const recs = [
      { time: 0, durationMs: 50 },
      { time: 51, durationMs: 50 },
      { time: 102, durationMs: 50 },
      { time: 103, durationMs: 50 },
    ];
    expect(sequentialDepth(recs)).toBe(3);
    expect(depthsOf(recs)).toEqual([1, 2, 3, 3]);
    expect(sequentialDepth([])).toBe(0);
    // Over a link the emulator answers at once: a negative tolerance tells side-by-side exchanges from chained ones.
    const linked = [
      { time: 0, durationMs: 1 },
      { time: 101, durationMs: 1 },
      { time: 252, durationMs: 1 },
      { time: 254, durationMs: 1 },
    ];
    expect(depthsOf(linked)).toEqual([1, 2, 3, 4]);
    expect(depthsOf(linked, -25)).toEqual([1, 2, 3, 3]);
  });

  test('connectionWaves groups connections opened together', () => {
    expect(connectionWaves([], 25)).toBe(0);
    expect(connectionWaves([0], 25)).toBe(1);
    // Control plane, then HTTPS and WSS together once the endpoint is known.
    expect(connectionWaves([360, 3, 361], 25)).toBe(2);
    // One after another.
    expect(connectionWaves([0, 200, 350], 25)).toBe(3);
  });

  test('stringLiteralBytes counts string and template text from a parse, not quotes inside regexes or templates', () => {
    // "ab" (4) + `x${ (4) + "q" (3) + }y` (3); the regex and its quotes are code.
    expect(stringLiteralBytes('a="ab";b=`x${"q"}y`;c=/"re"/;')).toBe(14);
    // A template holding a quote is one literal, not the start of a string running on.
    expect(stringLiteralBytes('a=`it\'s`;b=f(1);c="x"')).toBe(6 + 3);
  });

  test('footprint counts installed packages (scoped and nested) and file bytes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-fp-'));
    try {
      const pkg = (p: string, size: number): void => {
        mkdirSync(p, { recursive: true });
        writeFileSync(path.join(p, 'package.json'), '{}');
        writeFileSync(path.join(p, 'index.js'), 'x'.repeat(size));
      };
      pkg(path.join(dir, 'a'), 10);
      pkg(path.join(dir, '@s', 'b'), 20);
      pkg(path.join(dir, 'a', 'node_modules', 'c'), 30);
      mkdirSync(path.join(dir, '.bin'));
      expect(footprint(dir)).toEqual({ packages: 3, bytes: 60 + 3 * 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('main.ts', () => {
  test('runs each benchmark in a process of its own and writes the report where told', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-main-'));
    try {
      const out = path.join(dir, 'report.md');
      const repo = path.resolve(__dirname, '..', '..');
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const proc = spawn(process.execPath, ['scripts/run-ts.mjs', 'bench/src/main.ts', '--quick', '--only', 'signing', '--out', out], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        proc.stdout.on('data', (c: Buffer) => (text += c.toString()));
        proc.stderr.resume();
        proc.on('error', reject);
        proc.on('exit', (c) => resolve({ code: c, stdout: text }));
      });
      expect(code).toBe(0);
      const md = readFileSync(out, 'utf8');
      expect(md).toContain('## Signing');
      expect(md).not.toContain('## Benchmarks that failed');
      expect(md).toContain('`pnpm bench --quick --only signing --out');
      // stdout carries the report and nothing else (the child's output goes to stderr).
      expect(stdout).toBe(md);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('benchmarks in quick mode', () => {
  test('signing: ours, official and smithy presign; ours and smithy sign', async () => {
    const r = await run('signing');
    expectShape(r, 'signing');
    for (const s of ['ours', 'official', 'smithy']) expect(values(r, s, 'presign.opsPerSec')[0]?.value).toBeGreaterThan(0);
    for (const s of ['ours', 'smithy']) expect(values(r, s, 'sign.opsPerSec')[0]?.value).toBeGreaterThan(0);
    expect(r.method).toContain('byte-identical URLs');
  });

  test('message-cost: every subject measured for every operation', async () => {
    const r = await run('message-cost');
    expectShape(r, 'message-cost');
    for (const s of ['floor', 'ours: core only', 'official SignalingClient', 'ours: SignalingClient']) {
      for (const op of ['recv.SDP_OFFER', 'recv.ICE_CANDIDATE', 'send.SDP_ANSWER', 'send.ICE_CANDIDATE']) {
        expect(values(r, s, `${op}.cpuMicrosPerMsg`)[0]?.value).toBeGreaterThan(0);
      }
    }
    expect(r.goals.length).toBe(8);
  });

  test('open-time: all variants open in both models, exchanges counted from the emulator log, connections at the links', async () => {
    const r = await run('open-time');
    expectShape(r, 'open-time');
    const metric = (s: string, name: string): number | undefined => r.measurements.find((m) => m.subject.startsWith(s) && m.metric === name)?.value;
    const depth = (s: string): number | undefined => metric(s, 'sequentialExchanges');
    // The emulator log is the source: a cold open by name cannot take fewer exchanges than Describe → GetEndpoint → WSS.
    for (const model of ['', 'link: ']) {
      expect(depth(`${model}ours, cold, channel name`)).toBeGreaterThanOrEqual(3);
      expect(depth(`${model}ours, warm`)).toBeGreaterThanOrEqual(1);
      expect(depth(`${model}official flow`)).toBeGreaterThanOrEqual(4);
    }
    // Three hosts on three origins: a cold open reaches each over its own connection, each with its own TLS handshake.
    for (const s of ['link: ours, cold, channel name', 'link: official flow']) {
      expect(metric(s, 'tcpConnections')).toBeGreaterThanOrEqual(3);
      expect(metric(s, 'tlsHandshakes')).toBe(metric(s, 'tcpConnections'));
    }
    // Each new connection costs two round trips on top of the exchanges, and the measured time cannot beat the count.
    const official = r.measurements.filter((m) => m.subject === 'link: official flow (V3 Describe, GetEndpoint, GetIceServerConfig + SignalingClient.open)');
    const rtts = official.find((m) => m.metric === 'countedRoundTrips')?.value ?? 0;
    expect(rtts).toBeGreaterThanOrEqual(10);
    expect(official.find((m) => m.metric === 'readyMs.p50')?.value).toBeGreaterThanOrEqual(rtts * 50 - 5);
    expect(r.measurements.filter((m) => m.metric === 'reconnectMs.p50' && !m.subject.startsWith('link: '))).toHaveLength(4);
    expect(r.measurements.filter((m) => m.metric === 'reconnectMs.p50' && m.subject.startsWith('link: '))).toHaveLength(4);
    // Chromium, CORS on: every variant measured, and a cold open by name pays preflights (the emulator logged them).
    for (const s of ['chromium: ours, cold, channel name', 'chromium: ours, warm', 'chromium: official flow']) {
      for (const m of ['readyMs.p50', 'readyMs.p90', 'openMs.p50', 'sequentialExchanges', 'preflights', 'tcpConnections', 'tlsHandshakes', 'connectionWaves', 'countedRoundTrips']) {
        expect(Number.isFinite(metric(s, m))).toBe(true);
      }
      expect(metric(s, 'readyMs.p50')).toBeGreaterThan(0);
    }
    expect(metric('chromium: ours, cold, channel name', 'preflights')).toBeGreaterThan(0);
    expect(metric('chromium: ours, cold, channel name', 'tcpConnections')).toBeGreaterThanOrEqual(3);
    expect(r.goals.length).toBe(5);
    expect(r.tables.map((t) => t.title)).toEqual([
      expect.stringMatching(/^Open \(emulator/),
      expect.stringMatching(/^Reconnect \(emulator/),
      expect.stringMatching(/^Open \(link/),
      'Open in Chromium (link model, CORS on)',
      expect.stringMatching(/^Reconnect \(link/),
    ]);
  });

  test('session-time: every viewer flow reaches a data channel and a decoded frame in Chromium; ours recovers after the network change', async () => {
    const r = await run('session-time');
    expectShape(r, 'session-time');
    const metric = (s: string, name: string): number | undefined => r.measurements.find((m) => m.subject.startsWith(s) && m.metric === name)?.value;
    for (const s of ['ours, cold', 'ours, warm', 'official viewer sample flow, cold', 'official viewer sample flow, warm']) {
      for (const m of ['dataChannelMs.p50', 'firstFrameMs.p50', 'connectedMs.p50', 'signalingOpenMs.p50']) expect(metric(s, m)).toBeGreaterThan(0);
      // Signaling pays round trips: at least Describe → GetEndpoint → upgrade cold, the upgrade warm.
      expect(metric(s, 'sequentialExchanges')).toBeGreaterThanOrEqual(s.endsWith('cold') ? 3 : 1);
    }
    expect(metric('ours', 'recovered')).toBe(1);
    expect(metric('ours', 'recoveryMs.p50')).toBeGreaterThan(0);
    expect(metric('official viewer sample flow', 'recoveredByItself')).toBe(0);
    expect(metric('official viewer sample flow', 'userRestartFirstFrameMs.p50')).toBeGreaterThan(0);
    expect(r.goals.length).toBe(5);
  });

  test('scale: the masters process holds its connections and exchanges every message', async () => {
    const r = await run('scale');
    expectShape(r, 'scale');
    expect(values(r, 'ours', 'n=20.open')[0]?.value).toBe(20);
    expect(values(r, 'ours', 'n=20.errors')[0]?.value).toBe(0);
    expect(values(r, 'ours', 'n=20.latencyP99')[0]?.value).toBeGreaterThan(0);
    expect(values(r, 'ours', 'n=20.heapPerConnection')).toHaveLength(1);
    // The pool-per-client variant ran too, and the profiled connect attributed CPU to categories.
    expect(values(r, 'ours', 'n=20.poolPerClient.open')[0]?.value).toBe(20);
    expect(r.tables.some((t) => t.title?.startsWith("Where a master's connect CPU goes") && t.rows.length > 2)).toBe(true);
  });

  test('weight: bundles of ours and the official flow, packed tarballs', async () => {
    const r = await run('weight');
    expectShape(r, 'weight');
    for (const s of [...BUDGETED.map((e) => e.name), 'official flow: SignalingClient + AWS SDK v3 clients', 'official SignalingClient alone']) {
      expect(values(r, s, 'bundle.gzipBytes')[0]?.value).toBeGreaterThan(1000);
    }
    expect(r.measurements.filter((m) => m.metric === 'tarball.bytes')).toHaveLength(3);
    // The floors are parts of our bundle, so none can outweigh it.
    const ours = values(r, BUDGETED[0]!.name, 'bundle.gzipBytes')[0]?.value ?? 0;
    const backend = values(r, BUDGETED[1]!.name, 'bundle.gzipBytes')[0]?.value ?? 0;
    expect(backend).toBeLessThan(ours);
    expect(values(r, 'floor: a hand-written viewer over @kvs-sig/core with a backend signer', 'bundle.gzipBytes')[0]?.value).toBeLessThan(backend);
    for (const s of [
      'floor: a hand-written viewer over @kvs-sig/core + @kvs-sig/signer',
      'SigV4 through @kvs-sig/signer (browser build: smithy + WebCrypto)',
      'SigV4 floor: @smithy/signature-v4 + @aws-crypto/sha256-js alone',
    ]) {
      const floor = values(r, s, 'bundle.gzipBytes')[0]?.value;
      expect(floor).toBeGreaterThan(1000);
      expect(floor).toBeLessThan(ours);
    }
  });

  test('the report renders every result with the machine and the command', () => {
    const md = renderReport({ results: [...results.values()], failures: [], quick: true, command: 'pnpm bench --quick', totalSeconds: 1 });
    expect(md).toContain('Quick mode');
    expect(md).toContain('`pnpm bench --quick`');
    expect(md).toMatch(/\*\*Machine:\*\* .+, \d+ cores, [\d.]+ GiB RAM/);
    expect(md).toMatch(/\*\*Node:\*\* v\d+/);
    for (const r of results.values()) expect(md).toContain(`## ${r.title}`);
  });
});
