import { performance } from 'node:perf_hooks';

/*
 * The monitor clock: ms since the monitor started, on this thread's monotonic clock, as an Int32 (the
 * shared state stores it so; compare with wrap-around arithmetic). Every thread reads the same clock by
 * passing the same base, so their readings agree to within a millisecond.
 */

/** Monitor-clock ms now. */
export type MonitorClock = () => number;

/** The monitor clock of a monitor that started at epoch ms `clockBaseMs` (fractional). */
export function monitorClock(clockBaseMs: number): MonitorClock {
  const offsetMs = performance.timeOrigin - clockBaseMs;
  return () => (performance.now() + offsetMs) | 0;
}
