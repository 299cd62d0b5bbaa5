import chalk from 'chalk';
import { agentRunTable, toolTable } from '../shared/agents-table.js';
import { describeContext, describeInFlight, describeNoStack, describeRequestsInFlight, describeStackDelay } from './describe.js';
import { describeFrame, relativeSite } from './frames.js';
import type { Frame } from './log-types.js';
import type { ReportModel } from './model.js';
import { UNLOCATED_SITE } from '../shared/format.js';
import { formatMs, formatPercent, plural } from '../shared/format-numbers.js';
import { describeSlaSubject, formatSlaCounts } from '../shared/sla.js';
import { foldedText, foldStack, headFrame } from './stack-fold.js';

const FRAMES_SHOWN = 4;
const SYNC_SITES_SHOWN = 10;
const BAR_WIDTH = 30;
const FIGURES_FROM = { summary: 'from its summary', checkpoint: 'from its checkpoint', events: 'from its block events', covered: "counted in the other processes' summaries" };

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), cell.length));
  // Left-align the first column (names), right-align the figures.
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [chalk.dim(line(header)), ...rows.map(line)];
}

/** The application's frames, each run of dependency frames folded into one `+18 frames in express, router` line. */
function stackLines(stack: readonly Frame[], indent = '       '): string[] {
  return foldStack(stack)
    .slice(0, FRAMES_SHOWN)
    .map((line) => (line.kind === 'frame' ? `${indent}at ${describeFrame(line.frame)}` : chalk.dim(`${indent}${foldedText(line)}`)));
}

function section(title: string): string {
  return `\n${chalk.bold(title)}`;
}

export function renderTerminal(model: ReportModel): string {
  const out: string[] = [];
  // Lines without a pid that the named processes' summaries already count are not a process of their own here.
  const processes = model.processes.filter((p) => p.figuresFrom !== 'covered');
  const facts = [
    model.pid !== null ? `pid ${model.pid}` : processes.length > 1 ? `${processes.length} processes` : null,
    model.from !== null && model.to !== null ? `${formatMs(model.to - model.from)} of events` : null,
    model.thresholdMs !== null ? `threshold ${formatMs(model.thresholdMs)}` : null,
    model.mode === 'lag-only' ? chalk.yellow('lag-only: no stacks') : null,
  ].filter(Boolean);
  out.push(`${chalk.bold('agent-lag report')} ${model.source}${facts.length ? chalk.dim(`  (${facts.join(', ')})`) : ''}`);

  for (const note of model.notes) out.push(chalk.yellow(note));

  out.push(section('Event-loop lag'));
  if (processes.length > 1) {
    for (const process of processes) {
      const who = process.pid === null ? 'pid ?' : `pid ${process.pid}`;
      const { lag } = process;
      out.push(
        lag
          ? `  ${who}  p50 ${formatMs(lag.p50Ms)}  p90 ${formatMs(lag.p90Ms)}  p99 ${lag.p99Ms >= 100 ? chalk.red(formatMs(lag.p99Ms)) : formatMs(lag.p99Ms)}  max ${formatMs(lag.maxMs)}` +
              (process.utilization !== null ? `  ELU ${formatPercent(process.utilization)}` : '') +
              chalk.dim(`  (from ${lag.from})`)
          : chalk.dim(`  ${who}  no lag figures`),
      );
    }
  } else if (model.lag) {
    const { lag } = model;
    const p99 = lag.p99Ms >= 100 ? chalk.red(formatMs(lag.p99Ms)) : formatMs(lag.p99Ms);
    out.push(
      `  p50 ${formatMs(lag.p50Ms)}  p90 ${formatMs(lag.p90Ms)}  p99 ${p99}  max ${formatMs(lag.maxMs)}` +
        (model.utilization !== null ? `  ELU ${formatPercent(model.utilization)}` : '') +
        chalk.dim(`  (from ${lag.from})`),
    );
  } else {
    out.push(chalk.dim('  no lag figures in this log'));
  }

  const { stalls } = model;
  out.push(section('Stalls'));
  const over = model.thresholdMs !== null ? ` over ${formatMs(model.thresholdMs)}` : '';
  const count = stalls.count > 0 ? chalk.red(String(stalls.count)) : chalk.green('0');
  out.push(
    `  ${count} stall${stalls.count === 1 ? '' : 's'}${over}` +
      (stalls.count > 0 ? `, ${formatMs(stalls.totalMs)} blocked in total, worst ${formatMs(stalls.maxMs)}` : '') +
      (stalls.startupCount > 0 ? chalk.dim(`  (+${stalls.startupCount} during start-up, not counted)`) : ''),
  );
  if (stalls.withoutStack > 0) {
    // The totals explained: what the block events account for, and the stalls only the counters know.
    out.push(
      `  ${stalls.detailed} detailed (${formatMs(stalls.detailedMs)}), ${stalls.withoutStack} without a stack (${formatMs(stalls.withoutStackMs)})` +
        chalk.dim('  (the monitor rate-limits detailed reports and logs a repeated stack once; counts are exact)'),
    );
  }
  if (stalls.neverEnded > 0) {
    const longest = model.neverEnded.reduce((most, b) => Math.max(most, b.durationMs), 0);
    out.push(
      chalk.red.bold(`  ${stalls.neverEnded} of them never ended`) +
        ` (still running after ${formatMs(longest)}${stalls.neverEnded === 1 ? '' : ' at most'}, no end in the log:` +
        ' the process was killed or died while blocked)',
    );
  }
  if (processes.length > 1) {
    for (const process of processes) {
      const who = process.pid === null ? 'pid ?' : `pid ${process.pid}`;
      const never = process.neverEnded > 0 ? `, ${process.neverEnded} never ended` : '';
      out.push(
        chalk.dim(`  ${who}: ${plural(process.stalls.count, 'stall')}${never}${process.stalls.count > 0 ? `, worst ${formatMs(process.stalls.maxMs)}` : ''}  (${FIGURES_FROM[process.figuresFrom]})`),
      );
    }
  }
  if (stalls.count > 0 && model.histogram.some((b) => b.count > 0)) {
    const most = model.histogram.reduce((m, b) => Math.max(m, b.count), 0);
    const labelWidth = model.histogram.reduce((m, b) => Math.max(m, b.label.length), 0);
    for (const bucket of model.histogram) {
      const bar = '█'.repeat(Math.round((bucket.count / most) * BAR_WIDTH)) || (bucket.count ? '▏' : '');
      out.push(`  ${bucket.label.padStart(labelWidth)} ${chalk.cyan(bar)} ${bucket.count}`);
    }
  }

  if (model.neverEnded.length) {
    out.push(section('Blocks that never ended'));
    for (const [index, block] of model.neverEnded.entries()) {
      const api = describeInFlight(block.inFlight);
      const ctx = describeContext(block.context);
      out.push(
        `  ${index + 1}. ${chalk.red(`≥ ${formatMs(block.durationMs)}`.padStart(9))}  ${chalk.red.bold('NEVER ENDED')}` +
          (api ? `  ${chalk.yellow(api)}` : '') +
          (ctx ? `  ${chalk.dim('during')} ${ctx}` : '') +
          heldUp(block.requestsInFlight),
      );
      const why = describeNoStack(block, model.mode);
      if (why) out.push(chalk.dim(`       (${why})`));
      out.push(...stackLines(block.stack));
    }
  }

  if (model.worstBlocks.length) {
    out.push(section('Worst blocks'));
    for (const [index, block] of model.worstBlocks.entries()) {
      const api = describeInFlight(block.inFlight);
      const ctx = describeContext(block.context);
      out.push(
        `  ${index + 1}. ${chalk.red(formatMs(block.durationMs).padStart(7))}` +
          (api ? `  ${chalk.yellow(api)}` : '') +
          (ctx ? `  ${chalk.dim('during')} ${ctx}` : '') +
          heldUp(block.requestsInFlight) +
          (block.late ? chalk.dim('  (stack captured late)') : ''),
      );
      const why = describeNoStack(block, model.mode);
      if (why) out.push(chalk.dim(`       (${why})`));
      if (!block.late && block.stackDelayMs !== null) out.push(chalk.dim(`       (${describeStackDelay(block.stackDelayMs)})`));
      out.push(...stackLines(block.stack));
    }
  }

  if (model.stackGroups.length) {
    out.push(section('Blocking stacks'));
    const rows = model.stackGroups.map((group) => {
      const top = headFrame(group.stack);
      const where = top ? describeFrame(top) : (describeInFlight(group.inFlight) ?? '?');
      return [where, String(group.count), formatMs(group.totalMs), formatMs(group.maxMs)];
    });
    for (const line of table(['where', 'blocks', 'total', 'worst'], rows)) out.push(`  ${line}`);
  }

  if (model.routes?.length) {
    out.push(section('Routes'));
    const dash = (value: number | null, format: (n: number) => string = String) => (value === null ? '–' : format(value));
    const rows = model.routes.map((r) => [
      r.route,
      dash(r.requests),
      dash(r.blocks),
      dash(r.blockedMs, formatMs),
      dash(r.worstBlockMs, formatMs),
      dash(r.waitedMs, formatMs),
    ]);
    for (const line of table(['route', 'requests', 'blocks', 'blocked', 'worst', 'waited'], rows)) out.push(`  ${line}`);
  }

  if (model.agents) {
    // Tools beside routes: the agent work that blocked the loop, and the runs still open at the end.
    const options = { color: chalk, indent: '  ' };
    const tools = toolTable(model.agents, options);
    if (tools.length) out.push(section('Tools'), ...tools);
    const runs = agentRunTable(model.agents, options);
    if (runs.length) out.push(section('Agent runs in flight') + chalk.dim('  (at each process\'s last summary or checkpoint)'), ...runs);
  }

  if (model.sla) out.push(section('In-flight SLA breaches'), ...slaLines(model, processes.length > 1));

  if (model.syncCalls.length) {
    out.push(section('Top sync call sites'));
    const rows = model.syncCalls
      .slice(0, SYNC_SITES_SHOWN)
      .map((call) => [`${call.api}  ${call.site ? relativeSite(call.site) : UNLOCATED_SITE}`, String(call.count), formatMs(call.totalMs), formatMs(call.maxMs)]);
    for (const line of table(['api and call site', 'calls', 'total', 'max'], rows)) out.push(`  ${line}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The runs and requests seen in flight past the SLA: the counts (added up over the processes, as /metrics
 * counts them), then each breach the log holds, with its age when seen and its context.
 */
function slaLines(model: ReportModel, several: boolean): string[] {
  const sla = model.sla;
  if (!sla) return [];
  const total = sla.breaches.run + sla.breaches.request;
  const counts = formatSlaCounts(sla);
  const out = [`  ${total > 0 ? chalk.yellow(counts) : chalk.green(counts)}`];
  if (several) {
    for (const process of model.processes) {
      if (process.sla) out.push(chalk.dim(`  pid ${process.pid ?? '?'}: ${formatSlaCounts(process.sla)}`));
    }
  }
  for (const [index, breach] of sla.events.entries()) {
    const { subject, fields } = describeSlaSubject(breach);
    const who = several && breach.pid !== null ? chalk.dim(`  pid ${breach.pid}`) : '';
    out.push(`  ${index + 1}. ${subject} in flight ${chalk.yellow(formatMs(breach.ageMs))} > ${formatMs(breach.slaMs)}${fields ? `  ${chalk.cyan(fields)}` : ''}${who}`);
  }
  const more = sla.eventsInLog - sla.events.length;
  if (more > 0) out.push(chalk.dim(`  … and ${more} more in the log`));
  return out;
}

function heldUp(requestsInFlight: number | null): string {
  const requests = describeRequestsInFlight(requestsInFlight);
  return requests ? `  ${chalk.magenta(requests)}` : '';
}
