import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

describe('agent-lag CLI basics', () => {
  it('prints the version from packages/cli/package.json', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string };
    const result = await run([cliBin, '--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('prints help naming the program', async () => {
    const result = await run([cliBin, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: agent-lag');
  });

  it('answers an unknown option with one error line and exit code 2', async () => {
    const result = await run([cliBin, '--no-such-option']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-option'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('published packages from a scratch project', () => {
  let scratch: string;

  beforeAll(async () => {
    // What npm does for a local or workspace dependency: a link in node_modules to the package.
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag-scratch-'));
    await mkdir(join(scratch, 'node_modules/@agent-lag'), { recursive: true });
    for (const name of ['runtime-monitor', 'eslint-plugin', 'catalog']) {
      await symlink(join(repoRoot, 'packages', name), join(scratch, 'node_modules/@agent-lag', name), 'dir');
    }
    await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it.each(['@agent-lag/runtime-monitor', '@agent-lag/eslint-plugin', '@agent-lag/catalog'])(
    'loads %s with require() and with import()',
    async (name) => {
      const cjs = await run(['-e', `const m = require(${JSON.stringify(name)}); console.log(Object.keys(m).length > 0)`], {
        cwd: scratch,
      });
      expect(cjs.stderr).toBe('');
      expect(cjs.stdout.trim()).toBe('true');
      const esm = await run(
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length > 0)`],
        { cwd: scratch },
      );
      expect(esm.stderr).toBe('');
      expect(esm.stdout.trim()).toBe('true');
    },
  );
});
