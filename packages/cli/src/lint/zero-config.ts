import { dirname } from 'node:path';
import type { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { syntacticPreset, type PresetName } from './presets.js';

/** What agent-lag needs from `@agent-lag/eslint-plugin`: its rules and flat-config presets. */
export interface AgentLagPlugin {
  rules: Record<string, unknown>;
  configs: Partial<Record<PresetName, Linter.Config | Linter.Config[]>>;
}

/** The plugin's namespace in flat configs, as its presets register it. */
const NAMESPACE = '@agent-lag';

const JS_FILES = ['**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'];
const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/**
 * Folders nobody wants linted for blocking calls: build output would repeat every finding of its
 * sources. ESLint itself already ignores node_modules and .git.
 */
const DEFAULT_IGNORES = ['**/dist/', '**/build/', '**/coverage/', '**/.next/', '**/out/'];

/**
 * Tests block on purpose (fixtures read synchronously in beforeEach, execSync in a setup) and never
 * serve a request: on real projects most zero-config reports were there. `--include-tests` keeps them.
 */
export const TEST_IGNORES = [
  '**/*.test.*',
  '**/*.spec.*',
  '**/*.e2e.*',
  '**/test/',
  '**/tests/',
  '**/__tests__/',
  '**/__mocks__/',
  '**/e2e/',
  '**/cypress/',
  '**/playwright/',
];

export async function loadPlugin(): Promise<AgentLagPlugin> {
  const module = (await import('@agent-lag/eslint-plugin')) as { default?: Partial<AgentLagPlugin> };
  const { configs, rules } = module.default ?? {};
  if (!configs || !rules) throw new Error('@agent-lag/eslint-plugin has no configs; is it built?');
  return { configs, rules };
}

/** The ids ESLint reports agent-lag's rules under: `@agent-lag/no-sync-fs`, … */
export function agentLagRuleIds(plugin: AgentLagPlugin): Set<string> {
  return new Set(Object.keys(plugin.rules).map((name) => `${NAMESPACE}/${name}`));
}

export async function presetConfigs(name: PresetName): Promise<Linter.Config[]> {
  const preset = (await loadPlugin()).configs[name];
  if (!preset) throw new Error(`@agent-lag/eslint-plugin has no "${name}" preset`);
  return Array.isArray(preset) ? preset : [preset];
}

export interface ZeroConfigOptions {
  preset: PresetName;
  /** Absolute path of the tsconfig used for type information, for the type-checked presets. */
  tsconfig: string | null;
  /** Lint test files and folders too (TEST_IGNORES). */
  includeTests: boolean;
}

/**
 * The flat config used when the project has none: the plugin's preset on every JS and TS file,
 * parsed by typescript-eslint's parser (it reads JS, JSX and TS alike). With a tsconfig, TS files
 * get the type-checked preset; JS files keep the syntactic one, since they have no types.
 */
export async function zeroConfig({ preset, tsconfig, includeTests }: ZeroConfigOptions): Promise<Linter.Config[]> {
  const configs: Linter.Config[] = [
    { ignores: includeTests ? DEFAULT_IGNORES : [...DEFAULT_IGNORES, ...TEST_IGNORES] },
    {
      files: [...JS_FILES, ...TS_FILES],
      languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
      // The project's disable comments name rules this config does not load: don't report them.
      linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
    },
    { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
    ...(await presetConfigs(syntacticPreset(preset))).map((config) => ({ ...config, files: [...JS_FILES, ...TS_FILES] })),
  ];
  if (tsconfig) {
    for (const config of await presetConfigs(preset)) {
      configs.push({ ...config, files: TS_FILES });
    }
    configs.push({
      files: TS_FILES,
      languageOptions: { parserOptions: { project: tsconfig, tsconfigRootDir: dirname(tsconfig) } },
    });
  }
  return configs;
}
