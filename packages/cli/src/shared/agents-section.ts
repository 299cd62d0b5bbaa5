import type { AgentSectionEntry, ToolSectionEntry } from './monitor-types.js';

/*
 * Per-tool figures and agent runs in flight, read from the `agents` section the monitor publishes once a
 * run was tracked (trackRun, the SDK adapters): `{at, tools: [{tool, calls, blocks, blockedMs,
 * worstBlockMs, waitedMs, waits, inFlight}], agents: [{agent, tenant, inFlight, oldestInFlightStartedAt}]}`.
 * `watch` reads it from snapshots, `run` and `report` from the log's summaries and checkpoints. The
 * section belongs to another package and may grow, so it is read defensively, like the routes section.
 */

/** One tool's figures: the monitor's ToolSectionEntry, `waits` left out (nothing shows it). */
export type ToolRow = Pick<ToolSectionEntry, 'tool' | 'calls' | 'blocks' | 'blockedMs' | 'worstBlockMs' | 'waitedMs' | 'inFlight'>;

/**
 * One agent and tenant's runs in flight. `oldestAgeMs` is computed by the reader at a moment it names
 * (now for `watch`, so it keeps growing during a wedge; the snapshot's time for a log).
 */
export type AgentRow = Pick<AgentSectionEntry, 'agent' | 'tenant' | 'inFlight' | 'oldestInFlightStartedAt'> & { oldestAgeMs: number | null };

export interface AgentFigures {
  /** Tools by blocked time, worst first; then by calls. */
  tools: ToolRow[];
  /** Agents (and tenants) by runs in flight, most first; then by name. */
  agents: AgentRow[];
}

/** Reads `sections.agents`; null when the process tracked no run (an HTTP-only service has no such section). */
export function readAgentsSection(sections: Record<string, unknown> | undefined | null, at: number): AgentFigures | null {
  const section = sections?.['agents'];
  if (!isRecord(section)) return null;
  const tools = (Array.isArray(section['tools']) ? section['tools'] : []).filter(isRecord).map(
    (entry): ToolRow => ({
      tool: typeof entry['tool'] === 'string' ? entry['tool'] : '?',
      calls: count(entry['calls']),
      blocks: count(entry['blocks']),
      blockedMs: count(entry['blockedMs']),
      worstBlockMs: count(entry['worstBlockMs']),
      waitedMs: count(entry['waitedMs']),
      inFlight: count(entry['inFlight']),
    }),
  );
  const agents = (Array.isArray(section['agents']) ? section['agents'] : []).filter(isRecord).map((entry): AgentRow => {
    const oldest = typeof entry['oldestInFlightStartedAt'] === 'number' && Number.isFinite(entry['oldestInFlightStartedAt']) ? entry['oldestInFlightStartedAt'] : null;
    return {
      agent: typeof entry['agent'] === 'string' ? entry['agent'] : '',
      tenant: typeof entry['tenant'] === 'string' ? entry['tenant'] : '',
      inFlight: count(entry['inFlight']),
      oldestInFlightStartedAt: oldest,
      oldestAgeMs: oldest === null ? null : Math.max(0, at - oldest),
    };
  });
  return sorted({ tools, agents });
}

/**
 * Several processes' figures as one: tools added up by name (the worst block is the worst of them),
 * agents by agent and tenant (runs in flight added, the oldest run the oldest of them). Null when no
 * process has the section.
 */
export function mergeAgentFigures(list: readonly (AgentFigures | null)[]): AgentFigures | null {
  const present = list.filter((figures): figures is AgentFigures => figures !== null);
  if (present.length === 0) return null;
  const tools = new Map<string, ToolRow>();
  const agents = new Map<string, AgentRow>();
  for (const figures of present) {
    for (const row of figures.tools) {
      const seen = tools.get(row.tool);
      if (!seen) {
        tools.set(row.tool, { ...row });
        continue;
      }
      seen.calls += row.calls;
      seen.blocks += row.blocks;
      seen.blockedMs += row.blockedMs;
      seen.worstBlockMs = Math.max(seen.worstBlockMs, row.worstBlockMs);
      seen.waitedMs += row.waitedMs;
      seen.inFlight += row.inFlight;
    }
    for (const row of figures.agents) {
      const key = `${row.agent}\u0000${row.tenant}`;
      const seen = agents.get(key);
      if (!seen) {
        agents.set(key, { ...row });
        continue;
      }
      seen.inFlight += row.inFlight;
      if (row.oldestAgeMs !== null && (seen.oldestAgeMs === null || row.oldestAgeMs > seen.oldestAgeMs)) {
        seen.oldestAgeMs = row.oldestAgeMs;
        seen.oldestInFlightStartedAt = row.oldestInFlightStartedAt;
      }
    }
  }
  return sorted({ tools: [...tools.values()], agents: [...agents.values()] });
}

/** A run that names no agent (an MCP server's tool calls), or no tenant: a dash, not an empty cell. */
export function labelOrDash(label: string): string {
  return label === '' ? '–' : label;
}

function sorted(figures: AgentFigures): AgentFigures {
  return {
    tools: figures.tools.sort((a, b) => b.blockedMs - a.blockedMs || b.calls - a.calls || a.tool.localeCompare(b.tool)),
    agents: figures.agents.sort((a, b) => b.inFlight - a.inFlight || a.agent.localeCompare(b.agent) || a.tenant.localeCompare(b.tenant)),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative finite number, else 0: a field a monitor left out counts nothing. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
