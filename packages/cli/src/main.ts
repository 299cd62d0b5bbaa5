import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

/** The CLI's own version, read from its package.json so `--version` can never drift. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function createProgram(): Command {
  const program = new Command('agent-lag')
    .description('Find and measure event-loop blocking in Node.js services.')
    .version(cliVersion(), '-V, --version', 'print the agent-lag version')
    .showHelpAfterError('(run agent-lag --help for usage)');
  return program;
}

/** Runs the CLI and resolves to the process exit code: 0 ok, 1 findings, 2 bad usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram().exitOverride();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit with code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`agent-lag: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
