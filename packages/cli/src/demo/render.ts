import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import chalk from 'chalk';
import { isInside } from '../lint/project.js';
import { formatContext } from '../shared/format.js';
import { formatMs, plural } from '../shared/format-numbers.js';
import { sameLine, type LintFinding, type RuntimeFinding, type SourceLine } from './findings.js';
import type { LoadResult } from './load.js';
import type { ToolsKind } from './service.js';

export interface PhaseOutcome {
  tools: ToolsKind;
  load: LoadResult;
  stalls: number;
  blockedMs: number;
  worstMs: number;
  runtime: RuntimeFinding[];
}

export interface DemoOutcome {
  serviceDir: string;
  lint: LintFinding[];
  sync: PhaseOutcome;
  async: PhaseOutcome;
  durationS: number;
  connections: number;
  thresholdMs: number;
}

/** Paths relative to where the user stands when the service is below it, as they would type them. */
function where(place: SourceLine, cwd: string): string {
  const file = isInside(place.file, cwd) ? relative(cwd, place.file) : place.file;
  return `${file}:${place.line}:${place.column}`;
}

function ratio(better: number, worse: number): string {
  if (worse <= 0 || better <= 0) return '–';
  const times = better / worse;
  return times >= 10 ? `${times.toFixed(0)}×` : `${times.toFixed(1)}×`;
}

/** Columns padded to their widest cell (colour codes don't count); `right` lists right-aligned columns. */
function table(rows: string[][], right: readonly number[] = []): string[] {
  const width = (cell: string) => stripVTControlCharacters(cell).length;
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => width(row[column] ?? '')))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat(Math.max(0, (widths[column] ?? 0) - width(cell)));
        return right.includes(column) ? pad + cell : cell + pad;
      })
      .join('   ')
      .trimEnd(),
  );
}

export function renderDemo(outcome: DemoOutcome, cwd = process.cwd()): string {
  const out: string[] = [];
  const step = (n: number, title: string) => out.push('', `${chalk.bgBlue.white.bold(` ${n} `)} ${chalk.bold(title)}`);
  const service = isInside(outcome.serviceDir, cwd) ? relative(cwd, outcome.serviceDir) || '.' : outcome.serviceDir;
  out.push(chalk.bold('agent-lag demo: an agent service whose tools block the event loop'));
  out.push(chalk.dim(`  ${service}: POST /agent/run → a fake model → tools read_file and shell`));

  step(1, 'Before it ships: agent-lag lint finds the blocking calls in the source');
  const lintRows = outcome.lint.map((f) => [where(f, cwd), f.api, chalk.dim(f.ruleId)]);
  if (lintRows.length) out.push(...table(lintRows).map((line) => `    ${line}`));
  else out.push(chalk.yellow('    lint reported nothing (unexpected: the sync tools are planted on purpose)'));

  const { sync } = outcome;
  step(2, `While it runs: the monitor, preloaded, under load (${outcome.connections} sessions for ${outcome.durationS} s, sync tools)`);
  out.push(
    `    ${chalk.red(plural(sync.stalls, 'stall'))} over ${formatMs(outcome.thresholdMs)}, worst ${formatMs(sync.worstMs)}, ` +
      `the loop frozen for ${formatMs(sync.blockedMs)} in total`,
  );
  const runtimeRows = sync.runtime.map((f) => {
    const caught = f.blocks > 0 ? `${plural(f.blocks, 'stall')}, ${formatMs(f.blockedMs)}` : plural(f.syncCalls ?? 0, 'sync call');
    const alsoLint = outcome.lint.some((l) => sameLine(l, f));
    // The agent work the stalls interrupted, in the words run's block lines use: "during tool shell of agent support".
    const during = formatContext({ ...(f.tool === null ? {} : { 'gen_ai.tool.name': f.tool }), ...(f.agent === null ? {} : { 'gen_ai.agent.name': f.agent }) });
    return [where(f, cwd), f.api ?? '?', caught, chalk.cyan(during), alsoLint ? chalk.green('✔ lint reported this line too') : ''];
  });
  if (runtimeRows.length) out.push(...table(runtimeRows).map((line) => `    ${line}`));
  else out.push(chalk.yellow("    the monitor attributed no stall to the service's files in this run"));
  const missed = outcome.lint.filter((l) => !sync.runtime.some((f) => sameLine(l, f)));
  for (const finding of missed) {
    out.push(chalk.dim(`    ${where(finding, cwd)} (${finding.api}) was too quick to stall the loop in this run; lint still flags it`));
  }

  const { async: asyncPhase } = outcome;
  step(3, 'The fix: the same tools with async APIs (async-tools.js), same load');
  const fmtRate = (load: LoadResult) => load.requestsPerSecond.toFixed(1);
  // '>': the p99 is a request still waiting when the load stopped (the sync tools: every session waits on the
  // frozen loop), so its latency is higher than the time it had waited.
  const fmtP99 = (load: LoadResult) => `${load.p99AtLeast ? '> ' : ''}${formatMs(load.p99LatencyMs)}`;
  out.push(
    ...table([
      ['', 'req/s', 'p99 latency', 'stalls'],
      ['sync tools', fmtRate(sync.load), fmtP99(sync.load), String(sync.stalls)],
      ['async tools', fmtRate(asyncPhase.load), fmtP99(asyncPhase.load), String(asyncPhase.stalls)],
    ], [1, 2, 3]).map((line, index) => `    ${index === 0 ? chalk.dim(line) : line}`),
  );
  if (sync.load.completed === 0 && asyncPhase.load.completed > 0) {
    out.push(`    ${chalk.green.bold(`→ with sync tools no request completed in ${outcome.durationS} s`)}; with async tools ${plural(asyncPhase.load.completed, 'request')} did`);
  } else {
    // A lower bound of the sync p99 bounds the ratio from below; one of the async p99 leaves it unknown.
    const p99Ratio = asyncPhase.load.p99AtLeast ? '' : `, p99 latency ${sync.load.p99AtLeast ? 'at least ' : ''}${ratio(sync.load.p99LatencyMs, asyncPhase.load.p99LatencyMs)} lower`;
    out.push(`    ${chalk.green.bold(`→ ${ratio(asyncPhase.load.requestsPerSecond, sync.load.requestsPerSecond)} the throughput`)}${p99Ratio}`);
  }
  const failed = sync.load.failed + asyncPhase.load.failed;
  if (failed > 0) out.push(chalk.yellow(`    (${failed} requests failed or timed out)`));

  out.push('', chalk.bold('On your own service:'));
  out.push('  npx agent-lag lint src/');
  out.push('  npx agent-lag run --report events.ndjson -- node server.js');
  out.push('  npx agent-lag report events.ndjson --html report.html');
  return `${out.join('\n')}\n`;
}
