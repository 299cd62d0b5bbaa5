import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

const fixtures = join(repoRoot, 'test/fixtures/cli');
const zeroConfigProject = join(fixtures, 'lint-zero-config');
const configuredProject = join(fixtures, 'lint-with-config');
const cleanProject = join(fixtures, 'lint-clean');

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

  it('exits 0 with nothing on stdout when there is nothing to report', async () => {
    const { code, stdout, stderr } = await lint([cleanProject]);
    expect(stderr).toMatch(/linting with the @agent-lag\/recommended preset/);
    expect(stdout.trim()).toBe('');
    expect(code).toBe(0);
  });
});

describe('agent-lag lint on a project with its own eslint.config.js', () => {
  it("uses the project's config, says so, and reports what that config reports", async () => {
    const { code, stdout, stderr } = await lint(['--format', 'json'], configuredProject);
    expect(stderr).toContain(`using the project's ESLint config ${join(configuredProject, 'eslint.config.js')}`);
    const results = JSON.parse(stdout) as EslintJsonResult[];
    const messages = results.flatMap((result) => result.messages);
    // no-debugger is in the project's config only: proof that its config was the one used.
    expect(messages.map((m) => `${m.ruleId?.startsWith('@agent-lag/') ? '@agent-lag' : m.ruleId}:${m.line}`).sort())
      .toEqual(['@agent-lag:5', 'no-debugger:4']);
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

describe('agent-lag lint usage errors', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n');

  it.each([
    [['does-not-exist'], /^agent-lag: no such file or directory: does-not-exist$/],
    [['--preset', 'loose'], /^agent-lag: unknown preset "loose"; use one of recommended, strict/],
    [['--format', 'xml'], /^agent-lag: unknown format "xml"; use one of stylish, json, sarif$/],
    [['--type-aware', cleanProject], /^agent-lag: type-aware linting needs a tsconfig\.json; none found/],
    [[join(fixtures, 'lint-no-sources')], /^agent-lag: no JavaScript or TypeScript files to lint in .*lint-no-sources \(none there, or all ignored\)$/],
  ])('%j → one line, exit 2', async (args, expected) => {
    const { code, stdout, stderr } = await lint(args);
    expect(oneLine(stderr)).toHaveLength(1);
    expect(stderr.trim()).toMatch(expected);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
