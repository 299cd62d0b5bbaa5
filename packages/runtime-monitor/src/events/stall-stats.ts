import type { StallFigures } from '../types.js';
import { ExactRange } from '../lag/exact-range.js';
import { createHistogram, encodeHistogram, recordClamped, type Histogram } from '../lag/histogram.js';

/** Stalls longer than an hour are recorded as an hour: the histogram keeps a fixed size. */
const STALL_TOP_MS = 3_600_000;

/** The part of the stall figures that needs the histogram (percentiles, encoding). */
export type StallDistribution = Pick<StallFigures, 'p50Ms' | 'p99Ms' | 'histogram'>;

const EMPTY_DISTRIBUTION: StallDistribution = { p50Ms: 0, p99Ms: 0, histogram: '' };

/**
 * Exact stall counters: plain numbers, cheap enough for the main thread. The distribution (percentiles
 * and the encoded histogram) is computed where the histogram lives — the watchdog worker — and handed
 * over with setDistribution(); until then it reads as empty.
 */
export class StallCounts {
  #count = 0;
  #startupCount = 0;
  #totalMs = 0;
  #maxMs = 0;
  #distribution: StallDistribution = EMPTY_DISTRIBUTION;

  record(durationMs: number, startup: boolean): void {
    if (startup) {
      this.#startupCount++;
      return;
    }
    this.#count++;
    this.#totalMs += durationMs;
    if (durationMs > this.#maxMs) this.#maxMs = durationMs;
  }

  /** Stalls known only by number (the ring overflowed before they were read). */
  recordUnmeasured(count: number): void {
    this.#count += count;
  }

  setDistribution(distribution: StallDistribution): void {
    this.#distribution = distribution;
  }

  get count(): number {
    return this.#count;
  }

  figures(): StallFigures {
    const { p50Ms, p99Ms, histogram } = this.#distribution;
    // The distribution was clamped to the worker's exact max; this max counts the same stalls (or more, when
    // the distribution trails), so clamping again only guards against a percentile that is not ours.
    const max = this.#maxMs;
    return {
      count: this.#count,
      startupCount: this.#startupCount,
      totalMs: Math.round(this.#totalMs),
      maxMs: max,
      p50Ms: Math.min(p50Ms, max),
      p99Ms: Math.min(p99Ms, max),
      histogram,
    };
  }
}

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
            },
      );
    }
    const { p50Ms, p99Ms, histogram } = this.#counts.figures();
    return { p50Ms, p99Ms, histogram };
  }

  figures(): StallFigures {
    this.distribution();
    return this.#counts.figures();
  }
}
