import type { ChalkInstance } from 'chalk';
import { blamedFrame, formatBlame, formatContext, formatFrame, formatInFlight } from '../shared/format.js';
import { formatMs, formatPercent } from '../shared/format-numbers.js';
import { describeNoStackReason, describeRequestsInFlight, describeStackDelay } from '../report/describe.js';
import { mergeAgentFigures, readAgentsSection } from '../shared/agents-section.js';
import { agentRunTable, toolTable } from '../shared/agents-table.js';
import { bar, sparkline } from './charts.js';
import { mergeStalls, mergeTopStacks } from './merge-snapshots.js';
import { readRoutesSection } from './routes-section.js';
import { formatSlaCounts, formatSlaLine, readSlaSection } from '../shared/sla.js';
import { blockStartOf, type BlockEvent } from '../shared/monitor-types.js';
import type { SeenBlock, WatchState, WatchedProcess } from './watch-state.js';

export interface ScreenSize {
  columns: number;
  rows: number;
}

/** The live view as lines of text, for the current state; the caller paints them. */
export function renderScreen(state: WatchState, size: ScreenSize, color: ChalkInstance, now = Date.now()): string[] {
  const width = Math.max(60, size.columns);
  const chartWidth = Math.max(20, Math.min(60, width - 50));
  const processes = [...state.processes.values()];
  const lines: string[] = [];
  const clock = new Date(now).toLocaleTimeString('en-GB', { hour12: false });
  lines.push(
    `${color.bold('agent-lag watch')}  ${processes.length} process${processes.length === 1 ? '' : 'es'}  ${clock}  ${color.dim('(Ctrl-C to quit)')}`,
  );
  for (const watched of processes) lines.push('', ...renderProcess(watched, state.ongoingBlocks(watched.hello.pid), chartWidth, color, now));

  const snapshots = state.snapshots();
  if (snapshots.length > 0) {
    const stalls = mergeStalls(snapshots);
    const threshold = snapshots[0]?.thresholdMs ?? 0;
    const merged = snapshots.length > 1 ? color.dim(`  (merged across ${snapshots.length} processes)`) : '';
    const figures =
      stalls.count === 0
        ? color.green('none')
        : `${color.red.bold(String(stalls.count))}  p50 ${formatMs(stalls.p50Ms)}  p99 ${formatMs(stalls.p99Ms)}  max ${formatMs(stalls.maxMs)}  total ${formatMs(stalls.totalMs)}`;
    lines.push('', `${color.bold(`stalls > ${threshold} ms`)}  ${figures}${merged}`);
    // From the counters of every process: the worst stall is listed even when its block was never logged.
    if (stalls.worst.length > 0) {
      const worst = stalls.worst.map((stall) => {
        const who = snapshots.length > 1 && stall.pid !== null ? color.dim(` pid ${stall.pid}`) : '';
        const why = stall.noStack ? color.dim(` (${describeNoStackReason(stall.noStack)})`) : '';
        return `${formatMs(stall.durationMs)}${who}${why}`;
      });
      lines.push(`${color.bold('worst stalls')}  ${worst.join(', ')}`);
    }
    // Per tool beside the per-route lines: which agent tool froze the loop, and the runs open now (their
    // ages counted to now, so they keep growing while a process is wedged).
    const agents = mergeAgentFigures(snapshots.map((s) => readAgentsSection(s.sections, now)));
    if (agents) {
      const tools = toolTable(agents, { color, indent: '  ', maxRows: 5 });
      if (tools.length > 0) lines.push('', color.bold('tools'), ...tools);
      const runs = agentRunTable(agents, { color, indent: '  ', maxRows: 3 });
      if (runs.length > 0) lines.push('', color.bold('agent runs in flight'), ...runs);
    }
  }

  const top = mergeTopStacks(snapshots.map((s) => s.topStacks)).slice(0, 3);
  if (top.length > 0) {
    lines.push('', color.bold('top blocking stacks'));
    for (const entry of top) {
      const blame = formatBlame(entry.stack);
      const api = formatInFlight(entry.inFlight);
      lines.push(
        `  ${String(entry.count).padStart(5)}×  total ${formatMs(entry.totalMs).padStart(8)}  max ${formatMs(entry.maxMs).padStart(8)}  ${blame || color.dim('(no stack)')}${api ? `  ${color.yellow(api)}` : ''}`,
      );
    }
  }

  // Runs and requests seen in flight past the SLA, newest first (the counts are in each process's lines).
  const breaches = [...state.latestSlaBreaches].reverse().slice(0, 3);
  if (breaches.length > 0) {
    lines.push('', color.bold('latest SLA breaches'));
    for (const breach of breaches) {
      const when = new Date(breach.at).toLocaleTimeString('en-GB', { hour12: false });
      const who = processes.length > 1 ? color.dim(`  pid ${breach.pid}`) : '';
      lines.push(`  ${color.dim(when)}  ${formatSlaLine(breach, color)}${who}`);
    }
  }

  lines.push('', color.bold('latest blocks'));
  const room = Math.max(3, size.rows - lines.length - 1);
  const blockLines: string[] = [];
  for (const seen of [...state.latestBlocks].sort((a, b) => b.block.startedAt - a.block.startedAt)) {
    const { pid, block } = seen;
    const when = new Date(blockStartOf(block)).toLocaleTimeString('en-GB', { hour12: false });
    const api = formatInFlight(block.inFlight);
    const context = formatContext(block.context);
    const requests = describeRequestsInFlight(block.requestsInFlight);
    const who = processes.length > 1 ? color.dim(`  pid ${pid}`) : '';
    const connected = state.processes.get(pid)?.connected ?? false;
    const duration =
      block.ongoing === true
        ? color.red.bold(ongoingLabel(seen, connected, now))
        : `${color.red.bold(formatMs(block.durationMs).padStart(8))}${seen.endedAfterOngoing ? color.dim('  (ended)') : ''}`;
    blockLines.push(
      `  ${color.dim(when)}  ${duration}${api ? `  ${color.yellow(api)}` : ''}${context ? `  ${color.cyan(context)}` : ''}${requests ? `  ${color.magenta(requests)}` : ''}${block.late ? color.dim('  (late stack)') : ''}${who}`,
    );
    const blamed = blamedFrame(block.stack);
    const frames = blamed ? block.stack.slice(block.stack.indexOf(blamed), block.stack.indexOf(blamed) + 3) : [];
    if (frames.length === 0) {
      blockLines.push(color.dim(`              (${block.noStack === undefined ? 'no stack' : describeNoStackReason(block.noStack, block.ongoing === true)})`));
    } else if (!block.late && block.stackDelayMs !== undefined) {
      blockLines.push(color.dim(`              (${describeStackDelay(block.stackDelayMs)})`));
    }
    for (const frame of frames) blockLines.push(`              at ${formatFrame(frame)}`);
    if (blockLines.length >= room) break;
  }
  if (blockLines.length === 0) blockLines.push(color.dim('  none yet'));
  lines.push(...blockLines.slice(0, room));
  return lines.map((line) => truncate(line, width));
}

/**
 * A block the monitor reported while it was still running: `BLOCKED 7.20 s and counting` (counted on from
 * its start while the process is connected), or `≥ 5.00 s, never ended` once the process has gone.
 */
function ongoingLabel(seen: SeenBlock, connected: boolean, now: number): string {
  const { block } = seen;
  if (!connected) return `≥ ${formatMs(block.durationMs)}, never ended`;
  return `BLOCKED ${formatMs(ongoingMs(block, now))} and counting`;
}

/** How long an ongoing block has lasted by now: from its start, never less than when it was reported. */
function ongoingMs(block: BlockEvent, now: number): number {
  return Math.max(block.durationMs, now - blockStartOf(block));
}

function renderProcess(watched: WatchedProcess, ongoing: readonly SeenBlock[], chartWidth: number, color: ChalkInstance, now: number): string[] {
  const { hello, snapshot } = watched;
  const status = watched.connected
    ? ''
    : color.yellow(watched.throughEndpoint ? '  (disconnected: the process exited, or its endpoint went out of reach)' : '  (disconnected: the process exited)');
  const mode = hello.mode === 'full' ? color.green('full') : color.yellow('lag-only');
  const uptime = snapshot ? `  up ${formatMs(snapshot.uptimeMs)}` : '';
  const lines = [`${color.bold(`pid ${hello.pid}`)}  ${mode}  threshold ${hello.thresholdMs} ms${uptime}${status}`];
  const current = ongoing.at(-1);
  if (current) {
    const blame = formatBlame(current.block.stack);
    const api = formatInFlight(current.block.inFlight);
    const what = `${api ? `  ${color.yellow(api)}` : ''}${blame ? `  at ${blame}` : ''}`;
    lines.push(`  ${color.red.bold.inverse(` ${ongoingLabel(current, watched.connected, now)} `)}${what}`);
  }
  const stalled = watched.stallHistory;
  const lastStall = stalled.at(-1);
  const chart = sparkline(
    stalled.map((p) => p.blockedMs),
    chartWidth,
    Math.max(0, ...stalled.map((p) => p.intervalMs)),
  );
  const stalledNow = lastStall ? `${formatMs(lastStall.blockedMs)} in the last ${formatMs(lastStall.intervalMs)}` : '';
  lines.push(`  stalled   ${color.red(chart)}  ${stalledNow}`);
  const latest = watched.lagHistory.at(-1);
  const window = latest
    ? `last window p99 ${formatMs(latest.p99Ms)}  max ${formatMs(latest.maxMs)}`
    : color.dim('waiting for the first lag window');
  lines.push(`  lag p99   ${color.cyan(sparkline(watched.lagHistory.map((p) => p.p99Ms), chartWidth))}  ${window}`);
  if (snapshot) {
    lines.push(
      `  lag       since start p50 ${formatMs(snapshot.lag.p50Ms)}  p90 ${formatMs(snapshot.lag.p90Ms)}  p99 ${formatMs(snapshot.lag.p99Ms)}  max ${formatMs(snapshot.lag.maxMs)}`,
    );
    const utilization = latest?.utilization ?? snapshot.utilization;
    lines.push(`  ELU       ${color.magenta(bar(utilization, chartWidth))}  ${formatPercent(utilization)}`);
    const pool = snapshot.threadPool;
    lines.push(
      pool
        ? `  pool      queue delay last ${formatMs(pool.lastMs)}  p50 ${formatMs(pool.p50Ms)}  p99 ${formatMs(pool.p99Ms)}  max ${formatMs(pool.maxMs)}`
        : color.dim('  pool      no thread-pool probe'),
    );
    const routes = readRoutesSection(snapshot.sections);
    if (routes) {
      const oldest = routes.oldestMs === null ? '–' : formatMs(routes.oldestMs);
      const shedding = routes.shedding ? color.yellow('  shedding load') : '';
      lines.push(`  requests  in flight ${routes.inFlight}  oldest ${oldest}${shedding}`);
      for (const route of routes.routes.filter((r) => r.blocks > 0).slice(0, 3)) {
        lines.push(
          color.dim(`            ${route.route}: ${route.blocks} blocks, ${formatMs(route.blockedMs)} blocked, worst ${formatMs(route.worstBlockMs)}`),
        );
      }
    }
    // With inFlightSlaMs: the runs and requests seen in flight past it, as /metrics counts them.
    const sla = readSlaSection(snapshot.sections);
    if (sla) {
      const counts = formatSlaCounts(sla);
      lines.push(`  sla       ${sla.breaches.run + sla.breaches.request > 0 ? color.yellow(counts) : counts}`);
    }
  }
  return lines;
}

/** Cuts a line to the terminal width; ANSI colour codes take no columns. */
function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i += 1) {
    if (line[i] === '\u001b') {
      const end = line.indexOf('m', i);
      if (end !== -1) {
        out += line.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= width) continue;
    out += line[i];
    visible += 1;
  }
  return out;
}
