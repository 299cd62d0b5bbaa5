/*
 * The figures of an event log, per process and merged: what `run`'s summary, `report` (terminal, JSON,
 * HTML) and the --fail-on-block-ms gate all read, so the same block has the same count, duration and
 * worst case in each.
 *
 * Several processes may append to one log (`run -- npm start`, a shell script starting three Node
 * children). Each writes its own summary at exit, or, killed first, leaves its latest checkpoint (at
 * most a second old) as its figures. Block and lag lines name their pid; older monitors' lines do not,
 * and those count as one unknown process (joined to the only process the log names, if it names one).
 */

import hdr from 'hdr-histogram-js';
import { mergeSyncCalls, mergeTopStacks } from '../watch/merge-snapshots.js';
import type { BlockRecord, EventLog, LagFigures, LagRecord, StackSummaryRecord, SummaryRecord, SyncCallRecord } from './log-types.js';

/** A block reported as still running with no final event: the process died in it. */
export interface NeverEndedBlock extends BlockRecord {
  /**
   * What its `durationMs` (a lower bound) was last known from: its latest ongoing line, the checkpoint
   * that saw the stall in progress, or the process's end as `agent-lag run` saw it (gone, still blocked).
   */
  ageFrom: 'ongoing event' | 'checkpoint' | 'exit';
}

export interface StallTotals {
  count: number;
  startupCount: number;
  totalMs: number;
  maxMs: number;
}

export interface ProcessFigures {
  /** Null for lines without a pid in a log that names several processes (older monitors). */
  pid: number | null;
  /**
   * Where the stall figures come from: its summary, its latest checkpoint, or its block events alone;
   * `covered` for lines without a pid whose ended blocks the named processes' snapshots already count.
   */
  figuresFrom: 'summary' | 'checkpoint' | 'events' | 'covered';
  snapshot: SummaryRecord | null;
  /** Epoch ms of the process's end: when `run` saw it gone, else its last line in the log. */
  endAt: number | null;
  /** With figures from a checkpoint: how long before the process's end it was written. */
  checkpointAgeMs: number | null;
  /** After start-up, blocks that never ended included (they are not in a checkpoint's `stalls`). */
  stalls: StallTotals;
  /** Final block events, start-up ones included, in log order. */
  ended: BlockRecord[];
  neverEnded: NeverEndedBlock[];
  lag: (LagFigures & { from: 'summary' | 'checkpoint' | 'lag windows' }) | null;
  utilization: number | null;
  lags: LagRecord[];
}

export interface LogFigures {
  processes: ProcessFigures[];
  /** All processes as one; percentiles from the merged stall histograms. */
  stalls: StallTotals & { p50Ms: number; p99Ms: number; exact: boolean };
  /** Final block events of every process, in log order (a block's ongoing lines are replaced by it). */
  ended: BlockRecord[];
  neverEnded: NeverEndedBlock[];
  /** Blocking stacks by signature, worst total first, never-ended blocks included. */
  stackGroups: StackSummaryRecord[];
  syncCalls: SyncCallRecord[];
  /** The longest block after start-up: ended, or never ended (at least its known age). 0 when none. */
  worstBlockMs: number;
  /** Whether the log holds any event at all. */
  heard: boolean;
}

export interface FiguresOptions {
  /**
   * Epoch ms each process was seen gone (`agent-lag run` watches its child and the pids in the log): a
   * block it never ended lasted at least until then.
   */
  goneAt?: ReadonlyMap<number, number>;
  /** The same for lines without a pid (older monitors): when `run`'s child exited. */
  unknownGoneAt?: number;
}

type Key = number | null;

interface ProcessLines {
  blocks: BlockRecord[];
  lags: LagRecord[];
  snapshots: SummaryRecord[];
}

/** Groups a log's lines by process. */
function byProcess(log: EventLog): Map<Key, ProcessLines> {
  const named = new Set<number>();
  for (const line of [...log.blocks, ...log.lags, ...log.snapshots]) if (line.pid !== null) named.add(line.pid);
  // Lines without a pid (an older monitor) belong to the one process the log names, if only one.
  const orphanKey: Key = named.size === 1 ? ([...named][0] ?? null) : null;
  const groups = new Map<Key, ProcessLines>();
  const group = (pid: number | null) => {
    const key = pid ?? orphanKey;
    let lines = groups.get(key);
    if (!lines) groups.set(key, (lines = { blocks: [], lags: [], snapshots: [] }));
    return lines;
  };
  for (const block of log.blocks) group(block.pid).blocks.push(block);
  for (const lag of log.lags) group(lag.pid).lags.push(lag);
  for (const snapshot of log.snapshots) group(snapshot.pid).snapshots.push(snapshot);
  return groups;
}

/** Its summary, else its latest checkpoint. */
function figuresSnapshot(snapshots: readonly SummaryRecord[]): SummaryRecord | null {
  const summaries = snapshots.filter((s) => s.kind === 'summary');
  const pool = summaries.length > 0 ? summaries : snapshots;
  let latest: SummaryRecord | null = null;
  for (const snapshot of pool) if (!latest || (snapshot.at ?? 0) >= (latest.at ?? 0)) latest = snapshot;
  return latest;
}

const endOf = (block: BlockRecord) => block.startedAt + block.durationMs;

function lastSeen(lines: ProcessLines): number | null {
  const times = [...lines.blocks.map(endOf), ...lines.lags.map((l) => l.at), ...lines.snapshots.flatMap((s) => (s.at === null ? [] : [s.at]))];
  return times.length > 0 ? Math.max(...times) : null;
}

/**
 * Pairs ongoing lines with final events (same `startedAt`): the final event replaces them. What is left
 * never ended; its age is the latest it is known by.
 */
function pairBlocks(pid: Key, lines: ProcessLines, snapshot: SummaryRecord | null, exitAt: number | undefined): { ended: BlockRecord[]; neverEnded: NeverEndedBlock[] } {
  const ended = lines.blocks.filter((b) => !b.ongoing);
  const finals = new Set(ended.map((b) => b.startedAt));
  const latestOngoing = new Map<number, BlockRecord>();
  for (const block of lines.blocks) {
    if (!block.ongoing || finals.has(block.startedAt)) continue;
    const seen = latestOngoing.get(block.startedAt);
    if (!seen || block.durationMs >= seen.durationMs) latestOngoing.set(block.startedAt, block);
  }
  const checkpointAge = (startedAt: number) =>
    Math.max(0, ...lines.snapshots.filter((s) => s.ongoing?.startedAt === startedAt).map((s) => s.ongoing?.durationMs ?? 0));
  const neverEnded: NeverEndedBlock[] = [...latestOngoing.values()].map((block) => aged(block, checkpointAge(block.startedAt), exitAt));

  // A stall the process's last checkpoint saw in progress, that no final event ended and no ongoing line
  // reported (no stack yet, lag-only, or no report budget): it never ended either. Any final event
  // ending after it began means it ended (the loop is in one stall at a time).
  const inProgress = snapshot?.kind === 'checkpoint' ? snapshot.ongoing : null;
  if (inProgress && !latestOngoing.has(inProgress.startedAt) && !ended.some((b) => endOf(b) > inProgress.startedAt)) {
    const block: BlockRecord = {
      pid,
      startedAt: inProgress.startedAt,
      durationMs: inProgress.durationMs,
      stack: [],
      inFlight: null,
      context: null,
      requestsInFlight: null,
      late: false,
      startup: false,
      signature: null,
      ongoing: true,
    };
    neverEnded.push(aged(block, inProgress.durationMs, exitAt));
  }
  return { ended, neverEnded };
}

function aged(block: BlockRecord, checkpointMs: number, exitAt: number | undefined): NeverEndedBlock {
  let result: NeverEndedBlock = { ...block, ageFrom: 'ongoing event' };
  if (checkpointMs > result.durationMs) result = { ...result, durationMs: checkpointMs, ageFrom: 'checkpoint' };
  if (exitAt !== undefined && exitAt - block.startedAt > result.durationMs) result = { ...result, durationMs: exitAt - block.startedAt, ageFrom: 'exit' };
  return result;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Lag since start from the snapshot when there is one, else estimated over the logged windows. */
function processLag(snapshot: SummaryRecord | null, lags: readonly LagRecord[]): ProcessFigures['lag'] {
  if (snapshot?.lag) return { ...snapshot.lag, from: snapshot.kind };
  if (lags.length === 0) return null;
  const of = (pick: (l: LagFigures) => number) => lags.map((l) => pick(l.lag));
  return {
    minMs: Math.min(...of((l) => l.minMs)),
    maxMs: Math.max(...of((l) => l.maxMs)),
    meanMs: of((l) => l.meanMs).reduce((a, b) => a + b, 0) / lags.length,
    p50Ms: percentile(of((l) => l.p50Ms), 50),
    p90Ms: percentile(of((l) => l.p90Ms), 90),
    p99Ms: percentile(of((l) => l.p99Ms), 99),
    from: 'lag windows',
  };
}

/**
 * Stalls the snapshot does not count: a checkpoint misses the blocks that ended after it was written,
 * and no snapshot counts a block that never ended. With no snapshot, every block is one.
 */
function uncounted(snapshot: SummaryRecord | null, ended: readonly BlockRecord[], neverEnded: readonly BlockRecord[], covered: boolean): BlockRecord[] {
  if (covered) return [...neverEnded];
  const missed = !snapshot?.stalls ? ended : snapshot.kind === 'checkpoint' ? ended.filter((b) => endOf(b) > (snapshot.at ?? Infinity)) : [];
  return [...missed, ...neverEnded];
}

/**
 * `covered`: pid-less lines in a log where several processes wrote snapshots (older monitors, which put
 * no pid on block lines): their ended blocks are already counted in those snapshots.
 */
function processFigures(pid: Key, lines: ProcessLines, options: FiguresOptions, covered: boolean): ProcessFigures & { extraMs: number[] } {
  const snapshot = figuresSnapshot(lines.snapshots);
  const exitAt = pid === null ? options.unknownGoneAt : options.goneAt?.get(pid);
  const { ended, neverEnded } = pairBlocks(pid, lines, snapshot, exitAt);
  const endAt = exitAt ?? lastSeen(lines);
  const extra = uncounted(snapshot, ended, neverEnded, covered && snapshot === null);
  const extraRuntime = extra.filter((b) => !b.startup).map((b) => b.durationMs);
  const base = snapshot?.stalls ?? { count: 0, startupCount: 0, totalMs: 0, maxMs: 0 };
  return {
    pid,
    figuresFrom: snapshot?.stalls ? snapshot.kind : covered && snapshot === null ? 'covered' : 'events',
    snapshot,
    endAt,
    checkpointAgeMs: snapshot?.kind === 'checkpoint' && snapshot.at !== null && endAt !== null ? Math.max(0, endAt - snapshot.at) : null,
    stalls: {
      count: base.count + extraRuntime.length,
      startupCount: base.startupCount + extra.length - extraRuntime.length,
      totalMs: base.totalMs + extraRuntime.reduce((sum, ms) => sum + ms, 0),
      maxMs: Math.max(base.maxMs, ...extraRuntime),
    },
    ended,
    neverEnded,
    lag: processLag(snapshot, lines.lags),
    utilization: snapshot?.utilization ?? lines.lags.at(-1)?.utilization ?? null,
    lags: lines.lags,
    extraMs: extraRuntime,
  };
}

/**
 * Percentiles of every process's stalls: their hdr histograms added, plus the stalls no snapshot counts.
 * A p99 of p99s means nothing; when a histogram cannot be decoded the figures are the worst process's.
 */
function mergedPercentiles(processes: readonly (ProcessFigures & { extraMs: number[] })[]): { p50Ms: number; p99Ms: number; exact: boolean } {
  const withStalls = processes.filter((p) => p.stalls.count > 0);
  const only = withStalls[0];
  if (withStalls.length === 1 && only?.extraMs.length === 0 && only.snapshot?.stalls) {
    return { p50Ms: only.snapshot.stalls.p50Ms, p99Ms: only.snapshot.stalls.p99Ms, exact: true };
  }
  // Every duration known (no snapshot's histogram in the mix): exact percentiles, not hdr's buckets.
  if (withStalls.every((p) => !p.snapshot?.stalls || p.snapshot.stalls.count === 0)) {
    const all = withStalls.flatMap((p) => p.extraMs).sort((a, b) => a - b);
    const at = (q: number) => all[Math.max(0, Math.ceil((q / 100) * all.length) - 1)] ?? 0;
    return { p50Ms: at(50), p99Ms: at(99), exact: true };
  }
  const merged = hdr.build();
  let exact = true;
  for (const process of withStalls) {
    const stalls = process.snapshot?.stalls;
    if (stalls && stalls.count > 0) {
      const decoded = decode(stalls.histogram);
      if (decoded) merged.add(decoded);
      else exact = false;
    }
    for (const ms of process.extraMs) merged.recordValue(Math.max(1, Math.round(ms)));
  }
  if (!exact) {
    return {
      p50Ms: Math.max(0, ...withStalls.map((p) => p.snapshot?.stalls?.p50Ms ?? 0), merged.getValueAtPercentile(50)),
      p99Ms: Math.max(0, ...withStalls.map((p) => p.snapshot?.stalls?.p99Ms ?? 0), merged.getValueAtPercentile(99)),
      exact: false,
    };
  }
  return { p50Ms: merged.getValueAtPercentile(50), p99Ms: merged.getValueAtPercentile(99), exact: true };
}

function decode(base64: string): hdr.Histogram | null {
  if (!base64) return null;
  try {
    return hdr.decodeFromCompressedBase64(base64);
  } catch {
    return null;
  }
}

/** Identical stacks share a signature; blocks logged without one are keyed by their frames. */
function signatureOf(block: BlockRecord): string {
  return block.signature ?? block.stack.map((f) => `${f.functionName}@${f.url}:${f.line}:${f.column}`).join('|');
}

/**
 * One process's blocking stacks: its snapshot's groups (exact counts even when detailed reports were
 * rate-limited), or its block events where they say more, plus its blocks that never ended.
 */
function processStackGroups(process: ProcessFigures): StackSummaryRecord[] {
  const groups = new Map<string, StackSummaryRecord>();
  const add = (block: BlockRecord) => {
    const signature = signatureOf(block);
    const group = groups.get(signature);
    if (group) {
      group.count++;
      group.totalMs += block.durationMs;
      group.maxMs = Math.max(group.maxMs, block.durationMs);
    } else {
      groups.set(signature, { signature, count: 1, totalMs: block.durationMs, maxMs: block.durationMs, stack: block.stack, inFlight: block.inFlight, context: block.context });
    }
  };
  for (const block of process.ended) if (!block.startup) add(block);
  for (const top of process.snapshot?.topStacks ?? []) {
    const group = groups.get(top.signature);
    if (!group) groups.set(top.signature, { ...top });
    else if (top.count > group.count) Object.assign(group, { count: top.count, totalMs: top.totalMs, maxMs: top.maxMs });
  }
  for (const block of process.neverEnded) if (!block.startup) add(block);
  return [...groups.values()];
}

export function logFigures(log: EventLog, options: FiguresOptions = {}): LogFigures {
  const groups = byProcess(log);
  const snapshotsElsewhere = [...groups].some(([pid, lines]) => pid !== null && lines.snapshots.length > 0);
  const processes = [...groups].map(([pid, lines]) => processFigures(pid, lines, options, pid === null && snapshotsElsewhere));
  const ended = log.blocks.filter((b) => !b.ongoing);
  const neverEnded = processes.flatMap((p) => p.neverEnded);
  const maxMs = Math.max(0, ...processes.map((p) => p.stalls.maxMs));
  const percentiles = mergedPercentiles(processes);
  const stalls = {
    count: processes.reduce((sum, p) => sum + p.stalls.count, 0),
    startupCount: processes.reduce((sum, p) => sum + p.stalls.startupCount, 0),
    totalMs: processes.reduce((sum, p) => sum + p.stalls.totalMs, 0),
    maxMs,
    // hdr buckets report their highest equivalent value, which can lie a little past the real worst.
    p50Ms: Math.min(percentiles.p50Ms, maxMs),
    p99Ms: Math.min(percentiles.p99Ms, maxMs),
    exact: percentiles.exact,
  };
  const worstBlockMs = Math.max(
    stalls.maxMs,
    ...ended.filter((b) => !b.startup).map((b) => b.durationMs),
    ...neverEnded.filter((b) => !b.startup).map((b) => b.durationMs),
  );
  return {
    processes: processes.map(({ extraMs: _extraMs, ...process }) => process),
    stalls,
    ended,
    neverEnded,
    stackGroups: mergeTopStacks(processes.map(processStackGroups)).filter((g) => g.stack.length > 0 || g.inFlight),
    syncCalls: mergeSyncCalls(processes.map((p) => p.snapshot?.syncCalls ?? [])),
    worstBlockMs,
    heard: log.blocks.length + log.lags.length + log.snapshots.length > 0,
  };
}

/**
 * `pid 123 ended without a summary (killed?): figures from its last checkpoint, 0.4 s before its end`,
 * one per process that left no summary.
 */
export function figuresNotes(figures: LogFigures, formatMs: (ms: number) => string): string[] {
  const notes: string[] = [];
  for (const process of figures.processes) {
    if (process.figuresFrom === 'summary' || process.figuresFrom === 'covered') continue;
    const who = process.pid !== null ? `pid ${process.pid}` : figures.processes.length === 1 ? 'the process' : 'a process with no pid in the log (older monitor)';
    if (process.figuresFrom === 'checkpoint') {
      const age = process.checkpointAgeMs === null ? '' : `, ${formatMs(process.checkpointAgeMs)} before its end`;
      notes.push(`${who} ended without a summary (killed?): figures from its last checkpoint${age}`);
    } else {
      notes.push(`${who} ended without a summary or checkpoint (killed?): figures from the blocks it logged`);
    }
  }
  return notes;
}
