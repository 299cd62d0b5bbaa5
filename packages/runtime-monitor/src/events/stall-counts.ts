import type { StallFigures, WorstStall } from '../types.js';

/*
 * Exact stall counters, apart from the histogram so that the main thread, which keeps them, never loads
 * hdr-histogram-js (45 ms of its start-up): the worker owns the histogram (StallStats).
 */

/** The part of the stall figures that needs the histogram (percentiles, encoding). */
export type StallDistribution = Pick<StallFigures, 'p50Ms' | 'p99Ms' | 'histogram' | 'worst'>;

/** How many of the longest stalls are kept. */
export const WORST_KEPT = 5;

export const EMPTY_DISTRIBUTION: StallDistribution = { p50Ms: 0, p99Ms: 0, histogram: '' };

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
  #worst: WorstStall[] = [];

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
    if (distribution.worst !== undefined) this.#worst = distribution.worst;
  }

  /** Keeps `stall` if it is among the WORST_KEPT longest so far. */
  noteWorst(stall: WorstStall): void {
    const worst = this.#worst;
    if (worst.length >= WORST_KEPT && stall.durationMs <= worst[worst.length - 1]!.durationMs) return;
    let at = worst.length;
    while (at > 0 && worst[at - 1]!.durationMs < stall.durationMs) at--;
    worst.splice(at, 0, stall);
    if (worst.length > WORST_KEPT) worst.length = WORST_KEPT;
  }

  get worst(): WorstStall[] {
    return this.#worst;
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
      worst: this.#worst.slice(),
    };
  }
}

