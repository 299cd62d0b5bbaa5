import type { Command } from 'commander';
import type { CommandResult } from '../main.js';
import type { ReportOptions } from '../report/report-command.js';

export function registerReportCommand(program: Command, result: CommandResult): void {
  void result; // A report never fails a gate: it exits 0, or 2 on a bad log.
  program
    .command('report')
    .description("summarise a runtime monitor event log (NDJSON), in the terminal and as a self-contained HTML page")
    .argument('<events.ndjson>', 'the event log written by `agent-lag run --report FILE` or AGENT_LAG_REPORT')
    .option('--html <file>', 'also write an HTML report (inline SVG charts, no network access) to <file>')
    .option('--json', 'print the summary as JSON instead of text', false)
    .addHelpText(
      'after',
      `
Examples:
  $ agent-lag run --report events.ndjson -- node server.js
  $ agent-lag report events.ndjson
  $ agent-lag report events.ndjson --html report.html
  $ agent-lag report events.ndjson --json | jq .stalls`,
    )
    .action(async (file: string, options: ReportOptions) => {
      const { reportCommand } = await import('../report/report-command.js');
      await reportCommand(file, options);
    });
}
