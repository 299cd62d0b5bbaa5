/**
 * The middleware's only coupling to the monitor core: the running handle and the async context.
 */
import type { MonitorContext } from '../types.js';
import { setContext, withContext } from '../context/index.js';
import * as root from '../index.js';
import type { MonitorHandleLike } from './tracker.js';

// Read through the namespace: getMonitor lands in the package root alongside startMonitor.
const rootExports = root as { getMonitor?: () => unknown };

export function currentMonitor(): MonitorHandleLike | null {
  return (rootExports.getMonitor?.() ?? null) as MonitorHandleLike | null;
}

export function runInContext<T>(context: MonitorContext, fn: () => T): T {
  return withContext(context, fn);
}

/** Replaces what the current execution (and what it schedules) is attributed to. */
export function enterContext(context: MonitorContext): void {
  setContext(context);
}
