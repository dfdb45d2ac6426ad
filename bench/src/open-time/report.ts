/**
 * The open-time benchmark's report: tables, goals and measurements from the
 * samples, and the method and findings from `bench/templates/open-time.md`.
 * @packageDocumentation
 */
import { fmt, ratio, recorder, summarize, type BenchResult, type GoalCheck, type Table } from '../harness';
import { templates } from '../template';
import { figures, linkFigures, p50, sumHosts, type LinkFigures, type NetFigures, type OpenFigures } from './analysis';
import { BROWSER_WARM, CHROMIUM, HOST_LABEL, HOSTS, LATENCY_MS, OFFICIAL_FLOW, ONE_WAY_MS, RTT_MS, type Host, type OpenSample, type ReconnectSample } from './model';

/** The rows of one open table and their samples, by variant name, in table order. */
export interface OpenRun {
  readonly variants: readonly { name: string }[];
  readonly results: ReadonlyMap<string, OpenSample[]>;
}

/** The rows of one reconnect table and their samples. */
export interface ReconnectRun {
  readonly variants: readonly { name: string; samples: number }[];
  readonly results: ReadonlyMap<string, ReconnectSample[]>;
}

/**
 * Everything one run measured. The report reads rows by position: open tables are
 * cold by name, cold by ARN, warm, official (Chromium: cold, warm, official); reconnect
 * tables are our drop, our GO_AWAY, the official drop, the official GO_AWAY.
 */
export interface OpenTimeRun {
  readonly plan: {
    samples: number;
    warmup: number;
    reconnectSamples: number;
    goAwayGraceMs: number;
    linkSamples: number;
    linkWarmup: number;
    browserSamples: number;
  };
  readonly emulator: OpenRun;
  readonly emulatorReconnects: ReconnectRun;
  readonly link: OpenRun;
  readonly linkReconnects: ReconnectRun;
  readonly browser: OpenRun;
}

const perHostText = (r: Record<Host, number>): string => HOSTS.map((h) => String(r[h])).join(' + ');

/** Records a link-model row's measurements under `subject`; returns its cells after the name. `official` is undefined on the official row. */
function linkCells(rec: ReturnType<typeof recorder>, subject: string, f: LinkFigures, official: LinkFigures | undefined, withPreflights: boolean): string[] {
  rec.add(subject, 'readyMs.p50', f.ready.p50, 'ms');
  rec.add(subject, 'readyMs.p90', f.ready.p90, 'ms');
  rec.add(subject, 'openMs.p50', f.open.p50, 'ms');
  rec.add(subject, 'sequentialExchanges', f.depth, 'exchanges');
  if (withPreflights) rec.add(subject, 'preflights', f.preflights, 'preflights');
  rec.add(subject, 'tcpConnections', f.net.connections, 'connections');
  rec.add(subject, 'tlsHandshakes', f.net.tls, 'handshakes');
  rec.add(subject, 'connectionWaves', f.net.waves, 'waves');
  rec.add(subject, 'countedRoundTrips', f.net.counted, 'round trips');
  return [
    fmt(f.open.p50),
    fmt(f.ready.p50),
    fmt(f.ready.p90),
    String(f.depth),
    ...(withPreflights ? [String(f.preflights)] : []),
    `${f.net.connections} (${perHostText(f.net.perHost)})`,
    String(f.net.tls),
    String(f.net.waves),
    `${f.net.counted} / ${fmt(f.net.measured, 2)}`,
    official ? ratio(official.ready.p50, f.ready.p50) : '1x',
  ];
}

const nameAt = (run: { variants: readonly { name: string }[] }, i: number): string => {
  const v = run.variants[i];
  if (!v) throw new Error(`open-time: no row ${i} in a table of ${run.variants.length}`);
  return v.name;
};

/** The tables, goals, findings and method of the open-time section. */
export function openTimeReport(run: OpenTimeRun): Pick<BenchResult, 'title' | 'method' | 'tables' | 'measurements' | 'goals' | 'notes'> {
  const t = templates('open-time');
  const rec = recorder();
  const { plan } = run;

  // ---- Emulator model.
  const fig = new Map(run.emulator.variants.map((v) => [v.name, figures(run.emulator.results.get(v.name) ?? [])]));
  const figOf = (name: string): OpenFigures => fig.get(name) as OpenFigures;
  const off = figOf(OFFICIAL_FLOW);
  const rows = run.emulator.variants.map((v) => {
    const f = figOf(v.name);
    rec.add(v.name, 'readyMs.p50', f.ready.p50, 'ms');
    rec.add(v.name, 'openMs.p50', f.open.p50, 'ms');
    rec.add(v.name, 'sequentialExchanges', f.depth, 'exchanges');
    rec.add(v.name, 'exchanges', f.count, 'exchanges');
    const list = run.emulator.results.get(v.name) ?? [];
    return [v.name, fmt(f.open.p50), fmt(f.ready.p50), fmt(f.ready.p90), String(f.depth), String(f.count), list[0]?.ops ?? '', v.name === OFFICIAL_FLOW ? '1x' : ratio(off.ready.p50, f.ready.p50)];
  });
  const rcMs = new Map<string, number>();
  const rcRows = run.emulatorReconnects.variants.map((v) => {
    const list = run.emulatorReconnects.results.get(v.name) ?? [];
    const s = summarize(list.map((x) => x.ms));
    rec.add(v.name, 'reconnectMs.p50', s.p50, 'ms');
    rcMs.set(v.name, s.p50);
    return [v.name, fmt(s.p50), fmt(s.max), String(summarize(list.map((x) => x.exchanges)).p50)];
  });

  // ---- Link model.
  const lFig = linkFigures(run.link.variants, run.link.results);
  const lOff = lFig.get(OFFICIAL_FLOW) as LinkFigures;
  const linkRows = run.link.variants.map((v) => [v.name, ...linkCells(rec, `link: ${v.name}`, lFig.get(v.name) as LinkFigures, v.name === OFFICIAL_FLOW ? undefined : lOff, false)]);
  const lrcMs = new Map<string, number>();
  const lrcConns = new Map<string, number>();
  const lrcRows = run.linkReconnects.variants.map((v) => {
    const list = run.linkReconnects.results.get(v.name) ?? [];
    const s = summarize(list.map((x) => x.ms));
    const nets = list.flatMap((x) => (x.net ? [x.net] : []));
    const conns = p50(nets.map((n) => sumHosts(n.connections)));
    const tls = p50(nets.map((n) => sumHosts(n.tls)));
    rec.add(`link: ${v.name}`, 'reconnectMs.p50', s.p50, 'ms');
    lrcMs.set(v.name, s.p50);
    lrcConns.set(v.name, conns);
    return [v.name, fmt(s.p50), fmt(s.max), String(v.samples), String(p50(list.map((x) => x.exchanges))), String(conns), String(tls)];
  });

  // ---- Chromium.
  const bFig = linkFigures(run.browser.variants, run.browser.results);
  const bOff = bFig.get(OFFICIAL_FLOW) as LinkFigures;
  const firstOps = (name: string): string => run.browser.results.get(name)?.[0]?.ops ?? '';
  const browserRows = run.browser.variants.map((v) => [
    v.name,
    ...linkCells(rec, `${CHROMIUM}${v.name}`, bFig.get(v.name) as LinkFigures, v.name === OFFICIAL_FLOW ? undefined : bOff, true),
    firstOps(v.name),
  ]);

  // ---- Goals, from the figures above.
  const coldName = nameAt(run.emulator, 0);
  const cold = figOf(coldName);
  const arn = figOf(nameAt(run.emulator, 1));
  const warm = figOf(nameAt(run.emulator, 2));
  const coldX = off.ready.p50 / cold.ready.p50;
  const warmX = off.ready.p50 / warm.ready.p50;
  const arnX = off.ready.p50 / arn.ready.p50;
  const lCold = lFig.get(nameAt(run.link, 0)) as LinkFigures;
  const lArn = lFig.get(nameAt(run.link, 1)) as LinkFigures;
  const lWarm = lFig.get(nameAt(run.link, 2)) as LinkFigures;
  const lColdX = lOff.ready.p50 / lCold.ready.p50;
  const lWarmX = lOff.ready.p50 / lWarm.ready.p50;
  const lArnX = lOff.ready.p50 / lArn.ready.p50;
  const goals: GoalCheck[] = [
    {
      goal: 'fewer sequential exchanges than every peer (cold, by name)',
      met: cold.depth < off.depth && cold.depth < 4,
      detail: `ours ${cold.depth}, official flow ${off.depth} (measured); C SDK 4–6, Android/iOS samples 4 (peers.md §5.1)`,
    },
    { goal: '≥ 2x faster to open cold than the official flow', met: coldX >= 2, detail: `${fmt(coldX)}x (${fmt(cold.ready.p50)} vs ${fmt(off.ready.p50)} ms)` },
    { goal: '≥ 3x faster to open warm than the official flow', met: warmX >= 3, detail: `${fmt(warmX)}x (${fmt(warm.ready.p50)} vs ${fmt(off.ready.p50)} ms)` },
    {
      goal: '≥ 2x faster to open cold than the official flow (link model: three hosts, TCP + TLS per connection)',
      met: lColdX >= 2,
      detail: `${fmt(lColdX)}x (${fmt(lCold.ready.p50)} vs ${fmt(lOff.ready.p50)} ms; ${lCold.net.counted} vs ${lOff.net.counted} round trips)`,
    },
    {
      goal: '≥ 3x faster to open warm than the official flow (link model)',
      met: lWarmX >= 3,
      detail: `${fmt(lWarmX)}x (${fmt(lWarm.ready.p50)} vs ${fmt(lOff.ready.p50)} ms; ${lWarm.net.counted} vs ${lOff.net.counted} round trips)`,
    },
  ];

  // ---- Findings: the prose is in the template, these are its values.
  // From a name with three hosts: TCP, TLS and Describe (3), GetEndpoint on that connection (1), then TCP, TLS and
  // the upgrade on the WSS host, which is known only from GetEndpoint's answer (3). No client can start those sooner.
  const floorFromName = 2 + 1 + 1 + (2 + 1);
  const roundTrips = (f: LinkFigures): string =>
    t.render('fragment.round-trips', { depth: f.depth, waves: f.net.waves, counted: f.net.counted, countedMs: f.net.counted * RTT_MS, ready: fmt(f.ready.p50), measured: fmt(f.net.measured, 2) });
  const opened = (f: NetFigures): string =>
    HOSTS.filter((h) => Number.isFinite(f.firstAcceptMs[h]))
      .map((h) => `${HOST_LABEL[h]} at ${fmt(f.firstAcceptMs[h], 2)} ms`)
      .join(', ');
  const hostsUsed = (f: NetFigures): string =>
    HOSTS.filter((h) => f.perHost[h] > 0)
      .map((h) => `${HOST_LABEL[h]} ${f.perHost[h]}`)
      .join(', ');
  const extraCp = lCold.net.perHost.cp - 1;
  const overFloor = lCold.net.counted - floorFromName;
  const whyOver =
    overFloor <= 0
      ? t.render('fragment.why-over.at-floor')
      : extraCp > 0
        ? t.render('fragment.why-over.extra-connection', { counted: lCold.net.counted, over: overFloor, cpConnections: lCold.net.perHost.cp, extraTrips: 2 * extraCp })
        : t.render('fragment.why-over.other', { counted: lCold.net.counted, over: overFloor });
  const bCold = bFig.get(nameAt(run.browser, 0)) as LinkFigures;
  const bWarm = bFig.get(BROWSER_WARM) as LinkFigures;
  const grew = (b: LinkFigures, n: OpenFigures): string => t.render('fragment.grew', { delta: b.depth - n.depth, from: n.depth, to: b.depth, preflights: b.preflights });
  const overCount = (f: LinkFigures): string => fmt(f.ready.p50 - f.net.counted * RTT_MS);
  const range = (xs: readonly number[]): string => (xs.length ? `${Math.min(...xs)}${Math.max(...xs) === Math.min(...xs) ? '' : `–${Math.max(...xs)}`}` : 'n/a');
  const sampled = (name: string, f: (x: OpenSample) => number): string => range((run.browser.results.get(name) ?? []).map(f));
  const tlsOf = (x: OpenSample): number => (x.net ? sumHosts(x.net.tls) : Number.NaN);
  const rc = (i: number): number => rcMs.get(nameAt(run.emulatorReconnects, i)) ?? Number.NaN;
  const lrc = (i: number): number => lrcMs.get(nameAt(run.linkReconnects, i)) ?? Number.NaN;
  const lConns = (i: number): number => lrcConns.get(nameAt(run.linkReconnects, i)) ?? Number.NaN;

  const notes: string[] = [
    t.render('note.per-exchange', { latencyMs: LATENCY_MS, coldPerExchange: fmt(cold.ready.p50 / cold.depth), officialPerExchange: fmt(off.ready.p50 / off.depth) }),
    t.render('note.cold-2x', {
      coldDepth: cold.depth,
      officialDepth: off.depth,
      ceiling: fmt(off.depth / cold.depth),
      coldX: fmt(coldX),
      linkColdTrips: lCold.net.counted,
      linkOfficialTrips: lOff.net.counted,
      linkColdX: fmt(lColdX),
      linkColdReached: lColdX >= 2,
      arnReached: arnX >= 2,
      arnDepth: arn.depth,
      arnCeiling: fmt(off.depth / arn.depth),
      arnX: fmt(arnX),
      warmReached: warmX >= 2,
      warmX: fmt(warmX),
    }),
    t.render('note.reconnect-drop', { dropMs: fmt(rc(0)), officialDropMs: fmt(rc(2)), goAwayMs: fmt(rc(1)) }),
    t.render('note.one-origin'),
    t.render('note.cold-link', { reached: lColdX >= 2, linkColdX: fmt(lColdX), coldReady: fmt(lCold.ready.p50), officialReady: fmt(lOff.ready.p50) }),
    t.render('note.arithmetic', {
      rttMs: RTT_MS,
      oursTrips: roundTrips(lCold),
      officialTrips: roundTrips(lOff),
      ceiling: fmt(lOff.net.counted / lCold.net.counted),
      halfOfficial: Math.floor(lOff.net.counted / 2),
      officialCounted: lOff.net.counted,
      floor: floorFromName,
      bestRatio: fmt(lOff.net.counted / floorFromName),
      whyOver,
      oursOpened: opened(lCold.net),
      officialOpened: opened(lOff.net),
    }),
    t.render('note.connections', {
      onePerHost: [...lFig.values()].every((f) => HOSTS.every((h) => f.net.perHost[h] <= 1) && f.net.tls === f.net.connections),
      cold: hostsUsed(lCold.net),
      arn: hostsUsed(lArn.net),
      warm: hostsUsed(lWarm.net),
      official: hostsUsed(lOff.net),
    }),
    t.render('note.model-gap', {
      widens: lColdX > coldX,
      coldX: fmt(coldX),
      linkColdX: fmt(lColdX),
      officialConnections: lOff.net.connections,
      officialWaves: lOff.net.waves,
      coldConnections: lCold.net.connections,
      coldWaves: lCold.net.waves,
      arnX: fmt(lArnX),
      arnTrips: lArn.net.counted,
      arnReached: lArnX >= 2,
      warmX: fmt(lWarmX),
      warmTrips: lWarm.net.counted,
      warmReached: lWarmX >= 3,
    }),
    t.render('note.browser-trips', {
      coldTrips: roundTrips(bCold),
      coldOps: firstOps(nameAt(run.browser, 0)),
      officialTrips: roundTrips(bOff),
      officialOps: firstOps(OFFICIAL_FLOW),
      warmTrips: roundTrips(bWarm),
      coldX: fmt(bOff.ready.p50 / bCold.ready.p50),
      warmX: fmt(bOff.ready.p50 / bWarm.ready.p50),
      linkColdX: fmt(lColdX),
      linkWarmX: fmt(lWarmX),
    }),
    t.render('note.why-browser', {
      coldGrew: grew(bCold, lCold),
      officialGrew: grew(bOff, lOff),
      linkColdTrips: lCold.net.counted,
      coldTrips: bCold.net.counted,
      linkOfficialTrips: lOff.net.counted,
      officialTrips: bOff.net.counted,
      linkColdReady: fmt(lCold.ready.p50),
      coldReady: fmt(bCold.ready.p50),
      linkOfficialReady: fmt(lOff.ready.p50),
      officialReady: fmt(bOff.ready.p50),
      coldIceLag: fmt(bCold.ready.p50 - bCold.open.p50),
      linkColdIceLag: fmt(lCold.ready.p50 - lCold.open.p50),
    }),
    t.render('note.warm-browser', { preflights: bWarm.preflights, openedAny: hostsUsed(bWarm.net) !== '', opened: hostsUsed(bWarm.net), linkOpened: hostsUsed(lWarm.net) }),
    t.render('note.cold-check', {
      coldPreflights: sampled(nameAt(run.browser, 0), (x) => x.preflights),
      coldTls: sampled(nameAt(run.browser, 0), tlsOf),
      officialPreflights: sampled(OFFICIAL_FLOW, (x) => x.preflights),
      officialTls: sampled(OFFICIAL_FLOW, tlsOf),
    }),
    t.render('note.beyond-trips', {
      coldOver: overCount(bCold),
      officialOver: overCount(bOff),
      warmOver: overCount(bWarm),
      linkColdOver: overCount(lCold),
      linkOfficialOver: overCount(lOff),
      coldOpened: opened(bCold.net),
      officialOpened: opened(bOff.net),
      linkColdCp: fmt(lCold.net.firstAcceptMs.cp, 2),
      linkOfficialCp: fmt(lOff.net.firstAcceptMs.cp, 2),
      warmOverCounted: bWarm.net.counted * RTT_MS > bWarm.ready.p50,
    }),
    t.render('note.reconnect-link', {
      dropMs: fmt(lrc(0)),
      dropConns: lConns(0),
      officialDropMs: fmt(lrc(2)),
      officialDropConns: lConns(2),
      dropExtraMs: fmt(lrc(0) - lrc(2)),
      withinJitter: lrc(0) - lrc(2) <= 100,
      oneWayMs: ONE_WAY_MS,
      upgradeFloorMs: 3 * RTT_MS,
      goAwayMs: fmt(lrc(1)),
      goAwayConns: lConns(1),
    }),
    t.render('note.official-no-reconnect'),
  ];

  const rtColumn = `round trips: counted / measured (ready p50 ÷ ${RTT_MS} ms)`;
  const tables: Table[] = [
    { title: 'Open (emulator model: 50 ms per exchange, one origin)', columns: ['variant', 'open p50 (ms)', 'ready p50 (ms)', 'ready p90 (ms)', 'sequential exchanges', 'exchanges', 'exchanges seen', 'official / this (ready)'], rows },
    { title: 'Reconnect (emulator model)', columns: ['case', 'p50 (ms)', 'max (ms)', 'exchanges'], rows: rcRows },
    {
      title: `Open (link model: ${ONE_WAY_MS} ms each way, control plane, HTTPS and WSS on three origins)`,
      columns: ['variant', 'open p50 (ms)', 'ready p50 (ms)', 'ready p90 (ms)', 'sequential exchanges', 'TCP connections (control plane + HTTPS + WSS)', 'TLS handshakes', 'connection waves', rtColumn, 'official / this (ready)'],
      rows: linkRows,
    },
    {
      title: 'Open in Chromium (link model, CORS on)',
      columns: [
        'variant',
        'open p50 (ms)',
        'ready p50 (ms)',
        'ready p90 (ms)',
        'sequential exchanges (preflights included)',
        'CORS preflights',
        'TCP connections (control plane + HTTPS + WSS)',
        'TLS handshakes',
        'connection waves',
        rtColumn,
        'official / this (ready)',
        'exchanges seen (first sample)',
      ],
      rows: browserRows,
    },
    { title: 'Reconnect (link model)', columns: ['case', 'p50 (ms)', 'max (ms)', 'samples', 'exchanges', 'TCP connections', 'TLS handshakes'], rows: lrcRows },
  ];
  const method = t.render('method', {
    latencyMs: LATENCY_MS,
    samples: plan.samples,
    warmup: plan.warmup,
    oneWayMs: ONE_WAY_MS,
    rttMs: RTT_MS,
    waveMs: RTT_MS / 2,
    linkSamples: plan.linkSamples,
    linkWarmedUp: plan.linkWarmup > 0,
    linkWarmup: plan.linkWarmup,
    browserSamples: plan.browserSamples,
    goAwayGraceMs: plan.goAwayGraceMs,
    reconnectSamples: plan.reconnectSamples,
  });
  return { title: 'Time to open and to reconnect', method, tables, measurements: rec.list, goals, notes };
}
