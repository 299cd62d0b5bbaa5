import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.js';
import { registerLintCommand } from './commands/lint.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerWatchCommand } from './commands/watch.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';

/** Where a command's action leaves its exit code (0 ok, 1 findings, 2 bad usage). */
export interface CommandResult {
  exitCode: number;
}

/** The CLI's own version, read from its package.json so `--version` can never drift. */
export function cliVersion(): string {
  // Loaded like a module (once, cached) rather than read from disk on every call.
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
  return pkg.version;
}

export function createProgram(result: CommandResult): Command {
  const program = new Command('agent-lag')
    .description('Find and measure event-loop blocking in Node.js services.')
    .version(cliVersion(), '-V, --version', 'print the agent-lag version')
    .showHelpAfterError('(run agent-lag --help for usage)')
    .configureOutput({
      // commander prints "error: ..."; keep every usage error on one line prefixed with our name.
      outputError: (text, write) => write(`agent-lag: ${text.replace(/^error: /, '')}`),
    });
  registerLintCommand(program, result);
  registerRunCommand(program, result);
  registerWatchCommand(program, result);
  registerReportCommand(program, result);
  registerDemoCommand(program, result);
  return program;
}

/** Runs the CLI and resolves to the process exit code: 0 ok, 1 findings, 2 bad usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const result: CommandResult = { exitCode: EXIT_OK };
  const program = createProgram(result);
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`agent-lag: ${message}\n`);
    // Anything else is a bug of ours, but the user still gets one line, never a stack dump;
    // AGENT_LAG_DEBUG=1 shows the stack for bug reports.
    if (!(error instanceof UsageError) && process.env['AGENT_LAG_DEBUG'] && error instanceof Error) {
      process.stderr.write(`${error.stack ?? ''}\n`);
    }
    return EXIT_USAGE;
  }
}
