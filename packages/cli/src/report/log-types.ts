/*
 * The parts of the runtime monitor's NDJSON event log that `agent-lag report` reads, mirrored from
 * @agent-lag/runtime-monitor's types.ts. The log is input from disk, so every field past `type` is
 * read defensively: an older or newer monitor may leave some out.
 */

import type { InFlightCall, MonitorContext, StackFrame, StackSummary, SyncCallSite } from '@agent-lag/runtime-monitor';

export type Frame = StackFrame;
export type InFlight = InFlightCall;
export type Context = MonitorContext;

export interface BlockRecord {
  startedAt: number;
  durationMs: number;
  stack: Frame[];
  inFlight: InFlight | null;
  context: Context | null;
  /** Requests in flight during the block, where the HTTP middleware counts them. */
  requestsInFlight: number | null;
  late: boolean;
  startup: boolean;
  signature: string | null;
  /**
   * A provisional event, written while the block was still running (`"ongoing": true`). The report pairs
   * it with the final event of the same block (same `startedAt`); one left alone never ended.
   */
  ongoing: boolean;
}

export interface LagFigures {
  minMs: number;
  maxMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

export interface LagRecord {
  at: number;
  windowMs: number;
  lag: LagFigures;
  utilization: number | null;
}

/** Stack summaries and sync call sites are read whole, exactly as the monitor writes them. */
export type StackSummaryRecord = StackSummary;
export type SyncCallRecord = SyncCallSite;

/** The final `{"type":"summary"}` line: the monitor's snapshot at exit. */
export interface SummaryRecord {
  pid: number | null;
  at: number | null;
  uptimeMs: number | null;
  thresholdMs: number | null;
  mode: string | null;
  lag: LagFigures | null;
  utilization: number | null;
  stalls: { count: number; startupCount: number; totalMs: number; maxMs: number } | null;
  topStacks: StackSummaryRecord[];
  syncCalls: SyncCallRecord[];
  sections: Record<string, unknown>;
}

export interface EventLog {
  path: string;
  blocks: BlockRecord[];
  lags: LagRecord[];
  summary: SummaryRecord | null;
}
