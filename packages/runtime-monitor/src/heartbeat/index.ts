import { performance } from 'node:perf_hooks';
import { BEAT, ON_DEMAND, ON_DEMAND_ALLOWED, POKE, POKE_ANSWERED, pushStall } from './shared-state.js';

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
 *
 * On-demand beats. Even one wake-up per threshold is most of an idle monitor's cost (a wake-up of an
 * idle loop costs this 2-vCPU VM about 0.2 ms of CPU). Where the sentinel can see from outside that the
 * main thread sits idle in its event loop's poll (Linux /proc), it vouches for the idle loop itself and
 * pokes the main thread (Atomics.waitAsync on POKE) only when it saw the loop at work: the main thread
 * then beats as before, and an idle process's main thread sleeps, waking only for the periodic work
 * (publishing, once a second). The beats still come a threshold apart at most while the loop works, so
 * the busy-time measurement, and with it every count and duration, is the same as with the timer.
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
  onBeat?: (busyMs: number, gapMs: number) => void;
  /** Period of the periodic work (onBeat) while beats are on demand, ms. */
  periodicMs: number;
  /** False: always the beat timer. */
  allowOnDemand: boolean;
  /** Called when beats turn on-demand (true) or back to the timer (false). */
  onModeChange?: (onDemand: boolean) => void;
}

export interface Heartbeat {
  /** Monitor-clock ms now, on the main thread. */
  now(): number;
  setOnStall(onStall: ((startBeat: number, durationMs: number) => void) | undefined): void;
  /** True while the main thread beats on demand, without its beat timer. */
  readonly onDemand: boolean;
  /** Back to the beat timer for good (the sentinel that pokes is gone). */
  useTimer(): void;
  stop(): void;
}

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { state, thresholdMs, clockOffsetMs, onDrift, onBeat, onModeChange } = options;
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

  /** The gap the latest beat closed, ms. */
  let lastGap = 0;
  /** Stores a beat; returns the loop's busy ms since the previous one. */
  const beat = (): number => {
    const current = now();
    const gap = (current - last) | 0;
    lastGap = gap;
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
    onBeat?.(busy, lastGap);
  };
  const startTimer = (onDemand: boolean): NodeJS.Timeout => {
    const started = setInterval(scheduledBeat, onDemand ? options.periodicMs : intervalMs);
    started.unref();
    return started;
  };
  let onDemand = false;
  let stopped = false;
  let timer = startTimer(false);

  // On-demand beats need the idle counter (gaps are long) and no timer-drift sampling (it needs the
  // regular beat); the sentinel turns them on (ON_DEMAND) and pokes to say so.
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  const switchMode = (next: boolean): void => {
    if (next === onDemand) return;
    onDemand = next;
    clearInterval(timer);
    timer = startTimer(next);
    onModeChange?.(next);
  };
  const answerPoke = (): void => {
    if (stopped) return;
    const poke = Atomics.load(state, POKE);
    switchMode(Atomics.load(state, ON_DEMAND) === 1 && Atomics.load(state, ON_DEMAND_ALLOWED) === 1);
    const busy = beat();
    Atomics.store(state, POKE_ANSWERED, poke);
    onBeat?.(busy, lastGap);
    waitForPoke(poke);
  };
  // A pending waitAsync does not keep the process alive (measured on Node 20): nothing to unref.
  const waitForPoke = (seen: number): void => {
    if (stopped || waitAsync === undefined) return;
    const waiting = waitAsync(state, POKE, seen);
    if (waiting.async) void waiting.value.then(answerPoke);
    else queueMicrotask(answerPoke);
  };
  if (options.allowOnDemand && idleTime !== null && onDrift === undefined && waitAsync !== undefined) {
    Atomics.store(state, ON_DEMAND_ALLOWED, 1);
    waitForPoke(Atomics.load(state, POKE));
  }

  return {
    now,
    setOnStall(next) {
      onStall = next;
    },
    get onDemand() {
      return onDemand;
    },
    useTimer() {
      Atomics.store(state, ON_DEMAND_ALLOWED, 0);
      Atomics.store(state, ON_DEMAND, 0);
      if (!stopped) switchMode(false);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      if (busyTimer !== null) clearInterval(busyTimer);
      Atomics.store(state, ON_DEMAND_ALLOWED, 0);
      // Releases the pending wait (it answers nothing once stopped).
      Atomics.notify(state, POKE);
    },
  };
}
