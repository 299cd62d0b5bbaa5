import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import { BEAT, SENTINEL_SLEEP, SENTINEL_STOP, wakeWatchdog } from '../heartbeat/shared-state.js';

/*
 * The watchdog's alarm clock: a thread that does nothing but sleep in Atomics.wait until the main
 * thread's beat would turn stale, and wake the watchdog when it does. A futex wait costs a fraction of an
 * event-loop timer's wake-up (measured on the 2-vCPU VM: 0.08 ms against 0.25 ms of CPU each), and the
 * watchdog, which needs its event loop for sockets and the inspector, then sleeps without any timer
 * while the process is idle. It never returns to its own event loop; the watchdog ends it with
 * SENTINEL_STOP or terminate().
 */

export interface SentinelData {
  state: SharedArrayBuffer;
  /** A beat older than this is a stall (the watchdog's staleness). */
  staleMs: number;
  /** Epoch ms (fractional) at which the monitor clock reads 0. */
  clockBaseMs: number;
}

const { state: buffer, staleMs, clockBaseMs } = workerData as SentinelData;
const state = new Int32Array(buffer);
const clockOffsetMs = performance.timeOrigin - clockBaseMs;
const now = (): number => (performance.now() + clockOffsetMs) | 0;

// One ms past the watchdog's own staleness: the two threads' clocks agree only to within a millisecond.
const alarmMs = staleMs + 1;
while (Atomics.load(state, SENTINEL_STOP) === 0) {
  const gap = (now() - Atomics.load(state, BEAT)) | 0;
  if (gap > alarmMs) {
    // Again every staleness while the stall lasts: harmless (the watchdog is awake), and it never misses one.
    wakeWatchdog(state);
    Atomics.wait(state, SENTINEL_SLEEP, 0, staleMs);
  } else {
    Atomics.wait(state, SENTINEL_SLEEP, 0, alarmMs - gap + 1);
  }
}
