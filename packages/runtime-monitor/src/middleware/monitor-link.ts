/**
 * The middleware's only coupling to the monitor core: the running handle and the async context.
 */
import type { MonitorContext } from '../types.js';
import { setContext, withTrustedContext } from '../context/index.js';
import { getMonitor } from '../monitor.js';
import type { MonitorHandleLike } from './tracker.js';

export function currentMonitor(): MonitorHandleLike | null {
  return getMonitor();
}

/** `context` must come from the adapter core, which sanitises the user's fields once per request. */
export function runInContext<T>(context: MonitorContext, fn: () => T): T {
  return withTrustedContext(context, fn);
}

/** Replaces what the current execution (and what it schedules) is attributed to. */
export function enterContext(context: MonitorContext): void {
  setContext(context);
}
