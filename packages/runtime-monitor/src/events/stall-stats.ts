import * as hdr from 'hdr-histogram-js';
import type { StallFigures } from '../types.js';
import { createHistogram, recordClamped, type Histogram } from '../lag/histogram.js';

/** Stalls longer than an hour are recorded as an hour: the histogram keeps a fixed size. */
const STALL_TOP_MS = 3_600_000;

/**
 * Every stall, counted exactly and its duration kept in an hdr histogram (ms). Start-up stalls are only
 * counted. Rate limits on reports never touch these figures.
 */
export class StallStats {
  readonly #histogram: Histogram = createHistogram(STALL_TOP_MS);
  #count = 0;
  #startupCount = 0;
  #totalMs = 0;
  #maxMs = 0;

  record(durationMs: number, startup: boolean): void {
    if (startup) {
      this.#startupCount++;
      return;
    }
    this.#count++;
    this.#totalMs += durationMs;
    if (durationMs > this.#maxMs) this.#maxMs = durationMs;
    recordClamped(this.#histogram, durationMs);
  }

  /** Stalls known only by number (the ring overflowed before they were read). */
  recordUnmeasured(count: number): void {
    this.#count += count;
  }

  get count(): number {
    return this.#count;
  }

  figures(): StallFigures {
    const histogram = this.#histogram;
    const measured = histogram.totalCount > 0;
    return {
      count: this.#count,
      startupCount: this.#startupCount,
      totalMs: Math.round(this.#totalMs),
      maxMs: this.#maxMs,
      p50Ms: measured ? histogram.getValueAtPercentile(50) : 0,
      p99Ms: measured ? histogram.getValueAtPercentile(99) : 0,
      histogram: hdr.encodeIntoCompressedBase64(histogram),
    };
  }
}
