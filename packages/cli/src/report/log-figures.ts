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

import { mergeAgentFigures, readAgentsSection, type AgentFigures } from '../shared/agents-section.js';
import { formatMs } from '../shared/format-numbers.js';
import { mergeSlaCounts, readSlaSection, type SlaCounts, type SlaRecord } from '../shared/sla.js';
import { mergeSyncCalls, mergeTopStacks } from '../watch/merge-snapshots.js';
import { describeNoStackReason } from './describe.js';
import { blockEndOf, blockStartOf } from '../shared/monitor-types.js';
import { decodeHistogram, growingHistogram, type Histogram } from '../shared/histogram.js';
import { LogAggregator, type Durations, type LagPoint, type ProcessState, type SkippedLines } from './aggregate.js';
import type { BlockRecord, EventLog, LagFigures, StackSummaryRecord, StallRecord, SummaryRecord, SyncCallRecord } from './log-types.js';

/** A block reported as still running with no final event: the process died in it. */
export interface NeverEndedBlock extends BlockRecord {
  /**
   * What its `durationMs` (a lower bound) was last known from: its latest ongoing line, the checkpoint
   * that saw the stall in progress, or the process's end as `agent-lag run` saw it (gone, still blocked).
   */
  ageFrom: 'ongoing event' | 'checkpoint' | 'exit';
}

/**
 * One of the worst stalls: a block event (with its stack), or a stall only the counters know, with why
 * its block has no stack (`noStack`), and the stack of its signature when another block had it.
 */
export interface WorstBlock extends Omit<BlockRecord, 'startedAt'> {
  /** Null when the counters say only how long it was (monitors older than `stalls.worst`). */
  startedAt: number | null;
  /** Null for a block event; else why no block event with a stack stands for this stall. */
  noStack: string | null;
}

/** The monitor's stall counters (`stalls` of a snapshot) a process or a whole log adds up. */
export type StallTotals = Pick<StallRecord, 'count' | 'startupCount' | 'totalMs' | 'maxMs'>;

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
  /** Of `stalls`: the blocks logged with a block event (never-ended ones included), and their time. */
  detailed: { count: number; totalMs: number };
  neverEnded: NeverEndedBlock[];
  lag: (LagFigures & { from: 'summary' | 'checkpoint' | 'lag windows' }) | null;
  utilization: number | null;
  /** Its in-flight SLA breaches (see `processSla`); null when it had the SLA off. */
  sla: SlaCounts | null;
}

/** The in-flight SLA breaches of a log: every process's counts added up, and the breach events themselves. */
export interface SlaFigures extends SlaCounts {
  /** The log's first `sla` events (at most SLA_LISTED), in log order: kind, age, SLA, context. */
  events: SlaRecord[];
  /** How many `sla` events the log holds (more than `events` lists in a long log). */
  eventsInLog: number;
}

export interface LogFigures {
  processes: ProcessFigures[];
  /** All processes as one; percentiles from the merged stall histograms. */
  stalls: StallTotals & { p50Ms: number; p99Ms: number; exact: boolean };
  /** Of `stalls`: those logged as block events, and their time; the rest have no stack. */
  detailed: { count: number; totalMs: number };
  /**
   * Every stall counted, after start-up, as (duration in ms, how many): the merged histograms of the
   * processes' counters plus the stalls they do not count. From the detailed blocks only when some
   * process's histogram could not be decoded (`exact` false).
   */
  durations: { ms: number; count: number }[];
  /** The longest stalls after start-up, longest first (at most 5): the worst is always the first. */
  worstBlocks: WorstBlock[];
  neverEnded: NeverEndedBlock[];
  /** Blocking stacks by signature, worst total first, never-ended blocks included. */
  stackGroups: StackGroupRecord[];
  syncCalls: SyncCallRecord[];
  /**
   * Per-tool figures and agent runs in flight (trackRun, the SDK adapters), from the `agents` section of
   * each process's summary or latest checkpoint, added up; run ages as at that snapshot. Null when no
   * process tracked a run.
   */
  agents: AgentFigures | null;
  /**
   * Runs and requests seen in flight past `inFlightSlaMs`: the counts of every process added up (what
   * /metrics counts), and the breach events. Null when no process had the SLA on.
   */
  sla: SlaFigures | null;
  /** The longest block after start-up: ended, or never ended (at least its known age). 0 when none. */
  worstBlockMs: number;
  /** Whether the log holds any event at all. */
  heard: boolean;
  /** Epoch ms of the first and last moment the log speaks of. */
  from: number | null;
  to: number | null;
  /** The lag windows of every process, downsampled for a chart. */
  lagSeries: LagPoint[];
  skipped: SkippedLines;
}

export interface FiguresOptions {
  /**
   * Epoch ms each process was seen gone (`agent-lag run` watches its child and the pids in the log): a
   * block it never ended lasted at least until then. A process's `gone` line in the log (which `run`
   * writes there) says the same to a later `report`; this map, where given, comes first.
   */
  goneAt?: ReadonlyMap<number, number>;
  /** The same for lines without a pid (older monitors): when `run`'s child exited. */
  unknownGoneAt?: number;
}

type Key = number | null;

const WORST_SHOWN = 5;

/** The log folded: the one `readEventLog` built while streaming, else one built from the log's lines. */
export function aggregateLog(log: EventLog): LogAggregator {
  if (log.aggregate) return log.aggregate;
  const aggregate = new LogAggregator(log.path);
  for (const record of log.blocks) aggregate.add({ type: 'block', record });
  for (const record of log.lags) aggregate.add({ type: 'lag', record });
  for (const record of log.slaBreaches) aggregate.add({ type: 'sla', record });
  for (const record of log.snapshots) aggregate.add({ type: record.kind, record });
  return aggregate;
}

/**
 * Blocks reported ongoing and never ended, and a stall the process's last checkpoint saw in progress
 * that no final event ended and no ongoing line reported (no stack yet, lag-only, or no report budget).
 * Any final event ending after it began means it ended (the loop is in one stall at a time).
 */
function neverEndedBlocks(pid: Key, state: ProcessState, exitAt: number | undefined): NeverEndedBlock[] {
  const neverEnded: NeverEndedBlock[] = [];
  for (const block of state.open.values()) neverEnded.push(aged(block, state.checkpointEnds.get(block.startedAt) ?? null, exitAt));
  const inProgress = state.snapshot?.kind === 'checkpoint' ? state.snapshot.ongoing : null;
  if (inProgress && !state.open.has(inProgress.startedAt) && !(state.lastBlockEnd > blockStartOf(inProgress))) {
    const block: BlockRecord = {
      pid,
      startedAt: inProgress.startedAt,
      ...(inProgress.blockStartedAt === undefined ? {} : { blockStartedAt: inProgress.blockStartedAt }),
      durationMs: inProgress.durationMs,
      stack: [],
      inFlight: null,
      context: null,
      requestsInFlight: null,
      late: false,
      startup: false,
      signature: null,
      noStackReason: inProgress.noStack ?? null,
      stackDelayMs: null,
      ongoing: true,
    };
    neverEnded.push(aged(block, null, exitAt));
  }
  return neverEnded;
}

/**
 * A never-ended block's age: from when it began to the latest time it was seen still running (its ongoing
 * event, a later checkpoint, the process's exit). Ends, not ages, are compared: a checkpoint written before
 * the watchdog measured the idle wait before the block counts its age from the stall's `startedAt`.
 */
function aged(block: BlockRecord, checkpointEnd: number | null, exitAt: number | undefined): NeverEndedBlock {
  const start = blockStartOf(block);
  let result: NeverEndedBlock = { ...block, ageFrom: 'ongoing event' };
  if (checkpointEnd !== null && checkpointEnd - start > result.durationMs) result = { ...result, durationMs: checkpointEnd - start, ageFrom: 'checkpoint' };
  if (exitAt !== undefined && exitAt - start > result.durationMs) result = { ...result, durationMs: exitAt - start, ageFrom: 'exit' };
  return result;
}

/** Lag since start from the snapshot when there is one, else estimated over the logged windows. */
function processLag(state: ProcessState): ProcessFigures['lag'] {
  const snapshot = state.snapshot;
  if (snapshot?.lag) return { ...snapshot.lag, from: snapshot.kind };
  const windows = state.lags.figures();
  return windows ? { ...windows, from: 'lag windows' } : null;
}

/**
 * A process's breach counts: its snapshot's `sections.sla` (the monitor's counters, what /metrics
 * exports), or its `sla` events where they are more. A summary counts every breach; a checkpoint misses
 * those seen after it was written, whose events are in the log all the same.
 */
function processSla(state: ProcessState): SlaCounts | null {
  const section = state.snapshot ? readSlaSection(state.snapshot.sections) : null;
  const events = state.slaEvents;
  if (section === null && events.slaMs === null) return null;
  return {
    slaMs: section?.slaMs ?? events.slaMs,
    breaches: { run: Math.max(section?.breaches.run ?? 0, events.run), request: Math.max(section?.breaches.request ?? 0, events.request) },
  };
}

interface Working extends ProcessFigures {
  /** Stalls after start-up no snapshot counts (ended after a checkpoint, never ended, or no snapshot at all). */
  extra: number[];
  /** With no snapshot: every ended block's durations. */
  all: Durations | null;
  state: ProcessState;
}

/**
 * `covered`: pid-less lines in a log where several processes wrote snapshots (older monitors, which put
 * no pid on block lines): their ended blocks are already counted in those snapshots.
 */
function processFigures(pid: Key, state: ProcessState, options: FiguresOptions, covered: boolean): Working {
  const snapshot = state.snapshot;
  const exitAt = pid === null ? options.unknownGoneAt : (options.goneAt?.get(pid) ?? state.goneAt ?? undefined);
  const neverEnded = neverEndedBlocks(pid, state, exitAt);
  const endAt = exitAt ?? (Number.isFinite(state.lastAt) ? state.lastAt : null);
  const counted = snapshot?.stalls ?? null;
  const extra: number[] = [];
  let extraStartup = 0;
  // A checkpoint misses the blocks that ended after it was written; a summary misses none; with no
  // snapshot, every ended block is one (kept as Durations, not a list).
  if (counted && snapshot?.kind === 'checkpoint') {
    const after = snapshot.at ?? Infinity;
    for (const block of state.tail) {
      if (block.end <= after) continue;
      if (block.startup) extraStartup++;
      else extra.push(block.durationMs);
    }
  }
  const useEvents = !counted && !(covered && snapshot === null);
  for (const block of neverEnded) {
    if (block.startup) extraStartup++;
    else extra.push(block.durationMs);
  }
  let extraMs = 0;
  let extraMax = 0;
  for (const ms of extra) {
    extraMs += ms;
    if (ms > extraMax) extraMax = ms;
  }
  const base = counted ?? (useEvents ? { count: state.ended.count, startupCount: state.endedStartup.count, totalMs: state.ended.totalMs, maxMs: state.ended.maxMs } : { count: 0, startupCount: 0, totalMs: 0, maxMs: 0 });
  const neverEndedAfterStartup = neverEnded.filter((b) => !b.startup);
  const stalls = {
    count: base.count + extra.length,
    startupCount: base.startupCount + extraStartup,
    totalMs: base.totalMs + extraMs,
    maxMs: Math.max(base.maxMs, extraMax),
  };
  // Detailed: the ended block events the figures count, and the never-ended ones (each has an event
  // or a checkpoint line). Never more than the count: a covered process's blocks are someone else's.
  let detailedCount = covered && snapshot === null ? 0 : state.ended.count;
  let detailedMs = covered && snapshot === null ? 0 : state.ended.totalMs;
  for (const block of neverEndedAfterStartup) {
    detailedCount++;
    detailedMs += block.durationMs;
  }
  if (counted) {
    detailedCount = Math.min(detailedCount, stalls.count);
    detailedMs = Math.min(detailedMs, stalls.totalMs);
  }
  return {
    pid,
    figuresFrom: counted ? (snapshot?.kind ?? 'events') : covered && snapshot === null ? 'covered' : 'events',
    snapshot,
    endAt,
    checkpointAgeMs: snapshot?.kind === 'checkpoint' && snapshot.at !== null && endAt !== null ? Math.max(0, endAt - snapshot.at) : null,
    stalls,
    detailed: { count: detailedCount, totalMs: detailedMs },
    neverEnded,
    lag: processLag(state),
    // Over the process's life, as its lag is: a summary's latest window says only how its last second went.
    utilization: snapshot?.utilizationSinceStart ?? state.lags.utilization(),
    sla: processSla(state),
    extra: useEvents ? neverEndedAfterStartup.map((b) => b.durationMs) : extra,
    all: useEvents ? state.ended : null,
    state,
  };
}

/**
 * Every process's stalls as one distribution: their hdr histograms added, plus the stalls no snapshot
 * counts. A p99 of p99s means nothing; when a histogram cannot be decoded the percentiles are the
 * worst process's and the durations come from the detailed blocks.
 */
function mergedStalls(processes: readonly Working[], maxMs: number): { p50Ms: number; p99Ms: number; exact: boolean; durations: { ms: number; count: number }[] } {
  const withStalls = processes.filter((p) => p.stalls.count > 0);
  const merged = growingHistogram();
  const fallback = growingHistogram();
  let exact = true;
  for (const process of withStalls) {
    const stalls = process.snapshot?.stalls;
    if (stalls && stalls.count > 0) {
      const decoded = decodeHistogram(stalls.histogram);
      if (decoded) merged.add(decoded);
      else exact = false;
      fallback.add(process.state.ended.histogram);
    }
    if (process.all) {
      merged.add(process.all.histogram);
      fallback.add(process.all.histogram);
    }
    for (const ms of process.extra) {
      merged.recordValue(Math.max(1, Math.round(ms)));
      fallback.recordValue(Math.max(1, Math.round(ms)));
    }
  }
  const durations = recorded(exact ? merged : fallback);
  let p50Ms = merged.getValueAtPercentile(50);
  let p99Ms = merged.getValueAtPercentile(99);
  const only = withStalls[0];
  const snapshotStalls = only?.snapshot?.stalls;
  if (withStalls.length === 1 && only?.extra.length === 0 && snapshotStalls) {
    // One process, all counted by its snapshot: its own percentiles, exactly as it wrote them.
    p50Ms = snapshotStalls.p50Ms;
    p99Ms = snapshotStalls.p99Ms;
  } else if (withStalls.every((p) => !p.snapshot?.stalls || p.snapshot.stalls.count === 0)) {
    // Every duration known (no snapshot's histogram in the mix): exact percentiles, not hdr's buckets.
    const all: number[] = [];
    let complete = true;
    for (const process of withStalls) {
      if (process.all && !process.all.exact) complete = false;
      for (const ms of process.all?.exact ?? []) all.push(ms);
      for (const ms of process.extra) all.push(ms);
    }
    if (complete) {
      all.sort((a, b) => a - b);
      const at = (q: number) => all[Math.max(0, Math.ceil((q / 100) * all.length) - 1)] ?? 0;
      p50Ms = at(50);
      p99Ms = at(99);
    }
  } else if (!exact) {
    for (const process of withStalls) {
      p50Ms = Math.max(p50Ms, process.snapshot?.stalls?.p50Ms ?? 0);
      p99Ms = Math.max(p99Ms, process.snapshot?.stalls?.p99Ms ?? 0);
    }
  }
  // hdr buckets report their highest equivalent value, which can lie a little past the real worst.
  return { p50Ms: Math.min(p50Ms, maxMs), p99Ms: Math.min(p99Ms, maxMs), exact, durations };
}

function recorded(histogram: Histogram): { ms: number; count: number }[] {
  const iterator = (histogram as unknown as { recordedValuesIterator?: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } }).recordedValuesIterator;
  if (!iterator) return [];
  const out: { ms: number; count: number }[] = [];
  iterator.reset();
  while (iterator.hasNext()) {
    const value = iterator.next();
    if (value.countAtValueIteratedTo > 0) out.push({ ms: value.valueIteratedTo, count: value.countAtValueIteratedTo });
  }
  return out;
}

/**
 * One process's blocking stacks: its snapshot's groups (exact counts even when detailed reports were
 * rate-limited), or its block events where they say more, plus its blocks that never ended.
 */
/** A blocking stack's figures over every process of the log, and how many of them it blocked. */
export interface StackGroupRecord extends StackSummaryRecord {
  processes: number;
}

function processStackGroups(process: Working): StackSummaryRecord[] {
  const groups = new Map<string, StackSummaryRecord>();
  for (const [signature, group] of process.state.groups) groups.set(signature, { ...group });
  for (const top of process.snapshot?.topStacks ?? []) {
    const group = groups.get(top.signature);
    if (!group) groups.set(top.signature, { ...top });
    else if (top.count > group.count) Object.assign(group, { count: top.count, totalMs: top.totalMs, maxMs: top.maxMs });
  }
  for (const block of process.neverEnded) {
    if (block.startup) continue;
    const signature = block.signature ?? block.stack.map((f) => `${f.functionName}@${f.url}:${f.line}:${f.column}`).join('|');
    const group = groups.get(signature);
    if (group) {
      group.count++;
      group.totalMs += block.durationMs;
      group.maxMs = Math.max(group.maxMs, block.durationMs);
    } else groups.set(signature, { signature, count: 1, totalMs: block.durationMs, maxMs: block.durationMs, stack: block.stack, inFlight: block.inFlight, context: block.context });
  }
  return [...groups.values()];
}

/** Same stall: same process, and the same start or (without one) the same duration, to the millisecond. */
const near = (a: number, b: number) => Math.abs(a - b) < 1;

/**
 * The longest stalls: the block events kept, and the stalls the counters kept that no block event
 * stands for. Without `stalls.worst` (older monitors), a counter's `maxMs` that no event reaches is the
 * worst stall, listed with the best reason the log gives.
 */
function worstBlocks(processes: readonly Working[], groups: readonly StackSummaryRecord[]): WorstBlock[] {
  const list: WorstBlock[] = [];
  for (const process of processes) {
    const events = process.state.worst.blocks;
    for (const block of events) list.push({ ...block, noStack: null });
    const stalls = process.snapshot?.stalls;
    if (!stalls || process.figuresFrom === 'covered') continue;
    const lagOnly = process.snapshot?.mode === 'lag-only';
    const matched = (startedAt: number | null, durationMs: number) =>
      events.some((b) => (startedAt !== null ? near(b.startedAt, startedAt) || near(blockEndOf(b), startedAt + durationMs) : near(b.durationMs, durationMs))) ||
      process.neverEnded.some((b) => startedAt !== null && near(b.startedAt, startedAt));
    const undetailed = (startedAt: number | null, durationMs: number, signature: string | null, noStack: string | null): WorstBlock => {
      const group = signature !== null ? groups.find((g) => g.signature === signature) : groups.find((g) => g.stack.length > 0 && near(g.maxMs, durationMs));
      const why = group
        ? `a repeat of a stack logged earlier, ${group.count} blocks in all: its block was not logged again`
        : lagOnly
          ? describeNoStackReason('lag-only')
          : noStack
            ? describeNoStackReason(noStack)
            : 'no block event: rate-limited, a repeat of a logged stack, or over before its stack was caught';
      return {
        pid: process.pid,
        startedAt,
        durationMs,
        stack: group?.stack ?? [],
        inFlight: group?.inFlight ?? null,
        context: group?.context ?? null,
        requestsInFlight: null,
        late: false,
        startup: false,
        signature,
        noStackReason: null,
        stackDelayMs: null,
        ongoing: false,
        noStack: why,
      };
    };
    if (stalls.worst.length > 0) {
      for (const worst of stalls.worst) if (!matched(worst.startedAt, worst.durationMs)) list.push(undetailed(worst.startedAt, worst.durationMs, worst.signature, worst.noStack));
    } else if (stalls.count > 0 && !matched(null, stalls.maxMs) && stalls.maxMs > (events[0]?.durationMs ?? 0)) {
      list.push(undetailed(null, stalls.maxMs, null, null));
    }
  }
  return list.sort((a, b) => b.durationMs - a.durationMs).slice(0, WORST_SHOWN);
}

export function logFigures(log: EventLog, options: FiguresOptions = {}): LogFigures {
  const aggregate = aggregateLog(log);
  const groups = aggregate.grouped();
  const snapshotsElsewhere = [...groups].some(([pid, state]) => pid !== null && state.snapshot !== null);
  const processes = [...groups].map(([pid, state]) => processFigures(pid, state, options, pid === null && snapshotsElsewhere));
  const neverEnded = processes.flatMap((p) => p.neverEnded);
  let maxMs = 0;
  for (const process of processes) maxMs = Math.max(maxMs, process.stalls.maxMs);
  const merged = mergedStalls(processes, maxMs);
  const stalls = {
    count: processes.reduce((sum, p) => sum + p.stalls.count, 0),
    startupCount: processes.reduce((sum, p) => sum + p.stalls.startupCount, 0),
    totalMs: processes.reduce((sum, p) => sum + p.stalls.totalMs, 0),
    maxMs,
    p50Ms: merged.p50Ms,
    p99Ms: merged.p99Ms,
    exact: merged.exact,
  };
  let worstBlockMs = stalls.maxMs;
  for (const process of processes) {
    for (const block of process.state.worst.blocks) worstBlockMs = Math.max(worstBlockMs, block.durationMs);
    for (const block of process.neverEnded) if (!block.startup) worstBlockMs = Math.max(worstBlockMs, block.durationMs);
  }
  const perProcessGroups = processes.map(processStackGroups);
  const stackGroups = mergeTopStacks(perProcessGroups)
    .filter((g) => g.stack.length > 0 || g.inFlight)
    .map((group) => ({ ...group, processes: perProcessGroups.filter((groups) => groups.some((g) => g.signature === group.signature)).length }));
  let from = Infinity;
  let to = -Infinity;
  for (const process of processes) {
    from = Math.min(from, process.state.firstAt);
    to = Math.max(to, process.state.lastAt);
    for (const block of process.neverEnded) to = Math.max(to, blockEndOf(block));
  }
  return {
    processes: processes.map(({ extra: _extra, all: _all, state: _state, ...process }) => process),
    stalls,
    detailed: {
      count: processes.reduce((sum, p) => sum + p.detailed.count, 0),
      totalMs: processes.reduce((sum, p) => sum + p.detailed.totalMs, 0),
    },
    durations: merged.durations,
    worstBlocks: worstBlocks(processes, stackGroups),
    neverEnded,
    stackGroups,
    syncCalls: mergeSyncCalls(processes.map((p) => p.snapshot?.syncCalls ?? [])),
    agents: mergeAgentFigures(processes.map((p) => (p.snapshot ? readAgentsSection(p.snapshot.sections, p.snapshot.at ?? p.endAt ?? 0) : null))),
    sla: slaFigures(processes, aggregate),
    worstBlockMs,
    heard: aggregate.events > 0,
    from: Number.isFinite(from) ? from : null,
    to: Number.isFinite(to) ? to : null,
    lagSeries: aggregate.lagSeries.points(),
    skipped: aggregate.skipped,
  };
}

function slaFigures(processes: readonly ProcessFigures[], aggregate: LogAggregator): SlaFigures | null {
  const counts = mergeSlaCounts(processes.map((p) => p.sla));
  return counts === null ? null : { ...counts, events: aggregate.slaBreaches, eventsInLog: aggregate.slaBreachCount };
}

/**
 * `pid 123 ended without a summary (killed?): figures from its last checkpoint, 400 ms before its end`,
 * one per process that left no summary.
 */
export function figuresNotes(figures: LogFigures): string[] {
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
