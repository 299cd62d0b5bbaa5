import type { AgentFigures } from '../shared/agents-section.js';
import type { LagPoint } from './aggregate.js';
import { figuresNotes, logFigures, type FiguresOptions, type NeverEndedBlock, type ProcessFigures, type SlaFigures, type StackGroupRecord, type WorstBlock } from './log-figures.js';
import type { EventLog, LagFigures, StallRecord, SyncCallRecord } from './log-types.js';

export type { LagPoint, WorstBlock };

/** Everything the terminal summary, the HTML report and `--json` show: plain data, computed once. */
export interface ReportModel {
  source: string;
  /** The process, when the log has one; null when several processes wrote it (see `processes`). */
  pid: number | null;
  /** Epoch ms of the first and last event seen. */
  from: number | null;
  to: number | null;
  thresholdMs: number | null;
  mode: string | null;
  /** One process's lag since start; with several, the one with the worst p99 (each is in `processes`). */
  lag: (LagFigures & { from: 'summary' | 'checkpoint' | 'lag windows' }) | null;
  utilization: number | null;
  /** Every process's stalls added up, blocks that never ended included: the monitor's counters, merged. */
  stalls: Pick<StallRecord, 'count' | 'startupCount' | 'totalMs' | 'maxMs' | 'p50Ms' | 'p99Ms'> & {
    /** Of `count`, the stalls logged as block events (never-ended ones included); the rest have no stack. */
    detailed: number;
    detailedMs: number;
    /** `count - detailed`: stalls only the counters know (rate-limited, repeats of a logged stack, not caught). */
    withoutStack: number;
    withoutStackMs: number;
    /** Of `count`, the blocks that never ended (the process died in them). */
    neverEnded: number;
  };
  /** One per process that wrote to the log, with where its figures come from. */
  processes: ProcessRow[];
  /** One line per process that ended without a summary, saying where its figures come from. */
  notes: string[];
  /** Lines of the log that were not events: skipped (and warned about once). */
  skippedLines: number;
  /** Stalls after start-up by duration, from the monitors' counters (every stall, not only the detailed). */
  histogram: HistogramBucket[];
  lagSeries: LagPoint[];
  /**
   * The longest stalls after start-up, longest first: block events (a block reported as ongoing and then
   * ended is here once, as its final event), and stalls only the counters know, with why they have no
   * stack. The worst stall the counters saw is always the first.
   */
  worstBlocks: WorstBlock[];
  /**
   * Provisional (`ongoing`) events with no final event: blocks still running when the log ends, i.e. the
   * process was killed or died while blocked. `durationMs` is the latest age known (at least).
   */
  neverEnded: NeverEndedBlock[];
  stackGroups: StackGroup[];
  routes: RouteRow[] | null;
  /**
   * Per-tool figures (calls, blocks, blocked, worst, waited) and agent runs in flight with the oldest's
   * age, from the processes' `agents` sections (ages as at each process's last snapshot). Null when no
   * process tracked an agent run.
   */
  agents: AgentFigures | null;
  /**
   * Agent runs and HTTP requests seen in flight past the monitor's `inFlightSlaMs`: `breaches` {run,
   * request} added up over the processes' last summary or checkpoint (what /metrics counts as
   * agent_lag_sla_breaches_total{kind}), and the breach events (kind, age, SLA, context; the first
   * SLA_LISTED of `eventsInLog`). Null when no process had the SLA on.
   */
  sla: SlaFigures | null;
  syncCalls: SyncCallRecord[];
}

export interface ProcessRow {
  pid: number | null;
  figuresFrom: ProcessFigures['figuresFrom'];
  /** With figures from a checkpoint: how long before the process's end it was written. */
  checkpointAgeMs: number | null;
  thresholdMs: number | null;
  stalls: ProcessFigures['stalls'];
  neverEnded: number;
  lag: ProcessFigures['lag'];
  utilization: number | null;
  /** Its in-flight SLA breaches; null when it had the SLA off. */
  sla: ProcessFigures['sla'];
}

export interface HistogramBucket {
  label: string;
  fromMs: number;
  /** Exclusive; null for the open-ended last bucket. */
  toMs: number | null;
  count: number;
}


/** Blocks of one stack signature, grouped the way the monitor's own summary groups them. */
export type StackGroup = StackGroupRecord;

export interface RouteRow {
  route: string;
  requests: number | null;
  blocks: number | null;
  blockedMs: number | null;
  worstBlockMs: number | null;
  waitedMs: number | null;
  inFlight: number | null;
}

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

function histogram(durations: readonly { ms: number; count: number }[]): HistogramBucket[] {
  let worst = 0;
  for (const { ms } of durations) worst = Math.max(worst, ms);
  const buckets: HistogramBucket[] = [];
  for (const { fromMs, toMs, label } of BUCKETS) {
    let count = 0;
    for (const d of durations) if (d.ms >= fromMs && (toMs === null || d.ms < toMs)) count += d.count;
    buckets.push({ label, fromMs, toMs, count });
    if (toMs === null || toMs > worst) break;
  }
  // Drop empty leading buckets below the threshold (the monitor never reports those).
  while (buckets.length > 1 && buckets[0]?.count === 0) buckets.shift();
  return buckets;
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

/** Route rows of every process, added up per route. */
function mergedRoutes(processes: readonly ProcessFigures[]): RouteRow[] | null {
  const lists = processes.map((p) => routeRows(p.snapshot?.sections ?? {})).filter((rows): rows is RouteRow[] => rows !== null);
  if (lists.length === 0) return null;
  const add = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);
  const byRoute = new Map<string, RouteRow>();
  for (const row of lists.flat()) {
    const seen = byRoute.get(row.route);
    if (!seen) {
      byRoute.set(row.route, { ...row });
      continue;
    }
    seen.requests = add(seen.requests, row.requests);
    seen.blocks = add(seen.blocks, row.blocks);
    seen.blockedMs = add(seen.blockedMs, row.blockedMs);
    seen.waitedMs = add(seen.waitedMs, row.waitedMs);
    seen.inFlight = add(seen.inFlight, row.inFlight);
    seen.worstBlockMs = seen.worstBlockMs === null ? row.worstBlockMs : Math.max(seen.worstBlockMs, row.worstBlockMs ?? 0);
  }
  return [...byRoute.values()].sort((a, b) => (b.blockedMs ?? 0) - (a.blockedMs ?? 0));
}

export function buildReport(log: EventLog, options: FiguresOptions = {}): ReportModel {
  const figures = logFigures(log, options);
  const neverEnded = figures.neverEnded.filter((b) => !b.startup);
  const { processes } = figures;
  const single = processes.length === 1 ? processes[0] : undefined;
  const worstLag = [...processes].filter((p) => p.lag).sort((a, b) => (b.lag?.p99Ms ?? 0) - (a.lag?.p99Ms ?? 0))[0];
  const firstSnapshot = processes.find((p) => p.snapshot)?.snapshot ?? null;
  const notes = figuresNotes(figures);
  if (figures.skipped.cutOff) notes.push('the log ends mid-line (its writer was cut off): the incomplete last line was skipped');
  if (figures.skipped.count > 0) {
    notes.push(`skipped ${figures.skipped.count === 1 ? '1 line that is not an agent-lag event' : `${figures.skipped.count} lines that are not agent-lag events`} (first: ${figures.skipped.first ?? '?'})`);
  }
  const detailed = Math.min(figures.detailed.count, figures.stalls.count);
  const detailedMs = Math.min(figures.detailed.totalMs, figures.stalls.totalMs);
  return {
    source: log.path,
    pid: single?.pid ?? null,
    from: figures.from,
    to: figures.to,
    thresholdMs: firstSnapshot?.thresholdMs ?? null,
    mode: processes.some((p) => p.snapshot?.mode === 'lag-only') ? 'lag-only' : (firstSnapshot?.mode ?? null),
    lag: worstLag?.lag ?? null,
    utilization: single ? single.utilization : null,
    stalls: {
      count: figures.stalls.count,
      startupCount: figures.stalls.startupCount,
      totalMs: figures.stalls.totalMs,
      maxMs: figures.stalls.maxMs,
      p50Ms: figures.stalls.p50Ms,
      p99Ms: figures.stalls.p99Ms,
      detailed,
      detailedMs,
      withoutStack: figures.stalls.count - detailed,
      withoutStackMs: Math.max(0, figures.stalls.totalMs - detailedMs),
      neverEnded: neverEnded.length,
    },
    processes: processes.map((p) => ({
      pid: p.pid,
      figuresFrom: p.figuresFrom,
      checkpointAgeMs: p.checkpointAgeMs,
      thresholdMs: p.snapshot?.thresholdMs ?? null,
      stalls: p.stalls,
      neverEnded: p.neverEnded.filter((b) => !b.startup).length,
      lag: p.lag,
      utilization: p.utilization,
      sla: p.sla,
    })),
    notes,
    skippedLines: figures.skipped.count,
    histogram: histogram(figures.durations),
    lagSeries: figures.lagSeries,
    worstBlocks: figures.worstBlocks,
    neverEnded: [...neverEnded].sort((a, b) => b.durationMs - a.durationMs),
    stackGroups: figures.stackGroups,
    routes: mergedRoutes(processes),
    agents: figures.agents,
    sla: figures.sla,
    syncCalls: figures.syncCalls,
  };
}
