import type { ChalkInstance } from 'chalk';
import { labelOrDash, type AgentFigures } from './agents-section.js';
import { formatMs } from './format-numbers.js';

/*
 * The per-tool table and the agents' runs in flight as terminal lines, for `watch`'s screen, `run`'s
 * summary and `report`: the same columns in each.
 */

export interface AgentTableOptions {
  color: ChalkInstance;
  /** Put before every line. */
  indent: string;
  /** Rows shown per table at most (a screen has little room); every row when absent. */
  maxRows?: number;
}

/** Names left-aligned, figures right-aligned, the header dim. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], color: ChalkInstance, indent: string, leftColumns = 1): string[] {
  const widths = header.map((cell, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), cell.length));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < leftColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [`${indent}${color.dim(line(header))}`, ...rows.map((row) => `${indent}${line(row)}`)];
}

/**
 * `tool  calls  blocks  blocked  worst  waited`: each tool's calls that returned, the stalls it caused
 * (it was running when the loop froze), their time and the worst, and the time its calls in flight
 * waited through stalls other code caused. Worst blocked time first.
 */
export function toolTable(figures: AgentFigures, options: AgentTableOptions): string[] {
  const { color, indent } = options;
  const rows = figures.tools
    .slice(0, options.maxRows ?? figures.tools.length)
    .map((t) => [t.tool, String(t.calls), String(t.blocks), formatMs(t.blockedMs), t.blocks > 0 ? formatMs(t.worstBlockMs) : '–', formatMs(t.waitedMs)]);
  if (rows.length === 0) return [];
  return textTable(['tool', 'calls', 'blocks', 'blocked', 'worst', 'waited'], rows, color, indent);
}

/**
 * `agent  tenant  runs in flight  oldest`: runs of each agent (and tenant) not yet ended, and how old the
 * oldest of them is at the moment the caller read the section (now for `watch`, a log's last snapshot).
 */
export function agentRunTable(figures: AgentFigures, options: AgentTableOptions): string[] {
  const { color, indent } = options;
  const rows = figures.agents
    .slice(0, options.maxRows ?? figures.agents.length)
    .map((a) => [labelOrDash(a.agent), labelOrDash(a.tenant), String(a.inFlight), a.oldestAgeMs === null ? '–' : formatMs(a.oldestAgeMs)]);
  if (rows.length === 0) return [];
  return textTable(['agent', 'tenant', 'runs in flight', 'oldest'], rows, color, indent, 2);
}
