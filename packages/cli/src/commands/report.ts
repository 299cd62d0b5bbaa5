import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { cliVersion, type CommandResult } from '../main.js';
import { renderHtml } from '../report/html.js';
import { buildReport } from '../report/model.js';
import { readEventLog } from '../report/read-log.js';
import { renderTerminal } from '../report/terminal.js';

interface ReportOptions {
  html?: string;
  json: boolean;
}

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
      const model = buildReport(await readEventLog(file));
      if (options.html !== undefined) {
        const out = resolve(options.html);
        try {
          await writeFile(out, renderHtml(model, cliVersion()));
        } catch (error) {
          throw new UsageError(`cannot write ${options.html}: ${(error as Error).message}`);
        }
        process.stderr.write(`agent-lag: wrote the HTML report to ${out}\n`);
      }
      process.stdout.write(options.json ? `${JSON.stringify(model, null, 2)}\n` : renderTerminal(model));
    });
}
