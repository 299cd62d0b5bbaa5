import { performance } from 'node:perf_hooks';
import { BEAT, pushStall } from './shared-state.js';

/*
 * The main thread's whole share of stall detection: an unref'd interval that stores the time into
 * shared memory. A gap between two beats longer than the threshold is a stall; the beat that ends it
 * pushes it into the ring (so counting never depends on the worker having been scheduled in time).
 */

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
}

export interface Heartbeat {
  /** Monitor-clock ms now, on the main thread. */
  now(): number;
  setOnStall(onStall: ((startBeat: number, durationMs: number) => void) | undefined): void;
  stop(): void;
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { state, intervalMs, thresholdMs, clockOffsetMs, onDrift } = options;
  let onStall = options.onStall;
  const now = (): number => (performance.now() + clockOffsetMs) | 0;
  let last = now();
  Atomics.store(state, BEAT, last);

  const beat = (): void => {
    const current = now();
    const gap = (current - last) | 0;
    if (gap > thresholdMs) {
      // Before the beat itself: the worker treats a moved beat as "the stall is over, look in the ring".
      pushStall(state, last, gap);
      onStall?.(last, gap);
    }
    if (onDrift !== undefined) onDrift(gap - intervalMs);
    last = current;
    Atomics.store(state, BEAT, current);
  };
  const timer = setInterval(beat, intervalMs);
  timer.unref();

  return {
    now,
    setOnStall(next) {
      onStall = next;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
