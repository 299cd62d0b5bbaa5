import type {
  BlockRecord,
  EventLog,
  LagFigures,
  StackSummaryRecord,
  SyncCallRecord,
} from './log-types.js';
import { pairOngoing } from './pair-ongoing.js';

/** Everything the terminal summary, the HTML report and `--json` show: plain data, computed once. */
export interface ReportModel {
  source: string;
  pid: number | null;
  /** Epoch ms of the first and last event seen. */
  from: number | null;
  to: number | null;
  thresholdMs: number | null;
  mode: string | null;
  lag: (LagFigures & { from: 'summary' | 'lag windows' }) | null;
  utilization: number | null;
  stalls: {
    count: number;
    startupCount: number;
    totalMs: number;
    maxMs: number;
    /** Block events in the log; fewer than `count` when the monitor rate-limited detailed reports. */
    detailed: number;
    /** Blocks reported as ongoing that never ended (not in `count`: a stall is counted when it ends). */
    neverEnded: number;
  };
  histogram: HistogramBucket[];
  lagSeries: LagPoint[];
  /** Ended blocks only: a block reported as ongoing and then ended is here once, as its final event. */
  worstBlocks: BlockRecord[];
  /**
   * Provisional (`ongoing`) events with no final event: blocks still running when the log ends, i.e. the
   * process was killed or died while blocked. `durationMs` is how long they had lasted when reported.
   */
  neverEnded: BlockRecord[];
  stackGroups: StackGroup[];
  routes: RouteRow[] | null;
  syncCalls: SyncCallRecord[];
}

export interface HistogramBucket {
  label: string;
  fromMs: number;
  /** Exclusive; null for the open-ended last bucket. */
  toMs: number | null;
  count: number;
}

export interface LagPoint {
  at: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  utilization: number | null;
}

/** Blocks of one stack signature, grouped the way the monitor's own summary groups them. */
export type StackGroup = StackSummaryRecord;

export interface RouteRow {
  route: string;
  requests: number | null;
  blocks: number | null;
  blockedMs: number | null;
  worstBlockMs: number | null;
  waitedMs: number | null;
  inFlight: number | null;
}

const WORST_BLOCKS = 5;
/** Buckets of the stall histogram; the ones past the worst stall are left out. */
const BUCKETS: { fromMs: number; toMs: number | null; label: string }[] = [
  { fromMs: 0, toMs: 50, label: '< 50 ms' },
  { fromMs: 50, toMs: 100, label: '50–100 ms' },
  { fromMs: 100, toMs: 250, label: '100–250 ms' },
  { fromMs: 250, toMs: 500, label: '250–500 ms' },
  { fromMs: 500, toMs: 1000, label: '0.5–1 s' },
  { fromMs: 1000, toMs: 2500, label: '1–2.5 s' },
  { fromMs: 2500, toMs: 5000, label: '2.5–5 s' },
  { fromMs: 5000, toMs: 10_000, label: '5–10 s' },
  { fromMs: 10_000, toMs: null, label: '≥ 10 s' },
];

export function formatMs(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function histogram(blocks: readonly BlockRecord[]): HistogramBucket[] {
  const worst = Math.max(0, ...blocks.map((b) => b.durationMs));
  const buckets: HistogramBucket[] = [];
  for (const { fromMs, toMs, label } of BUCKETS) {
    buckets.push({
      label,
      fromMs,
      toMs,
      count: blocks.filter((b) => b.durationMs >= fromMs && (toMs === null || b.durationMs < toMs)).length,
    });
    if (toMs === null || toMs > worst) break;
  }
  // Drop empty leading buckets below the threshold (the monitor never reports those).
  while (buckets.length > 1 && buckets[0]?.count === 0) buckets.shift();
  return buckets;
}

/** Identical stacks share a signature; blocks logged without one are keyed by their frames. */
function signatureOf(block: BlockRecord): string {
  return block.signature ?? block.stack.map((f) => `${f.functionName}@${f.url}:${f.line}:${f.column}`).join('|');
}

function stackGroups(blocks: readonly BlockRecord[], log: EventLog): StackGroup[] {
  const groups = new Map<string, StackGroup>();
  for (const block of blocks) {
    const signature = signatureOf(block);
    const group = groups.get(signature);
    if (group) {
      group.count++;
      group.totalMs += block.durationMs;
      group.maxMs = Math.max(group.maxMs, block.durationMs);
    } else {
      groups.set(signature, {
        signature,
        count: 1,
        totalMs: block.durationMs,
        maxMs: block.durationMs,
        stack: block.stack,
        inFlight: block.inFlight,
        context: block.context,
      });
    }
  }
  // The summary's counts are exact even when detailed block events were rate-limited.
  for (const top of log.summary?.topStacks ?? []) {
    const group = groups.get(top.signature);
    if (!group) groups.set(top.signature, { ...top });
    else if (top.count > group.count) Object.assign(group, { count: top.count, totalMs: top.totalMs, maxMs: top.maxMs });
  }
  return [...groups.values()].filter((g) => g.stack.length > 0 || g.inFlight).sort((a, b) => b.totalMs - a.totalMs);
}

function routeRows(sections: Record<string, unknown>): RouteRow[] | null {
  const section = sections['routes'];
  const routes = (section as { routes?: unknown } | undefined)?.routes;
  if (!Array.isArray(routes)) return null;
  const num = (value: unknown) => (typeof value === 'number' ? value : null);
  return routes
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => ({
      route: typeof r['route'] === 'string' ? r['route'] : '?',
      requests: num(r['requests']),
      blocks: num(r['blocks']),
      blockedMs: num(r['blockedMs']),
      worstBlockMs: num(r['worstBlockMs']),
      waitedMs: num(r['waitedMs']),
      inFlight: num(r['inFlight']),
    }))
    .sort((a, b) => (b.blockedMs ?? 0) - (a.blockedMs ?? 0));
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Lag since start from the summary when present, else estimated over the logged windows. */
function overallLag(log: EventLog): ReportModel['lag'] {
  if (log.summary?.lag) return { ...log.summary.lag, from: 'summary' };
  if (log.lags.length === 0) return null;
  const of = (pick: (l: LagFigures) => number) => log.lags.map((l) => pick(l.lag));
  return {
    minMs: Math.min(...of((l) => l.minMs)),
    maxMs: Math.max(...of((l) => l.maxMs)),
    meanMs: of((l) => l.meanMs).reduce((a, b) => a + b, 0) / log.lags.length,
    p50Ms: percentile(of((l) => l.p50Ms), 50),
    p90Ms: percentile(of((l) => l.p90Ms), 90),
    p99Ms: percentile(of((l) => l.p99Ms), 99),
    from: 'lag windows',
  };
}

export function buildReport(log: EventLog): ReportModel {
  // A block reported while still running and again when it ended counts once, as its final event.
  const { ended, neverEnded } = pairOngoing(log.blocks);
  const afterStartup = ended.filter((b) => !b.startup);
  const times = [
    ...log.blocks.map((b) => b.startedAt),
    // A block that never ended was still running this late.
    ...neverEnded.map((b) => b.startedAt + b.durationMs),
    ...log.lags.map((l) => l.at),
    ...(log.summary?.at ? [log.summary.at] : []),
  ];
  const stalls = log.summary?.stalls;
  return {
    source: log.path,
    pid: log.summary?.pid ?? null,
    from: times.length ? Math.min(...times) : null,
    to: times.length ? Math.max(...times) : null,
    thresholdMs: log.summary?.thresholdMs ?? null,
    mode: log.summary?.mode ?? null,
    lag: overallLag(log),
    utilization: log.summary?.utilization ?? log.lags.at(-1)?.utilization ?? null,
    stalls: {
      count: stalls?.count ?? afterStartup.length,
      startupCount: stalls?.startupCount ?? ended.length - afterStartup.length,
      totalMs: stalls?.totalMs ?? afterStartup.reduce((sum, b) => sum + b.durationMs, 0),
      maxMs: stalls?.maxMs ?? Math.max(0, ...afterStartup.map((b) => b.durationMs)),
      detailed: afterStartup.length,
      neverEnded: neverEnded.length,
    },
    histogram: histogram(afterStartup),
    lagSeries: [...log.lags]
      .sort((a, b) => a.at - b.at)
      .map((l) => ({ at: l.at, p50Ms: l.lag.p50Ms, p99Ms: l.lag.p99Ms, maxMs: l.lag.maxMs, utilization: l.utilization })),
    worstBlocks: [...afterStartup].sort((a, b) => b.durationMs - a.durationMs).slice(0, WORST_BLOCKS),
    neverEnded: [...neverEnded].sort((a, b) => b.durationMs - a.durationMs),
    stackGroups: stackGroups(afterStartup, log),
    routes: routeRows(log.summary?.sections ?? {}),
    syncCalls: [...(log.summary?.syncCalls ?? [])].sort((a, b) => b.totalMs - a.totalMs),
  };
}
