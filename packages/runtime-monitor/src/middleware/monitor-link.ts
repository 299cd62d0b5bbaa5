/**
 * The middleware's only coupling to the monitor core's lifecycle: the running handle.
 */
import { getMonitor } from '../monitor.js';
import type { MonitorHandleLike } from './tracker.js';

export function currentMonitor(): MonitorHandleLike | null {
  return getMonitor();
}
