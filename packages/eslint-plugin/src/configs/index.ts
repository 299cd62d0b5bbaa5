import { categoryRules } from '../rules/index.js';

/** The prefix presets register the plugin under: rules are `@agent-lag/no-sync-fs`. */
export const PLUGIN_PREFIX = '@agent-lag';

export type PresetName = 'recommended' | 'strict' | 'recommended-type-checked' | 'strict-type-checked';

/** The options presets set on the category rules. */
export type PresetRuleOptions = { reachability?: boolean; typeAware?: boolean };

/** `'error'` or `['error', options]`: a mutable tuple, as ESLint's `RuleConfig` is. */
export type PresetRuleEntry = 'error' | ['error', PresetRuleOptions];

/**
 * The plugin as a preset declares it: only what every config type agrees on. The rules are not in
 * it: typescript-eslint's `RuleModule` and ESLint's `RuleDefinition` are not assignable to each
 * other (their `create` contexts differ), and a preset's type must satisfy both.
 */
export type PresetPlugin = { meta: { name: string; version: string } };

/**
 * One flat config object, typed so that it is a valid `Linter.Config` of ESLint 9 and 10 (what
 * `defineConfig` takes) and a typescript-eslint `FlatConfig.Config`. Type literals, not interfaces
 * nor typescript-eslint's `FlatConfig.Config`: ESLint reads `plugins`, `rules` and a plugin's
 * `configs` through index signatures, which a type literal satisfies and an interface does not, and
 * typescript-eslint's `languageOptions` type lacks the index signature ESLint's has. A preset names
 * only the keys it sets, so no differing declaration of another key can trip either.
 */
export type Preset = {
  name: string;
  plugins: Record<string, PresetPlugin>;
  rules: Record<string, PresetRuleEntry>;
};

export type Presets = Record<PresetName, Preset>;

function categoryEntries(options: PresetRuleOptions): Record<string, PresetRuleEntry> {
  const entry: PresetRuleEntry = Object.keys(options).length === 0 ? 'error' : ['error', options];
  return Object.fromEntries(Object.keys(categoryRules).map((name) => [`${PLUGIN_PREFIX}/${name}`, entry]));
}

/**
 * - recommended: category rules, syntactic, only code that surely runs on the event loop.
 * - strict: + same-file reachability (sync helpers called from async code) + busy-wait loops.
 * - *-type-checked: + type-aware resolution; strict-type-checked also follows helpers across files.
 */
export function createPresets(plugin: PresetPlugin): Presets {
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
