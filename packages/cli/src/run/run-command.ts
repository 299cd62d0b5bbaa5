import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chalkStderr } from 'chalk';
import { EXIT_FINDINGS } from '../errors.js';
import { formatBlockLine, formatSummary } from '../shared/format.js';
import { formatMs } from '../shared/format-numbers.js';
import { formatSlaLine } from '../shared/sla.js';
import type { LogFigures } from '../report/log-figures.js';
import { parseNonNegativeMs, parsePositiveMs, parseSlaMs, parseThresholdMs } from './numbers.js';
import { RunReport } from './run-report.js';
import { startReportFile } from './report-file.js';
import { exitCodeOf, runMonitored } from './run-monitored.js';
import { FileTail } from './file-tail.js';
import { removeStaleDirs } from '../scratch/stale-dirs.js';

const RUN_DIR_PREFIX = 'agent-lag-run-';

export interface RunCommandOptions {
  report?: string;
  thresholdMs?: string;
  startupGraceMs?: string;
  inFlightSlaMs?: string;
  failOnBlockMs?: string;
  json?: boolean;
}

/** `agent-lag run`'s action (commands/run.ts registers it): the command's exit code, or the gate's. */
export async function runCommand(command: string[], options: RunCommandOptions): Promise<number> {
  const thresholdMs = parseThresholdMs(options.thresholdMs, '--threshold-ms');
  const startupGraceMs = parseNonNegativeMs(options.startupGraceMs, '--startup-grace-ms');
  const failOnBlockMs = parsePositiveMs(options.failOnBlockMs, '--fail-on-block-ms');
  const inFlightSlaMs = parseSlaMs(options.inFlightSlaMs, '--in-flight-sla-ms');
  const json = options.json === true;
  const color = chalkStderr;
  const say = (line: string) => process.stderr.write(`${line}\n`);

  // Those of runs that were killed before they could clean up.
  if (!options.report) await removeStaleDirs(RUN_DIR_PREFIX);
  const scratch = options.report ? undefined : await mkdtemp(join(tmpdir(), `${RUN_DIR_PREFIX}${process.pid}-`));
  const reportPath = options.report ? resolve(options.report) : join(scratch ?? '', 'events.ndjson');
  // This run's events only: an earlier run's, left in the file, would be read back as this run's.
  if (options.report) startReportFile(reportPath);
  const report = new RunReport(reportPath);
  // `run --json … | head`: a closed pipe must not crash us while the command still runs (left
  // installed: queued writes may fail after the run has ended).
  const ignorePipeError = () => undefined;
  if (json) process.stdout.on('error', ignorePipeError);
  const startedAt = Date.now();
  const tail = new FileTail(reportPath, (event) => {
    const live = report.add(event);
    if (json) {
      if (process.stdout.writable) process.stdout.write(`${JSON.stringify(event)}\n`);
    } else if (live && 'sla' in live) {
      say(`${color.dim('[agent-lag]')} ${formatSlaLine(live.sla, color)}`);
    } else if (live) {
      say(`${color.dim('[agent-lag]')} ${formatBlockLine(live.block, color, { endedAfterOngoing: live.endedAfterOngoing })}`);
    }
  });
  // A process killed in a block writes nothing more: when it went is how long the block lasted at least.
  // Found gone, a process has written all it will: the log read after that says whether it left a summary.
  let goneChecks = Promise.resolve();
  const checkGone = (found: number[] = []): Promise<void> =>
    (goneChecks = goneChecks.then(async () => {
      const gone = [...found, ...(await report.gone.poll())];
      if (gone.length === 0) return;
      await tail.poll();
      report.noteGone(gone);
    }));
  const goneTimer = setInterval(() => void checkGone(), 100);
  try {
    const outcome = await runMonitored({
      command,
      reportPath,
      thresholdMs,
      startupGraceMs,
      inFlightSlaMs,
      childStdout: json ? 'stderr' : 'inherit',
      tail,
    });
    clearInterval(goneTimer);
    const childExitCode = exitCodeOf(outcome);
    await checkGone(outcome.pid !== undefined && report.gone.markGone(outcome.pid, outcome.exitedAt) ? [outcome.pid] : []);
    // Reads back the gone lines just written: --json prints the log as it is written.
    await tail.poll();
    const figures = report.figures(outcome.exitedAt);
    if (!json) {
      const how = outcome.signal ? `killed by ${outcome.signal}` : `exit ${outcome.code ?? '?'}`;
      const title = `agent-lag run: ${command.join(' ')}  (${how}, ${formatMs(Date.now() - startedAt)})`;
      say('');
      if (!figures.heard) {
        say(color.bold(title));
        say(
          color.yellow(
            outcome.logError
              ? `  could not read the monitor's event log ${reportPath} (${outcome.logError})`
              : '  the monitor reported nothing: is the command a Node.js program (>= 20.19)?',
          ),
        );
      } else {
        for (const line of formatSummary({ figures, title }, color)) say(line);
      }
      if (options.report) say(color.dim(`  event log: ${reportPath}`));
    }
    const gateFailed = failOnBlockMs !== undefined && gate(figures, failOnBlockMs, say);
    // The child's failure wins: it is the more specific news, and CI fails either way.
    if (childExitCode !== 0) return childExitCode;
    return gateFailed ? EXIT_FINDINGS : 0;
  } finally {
    clearInterval(goneTimer);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * --fail-on-block-ms: fails on the worst block, ended or never ended. Fails closed: with no event from
 * any process (not Node, the preload refused, the log unreadable) nothing rules a long block out.
 */
function gate(figures: LogFigures, failOnBlockMs: number, say: (line: string) => void): boolean {
  if (!figures.heard) {
    say(`agent-lag: --fail-on-block-ms ${failOnBlockMs}: the monitor reported nothing (no event from any process, or its event log could not be read), so the gate cannot know: failing`);
    return true;
  }
  const worst = figures.worstBlockMs;
  if (worst <= failOnBlockMs) return false;
  const neverEnded = figures.neverEnded.some((b) => !b.startup && b.durationMs === worst);
  say(`agent-lag: a block of ${neverEnded ? 'at least ' : ''}${formatMs(worst)}${neverEnded ? ' (never ended)' : ''} exceeded --fail-on-block-ms ${failOnBlockMs}`);
  return true;
}
