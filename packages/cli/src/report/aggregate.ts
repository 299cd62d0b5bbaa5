/*
 * The event log folded line by line into per-process figures, in memory bounded whatever the log's
 * length: counters, hdr histograms, the worst few blocks, the blocks still open, a downsampled lag
 * series. Nothing here holds an array of every event, and nothing spreads one into a call.
 *
 * Counts come from the monitors' own counters (a process's summary, else its latest checkpoint), exact
 * even when detailed reports were rate-limited; block events add only what those counters cannot know
 * (blocks ended after the checkpoint, blocks that never ended) and the detail (stacks, context).
 */

import { growingHistogram } from '../shared/histogram.js';
import type { LogEvent } from './read-log.js';
import type { SlaRecord } from '../shared/sla.js';
import { blockEndOf } from '../shared/monitor-types.js';
import type { BlockRecord, LagFigures, LagRecord, StackSummaryRecord, SummaryRecord, WorstStallRecord } from './log-types.js';

/** Block events kept to list the worst ones (the report shows 5; a few more to survive ties). */
export const WORST_KEPT = 10;
/** Lag points kept for the chart; neighbours are merged beyond this. */
export const LAG_POINTS = 400;
/** The last ended blocks of each process, to find those a checkpoint written before them misses. */
const TAIL_BLOCKS = 4096;
/** Durations kept exactly for percentiles of a process without a snapshot (hdr's buckets beyond). */
const EXACT_DURATIONS = 100_000;
/** Lag windows sampled per process for percentiles of a process without a snapshot. */
const LAG_RESERVOIR = 4096;
/** Blocks reported ongoing and not ended yet, per process (a process is in one stall at a time). */
const OPEN_BLOCKS = 1024;
/** Distinct stack signatures per process. */
const SIGNATURES = 5000;
/** `sla` events kept to list (in log order); the rest are counted. */
export const SLA_LISTED = 50;

/** Count, total, max and the distribution of some stall durations. */
export class Durations {
  count = 0;
  totalMs = 0;
  maxMs = 0;
  readonly histogram = growingHistogram();
  /** Every duration while there are few; null once past EXACT_DURATIONS. */
  exact: number[] | null = [];

  add(ms: number): void {
    this.count++;
    this.totalMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.histogram.recordValue(Math.max(1, Math.round(ms)));
    if (this.exact) {
      if (this.exact.length < EXACT_DURATIONS) this.exact.push(ms);
      else this.exact = null;
    }
  }

  merge(other: Durations): void {
    this.count += other.count;
    this.totalMs += other.totalMs;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    this.histogram.add(other.histogram);
    if (this.exact && other.exact && this.exact.length + other.exact.length <= EXACT_DURATIONS) {
      for (const ms of other.exact) this.exact.push(ms);
    } else this.exact = null;
  }
}

/** A uniform sample of at most `size` numbers (Algorithm R): percentiles of many windows in bounded memory. */
class Reservoir {
  readonly values: number[] = [];
  seen = 0;
  constructor(private readonly size: number) {}
  add(value: number): void {
    this.seen++;
    if (this.values.length < this.size) this.values.push(value);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < this.size) this.values[slot] = value;
    }
  }
  merge(other: Reservoir): void {
    for (const value of other.values) this.add(value);
  }
  percentile(p: number): number {
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  }
}

/** Lag windows of one process, for when it left no snapshot with its lag since start. */
class LagWindows {
  count = 0;
  minMs = Infinity;
  maxMs = 0;
  meanSum = 0;
  readonly p50 = new Reservoir(LAG_RESERVOIR);
  readonly p90 = new Reservoir(LAG_RESERVOIR);
  readonly p99 = new Reservoir(LAG_RESERVOIR);
  /** Busy ms (utilisation × window) and ms of the windows that gave a utilisation. */
  busyMs = 0;
  utilizationWindowMs = 0;

  add(lag: LagRecord): void {
    this.count++;
    this.minMs = Math.min(this.minMs, lag.lag.minMs);
    this.maxMs = Math.max(this.maxMs, lag.lag.maxMs);
    this.meanSum += lag.lag.meanMs;
    this.p50.add(lag.lag.p50Ms);
    this.p90.add(lag.lag.p90Ms);
    this.p99.add(lag.lag.p99Ms);
    if (lag.utilization !== null && lag.windowMs > 0) {
      this.busyMs += lag.utilization * lag.windowMs;
      this.utilizationWindowMs += lag.windowMs;
    }
  }

  merge(other: LagWindows): void {
    this.count += other.count;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    this.meanSum += other.meanSum;
    this.p50.merge(other.p50);
    this.p90.merge(other.p90);
    this.p99.merge(other.p99);
    this.busyMs += other.busyMs;
    this.utilizationWindowMs += other.utilizationWindowMs;
  }

  /** Utilisation over the logged windows, each weighted by its length; null when none gave one. */
  utilization(): number | null {
    return this.utilizationWindowMs > 0 ? this.busyMs / this.utilizationWindowMs : null;
  }

  figures(): LagFigures | null {
    if (this.count === 0) return null;
    return {
      minMs: this.minMs,
      maxMs: this.maxMs,
      meanMs: this.meanSum / this.count,
      p50Ms: this.p50.percentile(50),
      p90Ms: this.p90.percentile(90),
      p99Ms: this.p99.percentile(99),
    };
  }
}

export interface LagPoint {
  /** Epoch ms: the end of the (last) window. */
  at: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  utilization: number | null;
  /** How many logged windows this point stands for (more than 1 once downsampled). */
  windows: number;
  /**
   * The window's length, ms, for a point that stands for one window that said it (LagRecord.windowMs):
   * the chart sizes its bars from it instead of guessing from the gaps between points.
   */
  windowMs?: number;
}

/**
 * The lag series for the chart, at most LAG_POINTS points: windows fall into time slots that double in
 * width whenever there are too many. A merged point keeps the worst max and p99 (a spike must stay
 * visible) and the mean p50 and utilisation.
 */
export class LagSeries {
  #origin: number | null = null;
  #width = 0;
  readonly #slots = new Map<number, LagPoint & { p50Sum: number; utilizationSum: number; utilizationCount: number }>();

  add(lag: LagRecord): void {
    this.#origin ??= lag.at;
    const slot = this.#width === 0 ? lag.at : Math.floor((lag.at - this.#origin) / this.#width);
    const point: LagPoint = { at: lag.at, p50Ms: lag.lag.p50Ms, p99Ms: lag.lag.p99Ms, maxMs: lag.lag.maxMs, utilization: lag.utilization, windows: 1 };
    // 0 is what the reader gives a window that did not say its length (older monitors).
    if (lag.windowMs > 0) point.windowMs = lag.windowMs;
    this.#put(slot, point);
    if (this.#slots.size > LAG_POINTS) this.#coarsen();
  }

  #put(slot: number, point: LagPoint & Partial<{ p50Sum: number; utilizationSum: number; utilizationCount: number }>): void {
    const p50Sum = point.p50Sum ?? point.p50Ms;
    const utilizationSum = point.utilizationSum ?? point.utilization ?? 0;
    const utilizationCount = point.utilizationCount ?? (point.utilization === null ? 0 : 1);
    const seen = this.#slots.get(slot);
    if (!seen) {
      this.#slots.set(slot, { ...point, p50Sum, utilizationSum, utilizationCount });
      return;
    }
    seen.at = Math.max(seen.at, point.at);
    // Several windows now: no single window's length describes the point.
    delete seen.windowMs;
    seen.maxMs = Math.max(seen.maxMs, point.maxMs);
    seen.p99Ms = Math.max(seen.p99Ms, point.p99Ms);
    seen.windows += point.windows;
    seen.p50Sum += p50Sum;
    seen.utilizationSum += utilizationSum;
    seen.utilizationCount += utilizationCount;
  }

  #coarsen(): void {
    const points = [...this.#slots.values()];
    const origin = this.#origin ?? 0;
    if (this.#width === 0) {
      let last = origin;
      for (const point of points) if (point.at > last) last = point.at;
      this.#width = Math.max(1, Math.ceil((last - origin + 1) / (LAG_POINTS / 2)));
    } else this.#width *= 2;
    this.#slots.clear();
    for (const point of points) this.#put(Math.floor((point.at - origin) / this.#width), point);
    if (this.#slots.size > LAG_POINTS) this.#coarsen();
  }

  points(): LagPoint[] {
    return [...this.#slots.values()]
      .sort((a, b) => a.at - b.at)
      .map((s) => ({
        at: s.at,
        p50Ms: s.p50Sum / s.windows,
        p99Ms: s.p99Ms,
        maxMs: s.maxMs,
        utilization: s.utilizationCount > 0 ? s.utilizationSum / s.utilizationCount : null,
        windows: s.windows,
        ...(s.windows === 1 && s.windowMs !== undefined ? { windowMs: s.windowMs } : {}),
      }));
  }
}

/** The `size` longest blocks seen, longest first. */
export class WorstBlocks {
  readonly blocks: BlockRecord[] = [];
  constructor(private readonly size = WORST_KEPT) {}
  add(block: BlockRecord): void {
    const last = this.blocks[this.blocks.length - 1];
    if (this.blocks.length >= this.size && last && last.durationMs >= block.durationMs) return;
    let at = this.blocks.length;
    while (at > 0 && (this.blocks[at - 1]?.durationMs ?? 0) < block.durationMs) at--;
    this.blocks.splice(at, 0, block);
    if (this.blocks.length > this.size) this.blocks.pop();
  }
}

/** Identical stacks share a signature; blocks logged without one are keyed by their frames. */
export function signatureOf(block: BlockRecord): string {
  return block.signature ?? block.stack.map((f) => `${f.functionName}@${f.url}:${f.line}:${f.column}`).join('|');
}

/** Everything kept about one process (or about the lines without a pid). */
export class ProcessState {
  summary: SummaryRecord | null = null;
  checkpoint: SummaryRecord | null = null;
  firstAt = Infinity;
  lastAt = -Infinity;
  /** Every ended block event, start-up ones apart: the figures of a process that left no snapshot. */
  readonly ended = new Durations();
  readonly endedStartup = new Durations();
  /** The last ended blocks (end, duration, start-up), oldest first. */
  tail: { end: number; durationMs: number; startup: boolean }[] = [];
  /** The latest end of an ended block: a stall a checkpoint saw in progress ended if a block ended after it began. */
  lastBlockEnd = -Infinity;
  /** Blocks reported ongoing, by `startedAt`, with no final event yet. */
  readonly open = new Map<number, BlockRecord>();
  /** The latest time a checkpoint saw each stall in progress still running (epoch ms), by `startedAt` (only the open ones are kept). */
  readonly checkpointEnds = new Map<number, number>();
  /** `startedAt` of recent final events: an ongoing line arriving after its final event is ignored. */
  readonly recentFinals = new Set<number>();
  readonly worst = new WorstBlocks();
  readonly groups = new Map<string, StackSummaryRecord>();
  readonly lags = new LagWindows();
  /** This process's `sla` events by kind, and the SLA the last one was against (null before any). */
  readonly slaEvents = { run: 0, request: 0, slaMs: null as number | null };
  /** When `agent-lag run` saw the process gone (its `gone` line), if it did. */
  goneAt: number | null = null;

  get snapshot(): SummaryRecord | null {
    return this.summary ?? this.checkpoint;
  }

  #seen(at: number): void {
    if (at < this.firstAt) this.firstAt = at;
    if (at > this.lastAt) this.lastAt = at;
  }

  add(event: LogEvent): void {
    if (event.type === 'lag') {
      this.#seen(event.record.at);
      this.lags.add(event.record);
    } else if (event.type === 'block') this.#block(event.record);
    else if (event.type === 'sla') this.#sla(event.record);
    else if (event.type === 'gone') this.goneAt = Math.min(this.goneAt ?? Infinity, event.record.at);
    else this.#snapshot(event.record);
  }

  #sla(breach: SlaRecord): void {
    this.#seen(breach.at);
    if (breach.kind === 'run' || breach.kind === 'request') this.slaEvents[breach.kind]++;
    this.slaEvents.slaMs = breach.slaMs;
  }

  #snapshot(snapshot: SummaryRecord): void {
    if (snapshot.at !== null) this.#seen(snapshot.at);
    const at = snapshot.at ?? 0;
    if (snapshot.kind === 'summary') {
      if (!this.summary || at >= (this.summary.at ?? 0)) this.summary = snapshot;
      return;
    }
    if (!this.checkpoint || at >= (this.checkpoint.at ?? 0)) this.checkpoint = snapshot;
    const ongoing = snapshot.ongoing;
    if (ongoing && !this.recentFinals.has(ongoing.startedAt)) {
      const known = this.checkpointEnds.get(ongoing.startedAt) ?? -Infinity;
      this.checkpointEnds.set(ongoing.startedAt, Math.max(known, blockEndOf(ongoing)));
      if (this.checkpointEnds.size > OPEN_BLOCKS) this.checkpointEnds.delete(this.checkpointEnds.keys().next().value as number);
    }
  }

  #block(block: BlockRecord): void {
    this.#seen(block.startedAt);
    if (block.ongoing) {
      this.#seen(blockEndOf(block));
      if (this.recentFinals.has(block.startedAt)) return;
      const seen = this.open.get(block.startedAt);
      if (!seen || block.durationMs >= seen.durationMs) this.open.set(block.startedAt, block);
      if (this.open.size > OPEN_BLOCKS) this.open.delete(this.open.keys().next().value as number);
      return;
    }
    const end = blockEndOf(block);
    this.#seen(end);
    this.open.delete(block.startedAt);
    this.checkpointEnds.delete(block.startedAt);
    this.recentFinals.add(block.startedAt);
    if (this.recentFinals.size > 64) this.recentFinals.delete(this.recentFinals.values().next().value as number);
    if (end > this.lastBlockEnd) this.lastBlockEnd = end;
    this.tail.push({ end, durationMs: block.durationMs, startup: block.startup });
    if (this.tail.length > 2 * TAIL_BLOCKS) this.tail = this.tail.slice(-TAIL_BLOCKS);
    if (block.startup) {
      this.endedStartup.add(block.durationMs);
      return;
    }
    this.ended.add(block.durationMs);
    this.worst.add(block);
    addToGroups(this.groups, block);
  }

  /** The lines without a pid joined to the one process the log names. */
  merge(other: ProcessState): void {
    for (const kind of ['summary', 'checkpoint'] as const) {
      const mine = this[kind];
      const theirs = other[kind];
      if (theirs && (!mine || (theirs.at ?? 0) >= (mine.at ?? 0))) this[kind] = theirs;
    }
    this.firstAt = Math.min(this.firstAt, other.firstAt);
    this.lastAt = Math.max(this.lastAt, other.lastAt);
    this.ended.merge(other.ended);
    this.endedStartup.merge(other.endedStartup);
    this.tail = [...this.tail, ...other.tail].sort((a, b) => a.end - b.end).slice(-TAIL_BLOCKS);
    this.lastBlockEnd = Math.max(this.lastBlockEnd, other.lastBlockEnd);
    for (const [startedAt, block] of other.open) if (!this.recentFinals.has(startedAt)) this.open.set(startedAt, block);
    for (const startedAt of other.recentFinals) this.open.delete(startedAt);
    for (const [startedAt, end] of other.checkpointEnds) this.checkpointEnds.set(startedAt, Math.max(end, this.checkpointEnds.get(startedAt) ?? -Infinity));
    for (const block of other.worst.blocks) this.worst.add(block);
    for (const group of other.groups.values()) mergeGroup(this.groups, group);
    this.lags.merge(other.lags);
    this.slaEvents.run += other.slaEvents.run;
    this.slaEvents.request += other.slaEvents.request;
    this.slaEvents.slaMs ??= other.slaEvents.slaMs;
  }
}

function addToGroups(groups: Map<string, StackSummaryRecord>, block: BlockRecord): void {
  const signature = signatureOf(block);
  const group = groups.get(signature);
  if (group) {
    group.count++;
    group.totalMs += block.durationMs;
    group.maxMs = Math.max(group.maxMs, block.durationMs);
  } else if (groups.size < SIGNATURES) {
    groups.set(signature, { signature, count: 1, totalMs: block.durationMs, maxMs: block.durationMs, stack: block.stack, inFlight: block.inFlight, context: block.context });
  }
}

function mergeGroup(groups: Map<string, StackSummaryRecord>, group: StackSummaryRecord): void {
  const seen = groups.get(group.signature);
  if (!seen) {
    if (groups.size < SIGNATURES) groups.set(group.signature, { ...group });
    return;
  }
  seen.count += group.count;
  seen.totalMs += group.totalMs;
  seen.maxMs = Math.max(seen.maxMs, group.maxMs);
}

/** Lines that could not be read: counted, the first one named. */
export interface SkippedLines {
  count: number;
  /** `path:line: why` of the first one. */
  first: string | null;
  /** The log's last line had no newline and was not an event: the writer was cut off mid-line. */
  cutOff: boolean;
}

/** A whole log folded: one state per pid (null: lines without one), plus what spans processes. */
export class LogAggregator {
  readonly processes = new Map<number | null, ProcessState>();
  readonly lagSeries = new LagSeries();
  readonly skipped: SkippedLines = { count: 0, first: null, cutOff: false };
  /** The first SLA_LISTED `sla` events of the log, in log order, and how many it holds in all. */
  readonly slaBreaches: SlaRecord[] = [];
  slaBreachCount = 0;
  events = 0;

  constructor(readonly path: string) {}

  add(event: LogEvent): void {
    // Written by `run`, not a monitor: the end of a process the log already holds, never one of its own.
    if (event.type === 'gone') {
      this.processes.get(event.record.pid)?.add(event);
      return;
    }
    this.events++;
    const pid = event.record.pid;
    let state = this.processes.get(pid);
    if (!state) this.processes.set(pid, (state = new ProcessState()));
    state.add(event);
    if (event.type === 'lag') this.lagSeries.add(event.record);
    if (event.type === 'sla') {
      this.slaBreachCount++;
      if (this.slaBreaches.length < SLA_LISTED) this.slaBreaches.push(event.record);
    }
  }

  skip(where: string, why: string, cutOff = false): void {
    if (cutOff) {
      this.skipped.cutOff = true;
      return;
    }
    this.skipped.count++;
    this.skipped.first ??= `${where}: ${why}`;
  }

  /**
   * The processes, with the lines without a pid joined to the only process the log names (an older
   * monitor's lines; a log that names several keeps them apart).
   */
  grouped(): Map<number | null, ProcessState> {
    const orphans = this.processes.get(null);
    const named = [...this.processes.keys()].filter((pid): pid is number => pid !== null);
    if (!orphans || named.length !== 1) return this.processes;
    const [pid] = named as [number];
    const joined = new Map<number | null, ProcessState>();
    const state = this.processes.get(pid) as ProcessState;
    state.merge(orphans);
    joined.set(pid, state);
    this.processes.delete(null);
    return joined;
  }
}

export type { WorstStallRecord };
