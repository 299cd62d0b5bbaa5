import { createRequire } from 'node:module';
import { createPresets, type Presets } from './configs/index.js';
import { rules } from './rules/index.js';

const packageJson = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

type Rules = typeof rules;

/**
 * What ESLint calls on a rule, typed so that both ESLint's `RuleDefinition` (9 and 10) and
 * typescript-eslint's `LooseRuleDefinition` accept it: typescript-eslint's own `RuleModule` is not
 * assignable to ESLint's (their rule contexts differ), and the two plugin types meet only at `any`.
 */
export type PluginRule<Meta> = {
  meta: Meta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the context types of ESLint and typescript-eslint meet only at `any`
  create(context: any): { [selector: string]: ((...args: any[]) => void) | undefined };
};

/**
 * The plugin's type: usable as `plugins: { '@agent-lag': agentLag }` in ESLint's and typescript-eslint's
 * config types. Type literals, not interfaces: ESLint reads a plugin's `rules` and `configs` through
 * index signatures, which only type literals satisfy (see configs/index.ts).
 */
export type AgentLagPlugin = {
  meta: { name: string; version: string };
  rules: { [Name in keyof Rules]: PluginRule<Rules[Name]['meta']> };
  configs: Presets;
};

const configs = {} as Presets;

/** The flat-config plugin; `plugin.configs.*` register it under `@agent-lag`. */
const plugin: AgentLagPlugin = {
  meta: { name: packageJson.name, version: packageJson.version },
  // The same objects; only their declared `create` type is widened (see PluginRule).
  rules: rules as unknown as AgentLagPlugin['rules'],
  configs,
};

Object.assign(configs, createPresets(plugin));

export default plugin;
export { rules, configs };
export type { Preset, PresetName, PresetPlugin, PresetRuleEntry, Presets } from './configs/index.js';
export type { BlockingCall } from './analysis/engine.js';
export { getBlockingCalls } from './analysis/engine.js';
