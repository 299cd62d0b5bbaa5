import chalk from 'chalk';
import type { Command } from 'commander';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../errors.js';
import type { ConfigSource } from '../lint/run-lint.js';
import { isPresetName, PRESETS, type PresetName } from '../lint/presets.js';
import { toSarif } from '../lint/sarif.js';
import { cliVersion, type CommandResult } from '../main.js';

const FORMATS = ['stylish', 'json', 'sarif'] as const;
type FormatName = (typeof FORMATS)[number];

interface LintOptions {
  preset: string;
  typeAware: boolean;
  format: string;
  configLookup: boolean;
  includeTests: boolean;
}

function describeConfig(config: ConfigSource): string {
  if (config.kind === 'project') {
    return `using the project's ESLint config ${config.path} (its files, ignores, parser and settings) with the @agent-lag/${config.preset} preset; reporting agent-lag's rules only`;
  }
  const types = config.tsconfig ? ` with types from ${config.tsconfig}` : '';
  return `no eslint.config.* in this project: linting with the @agent-lag/${config.preset} preset${types}`;
}

export function registerLintCommand(program: Command, result: CommandResult): void {
  program
    .command('lint')
    .description("report event-loop-blocking calls with agent-lag's ESLint rules (zero config)")
    .argument('[paths...]', 'files or directories to lint', ['.'])
    .option('--preset <name>', `which of agent-lag's rules run, and how: ${PRESETS.join(', ')}`, 'recommended')
    .option('--type-aware', 'use type information (zero config: from the nearest tsconfig.json)', false)
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'stylish')
    .option('--no-config-lookup', "ignore the project's eslint.config.* (its parser, files and ignores)")
    .option('--include-tests', 'zero config: also lint test files and folders (*.test.*, *.spec.*, test/, tests/, __tests__/, e2e/)', false)
    .addHelpText(
      'after',
      `
Runs agent-lag's rules only (the --preset), and reports only what they find: other rules and
ESLint's notes about disable comments are left to your own eslint run. When an eslint.config.*
is found in the target's folder or any folder above it, its files, ignores, parser and settings
decide what is linted and how (it says so on stderr); otherwise every JS and TS file is linted,
except build output and, unless --include-tests, test files and folders. Exit code 1 when
anything is reported (a file that does not parse counts), 0 when clean, 2 on bad usage.

Examples:
  $ agent-lag lint                           lint the current project
  $ agent-lag lint src --preset strict       also report sync helpers called from async code
  $ agent-lag lint --type-aware              resolve receivers with the nearest tsconfig.json
  $ agent-lag lint --format sarif > lint.sarif   for GitHub code scanning
  $ agent-lag lint --format json | jq '.[].messages | length'`,
    )
    .action(async (paths: string[], options: LintOptions) => {
      if (!isPresetName(options.preset)) {
        throw new UsageError(`unknown preset "${options.preset}"; use one of ${PRESETS.join(', ')}`);
      }
      const format = options.format as FormatName;
      if (!FORMATS.includes(format)) {
        throw new UsageError(`unknown format "${options.format}"; use one of ${FORMATS.join(', ')}`);
      }
      // ESLint and typescript-eslint take a second to load: only when linting, not for every command.
      const { countMessages, lint } = await import('../lint/run-lint.js');
      const outcome = await lint({
        paths,
        preset: options.preset satisfies PresetName,
        typeAware: options.typeAware,
        configLookup: options.configLookup,
        includeTests: options.includeTests,
        cwd: process.cwd(),
      });
      process.stderr.write(`agent-lag: ${describeConfig(outcome.config)}\n`);

      const rulesMeta = outcome.eslint.getRulesMetaForResults(outcome.results);
      let output: string;
      if (format === 'sarif') {
        const log = toSarif(outcome.results, rulesMeta, { baseDir: outcome.baseDir, version: cliVersion() });
        output = `${JSON.stringify(log, null, 2)}\n`;
      } else {
        const formatter = await outcome.eslint.loadFormatter(format);
        // chalk has already decided colour from NO_COLOR/FORCE_COLOR and the terminal: follow it.
        output = await formatter.format(outcome.results, { color: chalk.level > 0 });
        if (format === 'json') output += '\n';
      }
      process.stdout.write(output);
      result.exitCode = countMessages(outcome.results) > 0 ? EXIT_FINDINGS : EXIT_OK;
    });
}
