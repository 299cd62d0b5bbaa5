/** The presets `agent-lag lint --preset` accepts; the names of the plugin's flat configs. */
export const PRESETS = ['recommended', 'strict', 'recommended-type-checked', 'strict-type-checked'] as const;
export type PresetName = (typeof PRESETS)[number];

export function isPresetName(value: string): value is PresetName {
  return (PRESETS as readonly string[]).includes(value);
}

export function isTypeChecked(preset: PresetName): boolean {
  return preset.endsWith('-type-checked');
}

/** The syntactic preset a type-checked one builds on (for files the tsconfig does not cover). */
export function syntacticPreset(preset: PresetName): PresetName {
  return preset.startsWith('strict') ? 'strict' : 'recommended';
}

/** `--type-aware` turns `recommended` into `recommended-type-checked`, and `strict` likewise. */
export function typeCheckedPreset(preset: PresetName): PresetName {
  return isTypeChecked(preset) ? preset : (`${preset}-type-checked` as PresetName);
}
