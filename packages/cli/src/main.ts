import { createRequire } from 'node:module';
import { chalkStderr, default as chalk, type ColorSupportLevel } from 'chalk';
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

/** What decides colour for one output stream. */
export interface ColorInputs {
  /** `--color` (true), `--no-color` (false), or neither (undefined); the last one given wins. */
  flag: boolean | undefined;
  env: NodeJS.ProcessEnv;
  stream: { isTTY?: boolean; getColorDepth?: (env?: object) => number };
}

/** FORCE_COLOR as chalk reads it: 0 or false off, 1 to 3 a level, empty or anything else 1. */
function forcedLevel(value: string | undefined): ColorSupportLevel | undefined {
  if (value === undefined) return undefined;
  if (value === 'false' || value === '0') return 0;
  const level = Number.parseInt(value, 10);
  return level === 2 || level >= 3 ? (Math.min(level, 3) as ColorSupportLevel) : 1;
}

/** Node's colour depth in bits (1, 4, 8, 24) as a chalk level. */
function levelOfDepth(bits: number): ColorSupportLevel {
  return bits >= 24 ? 3 : bits >= 8 ? 2 : bits >= 4 ? 1 : 0;
}

/**
 * Whether (and how richly) to colour one stream, by the conventions users expect of a CLI: the
 * command-line flag first, then FORCE_COLOR (force-color.org, as chalk reads it), then NO_COLOR
 * (no-color.org: set and not empty means none), then whether the stream is a terminal that has
 * colours. chalk alone ignores NO_COLOR and takes `--no-color` from anywhere in argv, including
 * the arguments of the command `run` starts: hence our own decision, applied to its instances.
 */
export function colorLevel({ flag, env, stream }: ColorInputs): ColorSupportLevel {
  if (flag === false) return 0;
  const forced = forcedLevel(env['FORCE_COLOR']);
  const detected = (): ColorSupportLevel => {
    if (!stream.isTTY || typeof stream.getColorDepth !== 'function') return 0;
    const { FORCE_COLOR: _force, NO_COLOR: _no, ...rest } = env;
    return levelOfDepth(stream.getColorDepth(rest));
  };
  if (flag === true) return forced === undefined || forced === 0 ? Math.max(1, detected()) as ColorSupportLevel : forced;
  if (forced !== undefined) return forced;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
  return detected();
}

/** Sets chalk's stdout and stderr instances, which every command's output goes through. */
function applyColor(flag: boolean | undefined): void {
  chalk.level = colorLevel({ flag, env: process.env, stream: process.stdout });
  chalkStderr.level = colorLevel({ flag, env: process.env, stream: process.stderr });
}

function addColorOptions(command: Command): Command {
  return command
    .option('--color', 'colour the output even when it is not a terminal (FORCE_COLOR=1 likewise)')
    .option('--no-color', 'no colours (NO_COLOR=1 likewise)');
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
  // Accepted before the command name and after it (`agent-lag --no-color lint`, `agent-lag lint
  // --no-color`): `run` makes options positional, so each command declares them too.
  addColorOptions(program);
  for (const command of program.commands) addColorOptions(command);
  program.hook('preAction', (_program, command) => {
    const own = command.opts<{ color?: boolean }>().color;
    applyColor(own ?? program.opts<{ color?: boolean }>().color);
  });
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
