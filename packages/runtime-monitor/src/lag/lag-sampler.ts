import * as perfHooks from 'node:perf_hooks';
import type { IntervalHistogram, RecordableHistogram } from 'node:perf_hooks';
import type { LagFigures } from '../types.js';
import { emptyLagFigures } from './lag-figures.js';

/*
 * Event-loop lag with the sampling resolution subtracted (every perf_hooks sample includes it, so an
 * idle loop would otherwise report p50 = resolution). `window()` is the lag since the previous window,
 * `total()` since the start.
 *
 * This runs on the host's main thread, so it only uses Node's native histograms: recording and
 * percentiles are C++ calls that take microseconds. hdr-histogram-js was used here before;
 * its `stdDeviation` and iterators took 10-80 ms per read on a busy histogram (458-548 ms blocks seen
 * under load) — exactly the kind of block this package exists to report.
 */

export interface LagSampler {
  readonly source: LagFigures['source'];
  /** Feed for the timer-drift source: how late a timer of `resolutionMs` fired, ms. */
  recordDrift(lateMs: number): void;
  window(): LagFigures;
  total(): LagFigures;
  /**
   * Restarts the perf_hooks timer from now, so that it fires in the same loop iteration as a timer of the
   * same period started now (the heartbeat). Folds first: the sample in progress is dropped, not skewed.
   */
  realign(): void;
  stop(): void;
}

type NativeHistogram = Pick<RecordableHistogram, 'count' | 'min' | 'max' | 'mean' | 'stddev' | 'percentile' | 'reset' | 'record'>;

/** Nanoseconds; a sample of more than a minute is a stall and the stall histogram has it. */
const LAG_TOP_NANOS = 60e9;
/**
 * 1 µs to a minute, 2 significant digits (1 % buckets): ~2,000 counters. The default range (1 ns to
 * 2^53, 3 digits) has ~45,000, and mean/stddev/percentile walk all of them: reading the total figures
 * once a second for the worker took ~0.8 ms of main-thread CPU, more than all idle wake-ups together.
 */
const HISTOGRAM_RANGE = { lowest: 1000, highest: LAG_TOP_NANOS, figures: 2 };
const clampNanos = (nanos: number): number => (nanos > LAG_TOP_NANOS ? LAG_TOP_NANOS : nanos < 1 ? 1 : Math.round(nanos));

export function createLagSampler(source: LagFigures['source'], resolutionMs: number): LagSampler {
  // createHistogram exists since Node 15.9 (so wherever monitorEventLoopDelay does); a runtime
  // without it only has the timer-drift source, fed into a plain accumulator.
  const native = typeof perfHooks.createHistogram === 'function';
  const windowHistogram: NativeHistogram = native ? perfHooks.createHistogram(HISTOGRAM_RANGE) : new SimpleHistogram();
  const totalHistogram: NativeHistogram = native ? perfHooks.createHistogram(HISTOGRAM_RANGE) : new SimpleHistogram();
  let delay: IntervalHistogram | null = null;
  // perf_hooks samples include the resolution; the drift feed already has the interval taken off.
  let offsetNanos = 0;
  if (source === 'perf_hooks') {
    delay = perfHooks.monitorEventLoopDelay({ resolution: resolutionMs });
    delay.enable();
    offsetNanos = resolutionMs * 1e6;
  }

  /**
   * Moves what perf_hooks gathered since the last fold into both histograms. The event-loop delay
   * histogram cannot be add()ed to a recordable one (Node 20 rejects it), so its distribution is
   * rebuilt from its percentile table (a few dozen entries, native). It holds at most one sample per
   * resolution period since the last fold (50 a second at 20 ms), so the record() loop stays short.
   */
  const fold = (): void => {
    if (delay === null) return;
    const count = delay.count;
    if (count === 0) return;
    let previousPercentile = 0;
    let recorded = 0;
    for (const [percentile, nanos] of delay.percentiles) {
      const share = Math.round((count * (percentile - previousPercentile)) / 100);
      previousPercentile = percentile;
      const value = clampNanos(nanos);
      for (let i = 0; i < share && recorded < count; i++, recorded++) {
        windowHistogram.record(value);
        totalHistogram.record(value);
      }
    }
    for (const max = clampNanos(delay.max); recorded < count; recorded++) {
      windowHistogram.record(max);
      totalHistogram.record(max);
    }
    delay.reset();
  };

  const figures = (histogram: NativeHistogram): LagFigures => figuresOf(histogram, offsetNanos, source);

  return {
    source,
    recordDrift(lateMs) {
      // Native record() takes integers >= 1.
      const nanos = lateMs <= 0 ? 1 : lateMs * 1e6 > LAG_TOP_NANOS ? LAG_TOP_NANOS : Math.round(lateMs * 1e6) || 1;
      windowHistogram.record(nanos);
      totalHistogram.record(nanos);
    },
    window() {
      fold();
      const result = figures(windowHistogram);
      windowHistogram.reset();
      return result;
    },
    total() {
      fold();
      return figures(totalHistogram);
    },
    realign() {
      if (delay === null) return;
      // reset() also forgets the previous tick: no sample spans the restart.
      fold();
      delay.reset();
      delay.disable();
      delay.enable();
    },
    stop() {
      delay?.disable();
    },
  };
}

const ms = (nanos: number): number => Math.round(nanos / 1000) / 1000;

function figuresOf(histogram: NativeHistogram, offsetNanos: number, source: LagFigures['source']): LagFigures {
  const samples = histogram.count;
  if (samples === 0) return emptyLagFigures(source);
  const less = (nanos: number): number => ms(Math.max(0, nanos - offsetNanos));
  return {
    minMs: less(histogram.min),
    maxMs: less(histogram.max),
    meanMs: less(histogram.mean),
    stddevMs: ms(histogram.stddev),
    p50Ms: less(histogram.percentile(50)),
    p90Ms: less(histogram.percentile(90)),
    p99Ms: less(histogram.percentile(99)),
    samples,
    source,
  };
}

/**
 * Where perf_hooks has no createHistogram (not Node): count, min, max, mean and deviation exactly in
 * O(1) per sample, percentiles from 64 power-of-two-ish buckets (coarse, allocation-free).
 */
class SimpleHistogram implements NativeHistogram {
  readonly #buckets = new Float64Array(64);
  count = 0;
  min = 0;
  max = 0;
  #sum = 0;
  #sumSquares = 0;
  // Unused members of the native interface.
  readonly exceeds = 0;

  record(value: number | bigint): void {
    value = Number(value);
    if (this.count === 0 || value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.count++;
    this.#sum += value;
    this.#sumSquares += value * value;
    const index = Math.min(63, Math.max(0, Math.floor(Math.log2(value) * 2)));
    this.#buckets[index] = (this.#buckets[index] ?? 0) + 1;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.#sum / this.count;
  }

  get stddev(): number {
    if (this.count === 0) return 0;
    const mean = this.mean;
    return Math.sqrt(Math.max(0, this.#sumSquares / this.count - mean * mean));
  }

  percentile(percentile: number): number {
    const target = (this.count * percentile) / 100;
    let seen = 0;
    for (let i = 0; i < 64; i++) {
      seen += this.#buckets[i] ?? 0;
      if (seen >= target && seen > 0) return Math.min(this.max, 2 ** ((i + 1) / 2));
    }
    return this.max;
  }

  reset(): void {
    this.#buckets.fill(0);
    this.count = this.min = this.max = this.#sum = this.#sumSquares = 0;
  }
}
