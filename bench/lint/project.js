// The typed presets on a real multi-file TypeScript project: the repository's own packages, as
// committed (a `git archive` of HEAD, so edits in progress in the checkout do not move the figures),
// each linted with its own tsconfig.json the way its authors build it. Used by run.js.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Extracts `projects` (e.g. `packages/cli`) and the tsconfig they extend from HEAD into `into`, which must
 * sit inside the repository so that their imports resolve through its node_modules as in the checkout.
 * @param {{ repoRoot: string; into: string; projects: string[] }} options
 * @returns {{ commit: string; files: string[] }} the commit and every `.ts` file under the projects' `src`
 */
export function extractProjects({ repoRoot, into, projects }) {
  mkdirSync(into, { recursive: true });
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD', 'tsconfig.base.json', ...projects.map((project) => `${project}/`)], {
    cwd: repoRoot,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
  const files = projects.flatMap((project) => sourceFiles(join(into, project, 'src')));
  return { commit, files };
}

function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * A flat config for the extracted projects: typescript-eslint's parser everywhere; with `typed`, each
 * project's files get a program from its own tsconfig.json. `rules` is the preset expression.
 * `cwd` is where ESLint runs: with `--config`, its `files` patterns are relative to it.
 * @param {{ cwd: string; root: string; projects: string[]; typed: boolean; rules: string; pluginUrl: string; tseslintUrl: string }} options
 * @returns {string} the source of an eslint.config.mjs
 */
export function projectConfigSource({ cwd, root, projects, typed, rules, pluginUrl, tseslintUrl }) {
  const entries = projects.map((project) => {
    const dir = join(root, project);
    const parserOptions = typed ? `{ project: './tsconfig.json', tsconfigRootDir: ${JSON.stringify(dir)} }` : '{}';
    return `{ files: [${JSON.stringify(`${relative(cwd, dir)}/src/**/*.ts`)}], languageOptions: { parser: tseslint.parser, parserOptions: ${parserOptions} } }`;
  });
  return [
    `import tseslint from ${JSON.stringify(tseslintUrl)};`,
    `import plugin from ${JSON.stringify(pluginUrl)};`,
    `void plugin;`,
    `export default [${entries.join(', ')}, ...${rules}];`,
  ].join('\n');
}

/**
 * The no-blocking-helper reports of an ESLint JSON result, as `file:line:column message`.
 * @param {{ filePath: string; messages: { ruleId: string | null; line: number; column: number; message: string }[] }[]} results
 * @param {string} root paths are shown relative to it
 */
export function helperReports(results, root) {
  return results.flatMap((result) =>
    result.messages
      .filter((message) => message.ruleId === '@agent-lag/no-blocking-helper')
      .map((message) => `${relative(root, result.filePath)}:${message.line}:${message.column} ${message.message}`),
  );
}

/** How many reports of agent-lag's rules a result holds. */
export function agentLagReportCount(results) {
  return results.reduce((sum, result) => sum + result.messages.filter((message) => message.ruleId?.startsWith('@agent-lag/')).length, 0);
}
