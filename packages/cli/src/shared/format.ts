import type { ChalkInstance } from 'chalk';
import { describeRequestsInFlight } from '../report/describe.js';
import { figuresNotes, type LogFigures } from '../report/log-figures.js';
import type { BlockEvent, InFlightCall, LagFigures, MonitorContext, StackFrame } from './monitor-types.js';

/** Milliseconds the way a person reads them: 0.42 ms, 12.3 ms, 250 ms, 1.50 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** `fn (file.js:12:5)`; node: internals and absolute file: URLs shortened to stay readable. */
export function formatFrame(frame: StackFrame, cwd = process.cwd()): string {
  const name = frame.functionName || '<anonymous>';
  if (!frame.url) return name;
  return `${name} (${shortenUrl(frame.url, cwd)}:${frame.line}:${frame.column})`;
}

export function shortenUrl(url: string, cwd = process.cwd()): string {
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const base = cwd.endsWith('/') ? cwd : `${cwd}/`;
  if (path.startsWith(base)) path = path.slice(base.length);
  return path;
}

export function formatInFlight(call: InFlightCall | null): string {
  if (!call) return '';
  return call.hint ? `${call.api} ${JSON.stringify(call.hint)}` : call.api;
}

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
  if ((operation === 'execute_tool' && typeof tool === 'string') || (operation === 'invoke_agent' && typeof tool !== 'string' && typeof agent === 'string')) {
    said.add('gen_ai.operation.name');
  }
  const fields = Object.entries(context)
    .filter(([key]) => !said.has(key))
    .map(([key, value]) => `${key}=${String(value)}`);
  return [words, ...fields].filter((part) => part !== '').join(' ');
}

/** The frame a person should look at: the innermost one that is not Node's own code. */
export function blamedFrame(stack: readonly StackFrame[]): StackFrame | undefined {
  return stack.find((frame) => frame.url && !frame.url.startsWith('node:')) ?? stack[0];
}

/**
 * `blamed ← caller ← caller  file:line:col`: function names first, so a narrow terminal cuts the
 * location rather than who called whom.
 */
export function formatBlame(stack: readonly StackFrame[], callers = 2): string {
  const blamed = blamedFrame(stack);
  if (!blamed) return '';
  const names = [blamed, ...stack.slice(stack.indexOf(blamed) + 1).filter((frame) => !frame.url.startsWith('node:')).slice(0, callers)].map(
    (frame) => frame.functionName || '<anonymous>',
  );
  const where = blamed.url ? `  ${shortenUrl(blamed.url)}:${blamed.line}:${blamed.column}` : '';
  return `${names.join(' ← ')}${where}`;
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
  else if (ongoing) parts.push(color.dim('(no stack sampled yet: a native call, lag-only, or rate-limited)'));
  else parts.push(color.dim('(no stack: repeated, rate-limited or lag-only)'));
  if (block.late) parts.push(color.dim('(stack taken after the block ended)'));
  const context = formatContext(block.context);
  if (context) parts.push(color.cyan(context));
  const requests = describeRequestsInFlight(block.requestsInFlight);
  if (requests) parts.push(color.magenta(requests));
  if (options.endedAfterOngoing) parts.push(color.dim('(ended)'));
  return parts.join('  ');
}

/** What a never-ended line shows: a block event, or a block record read from a log. */
export type NeverEndedInput = Pick<BlockEvent, 'startedAt' | 'durationMs' | 'stack' | 'inFlight' | 'context'> & {
  requestsInFlight?: number | null | undefined;
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
  else if (goneAt !== undefined && goneAt - block.startedAt > block.durationMs) {
    parts.push(color.dim(`(the process exited ${formatMs(goneAt - block.startedAt)} after it began)`));
  }
  const api = formatInFlight(block.inFlight);
  if (api) parts.push(color.yellow(api));
  const blame = formatBlame(block.stack);
  parts.push(blame ? `at ${blame}` : color.dim('(no stack)'));
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
  for (const note of figuresNotes(figures, formatMs)) lines.push(color.yellow(`  ${note}`));
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
  const neverEnded = figures.neverEnded.filter((b) => !b.startup);
  if (neverEnded.length > 0) {
    lines.push(
      `${label('never ended')}${color.red.bold(String(neverEnded.length))}${color.dim(`  block${neverEnded.length === 1 ? '' : 's'} still running when the process died (killed while blocked?); counted in the stalls`)}`,
    );
    for (const block of neverEnded.slice(0, maxStacks)) lines.push(`       ${formatNeverEndedLine(block, color, { untilExit: block.ageFrom === 'exit' })}`);
  }
  for (const process of processes) {
    const snapshot = process.snapshot;
    if (!snapshot || snapshot.utilization === null) continue;
    const pool = snapshot.threadPool ? `   thread-pool delay p99 ${formatMs(snapshot.threadPool.p99Ms)}` : '';
    const mode = snapshot.mode === 'lag-only' ? color.yellow('   lag-only (no stacks: inspector unavailable)') : '';
    const who = several ? color.dim(`  (pid ${process.pid ?? '?'})`) : '';
    lines.push(`${label('utilisation')}${formatPercent(snapshot.utilization)}${pool}${mode}${who}`);
  }

  // The same worst blocks, in the same order, as `report` lists: from the figures, so the worst stall the
  // counters saw is first even when its block was never logged (a repeat, rate-limited).
  const worst = figures.worstBlocks.slice(0, maxStacks);
  if (worst.length > 0) {
    lines.push(`  ${color.bold('worst blocks')}`);
    const named = new Set<string>();
    worst.forEach((entry, index) => {
      const api = formatInFlight(entry.inFlight);
      // How often its stack blocked, said once: at the first (worst) block of that stack.
      const group = entry.signature === null || named.has(entry.signature) ? undefined : figures.stackGroups.find((g) => g.signature === entry.signature);
      if (entry.signature !== null) named.add(entry.signature);
      const times = group && group.count > 1 ? color.dim(`  ×${group.count} with this stack, total ${formatMs(group.totalMs)}`) : '';
      const who = several && entry.pid !== null ? color.dim(`  pid ${entry.pid}`) : '';
      lines.push(`  ${String(index + 1).padStart(3)}. ${color.red(formatMs(entry.durationMs))}${api ? `  ${color.yellow(api)}` : ''}${times}${who}`);
      const context = formatContext(entry.context);
      if (context) lines.push(`         ${color.cyan(context)}`);
      if (entry.noStack) lines.push(color.dim(`         (${entry.noStack})`));
      else if (entry.stack.length === 0) lines.push(color.dim('         (no stack)'));
      if (entry.late) lines.push(color.dim('         (stack taken after the block ended)'));
      // From the frame just above the blamed one: the Node API it called (execSync…) stays in view.
      const blamed = blamedFrame(entry.stack);
      const from = blamed ? Math.max(0, entry.stack.indexOf(blamed) - 1) : 0;
      for (const frame of entry.stack.slice(from, from + 5)) lines.push(`         at ${formatFrame(frame)}`);
    });
  }
  // Sites never slow enough to be located and under a millisecond in total are noise here.
  const sites = figures.syncCalls.filter((site) => site.site !== null || site.totalMs >= 1).slice(0, 5);
  if (sites.length > 0) {
    lines.push(`  ${color.bold('top sync call sites')}`);
    for (const site of sites) {
      lines.push(
        `       ${color.yellow(site.api.padEnd(22))} ${(site.site ? shortenUrl(site.site) : color.dim('(site not located: no slow call)')).padEnd(30)}  ${site.count} call${site.count === 1 ? '' : 's'}, total ${formatMs(site.totalMs)}, max ${formatMs(site.maxMs)}`,
      );
    }
  }
  return lines;
}
