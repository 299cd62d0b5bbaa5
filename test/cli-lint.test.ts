import { cp, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

const fixtures = join(repoRoot, 'test/fixtures/cli');
const configuredProject = join(fixtures, 'lint-with-config');

/*
 * lint finds a project's eslint.config.* by walking up to the filesystem root, as ESLint does: a
 * fixture inside this repository would be linted with the repository's own config (which ignores
 * fixtures). The zero-config fixtures are linted from copies in a temporary folder instead.
 */
let scratch = '';
let zeroConfigProject = '';
let cleanProject = '';
let noSourcesProject = '';

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'agent-lag-lint-')));
  zeroConfigProject = join(scratch, 'lint-zero-config');
  cleanProject = join(scratch, 'lint-clean');
  noSourcesProject = join(scratch, 'lint-no-sources');
  for (const name of ['lint-zero-config', 'lint-clean', 'lint-no-sources']) {
    await cp(join(fixtures, name), join(scratch, name), { recursive: true });
  }
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Writes `files` (path → content) under a new folder of the scratch directory; returns its path. */
async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** A file with one blocking call in async code, on line 3. */
const BLOCKING = `import { readFileSync } from 'node:fs';
export async function load(path) {
  return readFileSync(path, 'utf8');
}
`;

/** Runs `agent-lag lint …` in `cwd` without colours, so output is plain text. */
function lint(args: string[], cwd = repoRoot) {
  return run([cliBin, 'lint', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, timeoutMs: 60_000 });
}

interface EslintJsonResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string; severity: number }[];
  errorCount: number;
  warningCount: number;
}

/** `file:line` of every message in ESLint JSON output, file relative to the project. */
function locations(results: EslintJsonResult[], projectDir: string): string[] {
  return results
    .flatMap((result) => result.messages.map((m) => `${result.filePath.slice(projectDir.length + 1)}:${m.line}`))
    .sort();
}

describe('agent-lag lint on a project without an ESLint config', () => {
  it('reports the blocking calls in async code of TS and JS files, not the start-up reads, and exits 1', async () => {
    const { code, stdout, stderr } = await lint(['.'], zeroConfigProject);
    expect(stderr).toMatch(/no eslint\.config\.\* in this project: linting with the @agent-lag\/recommended preset/);
    expect(stdout).toContain(join(zeroConfigProject, 'src/handler.ts'));
    expect(stdout).toContain(join(zeroConfigProject, 'src/tool.js'));
    expect(stdout).toMatch(/fs\.readFileSync/);
    expect(stdout).toMatch(/child_process\.execSync/);
    expect(stdout).not.toContain('startup.cjs');
    expect(code).toBe(1);
  });

  it('writes ESLint JSON that parses, naming the exact lines', async () => {
    const { code, stdout } = await lint(['--format', 'json', zeroConfigProject]);
    const results = JSON.parse(stdout) as EslintJsonResult[];
    expect(locations(results, zeroConfigProject)).toEqual(['src/handler.ts:11', 'src/tool.js:4']);
    for (const result of results) {
      for (const message of result.messages) expect(message.ruleId).toMatch(/^@agent-lag\//);
    }
    expect(results.find((r) => r.filePath.endsWith('startup.cjs'))?.messages).toEqual([]);
    expect(code).toBe(1);
  });

  it('writes SARIF 2.1.0 whose results point at rules and regions', async () => {
    const { code, stdout } = await lint(['--format', 'sarif', 'src'], zeroConfigProject);
    const log = JSON.parse(stdout) as {
      version: string;
      $schema: string;
      runs: {
        tool: { driver: { name: string; version: string; rules: { id: string; helpUri?: string }[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string; uriBaseId: string };
              region: { startLine: number; startColumn: number };
            };
          }[];
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const [sarifRun] = log.runs;
    expect(sarifRun?.tool.driver.name).toBe('agent-lag');
    expect(sarifRun?.originalUriBaseIds['%SRCROOT%']?.uri).toBe(`file://${zeroConfigProject}/`);
    const found = sarifRun?.results.map((result) => {
      const location = result.locations[0]?.physicalLocation;
      expect(sarifRun.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
      expect(result.level).toMatch(/^(error|warning)$/);
      expect(result.message.text.length).toBeGreaterThan(0);
      expect(location?.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(location?.region.startColumn).toBeGreaterThanOrEqual(1);
      return `${location?.artifactLocation.uri}:${location?.region.startLine}`;
    });
    expect(found?.sort()).toEqual(['src/handler.ts:11', 'src/tool.js:4']);
    expect(code).toBe(1);
  });

  it('uses types from the nearest tsconfig.json with --type-aware', async () => {
    const { code, stdout, stderr } = await lint(['--type-aware', '--format', 'json', zeroConfigProject]);
    expect(stderr).toContain(`with types from ${join(zeroConfigProject, 'tsconfig.json')}`);
    expect(stderr).toContain('@agent-lag/recommended-type-checked');
    const results = JSON.parse(stdout) as EslintJsonResult[];
    expect(locations(results, zeroConfigProject)).toEqual(['src/handler.ts:11', 'src/tool.js:4']);
    expect(code).toBe(1);
  });

  it('with --type-aware in a folder with no package.json or .git, takes the tsconfig.json above, as tsc does', async () => {
    const dir = await project('scripts-with-tsconfig', {
      'tsconfig.json': '{ "compilerOptions": { "strict": true, "module": "nodenext", "noEmit": true }, "include": ["src"] }\n',
      'src/tool.ts': BLOCKING.replace('(path)', '(path: string)'),
    });
    const { code, stdout, stderr } = await lint(['--type-aware', '--format', 'json', '.'], join(dir, 'src'));
    expect(stderr).toContain(`with types from ${join(dir, 'tsconfig.json')}`);
    expect(locations(JSON.parse(stdout) as EslintJsonResult[], dir)).toEqual(['src/tool.ts:3']);
    expect(code).toBe(1);
  });

  it('exits 0 with nothing on stdout when there is nothing to report', async () => {
    const { code, stdout, stderr } = await lint([cleanProject]);
    expect(stderr).toMatch(/linting with the @agent-lag\/recommended preset/);
    expect(stdout.trim()).toBe('');
    expect(code).toBe(0);
  });
});

describe('agent-lag lint on a project with its own eslint.config.js', () => {
  it("lints with the project's config, says so, and reports agent-lag's rules only", async () => {
    const { code, stdout, stderr } = await lint(['--format', 'json'], configuredProject);
    expect(stderr).toContain(`using the project's ESLint config ${join(configuredProject, 'eslint.config.js')}`);
    const results = JSON.parse(stdout) as EslintJsonResult[];
    // The project's config also turns on no-debugger (line 4): that is its own eslint run's business.
    expect(results.flatMap((result) => result.messages).map((m) => `${m.ruleId}:${m.line}`)).toEqual(['@agent-lag/no-sync-fs:5']);
    expect(code).toBe(1);
  });

  it("runs agent-lag's preset when the project's config does not enable it, and exits by its findings alone", async () => {
    const config = `export default [{ files: ['**/*.js'], languageOptions: { sourceType: 'module' }, rules: { 'no-unused-vars': 'warn', 'no-debugger': 'error' } }];\n`;
    const blocking = await project('config-without-agent-lag', {
      'package.json': '{ "type": "module" }\n',
      'eslint.config.js': config,
      'src/app.js': `const unused = 1;\n${BLOCKING}`,
    });
    const withBlock = await lint(['--format', 'json'], blocking);
    expect(withBlock.stderr).toContain(`using the project's ESLint config ${join(blocking, 'eslint.config.js')}`);
    expect(withBlock.stderr).toContain('@agent-lag/recommended preset');
    const messages = (JSON.parse(withBlock.stdout) as EslintJsonResult[]).flatMap((result) => result.messages);
    expect(messages.map((m) => `${m.ruleId}:${m.line}`)).toEqual(['@agent-lag/no-sync-fs:4']);
    expect(withBlock.code).toBe(1);

    // Only the unused variable and a debugger statement left: nothing of ours, exit 0, nothing printed.
    const clean = await project('config-without-agent-lag-clean', {
      'package.json': '{ "type": "module" }\n',
      'eslint.config.js': config,
      'src/app.js': 'const unused = 1;\nexport function f() {\n  debugger;\n}\n',
    });
    const cleanRun = await lint([], clean);
    expect(cleanRun.stdout).toBe('');
    expect(cleanRun.code).toBe(0);
  });

  it('finds an eslint.config.js in a folder with no package.json or .git, and keeps its ignores', async () => {
    const dir = await project('scripts-only', {
      'eslint.config.js': `export default [{ ignores: ['vendor/'] }, { files: ['**/*.mjs'] }];\n`,
      'tool.mjs': BLOCKING,
      'vendor/lib.mjs': BLOCKING,
      // Not in the config's files: the project does not lint it, neither do we.
      'notes.ts': BLOCKING,
    });
    const { code, stdout, stderr } = await lint(['--format', 'json', '.'], join(dir));
    expect(stderr).toContain(`using the project's ESLint config ${join(dir, 'eslint.config.js')}`);
    const results = JSON.parse(stdout) as EslintJsonResult[];
    expect(locations(results, dir)).toEqual(['tool.mjs:3']);
    expect(code).toBe(1);
  });

  it('ignores the project config with --no-config-lookup', async () => {
    const { code, stdout, stderr } = await lint(['--no-config-lookup', '--format', 'json'], configuredProject);
    expect(stderr).toMatch(/linting with the @agent-lag\/recommended preset/);
    const messages = (JSON.parse(stdout) as EslintJsonResult[]).flatMap((result) => result.messages);
    expect(messages.map((m) => m.line)).toEqual([5]);
    expect(code).toBe(1);
  });
});

describe('agent-lag lint without a config: test files and disable comments', () => {
  const files = {
    'package.json': '{ "type": "module" }\n',
    'src/app.js': BLOCKING,
    'src/app.test.js': BLOCKING,
    'src/app.spec.ts': BLOCKING,
    'test/helpers.js': BLOCKING,
    'tests/setup.mjs': BLOCKING,
    'src/__tests__/load.js': BLOCKING,
    'e2e/flow.js': BLOCKING,
  };

  it('skips test files and folders by default', async () => {
    const dir = await project('with-tests', files);
    const { code, stdout } = await lint(['--format', 'json'], dir);
    expect(locations(JSON.parse(stdout) as EslintJsonResult[], dir)).toEqual(['src/app.js:3']);
    expect(code).toBe(1);
  });

  it('keeps them with --include-tests', async () => {
    const dir = await project('with-tests-included', files);
    const { code, stdout } = await lint(['--include-tests', '--format', 'json'], dir);
    expect(locations(JSON.parse(stdout) as EslintJsonResult[], dir)).toEqual(
      Object.keys(files).filter((path) => path !== 'package.json').map((path) => `${path}:3`).sort(),
    );
    expect(code).toBe(1);
  });

  it('does not report a disable comment naming a rule it does not know, nor rules an inline config turns on', async () => {
    const dir = await project('unknown-rule', {
      'package.json': '{ "type": "module" }\n',
      'src/app.js':
        '/* eslint no-console: "error" */\n' +
        '// eslint-disable-next-line some-plugin/not-a-rule\n' +
        'console.log("hi");\n' +
        '/* eslint-disable-next-line @agent-lag/no-sync-fs, import/no-cycle */\n' +
        'export const text = await import("node:fs").then((fs) => fs.readFileSync("x"));\n',
    });
    const { code, stdout } = await lint([], dir);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  });
});

describe('agent-lag lint usage errors', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n');

  it.each([
    [() => ['does-not-exist'], /^agent-lag: no such file or directory: does-not-exist$/],
    [() => ['--preset', 'loose'], /^agent-lag: unknown preset "loose"; use one of recommended, strict/],
    [() => ['--format', 'xml'], /^agent-lag: unknown format "xml"; use one of stylish, json, sarif$/],
    [() => ['--type-aware', cleanProject], /^agent-lag: type-aware linting needs a tsconfig\.json; none found/],
    [
      () => [noSourcesProject],
      /^agent-lag: no JavaScript or TypeScript files to lint in .*lint-no-sources \(none there, or all ignored, or test files: see --include-tests\)$/,
    ],
  ])('%s → one line, exit 2', async (args, expected) => {
    const { code, stdout, stderr } = await lint(args());
    expect(oneLine(stderr)).toHaveLength(1);
    expect(stderr.trim()).toMatch(expected);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
