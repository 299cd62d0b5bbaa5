/*
 * Plain data shared by the monitor's parts (main thread, watchdog worker, exporters, middleware) and
 * by the tools that read its output (the CLI's run/watch/report). Changing a field here changes the
 * NDJSON event log and the control socket protocol: keep it backwards compatible.
 */

/** One frame of a captured main-thread stack. `line` and `column` are 1-based. */
export interface StackFrame {
  functionName: string;
  url: string;
  line: number;
  column: number;
}

/** The blocking built-in that was running when the watchdog looked (written by the sync wrappers). */
export interface InFlightCall {
  /** Catalog id, e.g. `fs.readFileSync`. */
  api: string;
  /** A bounded prefix of the path or command argument, when the API has one. */
  hint: string | null;
}

/** What the app said it was doing (route, agent run, tool call), from `withContext`/`setContext`. */
export type MonitorContext = Record<string, string | number | boolean | null>;

/** One stall of the event loop, as written to the event log and emitted as `'block'`. */
export interface BlockEvent {
  type: 'block';
  /**
   * Epoch ms at which the stall began: the end minus `durationMs`; for a stall that got a provisional
   * event, the main thread's last sign of life before it, which can precede the block by an idle wait
   * (see `blockStartedAt`). The key that pairs a provisional (`ongoing: true`) event with the final event
   * of the same stall: both carry the same value.
   */
  startedAt: number;
  /**
   * Epoch ms at which the block itself began, where that is later than `startedAt` (a stall published as
   * ongoing, whose `startedAt` is its last sign of life and the loop idled a while after it); absent when
   * it is `startedAt`. `blockStartedAt + durationMs` is the block's end, or, on a provisional event, the
   * time it was measured. `blockStartOf(event)` reads it.
   */
  blockStartedAt?: number;
  /**
   * How long the loop was blocked; in a provisional event, how long it has been blocked so far. Busy
   * time only: the idle wait between `startedAt` and `blockStartedAt` is not part of it.
   */
  durationMs: number;
  /** Innermost frame first; empty when no stack could be captured (lag-only mode). */
  stack: StackFrame[];
  /** Further stacks sampled while a long block was still running, one per threshold. */
  samples?: StackFrame[][];
  inFlight: InFlightCall | null;
  context: MonitorContext | null;
  /**
   * HTTP requests the middleware had in flight (not yet answered) when the stack was captured: the one the
   * block ran in, if any, and those it held up. Absent without the middleware or without a capture.
   */
  requestsInFlight?: number;
  /** True when the stack was captured after the block had already ended (it may point elsewhere). */
  late: boolean;
  /**
   * Present when the main thread took this long (ms, at least 100) to answer the watchdog's first request for
   * its stack: it was inside code that lets no pause in — a native call no wrapper names (a database driver,
   * `node:sqlite`, hashing a large buffer, a native addon), a built-in that lets no pause in, or a long
   * garbage collection — and every stack of the block was taken after it returned. The top frame is then
   * where JavaScript resumed: the blocking call is the one made just before it, in that frame or its caller.
   */
  stackDelayMs?: number;
  /** True when the block happened during the start-up grace period (module loading). */
  startup?: boolean;
  /** Identical stacks share a signature; detailed reports are de-duplicated by it. */
  signature?: string;
  /**
   * True on the provisional event the watchdog writes while a block is still running (after
   * `ongoingReportMs`): `durationMs` is how long it has blocked so far, `stack` the newest sample
   * taken so far (empty if none), `late` false. Absent on the final event, written when the block ends,
   * with the same `startedAt`. A provisional event with no final one is a block that never ended (the
   * process was killed or exited while blocked). Only in the event log and on the control socket: never
   * emitted as `'block'` on the main thread, whose listeners get the final event.
   */
  ongoing?: boolean;
  /**
   * Why a block with neither a stack nor a sync API in flight has none, where the monitor knows (see
   * NoStackReason; on a provisional event, why nothing names it so far). Absent when the block has a stack.
   */
  noStack?: NoStackReason;
}

/**
 * Why a block has no stack: `not-watched` (it began before the watchdog's first look), `lag-only` (stacks
 * not captured), `debugger` (a debugger owned the main thread), `rate-limited` (the detailed-report budget
 * was spent), `ended-unseen` (over before the watchdog looked: it finds a block within its staleness, 1.5–2 ×
 * the threshold, later on a machine short of CPU), `not-caught` (seen while it ran, but over before a stack
 * sample landed: a short block, or a native call no wrapper names), `start-up` (it began in the start-up
 * grace, when stacks are not sampled, and was reported all the same: it outlasted `ongoingReportMs`, or the
 * process died in it). On a provisional event and a checkpoint's `ongoing` (a block still running), the
 * reason nothing names it so far: `not-caught` there means no sample had landed yet.
 */
export type NoStackReason = 'not-watched' | 'lag-only' | 'debugger' | 'rate-limited' | 'ended-unseen' | 'not-caught' | 'start-up';

/** The first line the control socket sends a client (`agent-lag watch`), before any event or snapshot. */
export interface HelloMessage {
  type: 'hello';
  pid: number;
  /** The monitor package's version. */
  version: string;
  thresholdMs: number;
  mode: MonitorSnapshot['mode'];
  /** While the process is blocked and that block was already published as ongoing: its provisional event. */
  ongoing?: BlockEvent & { pid: number };
}

/** Event-loop delay over a window, with the sampling resolution already subtracted. */
export interface LagFigures {
  minMs: number;
  maxMs: number;
  meanMs: number;
  stddevMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  samples: number;
  /** Where the figures come from: `perf_hooks.monitorEventLoopDelay` or the timer-drift sampler. */
  source: 'perf_hooks' | 'timer-drift';
}

/** A periodic `{"type":"lag"}` window in the event log. */
export interface LagEvent {
  type: 'lag';
  /** Epoch ms at the end of the window. */
  at: number;
  windowMs: number;
  lag: LagFigures;
  /** Event-loop utilisation over the window, 0..1. */
  utilization: number;
  threadPool: ThreadPoolFigures | null;
}

export interface ThreadPoolFigures {
  /** Queue delay of the most recent probe job, ms. */
  lastMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

export interface StallFigures {
  /** Every stall over the threshold after start-up, rate limits notwithstanding. */
  count: number;
  /** Stalls during the start-up grace period, counted apart. */
  startupCount: number;
  totalMs: number;
  maxMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Base64 of the hdr-histogram-js encoding of stall durations (ms), mergeable across processes. */
  histogram: string;
  /**
   * The longest stalls counted (at most 5, longest first), whether or not their block was logged: the worst
   * block a reader must be shown. Absent from monitors older than this field.
   */
  worst?: WorstStall[];
}

/** One of the longest stalls, as the counters kept it. */
export interface WorstStall {
  startedAt: number;
  durationMs: number;
  /** The stack signature of its block, when it had a stack or a named API (pairs it with a block event). */
  signature?: string;
  /** False when its block event was not logged (a repeat within the de-duplication window, or rate-limited). */
  logged: boolean;
  /** Why its block has no stack, when it has none (see NoStackReason). */
  noStack?: NoStackReason;
}

/** Blocks grouped by stack signature. */
export interface StackSummary {
  signature: string;
  count: number;
  totalMs: number;
  maxMs: number;
  stack: StackFrame[];
  inFlight: InFlightCall | null;
  /** Context of the most recent block with this signature. */
  context: MonitorContext | null;
}

/** Sync calls of catalog APIs made after start-up, aggregated per API and call site. */
export interface SyncCallSite {
  api: string;
  /** `file:line:column` of the caller; null while no call from there has been slow enough to locate. */
  site: string | null;
  count: number;
  totalMs: number;
  maxMs: number;
}

/** What `handle.snapshot()` returns and the control socket sends. */
export interface MonitorSnapshot {
  pid: number;
  /** Epoch ms the snapshot was taken. */
  at: number;
  uptimeMs: number;
  thresholdMs: number;
  /** `full` when stacks are captured; `lag-only` when the inspector was unavailable. */
  mode: 'full' | 'lag-only';
  /**
   * `on-demand` when the main thread beats only while its loop works (Linux: the watchdog sees an idle
   * loop from outside), `timer` when it beats every heartbeat period.
   */
  heartbeat: 'timer' | 'on-demand';
  /** Lag since the monitor started. */
  lag: LagFigures;
  /** Event-loop utilisation over the most recent window (about a second), 0..1. */
  utilization: number;
  /** Event-loop utilisation since the monitor started, 0..1: beside `lag`, what a run's summary gives. */
  utilizationSinceStart: number;
  stalls: StallFigures;
  threadPool: ThreadPoolFigures | null;
  topStacks: StackSummary[];
  syncCalls: SyncCallSite[];
  /**
   * Sections published by extensions on the main thread (the HTTP middleware adds `routes`),
   * refreshed periodically so the worker can serve them while the loop is frozen.
   */
  sections: Record<string, unknown>;
}

/**
 * The stall in progress when a checkpoint was written: `startedAt` (epoch ms) pairs it with the block's
 * events; it has blocked the loop `durationMs` so far, counted from `blockStartedAt` where present (as on
 * a block event), else from `startedAt`.
 */
export interface OngoingStall {
  startedAt: number;
  blockStartedAt?: number;
  durationMs: number;
  /** Why nothing names it so far (no stack sampled, no sync API in flight); absent when something does. */
  noStack?: NoStackReason;
}

/**
 * The figures so far, written by the watchdog at most once a second while they change (a stall was
 * counted, the lag or a section moved) and always while a stall is in progress. A process that dies
 * without writing its summary (SIGKILL, a fatal signal, a default SIGINT/SIGTERM) leaves its latest
 * checkpoint as its summary, exact to within a second of its end; `ongoing` is a stall still running
 * then, which the checkpoint's `stalls` do not count yet.
 */
export interface CheckpointEvent extends MonitorSnapshot {
  type: 'checkpoint';
  ongoing: OngoingStall | null;
}

export interface SummaryEvent extends MonitorSnapshot {
  type: 'summary';
}

/**
 * A line of the NDJSON event log. Block and lag lines carry the writing process's `pid` (several
 * processes may share one log); checkpoints and the summary have it as a snapshot field.
 */
export type MonitorEvent = ((BlockEvent | LagEvent | SlaEvent) & { pid?: number }) | CheckpointEvent | SummaryEvent;

/**
 * An agent run or HTTP request still in flight past the `inFlightSlaMs` age (the agent loop held open past
 * a load balancer's timeout), written once per run or request when the monitor first sees it past that age.
 */
export interface SlaEvent {
  type: 'sla';
  /** Epoch ms it was seen past the SLA. */
  at: number;
  /** `run`: an agent run (trackRun, the SDK adapters; a tool call inside a run is part of that run); `request`: an HTTP request. */
  kind: 'run' | 'request';
  /** Its age then, ms (at least `slaMs`; later than that by up to the check period, or a block's length). */
  ageMs: number;
  slaMs: number;
  /** Epoch ms it started. */
  startedAt: number;
  /** Its context: the route, method and request id, or the agent, tool and run id, and the user's fields. */
  context: MonitorContext | null;
}
