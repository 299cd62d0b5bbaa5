import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Colour by convention, for every command: --no-color / --color first (before or after the command
 * name), then FORCE_COLOR, then NO_COLOR, then whether the output is a terminal. Plain output must
 * be the coloured output without its escape codes, byte for byte.
 */

const ESC = '\u001b[';
const eventLog = join(repoRoot, 'test/fixtures/cli/report/events.ndjson');
const lintProject = join(repoRoot, 'test/fixtures/cli/lint-with-config');
const blockingTool = join(repoRoot, 'test/fixtures/cli-run/blocking-tool.mjs');

/** The environment without any colour setting of the one running the tests (vitest may set FORCE_COLOR). */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // CI=true (as CI sets it) makes chalk leave colour off even on a terminal, like other CLIs on CI.
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'NODE_DISABLE_COLORS', 'CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID']) delete env[name];
  return env;
}

function cli(args: string[], colorEnv: Record<string, string> = {}, cwd = repoRoot) {
  return run([cliBin, ...args], { cwd, env: { ...baseEnv(), AGENT_LAG_STARTUP_GRACE_MS: '50', ...colorEnv }, timeoutMs: 60_000 });
}

describe('agent-lag report colours', () => {
  it('is plain when piped, with NO_COLOR, --no-color or FORCE_COLOR=0, and the same bytes each time', async () => {
    const piped = await cli(['report', eventLog]);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeGreaterThan(0);
    expect(piped.stdout).not.toContain(ESC);
    for (const [args, env] of [
      [['report', eventLog], { NO_COLOR: '1' }],
      [['report', '--no-color', eventLog], {}],
      [['--no-color', 'report', eventLog], {}],
      [['report', eventLog], { FORCE_COLOR: '0' }],
      // The flag beats the environment.
      [['report', '--no-color', eventLog], { FORCE_COLOR: '1' }],
    ] as const) {
      const { code, stdout } = await cli([...args], env);
      expect(code).toBe(0);
      expect(stdout, `${args.join(' ')} ${JSON.stringify(env)}`).toBe(piped.stdout);
    }
  });

  it('is coloured with FORCE_COLOR or --color, even piped, and is the plain text plus escape codes only', async () => {
    const plain = (await cli(['report', eventLog], { NO_COLOR: '1' })).stdout;
    for (const [args, env] of [
      [['report', eventLog], { FORCE_COLOR: '1' }],
      [['report', '--color', eventLog], {}],
      [['--color', 'report', eventLog], {}],
      // FORCE_COLOR beats NO_COLOR, as in chalk and Node; the flag beats both.
      [['report', eventLog], { FORCE_COLOR: '1', NO_COLOR: '1' }],
      [['report', '--color', eventLog], { NO_COLOR: '1' }],
    ] as const) {
      const { code, stdout } = await cli([...args], env);
      expect(code).toBe(0);
      expect(stdout, `${args.join(' ')} ${JSON.stringify(env)}`).toContain(ESC);
      expect(stripVTControlCharacters(stdout)).toBe(plain);
    }
  });

  // `script` gives the CLI a real terminal, where colour is the default and NO_COLOR has to turn it off.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('honours NO_COLOR and --no-color on a terminal', () => {
    const inTerminal = (args: string, env: Record<string, string>) =>
      spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cliBin)} ${args}`, '/dev/null'], {
        cwd: repoRoot,
        env: { ...baseEnv(), TERM: 'xterm-256color', ...env },
        encoding: 'utf8',
        timeout: 60_000,
      }).stdout;
    const report = `report ${JSON.stringify(eventLog)}`;
    expect(inTerminal(report, {})).toContain(ESC);
    expect(inTerminal(report, { NO_COLOR: '1' })).not.toContain(ESC);
    expect(inTerminal(`--no-color ${report}`, {})).not.toContain(ESC);
    expect(inTerminal(`report --no-color ${JSON.stringify(eventLog)}`, {})).not.toContain(ESC);
  });
});

describe('agent-lag lint colours', () => {
  it('colours the stylish output with FORCE_COLOR or --color, and not with NO_COLOR or --no-color', async () => {
    const plain = await cli(['lint'], { NO_COLOR: '1' }, lintProject);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('@agent-lag/no-sync-fs');
    expect(plain.stdout).not.toContain(ESC);
    expect((await cli(['lint'], {}, lintProject)).stdout).toBe(plain.stdout);
    expect((await cli(['lint', '--no-color'], { FORCE_COLOR: '1' }, lintProject)).stdout).toBe(plain.stdout);

    for (const [args, env] of [
      [['lint'], { FORCE_COLOR: '1' }],
      [['lint', '--color'], { NO_COLOR: '1' }],
    ] as const) {
      const { code, stdout } = await cli([...args], env, lintProject);
      expect(code).toBe(1);
      expect(stdout).toContain(ESC);
      expect(stripVTControlCharacters(stdout)).toBe(plain.stdout);
    }
  });
});

describe('agent-lag run colours', () => {
  /** The lines `run` writes about the blocks this tool caused. */
  const blockLines = (stderr: string) => stripVTControlCharacters(stderr).split('\n').filter((line) => line.includes('[agent-lag] block'));

  it.each([
    ['FORCE_COLOR=1', ['run', '--', process.execPath, blockingTool], { FORCE_COLOR: '1' }, true],
    ['--color', ['run', '--color', '--', process.execPath, blockingTool], {}, true],
    ['NO_COLOR=1 with FORCE_COLOR unset', ['run', '--', process.execPath, blockingTool], { NO_COLOR: '1' }, false],
    ['--no-color over FORCE_COLOR=1', ['run', '--no-color', '--', process.execPath, blockingTool], { FORCE_COLOR: '1' }, false],
    ['--no-color before the command name', ['--no-color', 'run', '--', process.execPath, blockingTool], { FORCE_COLOR: '1' }, false],
    // The command's own arguments are the command's: its --color says nothing about ours.
    ['the command\'s own --color', ['run', process.execPath, blockingTool, '0', '--color'], {}, false],
  ] as const)('%s', async (_name, args, env, coloured) => {
    const { code, stdout, stderr } = await cli([...args], env);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('tool output\n');
    expect(blockLines(stderr).length, stderr).toBeGreaterThan(0);
    expect(stderr.includes(ESC), stderr).toBe(coloured);
  });
});
