import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import plugin from '@agent-lag/eslint-plugin';
import { ESLint, type Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusLanguageConfigs, sampleCorpus } from '../bench/lint/corpus.js';
import { repoRoot } from './helpers/paths.js';

/*
 * Robustness: the built plugin, every preset, the real ESLint, on real code nobody here wrote (a
 * deterministic sample of node_modules). Our rules must never throw and never produce fatal messages;
 * parse errors of odd files are the parser's, not ours. Sample sizes keep each preset well under a
 * minute on a busy 2-core machine; bench/lint lints the larger corpus.
 */
const nodeModules = join(repoRoot, 'node_modules');
const SYNTACTIC_SAMPLE = 300;
const TYPED_SAMPLE = 40;

interface Outcome {
  linted: number;
  parseErrors: number;
  ourProblems: Linter.LintMessage[];
  ourFatal: Linter.LintMessage[];
  ignored: string[];
}

async function lint(files: string[], config: Linter.Config[]): Promise<Outcome> {
  const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true, overrideConfig: config });
  // A rule that throws makes lintFiles reject, naming the rule and the file: the test fails with it.
  const results = await eslint.lintFiles(files);
  const messages = results.flatMap((result) => result.messages);
  const ours = messages.filter((message) => message.ruleId?.startsWith('@agent-lag/'));
  return {
    linted: results.length,
    parseErrors: results.filter((result) => result.messages.some((message) => message.fatal)).length,
    ourProblems: ours,
    ourFatal: ours.filter((message) => message.fatal),
    ignored: results.filter((result) => result.messages.some((m) => m.message.startsWith('File ignored'))).map((r) => r.filePath),
  };
}

function expectRobust(outcome: Outcome, sampled: number): void {
  expect(outcome.ignored).toEqual([]);
  expect(outcome.linted).toBe(sampled);
  expect(outcome.ourFatal).toEqual([]);
  // Most of the corpus must really have been parsed, or the test proves nothing.
  expect(outcome.parseErrors).toBeLessThan(sampled * 0.05);
}

describe('plugin robustness on real code (node_modules)', () => {
  const presets = plugin.configs as unknown as Record<string, Linter.Config>;

  it.each([
    ['recommended', 0],
    ['strict', 1],
  ] as const)('%s: no crash, no fatal message from our rules', async (preset, slice) => {
    // Two interleaved halves of a larger sample: each preset sees different files.
    const files = sampleCorpus({ root: nodeModules, limit: SYNTACTIC_SAMPLE * 2 }).filter((_, index) => index % 2 === slice);
    const outcome = await lint(files, [...corpusLanguageConfigs({ cwd: repoRoot, files }), presets[preset]!]);
    expectRobust(outcome, files.length);
  });

  describe('type-checked presets', () => {
    const projectDir = mkdtempSync(join(tmpdir(), 'agent-lag-robustness-'));
    afterAll(() => rmSync(projectDir, { recursive: true, force: true }));
    const files = sampleCorpus({ root: nodeModules, limit: TYPED_SAMPLE, typescriptOnly: true, includeDeclarations: false });
    // A throwaway tsconfig whose program is exactly the sampled files (and what they import).
    const tsconfig = join(projectDir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: false, skipLibCheck: true, noEmit: true, types: ['node'], typeRoots: [join(nodeModules, '@types')] },
        files: files.map((file) => relative(projectDir, file)),
      }),
    );

    it.each(['recommended-type-checked', 'strict-type-checked'])('%s: no crash, typed mode really on', async (preset) => {
      const config = [
        ...corpusLanguageConfigs({ cwd: repoRoot, files, typedParserOptions: { project: tsconfig, tsconfigRootDir: projectDir } }),
        presets[preset]!,
      ];
      const outcome = await lint(files, config);
      expectRobust(outcome, files.length);
      // With a program, no file gets the "needs type information" configuration error.
      expect(outcome.ourProblems.filter((message) => message.message.includes('needs type information'))).toEqual([]);
    });
  });
});
