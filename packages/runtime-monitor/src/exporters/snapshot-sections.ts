/**
 * Readers for the snapshot sections the exporters use. Sections cross the thread boundary to the
 * watchdog worker as `unknown`, so each is checked before it is trusted: a missing or malformed
 * section leaves its metrics out instead of failing the scrape.
 */
import type { MonitorSnapshot } from '../types.js';
import type { RoutesSection } from '../middleware/tracker.js';
import { AGENTS_SECTION, type AgentsSection } from '../agents/run-figures.js';

/** Cumulative event-loop time by state, from `performance.eventLoopUtilization()` on the main thread. */
export interface EventLoopTime {
  activeMs: number;
  idleMs: number;
}

/** Name of the snapshot section carrying {@link EventLoopTime}. */
export const EVENT_LOOP_SECTION = 'eventLoop';

/** Name of the section the in-flight SLA's breach counts are published as (only while the SLA is on). */
export const SLA_SECTION = 'sla';

export interface SlaSection {
  slaMs: number;
  /** Agent runs and HTTP requests seen in flight past `slaMs`, each counted once. */
  breaches: { run: number; request: number };
}

/** The middleware's `routes` section, or null when no middleware published one. */
export function routesSectionOf(snapshot: MonitorSnapshot): RoutesSection | null {
  const section = snapshot.sections?.routes as RoutesSection | undefined;
  if (section === undefined || section === null || !Array.isArray(section.routes)) return null;
  return section;
}

/** The `eventLoop` section, or null when it was not published (the worker cannot read the main thread's loop time itself). */
export function eventLoopTimeOf(snapshot: MonitorSnapshot): EventLoopTime | null {
  const section = snapshot.sections?.[EVENT_LOOP_SECTION] as EventLoopTime | undefined;
  if (section === undefined || section === null || typeof section.activeMs !== 'number') return null;
  return section;
}

/** The `agents` section (runs in flight, per-tool figures), or null when no run was ever tracked (trackRun, the SDK adapters). */
export function agentsSectionOf(snapshot: MonitorSnapshot): AgentsSection | null {
  const section = snapshot.sections?.[AGENTS_SECTION] as AgentsSection | undefined;
  if (section === undefined || section === null || !Array.isArray(section.tools) || !Array.isArray(section.agents)) return null;
  return section;
}

/** The `sla` section (in-flight SLA breaches), or null when the SLA is off or nothing tracks runs or requests. */
export function slaSectionOf(snapshot: MonitorSnapshot): SlaSection | null {
  const section = snapshot.sections?.[SLA_SECTION] as SlaSection | undefined;
  if (section === undefined || section === null || typeof section.breaches !== 'object' || section.breaches === null) return null;
  return section;
}
