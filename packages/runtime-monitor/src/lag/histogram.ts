import * as hdr from 'hdr-histogram-js';
import type { LagFigures } from '../types.js';

/*
 * Fixed-size hdr histograms (autoResize off): memory stays the same however long the service runs.
 * Values past the top are clamped to it rather than thrown away, so counts stay exact.
 */

export type Histogram = hdr.Histogram;

export function createHistogram(highestTrackableValue: number): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue,
    numberOfSignificantValueDigits: 2,
    autoResize: false,
    useWebAssembly: false,
    bitBucketSize: 32,
  });
}

export function recordClamped(histogram: Histogram, value: number, count = 1): void {
  const top = histogram.highestTrackableValue;
  const clamped = value < 0 ? 0 : value > top ? top : Math.round(value);
  histogram.recordValueWithCount(clamped, count);
}

/** Lag histograms hold microseconds: 60 s at most, more is a stall and the stall histogram has it. */
export const LAG_TOP_MICROS = 60_000_000;

export function emptyLagFigures(source: LagFigures['source']): LagFigures {
  return { minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, samples: 0, source };
}

const round = (micros: number): number => Math.round(micros) / 1000;

export function lagFiguresOf(histogram: Histogram, source: LagFigures['source']): LagFigures {
  const samples = histogram.totalCount;
  if (samples === 0) return emptyLagFigures(source);
  return {
    minMs: round(histogram.getValueAtPercentile(0)),
    maxMs: round(histogram.maxValue),
    meanMs: round(histogram.mean),
    stddevMs: round(histogram.stdDeviation),
    p50Ms: round(histogram.getValueAtPercentile(50)),
    p90Ms: round(histogram.getValueAtPercentile(90)),
    p99Ms: round(histogram.getValueAtPercentile(99)),
    samples,
    source,
  };
}
