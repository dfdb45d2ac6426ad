/**
 * Benchmark 1: time to open. From "I have a channel name" to an open
 * signaling socket with ICE servers in hand: ours cold by name, with an ARN,
 * warm from the cache, against the official flow (AWS SDK v3 calls, then the
 * official SignalingClient). Then time to reconnect after a drop and after GO_AWAY.
 *
 * Two network models, each with its own emulator:
 * - **emulator**: one origin for every endpoint, the emulator waits 50 ms
 *   before answering each request and handshake (a round trip per exchange,
 *   connections free);
 * - **link**: the control plane, the HTTPS and the WSS endpoints are three
 *   origins, each behind a link emulator (`link.ts`, 25 ms each way), so TCP
 *   connects, TLS handshakes, requests and upgrades pay their round trips as
 *   over a WAN, and the links count the connections each flow opened.
 * @packageDocumentation
 */
import { startEmulator } from '@kvs-sig/emulator';
import type { BenchContext, BenchResult } from './harness';
import { startAppSite, type AppSite } from './browser-page';
import { launchChromium, type Chromium } from '../../test/chromium';
import type { Ctx } from './open-time/flows';
import { LATENCY_MS } from './open-time/model';
import { openTimeReport } from './open-time/report';
import { browserVariants, emulatorLimits, makeChannels, openVariants, reconnectVariants, runReconnects, runRounds, startLinkModel, type RcSamples } from './open-time/runs';

/** Runs the open-time benchmark. @public */
export async function runOpenTime(ctx: BenchContext): Promise<BenchResult> {
  const started = performance.now();
  const samples = ctx.quick ? 2 : 15;
  const warmup = ctx.quick ? 1 : 2;
  const reconnectSamples = ctx.quick ? 1 : 6;
  const goAwayGraceMs = ctx.quick ? 500 : 2000;
  // The link model costs about twice as much per round; it gets fewer samples to keep the whole benchmark near a minute,
  // and no warm-up round: the emulator model has just run the same code.
  const linkSamples = ctx.quick ? 1 : 8;
  const linkWarmup = 0;
  // Its drop rows get the most (our backoff is random); its official GO_AWAY row is the grace period plus one re-open,
  // both measured elsewhere: one sample shows it.
  const linkRc: RcSamples = { drop: ctx.quick ? 1 : 4, goAway: ctx.quick ? 1 : 3, goAwayOfficial: 1 };
  const emu = await startEmulator({ limits: emulatorLimits(goAwayGraceMs) });
  const c: Ctx = { emu, ca: emu.ca as string, log: ctx.log, endpoint: emu.controlPlaneEndpoint };
  let link: { c: Ctx; close: () => Promise<void> } | undefined;
  // The Chromium rows run over the link model, one sample per link-model sample.
  const browserSamples = linkSamples;
  let site: AppSite | undefined;
  let chromium: Chromium | undefined;
  try {
    // ---- Emulator model: 50 ms per exchange, one origin.
    const ch = await makeChannels(c, (samples + warmup) * 4 + reconnectSamples * 4);
    emu.faults.setLatency(LATENCY_MS);
    const variants = openVariants(c, ch);
    const results = await runRounds(ctx, 'emulator model', variants, samples, warmup);
    ctx.log('open-time: emulator model reconnects');
    const rc = reconnectVariants(c, ch, goAwayGraceMs, { drop: reconnectSamples, goAway: reconnectSamples, goAwayOfficial: reconnectSamples });
    const rcResults = await runReconnects(rc);
    emu.faults.setLatency(0);

    // ---- Link model: three origins behind 25 ms-each-way links, no emulator-side latency.
    link = await startLinkModel(ctx, goAwayGraceMs);
    const lc = link.c;
    const lch = await makeChannels(lc, (linkSamples + linkWarmup) * 4 + 2 * linkRc.drop + linkRc.goAway + linkRc.goAwayOfficial + browserSamples * 3);
    const lVariants = openVariants(lc, lch);
    const lResults = await runRounds(ctx, 'link model', lVariants, linkSamples, linkWarmup);
    ctx.log('open-time: link model reconnects');
    const lrc = reconnectVariants(lc, lch, goAwayGraceMs, linkRc);
    const lrcResults = await runReconnects(lrc);

    // ---- Chromium over the same links and emulator: the page on its own origin, CORS on.
    ctx.log('open-time: Chromium (link model, CORS on)');
    site = await startAppSite();
    chromium = await launchChromium({ trust: 'any' });
    const bVariants = browserVariants(lc, lch, { chromium, site });
    const bResults = await runRounds(ctx, 'Chromium link model', bVariants, browserSamples, 0);

    const report = openTimeReport({
      plan: { samples, warmup, reconnectSamples, goAwayGraceMs, linkSamples, linkWarmup, browserSamples },
      emulator: { variants, results },
      emulatorReconnects: { variants: rc, results: rcResults },
      link: { variants: lVariants, results: lResults },
      linkReconnects: { variants: lrc, results: lrcResults },
      browser: { variants: bVariants, results: bResults },
    });
    return { name: 'open-time', ...report, seconds: (performance.now() - started) / 1000 };
  } finally {
    await chromium?.close();
    await site?.close();
    await link?.close();
    await emu.close();
  }
}
