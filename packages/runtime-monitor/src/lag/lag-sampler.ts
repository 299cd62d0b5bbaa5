import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LagFigures } from '../types.js';
import { createHistogram, lagFiguresOf, LAG_TOP_MICROS, recordClamped, type Histogram } from './histogram.js';

/*
 * Event-loop lag with the sampling resolution subtracted (every perf_hooks sample includes it, so an
 * idle loop would otherwise report p50 = resolution). Two sources feed the same hdr histograms:
 * perf_hooks.monitorEventLoopDelay, folded in at each read, or the heartbeat's timer drift where
 * perf_hooks is missing. `window()` is the lag since the previous window, `total()` since the start.
 */

export interface LagSampler {
  readonly source: LagFigures['source'];
  /** Feed for the timer-drift source: how late a timer of `resolutionMs` fired, ms. */
  recordDrift(lateMs: number): void;
  window(): LagFigures;
  total(): LagFigures;
  stop(): void;
}

export function createLagSampler(source: LagFigures['source'], resolutionMs: number): LagSampler {
  const windowHistogram = createHistogram(LAG_TOP_MICROS);
  const totalHistogram = createHistogram(LAG_TOP_MICROS);
  let delay: IntervalHistogram | null = null;
  if (source === 'perf_hooks') {
    delay = monitorEventLoopDelay({ resolution: resolutionMs });
    delay.enable();
  }
  const resolutionNanos = resolutionMs * 1e6;

  /** Moves what perf_hooks gathered since the last fold into both hdr histograms. */
  const fold = (): void => {
    if (delay === null || delay.count === 0) return;
    foldPercentiles(delay, resolutionNanos, windowHistogram, totalHistogram);
    delay.reset();
  };

  return {
    source,
    recordDrift(lateMs) {
      const micros = lateMs * 1000;
      recordClamped(windowHistogram, micros);
      recordClamped(totalHistogram, micros);
    },
    window() {
      fold();
      const figures = lagFiguresOf(windowHistogram, source);
      windowHistogram.reset();
      return figures;
    },
    total() {
      fold();
      return lagFiguresOf(totalHistogram, source);
    },
    stop() {
      delay?.disable();
      delay = null;
    },
  };
}

/**
 * perf_hooks histograms cannot be merged into hdr-histogram-js directly; their percentile iteration
 * (value at each of a few dozen percentiles) rebuilds the distribution closely enough for p50-p99.
 */
function foldPercentiles(delay: IntervalHistogram, resolutionNanos: number, ...into: Histogram[]): void {
  const count = delay.count;
  let previousPercentile = 0;
  let recorded = 0;
  for (const [percentile, valueNanos] of delay.percentiles) {
    const share = Math.round((count * (percentile - previousPercentile)) / 100);
    previousPercentile = percentile;
    if (share <= 0) continue;
    const micros = (valueNanos - resolutionNanos) / 1000;
    for (const histogram of into) recordClamped(histogram, micros, share);
    recorded += share;
  }
  if (recorded < count) {
    const micros = (delay.max - resolutionNanos) / 1000;
    for (const histogram of into) recordClamped(histogram, micros, count - recorded);
  }
}
