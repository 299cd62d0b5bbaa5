import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../test/helpers/spawn.js';

/*
 * Typed mode on a project whose tsconfig has no `"types": ["node"]` (TypeScript 6 loads no @types by
 * default): `node:fs` does not resolve, so the checker cannot say where `readFileSync` is declared.
 * The real ESLint CLI, in a child process as a user runs it, with the built plugin's
 * `strict-type-checked` preset over test/fixtures/no-node-types (the rule page's own example: agent.ts
 * calls parseConfig, re-exported by lib/index.ts, which calls loadConfig, which calls readFileSync; tools.ts
 * calls helpers of lib/shell.ts that reach Node through a namespace import and `require`) and, in the same
 * run, over test/fixtures/typed-project (a tsconfig with Node's types).
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const withoutTypes = join(here, 'fixtures/no-node-types');
const withTypes = join(here, 'fixtures/typed-project');
const pluginEntry = resolve(here, '../dist/index.js');
const eslintBin = join(repoRoot, 'node_modules/eslint/bin/eslint.js');
const typescriptEslint = createRequire(import.meta.url).resolve('typescript-eslint');

const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-no-node-types-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** One config object per project, as a monorepo's eslint.config.mjs would have. */
function projectConfig(dir: string): string {
  return `{
    basePath: ${JSON.stringify(dir)},
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: ${JSON.stringify(dir)} },
    },
    ...agentLag.configs['strict-type-checked'],
  }`;
}

interface LintResult {
  readonly filePath: string;
  readonly messages: readonly { ruleId: string | null; line: number; column: number; endLine?: number; endColumn?: number; message: string }[];
}

describe('no-blocking-helper when the program has no Node types', () => {
  it('still reports the rule page example and says once, on stderr, how to fix the tsconfig', { timeout: 120_000 }, async () => {
    // The CLI loads the built plugin, as a user's install would: `npm test` builds it first.
    expect(existsSync(pluginEntry), `${pluginEntry} is missing: run \`npx tsc -b\``).toBe(true);
    const config = join(scratch, 'eslint.config.mjs');
    writeFileSync(
      config,
      [
        `import tseslint from ${JSON.stringify(pathToFileURL(typescriptEslint).href)};`,
        `import agentLag from ${JSON.stringify(pathToFileURL(pluginEntry).href)};`,
        `export default [${projectConfig(withoutTypes)}, ${projectConfig(withTypes)}];`,
      ].join('\n'),
    );
    const files = ['agent.ts', 'tools.ts', 'lib/config.ts', 'lib/index.ts', 'lib/shell.ts'].map((file) => join(withoutTypes, file));
    const result = await run([eslintBin, '--config', config, '--format', 'json', ...files, join(withTypes, 'file.ts')], {
      cwd: repoRoot,
      timeoutMs: 110_000,
    });
    // 1: problems found (the report below); 2 would be a crash or a configuration error.
    expect(result.code, result.stderr).toBe(1);

    const results = JSON.parse(result.stdout) as LintResult[];
    const messagesOf = (file: string) => results.find((entry) => entry.filePath === file)?.messages;
    expect(messagesOf(join(withoutTypes, 'agent.ts'))).toEqual([
      expect.objectContaining({
        ruleId: '@agent-lag/no-blocking-helper',
        line: 3,
        column: 10,
        endLine: 3,
        endColumn: 27,
        message:
          'parseConfig (lib/config.ts:3) blocks the event loop: parseConfig → loadConfig → fs.readFileSync at lib/config.ts:2. Called here from async function runTool.',
      }),
    ]);
    expect(messagesOf(join(withoutTypes, 'tools.ts'))).toEqual([
      expect.objectContaining({
        ruleId: '@agent-lag/no-blocking-helper',
        line: 3,
        column: 18,
        endLine: 3,
        endColumn: 27,
        message:
          'gitHead (lib/shell.ts:5) blocks the event loop: gitHead → child_process.execSync at lib/shell.ts:6. Called here from async function describeTool.',
      }),
      expect.objectContaining({
        ruleId: '@agent-lag/no-blocking-helper',
        line: 3,
        column: 35,
        endLine: 3,
        endColumn: 46,
        message: 'pack (lib/shell.ts:9) blocks the event loop: pack → zlib.gzipSync at lib/shell.ts:10. Called here from async function describeTool.',
      }),
    ]);
    for (const file of ['lib/config.ts', 'lib/index.ts', 'lib/shell.ts']) expect(messagesOf(join(withoutTypes, file)), file).toEqual([]);
    expect(messagesOf(join(withTypes, 'file.ts'))).toEqual([]);

    // Five files of the project without types linted: one line, naming its tsconfig;
    // nothing about the project that has them.
    expect(result.stderr.split('\n').filter((line) => line.includes('agent-lag'))).toEqual([
      `agent-lag: packages/eslint-plugin/test/fixtures/no-node-types/tsconfig.json has no Node.js types ('node:fs' does not resolve), ` +
        `so Node's built-in modules are resolved by name only; fix: add "types": ["node"] to its compilerOptions and install @types/node.`,
    ]);
  });
});
