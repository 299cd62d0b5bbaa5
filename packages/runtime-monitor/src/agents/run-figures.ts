/**
 * Per-tool and per-agent figures of the runs in the in-flight table, with bounded cardinality: tool
 * names, agent names and tenants each have a cap, and everything past it is counted under `other`, so an
 * SDK that names tools after their arguments, or one tenant per user, cannot blow up the metrics.
 */
import type { BlockEvent } from '../types.js';
import { TOOL_NAME_KEY } from './attributes.js';
import type { RunRecord } from './run-record.js';

/** The label values past a cap are counted under. */
export const OTHER_LABEL = 'other';

/** Cumulative figures of one tool (plain data, published to the worker as is). */
export interface ToolFigures {
  /** `gen_ai.tool.name`. */
  tool: string;
  /** Calls of this tool that have returned (or settled). */
  calls: number;
  /** Stalls whose context named this tool (it was running when the loop froze). */
  blocks: number;
  blockedMs: number;
  worstBlockMs: number;
  /** Stall time that in-flight calls of this tool waited through while other code held the loop. */
  waitedMs: number;
  /** How many (call, stall) pairs make up `waitedMs`. */
  waits: number;
}

/** A tool's figures plus its calls in flight, as published in `snapshot.sections.agents`. */
export interface ToolSectionEntry extends ToolFigures {
  inFlight: number;
}

/** Runs in flight of one agent and tenant (top-level runs: a tool call inside an agent run is part of that run). */
export interface AgentSectionEntry {
  /** `gen_ai.agent.name`; empty for runs that name no agent (an MCP server's tool calls). */
  agent: string;
  /** The run's tenant label; empty when runs carry none. */
  tenant: string;
  inFlight: number;
  /** Epoch ms the oldest of them started; null when none. Ages are computed by readers, so they keep growing during a wedge. */
  oldestInFlightStartedAt: number | null;
}

export interface AgentsSection {
  /** Epoch ms the section was produced on the main thread. */
  at: number;
  tools: ToolSectionEntry[];
  /** One entry per (agent, tenant) seen since start, also when none is in flight now (its gauges read 0). */
  agents: AgentSectionEntry[];
}

/** The block figures a route or a tool keeps. */
export interface BlockFigures {
  blocks: number;
  blockedMs: number;
  worstBlockMs: number;
}

/**
 * Counts a block against the route or tool it ran in. The one place that does, for the tracker on the
 * main thread and the worker's summary of blocks the main thread had not heard of yet.
 */
export function chargeBlock(figures: BlockFigures, durationMs: number): void {
  figures.blocks++;
  figures.blockedMs += durationMs;
  if (durationMs > figures.worstBlockMs) figures.worstBlockMs = durationMs;
}

/** Name of the monitor section the run figures are published as. */
export const AGENTS_SECTION = 'agents';

export interface RunLimits {
  /** Tool names tracked before further ones are counted under `other`. Default 100. */
  maxTools?: number;
  /** Agent names, likewise. Default 100. */
  maxAgents?: number;
  /** Tenant labels, likewise. Default 20. */
  maxTenants?: number;
}

function limit(name: keyof RunLimits, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1) {
    throw new TypeError(`agent-lag agents: ${name} must be a positive integer, got ${String(chosen)}`);
  }
  return chosen;
}

/** A set of label values that stops growing at its cap: later values read as `other`. */
class BoundedLabels {
  readonly #seen = new Set<string>();
  #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  set max(max: number) {
    this.#max = max;
  }

  label(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#max) return OTHER_LABEL;
    this.#seen.add(value);
    return value;
  }
}

export class RunFigures {
  readonly #tools = new Map<string, ToolFigures>();
  readonly #toolNames: BoundedLabels;
  readonly #agents: BoundedLabels;
  readonly #tenants: BoundedLabels;
  /** Every (agent, tenant) pair seen, so their gauges fall to 0 rather than vanish when no run is in flight. */
  readonly #pairs = new Map<string, { agent: string; tenant: string }>();
  /** The same pairs by agent then tenant: a run's start finds its pair with two lookups and no key string. */
  readonly #tenantsByAgent = new Map<string, Set<string>>();
  /*
   * The last tool and pair looked up: a service calls the same few tools over and over, and skipping the
   * Map lookups of a run's start and end saves ≈ 100 instructions of a stdio MCP call (callgrind, Node 20).
   * Entries are never deleted, so a hit stays true.
   */
  #lastToolName: string | undefined = undefined;
  #lastTool: ToolFigures | undefined = undefined;
  #lastAgent: string | undefined = undefined;
  #lastTenant: string | undefined = undefined;

  constructor(limits: RunLimits = {}) {
    this.#toolNames = new BoundedLabels(limit('maxTools', limits.maxTools, 100));
    this.#agents = new BoundedLabels(limit('maxAgents', limits.maxAgents, 100));
    this.#tenants = new BoundedLabels(limit('maxTenants', limits.maxTenants, 20));
  }

  /** Changes the caps; labels already given keep theirs. */
  configure(limits: RunLimits): void {
    if (limits.maxTools !== undefined) this.#toolNames.max = limit('maxTools', limits.maxTools, 100);
    if (limits.maxAgents !== undefined) this.#agents.max = limit('maxAgents', limits.maxAgents, 100);
    if (limits.maxTenants !== undefined) this.#tenants.max = limit('maxTenants', limits.maxTenants, 20);
    // A name counted under `other` may get figures of its own under a higher cap.
    this.#lastToolName = undefined;
    this.#lastTool = undefined;
  }

  agentLabel(agent: string | undefined): string {
    return agent === undefined ? '' : this.#agents.label(agent);
  }

  tenantLabel(tenant: string | undefined): string {
    return tenant === undefined ? '' : this.#tenants.label(tenant);
  }

  /** The figures of tool `name`, created on first sight; `other`'s once the cap is reached. */
  tool(name: string): ToolFigures {
    if (name === this.#lastToolName) return this.#lastTool!;
    const figures = this.#toolFigures(name);
    this.#lastToolName = name;
    this.#lastTool = figures;
    return figures;
  }

  #toolFigures(name: string): ToolFigures {
    // A tool with figures of its own (every call but its first): one lookup; names past the cap go on to `other`'s.
    const known = this.#tools.get(name);
    if (known !== undefined) return known;
    const label = this.#toolNames.label(name);
    let figures = this.#tools.get(label);
    if (figures === undefined) {
      figures = { tool: label, calls: 0, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0 };
      this.#tools.set(label, figures);
    }
    return figures;
  }

  /** A run has started: its (agent, tenant) pair is remembered for the gauges. */
  started(record: RunRecord): void {
    if (record.nested) return;
    const { agentLabel: agent, tenantLabel: tenant } = record;
    if (agent === this.#lastAgent && tenant === this.#lastTenant) return;
    this.#lastAgent = agent;
    this.#lastTenant = tenant;
    let tenants = this.#tenantsByAgent.get(agent);
    if (tenants === undefined) {
      tenants = new Set();
      this.#tenantsByAgent.set(agent, tenants);
    } else if (tenants.has(tenant)) {
      return;
    }
    tenants.add(tenant);
    this.#pairs.set(`${agent}\u0000${tenant}`, { agent, tenant });
  }

  ended(record: RunRecord): void {
    if (record.toolName !== undefined) this.tool(record.toolName).calls++;
  }

  /** Blames the tool named in the stall's context. */
  recordBlock(event: BlockEvent): void {
    const tool = event.context?.[TOOL_NAME_KEY];
    if (typeof tool !== 'string') return;
    chargeBlock(this.tool(tool), event.durationMs);
  }

  /** Charges `waitedMs` of a stall some other code caused to a tool call that was in flight across it. */
  chargeWait(record: RunRecord, waitedMs: number): void {
    if (record.toolName === undefined) return;
    const figures = this.tool(record.toolName);
    figures.waitedMs += waitedMs;
    figures.waits++;
  }

  /** The published section, from the runs in flight now (`inFlight` walks them, oldest first). */
  section(inFlight: Iterable<RunRecord>): AgentsSection {
    const tools = new Map<string, ToolSectionEntry>();
    for (const figures of this.#tools.values()) tools.set(figures.tool, { ...figures, inFlight: 0 });
    const agents = new Map<string, AgentSectionEntry>();
    for (const [key, pair] of this.#pairs) agents.set(key, { ...pair, inFlight: 0, oldestInFlightStartedAt: null });
    for (const record of inFlight) {
      if (record.toolName !== undefined) {
        const figures = this.tool(record.toolName);
        let entry = tools.get(figures.tool);
        if (entry === undefined) {
          entry = { ...figures, inFlight: 0 };
          tools.set(figures.tool, entry);
        }
        entry.inFlight++;
      }
      if (record.nested) continue;
      const entry = agents.get(`${record.agentLabel}\u0000${record.tenantLabel}`);
      if (entry === undefined) continue;
      entry.inFlight++;
      // The walk is oldest first, so the first run seen is the oldest.
      entry.oldestInFlightStartedAt ??= record.startedAt;
    }
    return { at: Date.now(), tools: [...tools.values()], agents: [...agents.values()] };
  }
}
