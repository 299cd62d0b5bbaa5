import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const PRESETS = ['recommended', 'strict', 'recommended-type-checked', 'strict-type-checked'] as const;

const TOOL = `import fs from 'node:fs';
import { execSync } from 'node:child_process';
const config = fs.readFileSync('config.json', 'utf8');
export async function runTool(command: string) {
  return execSync(command).toString() + config;
}
`;

async function lint(config: Linter.Config, code: string, filePath = 'tool.ts') {
  const eslint = new ESLint({
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts', '**/*.js'], languageOptions: { parser: tseslint.parser } }, config],
  });
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages;
}

describe('the plugin object', () => {
  it('has meta, every rule and the four presets', () => {
    expect(plugin.meta).toEqual({ name: '@agent-lag/eslint-plugin', version: expect.stringMatching(/^\d+\.\d+\.\d+/) as string });
    expect(Object.keys(plugin.rules).sort()).toEqual([
      'no-atomics-wait', 'no-blocking-api', 'no-blocking-helper', 'no-busy-wait', 'no-sync-child-process',
      'no-sync-crypto', 'no-sync-fs', 'no-sync-sqlite', 'no-sync-third-party', 'no-sync-zlib',
    ]);
    expect(Object.keys(plugin.configs).sort()).toEqual([...PRESETS].sort());
  });

  it.each(PRESETS)('%s registers the plugin under @agent-lag and only names rules it has', (name) => {
    const config = plugin.configs[name];
    expect(config.plugins?.['@agent-lag']).toBe(plugin);
    for (const rule of Object.keys(config.rules ?? {})) {
      expect(rule.startsWith('@agent-lag/')).toBe(true);
      expect(plugin.rules).toHaveProperty(rule.slice('@agent-lag/'.length));
    }
  });

  it('turns on reachability and busy-wait in strict, type-aware resolution in the type-checked presets', () => {
    expect(plugin.configs.recommended.rules?.['@agent-lag/no-sync-fs']).toBe('error');
    expect(plugin.configs.strict.rules?.['@agent-lag/no-sync-fs']).toEqual(['error', { reachability: true }]);
    expect(plugin.configs.strict.rules).toHaveProperty(['@agent-lag/no-busy-wait']);
    expect(plugin.configs['recommended-type-checked'].rules?.['@agent-lag/no-sync-fs']).toEqual(['error', { typeAware: true }]);
    expect(plugin.configs['strict-type-checked'].rules).toHaveProperty(['@agent-lag/no-blocking-helper']);
  });
});

describe('presets under the real ESLint', () => {
  it('recommended reports the call in the async handler, naming API, category and owner, and not start-up code', async () => {
    const messages = await lint(plugin.configs.recommended, TOOL);
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([['@agent-lag/no-sync-child-process', 5]]);
    expect(messages[0]?.message).toContain('`child_process.execSync` (child-process)');
    expect(messages[0]?.message).toContain('runTool');
  });

  it.each(['recommended', 'strict'] as const)('%s runs without type information and never throws', async (name) => {
    const messages = await lint(plugin.configs[name], TOOL);
    expect(messages.every((m) => !m.fatal)).toBe(true);
    expect(messages.some((m) => m.ruleId === '@agent-lag/no-sync-child-process')).toBe(true);
  });

  it('a type-checked preset without type information gives one clear error per file, not a crash', async () => {
    const messages = await lint(plugin.configs['recommended-type-checked'], TOOL);
    const typeErrors = messages.filter((m) => m.message.includes('needs type information'));
    expect(typeErrors).toHaveLength(1);
    expect(messages.every((m) => !m.fatal)).toBe(true);
  });

  it('lets a category be switched off by name', async () => {
    const messages = await lint(
      { ...plugin.configs.recommended, rules: { ...plugin.configs.recommended.rules, '@agent-lag/no-sync-child-process': 'off' } },
      TOOL,
    );
    expect(messages).toEqual([]);
  });
});
