/*
 * The parts of the runtime monitor's NDJSON event log that `agent-lag report` reads, mirrored from
 * @agent-lag/runtime-monitor's types.ts. The log is input from disk, so every field past `type` is
 * read defensively: an older or newer monitor may leave some out.
 */

export interface Frame {
  functionName: string;
  url: string;
  line: number;
  column: number;
}

export interface InFlight {
  api: string;
  hint: string | null;
}

export type Context = Record<string, string | number | boolean | null>;

export interface BlockRecord {
  startedAt: number;
  durationMs: number;
  stack: Frame[];
  inFlight: InFlight | null;
  context: Context | null;
  late: boolean;
  startup: boolean;
  signature: string | null;
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

export interface StackSummaryRecord {
  signature: string;
  count: number;
  totalMs: number;
  maxMs: number;
  stack: Frame[];
  inFlight: InFlight | null;
  context: Context | null;
}

export interface SyncCallRecord {
  api: string;
  site: string | null;
  count: number;
  totalMs: number;
  maxMs: number;
}

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
