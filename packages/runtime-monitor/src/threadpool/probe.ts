import { randomFill } from 'node:crypto';
import { createHistogram, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { ExactRange } from '../lag/exact-range.js';
import type { ThreadPoolFigures } from '../types.js';

export interface ThreadPoolProbeOptions {
  /** How often a probe job is queued; at most one is outstanding at a time. */
  intervalMs: number;
  /**
   * Default true: an unref'd interval queues the probes. False: the caller calls probe() from a timer
   * it already has (the monitor's once-a-second publish), saving a wake-up of an idle process.
   */
  timer?: boolean;
}

export interface ThreadPoolProbe {
  /** Queue delay of the probe jobs so far, or null before the first one completed. */
  figures(): ThreadPoolFigures | null;
  /** Queues a probe job now, unless one is still outstanding. */
  probe(): void;
  /** Stops queuing probes; a probe already queued completes and is discarded. */
  stop(): void;
}

/** The smallest useful pool job: a few random bytes take microseconds once a thread picks it up. */
const PROBE_BYTES = 8;
const MIN_INTERVAL_MS = 10;
/** Delays are recorded in microseconds, up to 10 minutes; anything longer is clamped. */
const HIGHEST_US = 600_000_000;

/**
 * Times a tiny `crypto.randomFill` job through the libuv thread pool. `fs` is no good for this: with
 * io_uring it may never touch the pool. The main thread's own busy time during the probe is subtracted
 * (from event-loop utilisation), so a blocked loop, which delays the completion callback, does not read
 * as a starved pool; under load the figure is therefore a lower bound of the pool's queue delay.
 */
export function startThreadPoolProbe(options: ThreadPoolProbeOptions): ThreadPoolProbe {
  const intervalMs = options.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`thread-pool probe intervalMs must be a positive number, got ${String(intervalMs)}`);
  }
  // Node's native histogram: record and percentiles are C++ calls, cheap enough for the main thread
  // (hdr-histogram-js percentile scans are not; see lag-sampler.ts).
  const histogram = createHistogram();
  // Its max and percentiles are bucket bounds (up to 0.1% high): the exact extremes are kept beside it.
  const range = new ExactRange();
  const target = new Uint8Array(PROBE_BYTES);
  let lastMs = 0;
  let outstanding = false;
  let stopped = false;
  let startedAt = 0;
  let utilizationAtStart: EventLoopUtilization | undefined;

  const completed = (error: Error | null): void => {
    outstanding = false;
    if (stopped || error) return;
    const elapsedMs = performance.now() - startedAt;
    const busyMs = utilizationAtStart ? performance.eventLoopUtilization(utilizationAtStart).active : 0;
    lastMs = Math.max(0, elapsedMs - busyMs);
    const micros = Math.max(1, Math.min(Math.round(lastMs * 1000), HIGHEST_US));
    histogram.record(micros);
    range.record(micros);
  };

  const probe = (): void => {
    // A saturated pool still holds the previous probe: queuing more would only add to the queue.
    if (outstanding || stopped) return;
    outstanding = true;
    utilizationAtStart = performance.eventLoopUtilization();
    startedAt = performance.now();
    try {
      randomFill(target, completed);
    } catch {
      outstanding = false;
    }
  };

  let timer: NodeJS.Timeout | null = null;
  if (options.timer !== false) {
    timer = setInterval(probe, Math.max(MIN_INTERVAL_MS, intervalMs));
    timer.unref();
  }
  probe();

  return {
    figures(): ThreadPoolFigures | null {
      const samples = histogram.count;
      if (samples === 0) return null;
      return {
        lastMs,
        p50Ms: range.clamp(histogram.percentile(50)) / 1000,
        p99Ms: range.clamp(histogram.percentile(99)) / 1000,
        maxMs: range.max / 1000,
        samples,
      };
    },
    probe,
    stop(): void {
      if (stopped) return;
      stopped = true;
      if (timer !== null) clearInterval(timer);
    },
  };
}
