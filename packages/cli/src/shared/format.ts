import type { ChalkInstance } from 'chalk';
import { describeNoStack, describeNoStackReason, describeRequestsInFlight, describeStackDelay } from '../report/describe.js';
import { frameLocation, isInternalFrame, isUserFrame, readableFunctionName, relativeSite } from '../report/frames.js';
import { foldedText, foldStack, headFrame } from '../report/stack-fold.js';
import { figuresNotes, type LogFigures } from '../report/log-figures.js';
import { agentRunTable, toolTable } from './agents-table.js';
import { formatMs, formatPercent } from './format-numbers.js';
import { formatSlaCounts } from './sla.js';
import { blockStartOf, type BlockEvent, type InFlightCall, type LagFigures, type MonitorContext, type StackFrame } from './monitor-types.js';

/** A sync call site the monitor has not located: it locates one from a call slow enough to be worth a stack. */
export const UNLOCATED_SITE = '(site not located: no slow call)';

/**
 * `summarize (src/tools.js:12:5)`, a frame as `report` writes it: V8's inferred chains read as their last
 * names, the path relative to cwd, a source-mapped dependency file that is not on disk as
 * `package@version/path`.
 */
export function formatFrame(frame: StackFrame, cwd = process.cwd()): string {
  const name = readableFunctionName(frame.functionName);
  if (!frame.url) return name;
  return `${name} (${frameLocation(frame, cwd)})`;
}

/** A file URL or path relative to cwd when below it (sync call sites, which are `file:line:column`). */
export function shortenUrl(url: string, cwd = process.cwd()): string {
  return relativeSite(url, cwd);
}

export function formatInFlight(call: InFlightCall | null): string {
  if (!call) return '';
  return call.hint ? `${call.api} ${JSON.stringify(call.hint)}` : call.api;
}

const CONTEXT_MISSING_KEY = 'agent_lag.context_missing';

/**
 * `key=value …`; the agent work a block interrupted (#17's GenAI keys) said in words first:
 * `during tool summarize_repo of agent triage`, its operation left out when the words say it.
 */
export function formatContext(context: MonitorContext | null): string {
  if (!context) return '';
  const tool = context['gen_ai.tool.name'];
  const agent = context['gen_ai.agent.name'];
  const operation = context['gen_ai.operation.name'];
  let words = '';
  if (typeof tool === 'string') words = `during tool ${tool}${typeof agent === 'string' ? ` of agent ${agent}` : ''}`;
  else if (typeof agent === 'string') words = `during agent ${agent}`;
  const said = new Set(words === '' ? [] : ['gen_ai.tool.name', 'gen_ai.agent.name']);
  // The monitor's reason a block during agent runs names none (runs' async context off, or 'auto' before it was needed).
  if (context[CONTEXT_MISSING_KEY] === 'async-context-off') {
    words = [words, 'during an agent run it could not name (async context was off past an await)'].filter((part) => part !== '').join(' ');
    said.add(CONTEXT_MISSING_KEY);
  }
  if ((operation === 'execute_tool' && typeof tool === 'string') || (operation === 'invoke_agent' && typeof tool !== 'string' && typeof agent === 'string')) {
    said.add('gen_ai.operation.name');
  }
  const fields = Object.entries(context)
    .filter(([key]) => !said.has(key))
    .map(([key, value]) => `${key}=${String(value)}`);
  return [words, ...fields].filter((part) => part !== '').join(' ');
}

/**
 * The frame a person should look at, as `report` picks it: the application's innermost frame, else the
 * innermost dependency frame; never Node's internals or the monitor's own wrappers when there is another.
 */
export function blamedFrame(stack: readonly StackFrame[]): StackFrame | undefined {
  return headFrame(stack);
}

/**
 * `blamed ← caller ← caller  file:line:col`: function names first, so a narrow terminal cuts the
 * location rather than who called whom. The callers are the application's own frames after the blamed
 * one (a framework's dispatch between them says nothing about the code to change); when the blamed frame
 * is a dependency's, the frames after it that are not Node's or ours.
 */
export function formatBlame(stack: readonly StackFrame[], callers = 2): string {
  const blamed = blamedFrame(stack);
  if (!blamed) return '';
  const own = isUserFrame(blamed);
  const after = stack.slice(stack.indexOf(blamed) + 1).filter((frame) => (own ? isUserFrame(frame) : !isInternalFrame(frame)));
  const names = [blamed, ...after.slice(0, callers)].map((frame) => readableFunctionName(frame.functionName));
  const where = blamed.url ? `  ${frameLocation(blamed)}` : '';
  return `${names.join(' ← ')}${where}`;
}

/**
 * A stack as `report` prints it, at most `shown` lines: the application's frames, each run of dependency
 * frames folded into one `+18 frames in express, router` line.
 */
export function formatStackLines(stack: readonly StackFrame[], color: ChalkInstance, indent: string, shown = 5): string[] {
  return foldStack(stack)
    .slice(0, shown)
    .map((line) => (line.kind === 'frame' ? `${indent}at ${formatFrame(line.frame)}` : color.dim(`${indent}${foldedText(line)}`)));
}

export interface BlockLineOptions {
  /** The final event of a block already shown as ongoing: say it has ended. */
  endedAfterOngoing?: boolean;
}

/**
 * One line per block as it happens: duration, sync API in flight, the blamed frame, context. A
 * provisional event (the block is still running) reads `BLOCKED 5.00 s and counting`.
 */
export function formatBlockLine(block: BlockEvent, color: ChalkInstance, options: BlockLineOptions = {}): string {
  const ongoing = block.ongoing === true;
  const parts = [ongoing ? color.red.bold(`BLOCKED ${formatMs(block.durationMs)} and counting`) : color.red.bold(`block ${formatMs(block.durationMs)}`)];
  if (block.startup) parts.push(color.dim('(start-up)'));
  const api = formatInFlight(block.inFlight);
  if (api) parts.push(color.yellow(api));
  const blame = formatBlame(block.stack);
  if (blame) parts.push(`at ${blame}`);
  else if (block.noStack !== undefined) parts.push(color.dim(`(${describeNoStackReason(block.noStack, ongoing)})`));
  else if (ongoing) parts.push(color.dim('(no stack sampled yet: a native call, lag-only, or rate-limited)'));
  else parts.push(color.dim('(no stack: repeated, rate-limited or lag-only)'));
  if (block.late) parts.push(color.dim('(stack taken after the block ended)'));
  else if (block.stackDelayMs !== undefined) parts.push(color.dim(`(${describeStackDelay(block.stackDelayMs)})`));
  const context = formatContext(block.context);
  if (context) parts.push(color.cyan(context));
  const requests = describeRequestsInFlight(block.requestsInFlight);
  if (requests) parts.push(color.magenta(requests));
  if (options.endedAfterOngoing) parts.push(color.dim('(ended)'));
  return parts.join('  ');
}

/** What a never-ended line shows: a block event, or a block record read from a log. */
export type NeverEndedInput = Pick<BlockEvent, 'startedAt' | 'blockStartedAt' | 'durationMs' | 'stack' | 'inFlight' | 'context'> & {
  requestsInFlight?: number | null | undefined;
  /** The monitor's reason for an empty stack (a provisional event's `noStack`, a checkpoint's stall's). */
  noStackReason?: string | null | undefined;
};

export interface NeverEndedOptions {
  /** Epoch ms the process was seen to go away (watch): say how long after the block began that was. */
  goneAt?: number | undefined;
  /** The duration already runs until the process's exit (run saw its child exit). */
  untilExit?: boolean;
}

/**
 * `≥ 5.00 s, never ended  api  at fn ← caller  file:line  context`. With `goneAt` (epoch ms the process
 * was seen to exit), also how long after the block began that was: the block lasted until then.
 */
export function formatNeverEndedLine(block: NeverEndedInput, color: ChalkInstance, options: NeverEndedOptions = {}): string {
  const parts = [color.red.bold(`≥ ${formatMs(block.durationMs)}, never ended`)];
  const { goneAt } = options;
  if (options.untilExit) parts.push(color.dim('(still running when the process exited)'));
  else if (goneAt !== undefined && goneAt - blockStartOf(block) > block.durationMs) {
    parts.push(color.dim(`(the process exited ${formatMs(goneAt - blockStartOf(block))} after it began)`));
  }
  const api = formatInFlight(block.inFlight);
  if (api) parts.push(color.yellow(api));
  const blame = formatBlame(block.stack);
  if (blame) parts.push(`at ${blame}`);
  else parts.push(color.dim(block.noStackReason ? `(${describeNoStackReason(block.noStackReason, true)})` : '(no stack)'));
  const context = formatContext(block.context);
  if (context) parts.push(color.cyan(context));
  const requests = describeRequestsInFlight(block.requestsInFlight);
  if (requests) parts.push(color.magenta(requests));
  return parts.join('  ');
}

export function formatLagFigures(lag: Pick<LagFigures, 'p50Ms' | 'p90Ms' | 'p99Ms' | 'maxMs'>): string {
  return `p50 ${formatMs(lag.p50Ms)}  p90 ${formatMs(lag.p90Ms)}  p99 ${formatMs(lag.p99Ms)}  max ${formatMs(lag.maxMs)}`;
}

export interface SummaryInput {
  figures: LogFigures;
  title: string;
}

/**
 * The end-of-run report: which processes left no summary, lag, stalls (every process, blocks that never
 * ended included), the worst blocks with stack and sync API (the figures' `worstBlocks`: the same ones,
 * in the same order, as `report`), top sync call sites.
 */
export function formatSummary(input: SummaryInput, color: ChalkInstance, maxStacks = 5): string[] {
  const { figures } = input;
  const lines = [color.bold(input.title)];
  const label = (text: string) => `  ${text.padEnd(17)}`;
  for (const note of figuresNotes(figures)) lines.push(color.yellow(`  ${note}`));
  // Lines without a pid that the named processes' summaries already count are not a process of their own here.
  const processes = figures.processes.filter((p) => p.figuresFrom !== 'covered');
  const several = processes.length > 1;
  for (const process of processes) {
    if (!process.lag) continue;
    const who = several ? `pid ${process.pid ?? '?'}, ` : '';
    const { samples, source } = process.lag;
    const detail = samples != null ? `${samples} samples, ${source ?? '?'}` : `from ${process.lag.from}`;
    lines.push(`${label('event-loop lag')}${formatLagFigures(process.lag)}${color.dim(`  ${who}${detail}`)}`);
  }
  const threshold = figures.processes.find((p) => p.snapshot?.thresholdMs != null)?.snapshot?.thresholdMs;
  const stalls = figures.stalls;
  const stallLabel = threshold == null ? 'stalls' : `stalls > ${threshold} ms`;
  let stallText = stalls.count === 0 ? color.green('none') : color.red.bold(String(stalls.count));
  if (stalls.count > 0) {
    stallText += `  total ${formatMs(stalls.totalMs)}, p50 ${formatMs(stalls.p50Ms)}, p99 ${formatMs(stalls.p99Ms)}, max ${formatMs(stalls.maxMs)}`;
  }
  if (several && stalls.count > 0) {
    stallText += color.dim(`  (${processes.map((p) => `pid ${p.pid ?? '?'}: ${p.stalls.count}`).join(', ')})`);
  }
  if (stalls.startupCount > 0) stallText += color.dim(`  (+${stalls.startupCount} during start-up, not counted)`);
  lines.push(`${label(stallLabel)}${stallText}`);
  // With inFlightSlaMs: the runs and requests seen in flight past it (each printed as it happened), as /metrics counts them.
  if (figures.sla) {
    const counts = formatSlaCounts(figures.sla);
    lines.push(`${label('sla breaches')}${figures.sla.breaches.run + figures.sla.breaches.request > 0 ? color.yellow(counts) : color.green(counts)}`);
  }
  const neverEnded = figures.neverEnded.filter((b) => !b.startup);
  if (neverEnded.length > 0) {
    lines.push(
      `${label('never ended')}${color.red.bold(String(neverEnded.length))}${color.dim(`  block${neverEnded.length === 1 ? '' : 's'} still running when the process died (killed while blocked?); counted in the stalls`)}`,
    );
    for (const block of neverEnded.slice(0, maxStacks)) lines.push(`       ${formatNeverEndedLine(block, color, { untilExit: block.ageFrom === 'exit' })}`);
  }
  for (const process of processes) {
    const snapshot = process.snapshot;
    if (process.utilization === null) continue;
    const pool = snapshot?.threadPool ? `   thread-pool delay p99 ${formatMs(snapshot.threadPool.p99Ms)}` : '';
    const mode = snapshot?.mode === 'lag-only' ? color.yellow('   lag-only (no stacks: inspector unavailable)') : '';
    const who = several ? color.dim(`  (pid ${process.pid ?? '?'})`) : '';
    lines.push(`${label('utilisation')}${formatPercent(process.utilization)}${pool}${mode}${who}`);
  }

  // The same worst blocks, in the same order, as `report` lists: from the figures, so the worst stall the
  // counters saw is first even when its block was never logged (a repeat, rate-limited).
  const worst = figures.worstBlocks.slice(0, maxStacks);
  const mode = figures.processes.some((p) => p.snapshot?.mode === 'lag-only') ? 'lag-only' : null;
  if (worst.length > 0) {
    lines.push(`  ${color.bold('worst blocks')}`);
    const named = new Set<string>();
    worst.forEach((entry, index) => {
      const api = formatInFlight(entry.inFlight);
      // How often its stack blocked, said once: at the first (worst) block of that stack.
      const group = entry.signature === null || named.has(entry.signature) ? undefined : figures.stackGroups.find((g) => g.signature === entry.signature);
      if (entry.signature !== null) named.add(entry.signature);
      // A stack's blocks are counted over every process; the pid that follows is this block's.
      const spread = group && group.processes > 1 ? ` in ${group.processes} processes` : '';
      const times = group && group.count > 1 ? color.dim(`  ×${group.count} with this stack${spread}, total ${formatMs(group.totalMs)}`) : '';
      const who = several && entry.pid !== null ? color.dim(`  pid ${entry.pid}`) : '';
      lines.push(`  ${String(index + 1).padStart(3)}. ${color.red(formatMs(entry.durationMs))}${api ? `  ${color.yellow(api)}` : ''}${times}${who}`);
      const context = formatContext(entry.context);
      if (context) lines.push(`         ${color.cyan(context)}`);
      // Why it has no stack in `report`'s words; the Node API it was in (execSync…) is on the line above.
      const why = describeNoStack(entry, mode);
      if (why) lines.push(color.dim(`         (${why})`));
      if (entry.late) lines.push(color.dim('         (stack taken after the block ended)'));
      else if (entry.stackDelayMs !== null) lines.push(color.dim(`         (${describeStackDelay(entry.stackDelayMs)})`));
      lines.push(...formatStackLines(entry.stack, color, '         '));
    });
  }
  // Per tool, beside the blocks: what each agent tool cost the loop, and the runs still open at the end.
  if (figures.agents) {
    const options = { color, indent: '       ' };
    const tools = toolTable(figures.agents, options);
    if (tools.length > 0) lines.push(`  ${color.bold('tools')}`, ...tools);
    const runs = agentRunTable(figures.agents, options);
    if (runs.length > 0) lines.push(`  ${color.bold('agent runs in flight')}${color.dim('  (at the end)')}`, ...runs);
  }
  // Sites never slow enough to be located and under a millisecond in total are noise here.
  const sites = figures.syncCalls.filter((site) => site.site !== null || site.totalMs >= 1).slice(0, 5);
  if (sites.length > 0) {
    lines.push(`  ${color.bold('top sync call sites')}`);
    for (const site of sites) {
      lines.push(
        `       ${color.yellow(site.api.padEnd(22))} ${(site.site ? shortenUrl(site.site) : color.dim(UNLOCATED_SITE)).padEnd(30)}  ${site.count} call${site.count === 1 ? '' : 's'}, total ${formatMs(site.totalMs)}, max ${formatMs(site.maxMs)}`,
      );
    }
  }
  return lines;
}
