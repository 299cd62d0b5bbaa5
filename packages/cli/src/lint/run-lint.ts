import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { UsageError } from '../errors.js';
import { keepAgentLagFindings } from './findings.js';
import { commonAncestor, directoryOf, findEslintConfig, findPackageRoot, findProjectRoot, findTsconfig } from './project.js';
import { isPluginRedefinition, projectOverride } from './project-override.js';
import { isTypeChecked, typeCheckedPreset, type PresetName } from './presets.js';
import { agentLagRuleIds, loadPlugin, zeroConfig } from './zero-config.js';

export interface LintRequest {
  /** Files or directories, relative to `cwd`. */
  paths: readonly string[];
  preset: PresetName;
  typeAware: boolean;
  /** False to ignore the project's own eslint.config.* and use the preset anyway. */
  configLookup: boolean;
  /** Zero-config only: lint test files and folders too (default false). */
  includeTests?: boolean;
  cwd: string;
}

/** Which configuration linted the files, so the user can be told. */
export type ConfigSource =
  | { kind: 'project'; path: string; preset: PresetName }
  | { kind: 'zero-config'; preset: PresetName; tsconfig: string | null };

export interface LintOutcome {
  eslint: ESLint;
  results: ESLint.LintResult[];
  config: ConfigSource;
  /** The directory ESLint ran in; file paths in reports are relative to it. */
  baseDir: string;
}

/**
 * ESLint's errors about the request (no matching files, a project config that fails to load) are
 * the user's to fix; a rule crashing on a file ("Occurred while linting …") is a bug of ours.
 */
function isEslintUsageError(error: unknown): error is Error {
  return error instanceof Error && !error.message.includes('Occurred while linting');
}

function firstLine(message: string): string {
  return message.split('\n').find((line) => line.trim() !== '') ?? message;
}

export async function lint(request: LintRequest): Promise<LintOutcome> {
  const targets = request.paths.map((path) => resolve(request.cwd, path));
  for (const [index, target] of targets.entries()) {
    await access(target).catch(() => {
      throw new UsageError(`no such file or directory: ${request.paths[index] ?? target}`);
    });
  }
  const firstDir = directoryOf(targets[0] ?? request.cwd);
  const projectRoot = findProjectRoot(firstDir, request.cwd);
  const projectConfig = request.configLookup ? findEslintConfig(firstDir) : null;
  const wantsTypes = request.typeAware || isTypeChecked(request.preset);
  const preset = wantsTypes ? typeCheckedPreset(request.preset) : request.preset;
  const ruleIds = agentLagRuleIds(await loadPlugin());
  // Only agent-lag's rules run: the project's others would cost time and report what we drop anyway.
  const ruleFilter = ({ ruleId }: { ruleId: string }): boolean => ruleIds.has(ruleId);

  let makeEslint: (withPlugin: boolean) => Promise<ESLint>;
  let config: ConfigSource;
  let baseDir: string;
  if (projectConfig) {
    baseDir = commonAncestor([resolve(projectConfig, '..'), ...targets.map(directoryOf)]);
    makeEslint = async (withPlugin) =>
      new ESLint({
        cwd: baseDir,
        overrideConfigFile: projectConfig,
        overrideConfig: await projectOverride({ preset, withPlugin }),
        ruleFilter,
        warnIgnored: false,
      });
    config = { kind: 'project', path: projectConfig, preset };
  } else {
    const packageRoot = findPackageRoot(firstDir);
    const tsconfig = wantsTypes ? findTsconfig(firstDir, packageRoot) : null;
    if (wantsTypes && !tsconfig) {
      const where = packageRoot === null ? `in ${firstDir} or any folder above it` : `between ${firstDir} and the project root ${packageRoot}`;
      throw new UsageError(`type-aware linting needs a tsconfig.json; none found ${where}`);
    }
    baseDir = commonAncestor([projectRoot, ...targets.map(directoryOf)]);
    const overrideConfig = await zeroConfig({ preset, tsconfig, includeTests: request.includeTests ?? false });
    makeEslint = () =>
      Promise.resolve(new ESLint({ cwd: baseDir, overrideConfigFile: true, overrideConfig, ruleFilter, warnIgnored: false }));
    config = { kind: 'zero-config', preset, tsconfig };
  }

  let eslint = await makeEslint(true);
  try {
    let results: ESLint.LintResult[];
    try {
      results = await eslint.lintFiles(targets);
    } catch (error) {
      if (!isPluginRedefinition(error)) throw error;
      // The project registers its own copy of the plugin: run the preset's rules from that copy.
      eslint = await makeEslint(false);
      results = await eslint.lintFiles(targets);
    }
    return { eslint, results: keepAgentLagFindings(results, ruleIds), config, baseDir };
  } catch (error) {
    if (!isEslintUsageError(error)) throw error;
    const template = (error as { messageTemplate?: unknown }).messageTemplate;
    if (template === 'all-matched-files-ignored' || template === 'file-not-found') {
      const tests = config.kind === 'zero-config' && !request.includeTests ? ', or test files: see --include-tests' : '';
      throw new UsageError(`no JavaScript or TypeScript files to lint in ${request.paths.join(' ')} (none there, or all ignored${tests})`);
    }
    if (config.kind === 'project') {
      throw new UsageError(`ESLint failed with the project's config ${config.path}: ${firstLine(error.message)}`);
    }
    throw new UsageError(firstLine(error.message));
  }
}

/** Number of messages (errors, warnings, parse errors) across all results. */
export function countMessages(results: readonly ESLint.LintResult[]): number {
  return results.reduce((sum, result) => sum + result.messages.length, 0);
}
