import * as hdr from 'hdr-histogram-js';

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
