import type { StallFigures, WorstStall } from '../types.js';
import { EMPTY_DISTRIBUTION, StallCounts, type StallDistribution } from './stall-counts.js';
export type { StallDistribution } from './stall-counts.js';
import { ExactRange } from '../lag/exact-range.js';
import { createHistogram, encodeHistogram, recordClamped, type Histogram } from '../lag/histogram.js';

/** Stalls longer than an hour are recorded as an hour: the histogram keeps a fixed size. */
const STALL_TOP_MS = 3_600_000;

/**
 * Every stall, counted exactly and its duration kept in an hdr histogram (ms). Start-up stalls are only
 * counted. Rate limits on reports never touch these figures. Reading the distribution costs
 * milliseconds (hdr-histogram-js scans and encodes in JS), so it is cached until the next stall, and
 * this class lives in the watchdog worker (the main thread only in the no-worker fallback).
 */
export class StallStats {
  readonly #counts = new StallCounts();
  readonly #histogram: Histogram = createHistogram(STALL_TOP_MS);
  /** The histogram keeps whole ms rounded to 1%; percentiles are clamped to the exact durations. */
  readonly #range = new ExactRange();
  #distributionStale = false;

  record(durationMs: number, startup: boolean): void {
    this.#counts.record(durationMs, startup);
    if (startup) return;
    recordClamped(this.#histogram, durationMs);
    this.#range.record(durationMs);
    this.#distributionStale = true;
  }

  recordUnmeasured(count: number): void {
    this.#counts.recordUnmeasured(count);
  }

  noteWorst(stall: WorstStall): void {
    this.#counts.noteWorst(stall);
    this.#distributionStale = true;
  }

  get count(): number {
    return this.#counts.count;
  }

  distribution(): StallDistribution {
    if (this.#distributionStale) {
      this.#distributionStale = false;
      const histogram = this.#histogram;
      this.#counts.setDistribution(
        histogram.totalCount === 0
          ? EMPTY_DISTRIBUTION
          : {
              p50Ms: this.#range.clamp(histogram.getValueAtPercentile(50)),
              p99Ms: this.#range.clamp(histogram.getValueAtPercentile(99)),
              histogram: encodeHistogram(histogram),
              worst: this.#counts.worst,
            },
      );
    }
    const { p50Ms, p99Ms, histogram, worst } = this.#counts.figures();
    return { p50Ms, p99Ms, histogram, worst };
  }

  figures(): StallFigures {
    this.distribution();
    return this.#counts.figures();
  }
}
