import { createRequire } from 'node:module';
import type { TSESLint } from '@typescript-eslint/utils';
import { createPresets, type Presets } from './configs/index.js';
import { rules } from './rules/index.js';

const packageJson = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export interface AgentLagPlugin {
  meta: { name: string; version: string };
  rules: typeof rules;
  configs: Presets;
}

const configs = {} as Presets;

/** The flat-config plugin; `plugin.configs.*` register it under `@agent-lag`. */
const plugin: AgentLagPlugin = {
  meta: { name: packageJson.name, version: packageJson.version },
  rules,
  configs,
};

Object.assign(configs, createPresets(plugin as unknown as TSESLint.FlatConfig.Plugin));

export default plugin;
export { rules, configs };
export type { BlockingCall } from './analysis/engine.js';
export { getBlockingCalls } from './analysis/engine.js';
