/**
 * Cumulative event-loop time by state (`nodejs.eventloop.time`). Only the main thread can read its own
 * figures, so main-thread exporters read them directly and the monitor publishes them as a section
 * for the worker-served endpoint.
 */
import { performance } from 'node:perf_hooks';
import type { MonitorSnapshot } from '../types.js';
import { EVENT_LOOP_SECTION, type EventLoopTime } from './snapshot-sections.js';

export function readEventLoopTime(): EventLoopTime {
  const { active, idle } = performance.eventLoopUtilization();
  return { activeMs: active, idleMs: idle };
}

/** The snapshot with this thread's event-loop time added, unless it already carries one. */
export function withEventLoopTime(snapshot: MonitorSnapshot): MonitorSnapshot {
  if (snapshot.sections?.[EVENT_LOOP_SECTION] !== undefined) return snapshot;
  return { ...snapshot, sections: { ...snapshot.sections, [EVENT_LOOP_SECTION]: readEventLoopTime() } };
}

/** Publishes the `eventLoop` section through a monitor handle, so the worker endpoint exports `nodejs_eventloop_time_seconds`. */
export function publishEventLoopTime(handle: { publishSection(name: string, provider: () => unknown): unknown }): void {
  handle.publishSection(EVENT_LOOP_SECTION, readEventLoopTime);
}
