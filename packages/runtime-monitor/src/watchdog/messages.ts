import type { StallDistribution } from '../events/stall-counts.js';
import type { ResolvedOptions } from '../options.js';
import type { BlockEvent, LagEvent, LagFigures, MonitorSnapshot, SlaEvent, SyncCallSite, ThreadPoolFigures } from '../types.js';

/* Plain data exchanged between the main thread and the watchdog worker. */

export interface WatchdogData {
  state: SharedArrayBuffer;
  inFlight: SharedArrayBuffer | null;
  options: ResolvedOptions;
  /** Epoch ms (fractional) at which the monitor clock reads 0. */
  clockBaseMs: number;
  /** Stack capture wanted and allowed (false with --inspect, or when turned off by option). */
  captureStacks: boolean;
  socketPath: string | null;
  version: string;
  /** URL prefix of the monitor's own files, whose frames are dropped from stacks. */
  ownUrlPrefix: string;
}

/** What the main thread knows and the worker cannot measure; refreshed periodically. */
export interface MainThreadState {
  lag: LagFigures;
  utilization: number;
  utilizationSinceStart: number;
  threadPool: ThreadPoolFigures | null;
  syncCalls: SyncCallSite[];
  sections: Record<string, unknown>;
  uptimeMs: number;
  /**
   * The `sequence` of the last stall message the main thread had handled when it built this state: the
   * sections (the tracker's per-route and per-tool figures) count every stall up to it and none after.
   */
  stallsHeard: number;
  /** Bumped by section owners when their figures changed (a block recorded, a run ended): news for a checkpoint. */
  sectionFigures: number;
}

export type ToWorker =
  | { kind: 'state'; state: MainThreadState }
  | { kind: 'lag'; event: LagEvent }
  /** An event the main thread saw, for the worker to write to the log and the control socket. */
  | { kind: 'event'; event: SlaEvent }
  | { kind: 'stop' }
  | { kind: 'exit' };

export type FromWorker =
  | { kind: 'ready'; mode: MonitorSnapshot['mode'] }
  | { kind: 'warning'; code: string; message: string }
  | { kind: 'mode'; mode: MonitorSnapshot['mode'] }
  | (StallMessage & { sequence: number })
  | { kind: 'stallDistribution'; distribution: StallDistribution }
  /** The metrics endpoint's bound address (the real port when 0 was asked for), or null when it failed. */
  | { kind: 'metricsEndpoint'; address: { host: string; port: number } | null }
  | { kind: 'stopped' };

/**
 * A stall the watchdog counted, for the main thread's figures and 'block'/'stall' listeners. The worker
 * numbers them (`sequence`, from 1) as it posts them, so it knows which ones a state it receives counts.
 */
export interface StallMessage {
  kind: 'stall';
  durationMs: number;
  startup: boolean;
  /** The block with its stack signature, when it has one (aggregated into topStacks). */
  block: (BlockEvent & { signature: string }) | null;
  /** The block as reported (logged, streamed, emitted), or null when limited or unmeasured. */
  reported: BlockEvent | null;
  /** The block as measured, reported or not (with whatever stack and context were captured); null at start-up or when unmeasured. */
  counted: BlockEvent | null;
  /** Stalls that were only counted (the ring overflowed). */
  unmeasured: number;
}
