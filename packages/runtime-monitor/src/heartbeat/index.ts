import { performance } from 'node:perf_hooks';
import type { MonitorClock } from './clock.js';
import { waitAsync, type MainThreadSlots } from './shared-state.js';

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
  slots: MainThreadSlots;
  intervalMs: number;
  thresholdMs: number;
  now: MonitorClock;
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
  /**
   * Beats now, outside any timer: at exit, so a block that ran up to the exit (the process's last task,
   * `process.exit()` or a throw right after it) is measured and pushed like any other. Returns the loop's
   * busy ms since the beat before.
   */
  beatNow(): number;
  stop(): void;
}

/**
 * Measures the loop's busy time between beats and records each gap over the threshold as a stall: the
 * heartbeat's whole decision, apart from its timers (so a test drives it with a fake clock and idle counter).
 */
export class BeatRecorder {
  readonly #slots: MainThreadSlots;
  readonly #now: MonitorClock;
  readonly #idleTime: (() => number) | null;
  readonly #thresholdMs: number;
  #last: number;
  #lastIdle: number;
  /** The gap the latest beat closed, ms. */
  lastGap = 0;
  onStall: ((startBeat: number, durationMs: number) => void) | undefined;

  constructor(slots: MainThreadSlots, now: MonitorClock, idleTime: (() => number) | null, thresholdMs: number) {
    this.#slots = slots;
    this.#now = now;
    this.#idleTime = idleTime;
    this.#thresholdMs = thresholdMs;
    this.#last = now();
    this.#lastIdle = idleTime?.() ?? 0;
    slots.storeBeat(this.#last, this.#lastIdle);
  }

  /** Stores a beat; returns the loop's busy ms since the previous one. */
  beat(): number {
    const current = this.#now();
    const gap = (current - this.#last) | 0;
    this.lastGap = gap;
    let busy = gap;
    if (this.#idleTime !== null) {
      const idleNow = this.#idleTime();
      const idle = idleNow - this.#lastIdle;
      if (idle > 0) busy = Math.max(0, Math.round(gap - idle));
      this.#lastIdle = idleNow;
    }
    if (busy > this.#thresholdMs || (gap > this.#thresholdMs && this.#slots.published(this.#last))) {
      // Before the beat itself: the worker treats a moved beat as "the stall is over, look in the ring".
      this.#slots.pushStall(this.#last, busy, current);
      this.onStall?.(this.#last, busy);
    }
    this.#last = current;
    this.#slots.storeBeat(current, this.#lastIdle);
    return busy;
  }
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { slots, thresholdMs, now, onDrift, onBeat, onModeChange } = options;
  const idleTime = idleTimeReader();
  // Without the idle counter every idle gap would count in full: beat at threshold / 2 at most, so a
  // late idle beat never looks like a stall (Node >= 14.10 has the counter; this is for lookalikes).
  const intervalMs = idleTime === null ? Math.max(1, Math.min(options.intervalMs, Math.floor(thresholdMs / 2))) : options.intervalMs;
  const recorder = new BeatRecorder(slots, now, idleTime, thresholdMs);
  recorder.onStall = options.onStall;
  let lastScheduled = now();

  // A saturated loop (many short tasks, no idle) is busy for the whole gap between two beats, so with
  // beats a threshold apart every gap would read as a stall. While the loop is mostly busy, a second,
  // faster beat keeps the gaps at a quarter threshold: only a task that really holds the loop for about
  // the threshold makes a gap that long. It costs no wake-up (the loop is awake anyway) and stops as
  // soon as the loop idles again, leaving one wake-up per threshold, aligned with the lag sampler's.
  const busyBeatMs = Math.max(1, Math.floor(thresholdMs / 4));
  let busyTimer: NodeJS.Timeout | null = null;

  const beat = (): number => {
    const busy = recorder.beat();
    const gap = recorder.lastGap;
    if (idleTime !== null && gap > 0) {
      if (busyTimer === null && busy * 2 > gap) {
        busyTimer = setInterval(() => void beat(), busyBeatMs);
        busyTimer.unref();
      } else if (busyTimer !== null && busy * 4 < gap) {
        clearInterval(busyTimer);
        busyTimer = null;
      }
    }
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
    onBeat?.(busy, recorder.lastGap);
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
  // regular beat); the sentinel turns them on and pokes to say so.
  const switchMode = (next: boolean): void => {
    if (next === onDemand) return;
    onDemand = next;
    clearInterval(timer);
    timer = startTimer(next);
    onModeChange?.(next);
  };
  const answerPoke = (): void => {
    if (stopped) return;
    const poke = slots.pokeValue();
    switchMode(slots.onDemand && slots.onDemandAllowed);
    const busy = beat();
    slots.answerPoke(poke);
    onBeat?.(busy, recorder.lastGap);
    waitForPoke(poke);
  };
  // A pending waitAsync does not keep the process alive (measured on Node 20): nothing to unref.
  const waitForPoke = (seen: number): void => {
    if (stopped) return;
    const waiting = slots.waitForPoke(seen);
    if (waiting === undefined) return;
    if (waiting.async) void waiting.value.then(answerPoke);
    else queueMicrotask(answerPoke);
  };
  if (options.allowOnDemand && idleTime !== null && onDrift === undefined && waitAsync !== undefined) {
    slots.allowOnDemand(true);
    waitForPoke(slots.pokeValue());
  }

  return {
    now,
    setOnStall(next) {
      recorder.onStall = next;
    },
    get onDemand() {
      return onDemand;
    },
    useTimer() {
      slots.useTimer();
      if (!stopped) switchMode(false);
    },
    beatNow() {
      return stopped ? 0 : beat();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      if (busyTimer !== null) clearInterval(busyTimer);
      slots.allowOnDemand(false);
      // Releases the pending wait (it answers nothing once stopped).
      slots.releasePokeWait();
    },
  };
}
