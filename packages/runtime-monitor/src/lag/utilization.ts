import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop utilisation (0..1) since the previous call, from the main thread. */
export function createUtilizationMeter(): () => number {
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const ratio = rounded(performance.eventLoopUtilization(current, previous));
    previous = current;
    return ratio;
  };
}

/**
 * Event-loop utilisation (0..1) since this was created: the figure a run's summary gives beside its lag
 * since start. The latest window's, read at exit, says only how the process's last second went.
 */
export function createUtilizationSinceStart(): () => number {
  const start = performance.eventLoopUtilization();
  return () => rounded(performance.eventLoopUtilization(performance.eventLoopUtilization(), start));
}

function rounded(window: EventLoopUtilization): number {
  return Number.isFinite(window.utilization) ? Math.round(window.utilization * 10_000) / 10_000 : 0;
}
