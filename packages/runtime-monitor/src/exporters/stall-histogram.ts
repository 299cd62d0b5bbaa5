/**
 * The stall-duration histogram in Prometheus form. The watchdog keeps every stall in an hdr-histogram
 * (ms values, sent encoded in the snapshot); Prometheus wants fixed cumulative buckets, so they are
 * counted here, at scrape time.
 */
import { decodeHistogram, type Histogram } from '../lag/histogram.js';

/** Upper bounds (seconds) of the stall-duration histogram buckets. */
export const STALL_BUCKETS_SECONDS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Cumulative bucket counts of the encoded stall histogram (values in ms), one per
 * {@link STALL_BUCKETS_SECONDS} bound. Null when it cannot be read: the other stall figures still export.
 * Each hdr bucket counts at its highest value (never below a bound it may exceed), but no higher than
 * `maxMs`, the exact longest stall: a lone 1000 ms stall is in the `le="1"` bucket, as its max says.
 */
export function stallBuckets(encoded: string, maxMs = Infinity): number[] | null {
  if (encoded === '') return STALL_BUCKETS_SECONDS.map(() => 0);
  let histogram: Histogram;
  try {
    histogram = decodeHistogram(encoded);
  } catch {
    return null;
  }
  try {
    const counts = STALL_BUCKETS_SECONDS.map(() => 0);
    const iterator = histogram.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      const seconds = Math.min(histogram.highestEquivalentValue(step.valueIteratedTo), maxMs) / 1000;
      for (let i = 0; i < counts.length; i++) {
        if (seconds <= (STALL_BUCKETS_SECONDS[i] ?? Infinity)) counts[i] = (counts[i] ?? 0) + step.countAtValueIteratedTo;
      }
    }
    return counts;
  } finally {
    histogram.destroy();
  }
}
