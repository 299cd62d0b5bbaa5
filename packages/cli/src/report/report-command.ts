import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { cliVersion } from '../main.js';
import { renderHtml } from './html.js';
import { buildReport } from './model.js';
import { readEventLog } from './read-log.js';
import { renderTerminal } from './terminal.js';

export interface ReportOptions {
  html?: string;
  json: boolean;
}

/** `agent-lag report`'s action (commands/report.ts registers it): the summary on stdout, and the HTML page if asked. */
export async function reportCommand(file: string, options: ReportOptions): Promise<void> {
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
}
