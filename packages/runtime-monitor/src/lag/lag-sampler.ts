import * as perfHooks from 'node:perf_hooks';
import type { IntervalHistogram, RecordableHistogram } from 'node:perf_hooks';
import type { LagFigures } from '../types.js';
import { ExactRange } from './exact-range.js';
import { emptyLagFigures } from './lag-figures.js';
import { LagMoments } from './lag-moments.js';

/*
 * Event-loop lag with the sampling resolution subtracted (every perf_hooks sample includes it, so an
 * idle loop would otherwise report p50 = resolution). `window()` is the lag since the previous window,
 * `total()` since the start.
 *
 * This runs on the host's main thread, so it only uses Node's native histograms: recording and
 * percentiles are C++ calls that take microseconds. hdr-histogram-js was used here before;
 * its `stdDeviation` and iterators took 10-80 ms per read on a busy histogram (458-548 ms blocks seen
 * under load) — exactly the kind of block this package exists to report.
 *
 * Even native, the periodic part is kept to what a reader needs. monitorEventLoopDelay's own histogram
 * spans 1 µs to 2^63 ns at 3 digits (46,080 counters, 368 KB) and its reset() clears all of them; its mean
 * walks them. So the timer's samples are taken into the sampler's histograms (a fold, which resets it)
 * only when someone reads the figures (the lag window, the worker's state after a stall or when a
 * watcher wants it, snapshot()) or the timer must restart (pause, resume, realign), and only a histogram
 * that recorded something is reset. Means and deviations come from running sums (LagMoments), never
 * from a walk over the buckets.
 */

export interface LagSampler {
  readonly source: LagFigures['source'];
  /** Feed for the timer-drift source: how late a timer of `resolutionMs` fired, ms. */
  recordDrift(lateMs: number): void;
  window(): LagFigures;
  total(): LagFigures;
  /**
   * Restarts the perf_hooks timer from now, so that it fires in the same loop iteration as a timer of the
   * same period started now (the heartbeat). Folds first, so no sample spans the restart.
   */
  realign(): void;
  /**
   * Stops the perf_hooks timer while the loop idles (its wake-ups would be all an idle process does).
   * The paused time counts as samples of zero lag, one per resolution period: what the timer would have
   * measured on a loop with nothing to do, so percentiles stay comparable with always-on samplers.
   */
  pause(): void;
  resume(): void;
  /**
   * A block the heartbeat measured. While paused: the one sample, as late as the block was long, that
   * the timer would have taken. While the timer runs its own sample has the block, its lag raised to the
   * block's length (see moveSamples), unless a reset of the timer hid it; the next fold finds that out and
   * records it then (`recordHiddenLag`).
   */
  recordBlock(durationMs: number): void;
  readonly paused: boolean;
  stop(): void;
}

type NativeHistogram = Pick<RecordableHistogram, 'count' | 'percentile' | 'reset' | 'record'>;

/** Nanoseconds; a sample of more than a minute is a stall and the stall histogram has it. */
const LAG_TOP_NANOS = 60e9;
/**
 * 1 µs to a minute, 2 significant digits (1 % buckets): ~2,000 counters. The default range (1 ns to
 * 2^53, 3 digits) has ~45,000, and mean/stddev/percentile walk all of them: reading the total figures
 * once a second for the worker took ~0.8 ms of main-thread CPU, more than all idle wake-ups together.
 */
const HISTOGRAM_RANGE = { lowest: 1000, highest: LAG_TOP_NANOS, figures: 2 };
const clampNanos = (nanos: number): number => (nanos > LAG_TOP_NANOS ? LAG_TOP_NANOS : nanos < 1 ? 1 : Math.round(nanos));
/**
 * How often realign() really restarts the timer, ms. Restarting it once a second in step with the beat
 * (as before) cost more idle wake-ups than it saved: a 100 ms setInterval beside monitorEventLoopDelay(100)
 * enabled once from its callback woke an idle process 10.5-10.7 times a second over 20-40 s, 11.0-11.3
 * when restarted every second (none: 10.0; voluntary context switches, Node 20.20). Each restart also
 * resets the timer's 368 KB histogram. Once a minute keeps the two in step over days.
 */
const REALIGN_EVERY_MS = 60_000;

export function createLagSampler(source: LagFigures['source'], resolutionMs: number): LagSampler {
  // createHistogram exists since Node 15.9 (so wherever monitorEventLoopDelay does); a runtime
  // without it only has the timer-drift source, fed into a plain accumulator.
  const native = typeof perfHooks.createHistogram === 'function';
  const windowHistogram: NativeHistogram = native ? perfHooks.createHistogram(HISTOGRAM_RANGE) : new SimpleHistogram();
  const totalHistogram: NativeHistogram = native ? perfHooks.createHistogram(HISTOGRAM_RANGE) : new SimpleHistogram();
  // The native histograms report min, max and percentiles rounded to their bucket (up to 1% here): the
  // exact extremes are kept beside them, and the percentiles clamped to them.
  const windowRange = new ExactRange();
  const totalRange = new ExactRange();
  const windowMoments = new LagMoments();
  const totalMoments = new LagMoments();
  // perf_hooks samples include the resolution; the drift feed already has the interval taken off.
  const offsetNanos = source === 'perf_hooks' ? resolutionMs * 1e6 : 0;
  const record = (nanos: number): void => {
    windowHistogram.record(nanos);
    totalHistogram.record(nanos);
    windowRange.record(nanos);
    totalRange.record(nanos);
    // A sample a little under the resolution is the timer's millisecond rounding, not negative lag.
    const lagNanos = nanos > offsetNanos ? nanos - offsetNanos : 0;
    windowMoments.record(lagNanos);
    totalMoments.record(lagNanos);
  };

  let delay: IntervalHistogram | null = null;
  /** Whether the perf_hooks timer is enabled. */
  let timerOn = false;
  /**
   * True while the timer has certainly not ticked since its last reset(): it holds no sample and no
   * previous tick, so it needs no reset to forget one. A tick can only come between two turns of the
   * loop: set on reset() or enable(), it is cleared after the current turn if the timer is on.
   */
  let clean = true;
  const endOfTurn = (): void => {
    if (timerOn) clean = false;
  };
  const enableTimer = (timer: IntervalHistogram): void => {
    timer.enable();
    timerOn = true;
    queueMicrotask(endOfTurn);
  };
  const disableTimer = (timer: IntervalHistogram): void => {
    timer.disable();
    timerOn = false;
  };
  if (source === 'perf_hooks') {
    delay = perfHooks.monitorEventLoopDelay({ resolution: resolutionMs });
    enableTimer(delay);
  }
  /** performance.now() of the last restart in step with a beat (realign); -Infinity until the first. */
  let alignedAt = -Infinity;

  let pausedAt: number | null = null;
  let windowZeros = 0;
  let totalZeros = 0;
  /** Adds the whole resolution periods paused so far as zero-lag samples. */
  const countPausedPeriods = (): void => {
    if (pausedAt === null) return;
    const periods = Math.floor((perfHooks.performance.now() - pausedAt) / resolutionMs);
    if (periods <= 0) return;
    pausedAt += periods * resolutionMs;
    windowZeros += periods;
    totalZeros += periods;
  };

  /** performance.now() when the perf_hooks timer was last reset (or enabled). */
  let resetAt = perfHooks.performance.now();
  /** The longest block the heartbeat measured since then while the timer ran (its sample's lag is raised to it). */
  let blockSinceResetMs = 0;

  /**
   * Takes what the perf_hooks timer measured since its last reset into both histograms, and resets it.
   * A timer that recorded nothing keeps running unreset (its previous tick stays the start of the next
   * sample, which is right: no reset, no forgotten tick) unless lag it did not sample had to be recorded.
   */
  const fold = (): void => {
    if (delay === null || clean) return;
    const count = delay.count;
    // Paused, the timer does not run: nothing is hidden, and the paused periods are counted apart.
    const hidden = pausedAt === null && recordHiddenLag(delay, count);
    if (count > 0) moveSamples(delay, count, hidden ? 0 : blockSinceResetMs);
    if (count > 0 || hidden) resetTimer(delay);
  };

  /** Forgets the timer's samples and its previous tick; what it covers starts now. */
  const resetTimer = (delay: IntervalHistogram): void => {
    delay.reset();
    clean = true;
    if (timerOn) queueMicrotask(endOfTurn);
    restartCoverage();
  };

  const restartCoverage = (): void => {
    resetAt = perfHooks.performance.now();
    blockSinceResetMs = 0;
  };

  /**
   * Moves what perf_hooks gathered since the last fold into both histograms. The event-loop delay
   * histogram cannot be add()ed to a recordable one (Node 20 rejects it), so its distribution is
   * rebuilt from its percentile table (a few dozen entries, native). It holds at most one sample per
   * resolution period since the last fold (50 a second at 20 ms), so the record() loop stays short.
   * The table gives each bucket's lowest value; the top sample is recorded as `max` instead, the closest
   * to the real longest delay that perf_hooks tells (its bucket's highest value, within 0.1%).
   *
   * Or as the longest block the heartbeat measured meanwhile, when that is longer. The sample that spans a
   * block of D ms is D plus however long after the tick before it the block began, so its lag (less the
   * resolution) is anywhere from D − resolution to D: at the default resolution (the threshold, 100 ms) a
   * 133 ms block read as 33-133 ms of lag, and the lag's max came out under the longest stall beside it.
   * A timer due as the block began would have been D late: the sample a block leaves while the timer
   * sleeps (recordBlock), so a block counts alike whether the timer ran or slept through it.
   */
  const moveSamples = (delay: IntervalHistogram, count: number, blockMs: number): void => {
    let previousPercentile = 0;
    let recorded = 0;
    for (const [percentile, nanos] of delay.percentiles) {
      const share = Math.round((count * (percentile - previousPercentile)) / 100);
      previousPercentile = percentile;
      const value = clampNanos(nanos);
      for (let i = 0; i < share && recorded < count - 1; i++, recorded++) record(value);
    }
    const top = blockMs > 0 ? Math.max(delay.max, blockMs * 1e6 + offsetNanos) : delay.max;
    for (const max = clampNanos(top); recorded < count; recorded++) record(max);
  };

  /**
   * A reset makes the timer forget its previous tick: a block that starts before the first tick after
   * it leaves no sample (that tick has nothing to measure from), and neither does one whose tick was
   * still due at the reset. Measured on Node 20-24: a 300 ms block right after reset() is in no sample.
   * The samples are the gaps between consecutive ticks, so together they span the first tick after the
   * reset to the latest; the time outside them is under two periods on a loop without lag. More than
   * that is lag no sample shows, and it is recorded as the one sample the timer missed: the block the
   * heartbeat measured, where one that long fits, else the hidden time less a period (the partial
   * periods at either end, when the block began or ended a period away from a tick).
   */
  const recordHiddenLag = (delay: IntervalHistogram, count: number): boolean => {
    const sinceResetMs = perfHooks.performance.now() - resetAt;
    // A lower bound of the samples' sum first, from what the timer answers without walking its buckets:
    // no sample is shorter than the resolution less its millisecond rounding, nor than the min, and one
    // is the max (reported as its bucket's top, within 1/1024). When even the bound leaves no more than
    // two periods uncovered, the exact sum would too, and the walk for the mean is not needed.
    const coveredAtLeastNanos = count === 0 ? 0 : Math.max(count * Math.max(0, resolutionMs - 1) * 1e6, delay.max * (1 - 1 / 1000) + (count - 1) * delay.min);
    if (sinceResetMs - coveredAtLeastNanos / 1e6 <= 2 * resolutionMs) return false;
    const hiddenMs = sinceResetMs - (count === 0 ? 0 : (count * delay.mean) / 1e6);
    if (hiddenMs <= 2 * resolutionMs) return false;
    const lagMs = Math.max(blockSinceResetMs <= hiddenMs ? blockSinceResetMs : 0, hiddenMs - resolutionMs);
    record(clampNanos(lagMs * 1e6 + offsetNanos));
    return true;
  };

  const figures = (histogram: NativeHistogram, range: ExactRange, moments: LagMoments, zeros: number): LagFigures => figuresOf(histogram, range, moments, zeros, offsetNanos, source);

  return {
    source,
    recordDrift(lateMs) {
      // Native record() takes integers >= 1.
      record(lateMs <= 0 ? 1 : lateMs * 1e6 > LAG_TOP_NANOS ? LAG_TOP_NANOS : Math.round(lateMs * 1e6) || 1);
    },
    window() {
      fold();
      countPausedPeriods();
      const result = figures(windowHistogram, windowRange, windowMoments, windowZeros);
      // A reset clears the whole count array: only when something was recorded.
      if (windowHistogram.count > 0) windowHistogram.reset();
      windowRange.reset();
      windowMoments.reset();
      windowZeros = 0;
      return result;
    },
    total() {
      fold();
      countPausedPeriods();
      return figures(totalHistogram, totalRange, totalMoments, totalZeros);
    },
    get paused() {
      return pausedAt !== null;
    },
    pause() {
      if (delay === null || pausedAt !== null) return;
      fold();
      disableTimer(delay);
      pausedAt = perfHooks.performance.now();
    },
    recordBlock(durationMs) {
      if (pausedAt === null) {
        if (durationMs > blockSinceResetMs) blockSinceResetMs = durationMs;
        return;
      }
      record(clampNanos(durationMs * 1e6 + offsetNanos));
    },
    resume() {
      if (delay === null || pausedAt === null) return;
      countPausedPeriods();
      pausedAt = null;
      // The tick before the pause must not start a sample that spans it; a timer reset since holds none.
      if (clean) restartCoverage();
      else resetTimer(delay);
      enableTimer(delay);
    },
    realign() {
      if (delay === null || pausedAt !== null) return;
      const now = perfHooks.performance.now();
      if (now - alignedAt < REALIGN_EVERY_MS) return;
      alignedAt = now;
      // Forget the previous tick (fold, then reset if the fold did not): no sample spans the restart.
      fold();
      if (clean) restartCoverage();
      else resetTimer(delay);
      disableTimer(delay);
      enableTimer(delay);
    },
    stop() {
      pausedAt = null;
      if (delay !== null) disableTimer(delay);
    },
  };
}

const ms = (nanos: number): number => Math.round(nanos / 1000) / 1000;

/**
 * Figures of the histogram's samples (resolution taken off) together with `zeros` samples of zero lag.
 * `range` holds the exact extremes of those samples: min and max are reported from it, percentiles within it;
 * `moments` their exact sums, for the mean and deviation.
 */
function figuresOf(histogram: NativeHistogram, range: ExactRange, moments: LagMoments, zeros: number, offsetNanos: number, source: LagFigures['source']): LagFigures {
  const measured = histogram.count;
  const samples = measured + zeros;
  if (samples === 0) return emptyLagFigures(source);
  const lag = (nanos: number): number => Math.max(0, nanos - offsetNanos);
  if (measured === 0) return { minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, samples, source };
  const share = measured / samples;
  const mean = (moments.sum / measured) * share;
  // Mean of squares over all samples (the zeros add none), then the variance about the joint mean.
  const meanSquare = (moments.sumSquares / measured) * share;
  const percentile = (percent: number): number => {
    const rank = (percent / 100) * samples - zeros;
    return rank <= 0 ? 0 : ms(lag(range.clamp(histogram.percentile(Math.min(100, (rank / measured) * 100)))));
  };
  return {
    minMs: zeros > 0 ? 0 : ms(lag(range.min)),
    maxMs: ms(lag(range.max)),
    meanMs: ms(mean),
    stddevMs: ms(Math.sqrt(Math.max(0, meanSquare - mean * mean))),
    p50Ms: percentile(50),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    samples,
    source,
  };
}

/**
 * Where perf_hooks has no createHistogram (not Node): percentiles from 64 power-of-two-ish buckets
 * (coarse, allocation-free); the exact min, max, mean and deviation are kept beside it by the sampler.
 */
class SimpleHistogram implements NativeHistogram {
  readonly #buckets = new Float64Array(64);
  count = 0;
  #max = 0;

  record(value: number | bigint): void {
    value = Number(value);
    if (value > this.#max) this.#max = value;
    this.count++;
    const index = Math.min(63, Math.max(0, Math.floor(Math.log2(value) * 2)));
    this.#buckets[index] = (this.#buckets[index] ?? 0) + 1;
  }

  percentile(percentile: number): number {
    const target = (this.count * percentile) / 100;
    let seen = 0;
    for (let i = 0; i < 64; i++) {
      seen += this.#buckets[i] ?? 0;
      if (seen >= target && seen > 0) return Math.min(this.#max, 2 ** ((i + 1) / 2));
    }
    return this.#max;
  }

  reset(): void {
    this.#buckets.fill(0);
    this.count = this.#max = 0;
  }
}
