import type { Linter } from 'eslint';
import type { PresetName } from './presets.js';
import { presetConfigs } from './zero-config.js';

/** What a project's config learns from the preset: agent-lag's rules, its plugin unless already there. */
export interface ProjectOverrideOptions {
  preset: PresetName;
  /**
   * False when the project's config registers its own `@agent-lag` plugin (another copy of it):
   * ESLint refuses a second object under the same name, and the rules then resolve to the project's.
   */
  withPlugin: boolean;
}

/**
 * Appended to the project's own eslint.config.*: the preset's rules, with no `files` and no
 * `ignores`, so they apply to exactly the files the project lints, parsed as the project parses
 * them. Which files, which parser and which settings stay the project's decision; which rules run
 * is ours (the project's other rules are filtered out before they run).
 */
export async function projectOverride({ preset, withPlugin }: ProjectOverrideOptions): Promise<Linter.Config[]> {
  const configs = (await presetConfigs(preset)).map(
    ({ files: _files, ignores: _ignores, plugins, name, ...rest }): Linter.Config => ({
      ...rest,
      name: `agent-lag lint: ${name ?? preset}`,
      ...(withPlugin && plugins ? { plugins } : {}),
    }),
  );
  return [
    ...configs,
    {
      name: 'agent-lag lint: disable comments',
      // The project's disable comments for its other rules are not ours to judge.
      linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
    },
  ];
}

/** ESLint's complaint when the project's config registers another copy of the plugin. */
export function isPluginRedefinition(error: unknown): boolean {
  return error instanceof Error && /Cannot redefine plugin "@agent-lag"/.test(error.message);
}
