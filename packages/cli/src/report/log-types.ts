/*
 * The parts of the runtime monitor's NDJSON event log that `agent-lag report` reads, derived from
 * @agent-lag/runtime-monitor's types.ts (never a copy of its fields). The log is input from disk, so
 * every field past `type` is read defensively: an older or newer monitor may leave some out, which is
 * why some fields here are nullable where the monitor's are not.
 */

import type { LogAggregator } from './aggregate.js';
import type { SlaRecord } from '../shared/sla.js';
import type {
  BlockEvent,
  InFlightCall,
  LagEvent,
  LagFigures as MonitorLagFigures,
  MonitorContext,
  OngoingStall,
  StackFrame,
  StackSummary,
  StallFigures,
  SyncCallSite,
  WorstStall,
} from '../shared/monitor-types.js';

export type Frame = StackFrame;
export type InFlight = InFlightCall;
export type Context = MonitorContext;

/**
 * A block event as the report reads it: the monitor's BlockEvent, with the fields a monitor may leave out
 * made explicit (null or false) and the further stack samples, which nothing here shows, left out.
 */
export type BlockRecord = Pick<BlockEvent, 'startedAt' | 'blockStartedAt' | 'durationMs' | 'stack' | 'inFlight' | 'context' | 'late'> & {
  /** The process that wrote it; null in logs of monitors older than `pid` on block lines. */
  pid: number | null;
  /** Requests in flight during the block, where the HTTP middleware counts them. */
  requestsInFlight: number | null;
  startup: boolean;
  signature: string | null;
  /** The monitor's reason for an empty stack (BlockEvent.noStack: `not-watched`, `repeat`...), in its own words; null when it gave none. */
  noStackReason: string | null;
  /** BlockEvent.stackDelayMs: the stack was taken this long after it was asked for, as a native call returned; null when it was not. */
  stackDelayMs: number | null;
  /**
   * A provisional event, written while the block was still running (`"ongoing": true`). The report pairs
   * it with the final event of the same block (same `startedAt`); one left alone never ended.
   */
  ongoing: boolean;
};

/**
 * The monitor's lag figures as the report reads them: no `stddevMs` (nothing shows it, and lag windows
 * merged across a log have none); `samples` and `source` only in a snapshot's lag since start, null
 * where the log did not say, and `source` any word a newer monitor writes.
 */
export type LagFigures = Omit<MonitorLagFigures, 'stddevMs' | 'samples' | 'source'> & {
  samples?: number | null;
  source?: string | null;
};

/** A `{"type":"lag"}` window (the monitor's LagEvent) as the report reads it; its thread-pool figures are not shown. */
export type LagRecord = Pick<LagEvent, 'at' | 'windowMs'> & {
  /** The process that wrote it; null in older logs. */
  pid: number | null;
  lag: LagFigures;
  utilization: number | null;
};

/**
 * `{"type":"gone","pid":…,"at":…}`: written into the log by `agent-lag run`, not by a monitor, when it
 * sees a process that wrote to the log go away (its own child's exit, any other pid's disappearance). A
 * process killed in a block writes nothing more: this is how long that block lasted at least, and the
 * process's end, so that `report` on the log says what `run` said.
 */
export interface GoneRecord {
  pid: number;
  /** Epoch ms at which `run` saw the process gone. */
  at: number;
}

/** Stack summaries and sync call sites are read whole, exactly as the monitor writes them. */
export type StackSummaryRecord = StackSummary;
export type SyncCallRecord = SyncCallSite;

/** A snapshot's stall figures; `histogram` (hdr-histogram-js, base64) merges across processes. */
export interface StallRecord extends Omit<StallFigures, 'worst'> {
  /** The longest stalls the counters kept, logged or not (monitors newer than `worst`); empty otherwise. */
  worst: WorstStallRecord[];
}

/**
 * One of the longest stalls, as the monitor's counters kept it (`stalls.worst`): null where the monitor
 * leaves a field out, and `noStack` (`lag-only`, `debugger`, `rate-limited`, `not-caught`) any word a
 * newer monitor uses.
 */
export type WorstStallRecord = Omit<WorstStall, 'signature' | 'noStack'> & {
  signature: string | null;
  noStack: string | null;
};

/**
 * The stall in progress when a checkpoint was written (not yet in its `stalls`); `noStack` as the monitor
 * worded it (a newer one may use a word this one does not know).
 */
export type OngoingStallRecord = Omit<OngoingStall, 'noStack'> & { noStack?: string };

/**
 * A `{"type":"summary"}` line (the monitor's snapshot at exit) or a `{"type":"checkpoint"}` line (its
 * figures so far, at most a second old when the process dies without a summary).
 */
export interface SummaryRecord {
  kind: 'summary' | 'checkpoint';
  pid: number | null;
  at: number | null;
  uptimeMs: number | null;
  thresholdMs: number | null;
  mode: string | null;
  lag: LagFigures | null;
  /** Event-loop utilisation over the latest window (about a second). */
  utilization: number | null;
  /** Event-loop utilisation since the monitor started; null in older logs. */
  utilizationSinceStart: number | null;
  stalls: StallRecord | null;
  threadPool: { p99Ms: number } | null;
  topStacks: StackSummaryRecord[];
  syncCalls: SyncCallRecord[];
  sections: Record<string, unknown>;
  /** Checkpoints only: the stall in progress, if any. */
  ongoing: OngoingStallRecord | null;
}

export interface EventLog {
  path: string;
  /**
   * The log folded line by line (set by `readEventLog`): what `report` reads, in bounded memory. Then
   * `blocks` holds only the first block events (a sample for the demo), `lags` and `slaBreaches` none, `snapshots` each
   * process's summary and latest checkpoint.
   */
  aggregate?: LogAggregator;
  blocks: BlockRecord[];
  lags: LagRecord[];
  /** `sla` events (runs and requests in flight past `inFlightSlaMs`); none when the log was folded by `readEventLog` (the aggregate keeps them). */
  slaBreaches: SlaRecord[];
  /** Summaries and checkpoints of every process, in log order. */
  snapshots: SummaryRecord[];
  /** The last summary in the log (any process): what single-process readers (the demo) want. */
  summary: SummaryRecord | null;
}
