/*
 * The stalls the main thread has not heard of yet, charged to the sections it published.
 *
 * The per-route and per-tool figures are kept on the main thread (the tracker counts a block when the
 * monitor's 'stall' event reaches it) and reach the worker in the next state. A block the worker posted
 * after the main thread built its last state is missing from those sections: for a process that exits
 * right after a tool's block always (its exit handler builds the final state before the worker finishes
 * that stall), and for a checkpoint or /metrics read in the moment between a stall and the next state.
 * The worker keeps those stalls here and charges them to a copy of the sections it serves, so the same
 * block has the same count everywhere, the summary included.
 */
import { TOOL_NAME_KEY } from '../agents/attributes.js';
import { AGENTS_SECTION, chargeBlock, type AgentsSection, type ToolSectionEntry } from '../agents/run-figures.js';
import { ROUTE_KEY, ROUTES_SECTION } from '../middleware/route-table.js';
import type { RouteSectionEntry, RoutesSection } from '../middleware/tracker.js';
import type { BlockEvent } from '../types.js';

/** Most stalls kept for a main thread that does not answer (it hears of them in order, milliseconds later). */
const MAX_UNHEARD = 1000;

export class UnheardStalls {
  readonly #stalls: { sequence: number; event: BlockEvent }[] = [];
  #sequence = 0;

  /** Numbers a stall message as it is posted; a counted block is kept until a state says it was heard. */
  posted(counted: BlockEvent | null): number {
    const sequence = ++this.#sequence;
    if (counted !== null && counted.startup !== true && this.#stalls.length < MAX_UNHEARD) this.#stalls.push({ sequence, event: counted });
    return sequence;
  }

  /** The main thread built a state after handling stall `sequence`: its sections count that one and those before. */
  heard(sequence: number): void {
    let kept = 0;
    while (kept < this.#stalls.length && this.#stalls[kept]!.sequence <= sequence) kept++;
    if (kept > 0) this.#stalls.splice(0, kept);
  }

  /**
   * `sections` with the unheard stalls charged as the tracker charges them: the route and the tool named in
   * the block's context (a route-less block is unattributed). Sections the main thread never published (no
   * tracker) stay absent. The time other calls waited through such a block is not charged: the worker does
   * not know which were in flight (those figures are lower bounds already).
   */
  charge(sections: Record<string, unknown>): Record<string, unknown> {
    if (this.#stalls.length === 0) return sections;
    const routes = copyRoutes(sections[ROUTES_SECTION]);
    const agents = copyAgents(sections[AGENTS_SECTION]);
    if (routes === null && agents === null) return sections;
    for (const { event } of this.#stalls) {
      if (routes !== null) {
        const route = event.context?.[ROUTE_KEY];
        if (typeof route !== 'string') routes.unattributedBlocks++;
        else chargeBlock(routeEntry(routes.routes, route), event.durationMs);
      }
      const tool = event.context?.[TOOL_NAME_KEY];
      if (agents !== null && typeof tool === 'string') chargeBlock(toolEntry(agents.tools, tool), event.durationMs);
    }
    return { ...sections, ...(routes === null ? {} : { [ROUTES_SECTION]: routes }), ...(agents === null ? {} : { [AGENTS_SECTION]: agents }) };
  }
}

/** A copy of the routes section deep enough to charge, or null when it is absent or not the shape it should be. */
function copyRoutes(value: unknown): RoutesSection | null {
  const section = value as Partial<RoutesSection> | null | undefined;
  if (typeof section !== 'object' || section === null || !Array.isArray(section.routes) || typeof section.unattributedBlocks !== 'number') return null;
  return { ...(section as RoutesSection), routes: section.routes.map((entry) => ({ ...entry })) };
}

function copyAgents(value: unknown): AgentsSection | null {
  const section = value as Partial<AgentsSection> | null | undefined;
  if (typeof section !== 'object' || section === null || !Array.isArray(section.tools) || !Array.isArray(section.agents)) return null;
  return { ...(section as AgentsSection), tools: section.tools.map((entry) => ({ ...entry })) };
}

/*
 * A name the section does not list yet gets its own entry. The main thread would have done the same unless
 * its cap on names was reached (it would count it under `other`); the worker does not know the cap, and a
 * few unheard stalls past it are a smaller error than a block counted nowhere.
 */
function routeEntry(routes: RouteSectionEntry[], route: string): RouteSectionEntry {
  let entry = routes.find((figures) => figures.route === route);
  if (entry === undefined) {
    entry = { route, requests: 0, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0, shed: 0, inFlight: 0, oldestInFlightStartedAt: null };
    routes.push(entry);
  }
  return entry;
}

function toolEntry(tools: ToolSectionEntry[], tool: string): ToolSectionEntry {
  let entry = tools.find((figures) => figures.tool === tool);
  if (entry === undefined) {
    entry = { tool, calls: 0, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0, inFlight: 0 };
    tools.push(entry);
  }
  return entry;
}
