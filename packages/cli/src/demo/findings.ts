import { fileURLToPath } from 'node:url';
import type { ESLint } from 'eslint';
import { isInside } from '../lint/project.js';
import type { BlockRecord, EventLog } from '../report/log-types.js';

/** A place in the service's source; `file` is absolute. */
export interface SourceLine {
  file: string;
  line: number;
  column: number;
}

export interface LintFinding extends SourceLine {
  /** The blocking API the rule named, e.g. `fs.readFileSync`. */
  api: string;
  ruleId: string;
}

export interface RuntimeFinding extends SourceLine {
  api: string | null;
  hint: string | null;
  /** Stalls whose innermost service frame was this line. */
  blocks: number;
  blockedMs: number;
  worstMs: number;
  /** Sync calls the monitor's wrappers counted at this call site (null when none were located). */
  syncCalls: number | null;
  /** The agent tool and agent the stalls at this line ran in (`gen_ai.tool.name`, `gen_ai.agent.name`), when a stall's context named them. */
  tool: string | null;
  agent: string | null;
}

export function lintFindings(results: readonly ESLint.LintResult[]): LintFinding[] {
  return results.flatMap((result) =>
    result.messages.map((message) => ({
      file: result.filePath,
      line: message.line,
      column: message.column,
      // The plugin's messages open with the API in backticks: "`fs.readFileSync` (fs) blocks …".
      api: /`([^`]+)`/.exec(message.message)?.[1] ?? message.ruleId ?? 'parse error',
      ruleId: message.ruleId ?? '',
    })),
  );
}

function toPath(url: string): string {
  if (!url.startsWith('file:')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/** `file:line:column` as the monitor writes call sites (a path or a file URL). */
function parseSite(site: string): SourceLine | null {
  const match = /^(.*):(\d+):(\d+)$/.exec(site) ?? /^(.*):(\d+)$/.exec(site);
  if (!match?.[1]) return null;
  return { file: toPath(match[1]), line: Number(match[2]), column: Number(match[3] ?? 0) };
}

/**
 * What the monitor caught in the service's own files: each stall attributed to the innermost frame
 * inside `serviceDir` (below it are Node's internals and the monitor's wrappers), plus the slow sync
 * call sites from the final summary.
 */
export function runtimeFindings(log: EventLog, serviceDir: string): RuntimeFinding[] {
  const byLine = new Map<string, RuntimeFinding>();
  const entry = (where: SourceLine): RuntimeFinding => {
    const key = `${where.file}:${where.line}`;
    let finding = byLine.get(key);
    if (!finding) {
      finding = { ...where, api: null, hint: null, blocks: 0, blockedMs: 0, worstMs: 0, syncCalls: null, tool: null, agent: null };
      byLine.set(key, finding);
    }
    return finding;
  };
  // Final events only: a block also reported while still running (ongoing) is counted once.
  const blocks = log.blocks.filter((block) => !block.startup && !block.ongoing);
  // Rate-limited reports come without a stack but still name the sync API in flight: when that API
  // is called from one line of the service only, the stall belongs to that line.
  const linesByApi = new Map<string, SourceLine[]>();
  const remember = (api: string | null | undefined, where: SourceLine) => {
    if (!api) return;
    const lines = linesByApi.get(api) ?? [];
    if (!lines.some((known) => sameLine(known, where))) lines.push(where);
    linesByApi.set(api, lines);
  };
  const serviceFrame = (block: BlockRecord): SourceLine | null => {
    const frame = block.stack.find((f) => isInside(toPath(f.url), serviceDir));
    return frame ? { file: toPath(frame.url), line: frame.line, column: frame.column } : null;
  };
  for (const block of blocks) {
    const where = serviceFrame(block);
    if (where) remember(block.inFlight?.api, where);
  }
  for (const call of log.summary?.syncCalls ?? []) {
    const where = call.site ? parseSite(call.site) : null;
    if (where && isInside(where.file, serviceDir)) remember(call.api, where);
  }
  for (const block of blocks) {
    const candidates = block.inFlight ? linesByApi.get(block.inFlight.api) : undefined;
    const where = serviceFrame(block) ?? (candidates?.length === 1 ? candidates[0] : undefined);
    if (!where) continue;
    const finding = entry(where);
    finding.blocks++;
    finding.blockedMs += block.durationMs;
    finding.worstMs = Math.max(finding.worstMs, block.durationMs);
    finding.api ??= block.inFlight?.api ?? null;
    finding.hint ??= block.inFlight?.hint ?? null;
    const tool = block.context?.['gen_ai.tool.name'];
    const agent = block.context?.['gen_ai.agent.name'];
    if (finding.tool === null && typeof tool === 'string') finding.tool = tool;
    if (finding.agent === null && typeof agent === 'string') finding.agent = agent;
  }
  for (const call of log.summary?.syncCalls ?? []) {
    const where = call.site ? parseSite(call.site) : null;
    if (!where || !isInside(where.file, serviceDir)) continue;
    const finding = entry(where);
    finding.api ??= call.api;
    finding.syncCalls = (finding.syncCalls ?? 0) + call.count;
  }
  return [...byLine.values()].sort((a, b) => b.blockedMs - a.blockedMs || a.line - b.line);
}

export function sameLine(a: SourceLine, b: SourceLine): boolean {
  return a.file === b.file && a.line === b.line;
}
