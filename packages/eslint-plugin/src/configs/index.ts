import type { TSESLint } from '@typescript-eslint/utils';
import { categoryRules } from '../rules/index.js';

type Config = TSESLint.FlatConfig.Config;
type RuleEntry = TSESLint.FlatConfig.RuleEntry;

/** The prefix presets register the plugin under: rules are `@agent-lag/no-sync-fs`. */
export const PLUGIN_PREFIX = '@agent-lag';

export interface Presets {
  recommended: Config;
  strict: Config;
  'recommended-type-checked': Config;
  'strict-type-checked': Config;
}

function categoryEntries(options: { reachability?: boolean; typeAware?: boolean }): Record<string, RuleEntry> {
  const entry: RuleEntry = Object.keys(options).length === 0 ? 'error' : ['error', options];
  return Object.fromEntries(Object.keys(categoryRules).map((name) => [`${PLUGIN_PREFIX}/${name}`, entry]));
}

/**
 * - recommended: category rules, syntactic, only code that surely runs on the event loop.
 * - strict: + same-file reachability (sync helpers called from async code) + busy-wait loops.
 * - *-type-checked: + type-aware resolution; strict-type-checked also follows helpers across files.
 */
export function createPresets(plugin: TSESLint.FlatConfig.Plugin): Presets {
  const plugins = { [PLUGIN_PREFIX]: plugin };
  return {
    recommended: { name: `${PLUGIN_PREFIX}/recommended`, plugins, rules: categoryEntries({}) },
    strict: {
      name: `${PLUGIN_PREFIX}/strict`,
      plugins,
      rules: {
        ...categoryEntries({ reachability: true }),
        [`${PLUGIN_PREFIX}/no-busy-wait`]: ['error', { reachability: true }],
      },
    },
    'recommended-type-checked': {
      name: `${PLUGIN_PREFIX}/recommended-type-checked`,
      plugins,
      rules: categoryEntries({ typeAware: true }),
    },
    'strict-type-checked': {
      name: `${PLUGIN_PREFIX}/strict-type-checked`,
      plugins,
      rules: {
        ...categoryEntries({ reachability: true, typeAware: true }),
        [`${PLUGIN_PREFIX}/no-busy-wait`]: ['error', { reachability: true }],
        [`${PLUGIN_PREFIX}/no-blocking-helper`]: 'error',
      },
    },
  };
}
