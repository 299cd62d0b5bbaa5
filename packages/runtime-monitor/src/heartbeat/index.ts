import { performance } from 'node:perf_hooks';
import { BEAT, pushStall } from './shared-state.js';

/*
 * The main thread's whole share of stall detection: an unref'd interval that stores the time into
 * shared memory. The beat that ends a stall pushes it into the ring (so counting never depends on the
 * worker having been scheduled in time).
 *
 * A gap between two beats overstates a block by up to one interval (the idle wait before the block is
 * in it). The loop's own idle-time counter (libuv metrics, read allocation-free) takes the idle part
 * out, so the measured figure is the loop's busy time between the beats: exact for a lone block, and
 * the interval can be as long as the threshold (the default: one wake-up per threshold) without idle
 * beats that arrive a little late, or short blocks after an idle wait, being counted as stalls.
 */

/** Cumulative loop idle ms (libuv metrics), or null where the runtime does not keep it. */
function idleTimeReader(): (() => number) | null {
  const timing = performance.nodeTiming as { idleTime?: unknown } | undefined;
  if (timing === undefined || typeof timing.idleTime !== 'number') return null;
  return () => (timing as { idleTime: number }).idleTime;
}

export interface HeartbeatOptions {
  state: Int32Array;
  intervalMs: number;
  thresholdMs: number;
  /** performance.timeOrigin of the main thread minus the monitor's start (epoch ms). */
  clockOffsetMs: number;
  /** Called on the main thread after a stall, e.g. to count it when there is no worker. */
  onStall?: (startBeat: number, durationMs: number) => void;
  /** Timer-drift lag sampling: receives how late each beat was, ms. */
  onDrift?: (lateMs: number) => void;
  /**
   * Called after each regular beat (not the saturated loop's extra ones) with the loop's busy ms since
   * the beat before: periodic main-thread work rides on this wake-up instead of a timer of its own.
   */
  onBeat?: (busyMs: number) => void;
}

export interface Heartbeat {
  /** Monitor-clock ms now, on the main thread. */
  now(): number;
  setOnStall(onStall: ((startBeat: number, durationMs: number) => void) | undefined): void;
  stop(): void;
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { state, thresholdMs, clockOffsetMs, onDrift, onBeat } = options;
  let onStall = options.onStall;
  const now = (): number => (performance.now() + clockOffsetMs) | 0;
  const idleTime = idleTimeReader();
  // Without the idle counter every idle gap would count in full: beat at threshold / 2 at most, so a
  // late idle beat never looks like a stall (Node >= 14.10 has the counter; this is for lookalikes).
  const intervalMs = idleTime === null ? Math.max(1, Math.min(options.intervalMs, Math.floor(thresholdMs / 2))) : options.intervalMs;
  let last = now();
  let lastIdle = idleTime?.() ?? 0;
  let lastScheduled = last;
  Atomics.store(state, BEAT, last);

  // A saturated loop (many short tasks, no idle) is busy for the whole gap between two beats, so with
  // beats a threshold apart every gap would read as a stall. While the loop is mostly busy, a second,
  // faster beat keeps the gaps at a quarter threshold: only a task that really holds the loop for about
  // the threshold makes a gap that long. It costs no wake-up (the loop is awake anyway) and stops as
  // soon as the loop idles again, leaving one wake-up per threshold, aligned with the lag sampler's.
  const busyBeatMs = Math.max(1, Math.floor(thresholdMs / 4));
  let busyTimer: NodeJS.Timeout | null = null;

  /** Stores a beat; returns the loop's busy ms since the previous one. */
  const beat = (): number => {
    const current = now();
    const gap = (current - last) | 0;
    let busy = gap;
    if (idleTime !== null) {
      const idle = idleTime() - lastIdle;
      if (idle > 0) busy = Math.max(0, Math.round(gap - idle));
    }
    if (busy > thresholdMs) {
      // Before the beat itself: the worker treats a moved beat as "the stall is over, look in the ring".
      pushStall(state, last, busy, current);
      onStall?.(last, busy);
    }
    last = current;
    if (idleTime !== null) {
      lastIdle = idleTime();
      if (gap > 0) {
        if (busyTimer === null && busy * 2 > gap) {
          busyTimer = setInterval(() => void beat(), busyBeatMs);
          busyTimer.unref();
        } else if (busyTimer !== null && busy * 4 < gap) {
          clearInterval(busyTimer);
          busyTimer = null;
        }
      }
    }
    Atomics.store(state, BEAT, current);
    return busy;
  };
  const scheduledBeat = (): void => {
    // Timer drift is measured on the regular beat only: the busy beat's gaps are not an interval.
    if (onDrift !== undefined) {
      const current = now();
      onDrift(((current - lastScheduled) | 0) - intervalMs);
      lastScheduled = current;
    }
    const busy = beat();
    onBeat?.(busy);
  };
  const timer = setInterval(scheduledBeat, intervalMs);
  timer.unref();

  return {
    now,
    setOnStall(next) {
      onStall = next;
    },
    stop() {
      clearInterval(timer);
      if (busyTimer !== null) clearInterval(busyTimer);
    },
  };
}
