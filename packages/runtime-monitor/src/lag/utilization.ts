import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop utilisation (0..1) since the previous call, from the main thread. */
export function createUtilizationMeter(): () => number {
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(current, previous);
    previous = current;
    return Number.isFinite(window.utilization) ? Math.round(window.utilization * 10_000) / 10_000 : 0;
  };
}
