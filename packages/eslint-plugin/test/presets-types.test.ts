import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../test/helpers/spawn.js';

/*
 * The presets as a user types them: the plugin and the catalog packed with `npm pack`, installed
 * from the tarballs into a scratch project beside ESLint 10 and ESLint 9 (an `npm:` alias, so both
 * sit in one install), typescript-eslint, TypeScript and @types/node, and `tsc --noEmit` run on a
 * config that uses the plugin every way ESLint's docs show. Nothing inside the workspace can tell
 * this: there the types resolve to the workspace's own copies and one ESLint version.
 *
 * The install uses `--prefer-offline`: the versions are the workspace's own (already in npm's cache
 * after `npm ci`), so it reaches the registry only for what the cache lacks (ESLint 9 on a fresh
 * machine).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const requireFromRoot = createRequire(join(root, 'package.json'));
const versionOf = (name: string) => (requireFromRoot(`${name}/package.json`) as { version: string }).version;

const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const npmAvailable = npmVersion.status === 0;
if (!npmAvailable) console.warn(`presets-types: skipped, npm is not available here (${npmVersion.error?.message ?? npmVersion.stderr})`);

const CONFIG = `import agentLag from '@agent-lag/eslint-plugin';
import type { Linter } from 'eslint';
import { defineConfig } from 'eslint/config';
import type { Linter as Linter9 } from 'eslint9';
import { defineConfig as defineConfig9 } from 'eslint9/config';
import tseslint from 'typescript-eslint';

// ESLint 10
export const one = defineConfig(agentLag.configs.recommended);
export const all = defineConfig(
  agentLag.configs.recommended,
  agentLag.configs.strict,
  agentLag.configs['recommended-type-checked'],
  agentLag.configs['strict-type-checked'],
);
export const array: Linter.Config[] = [agentLag.configs.recommended, agentLag.configs['strict-type-checked']];
export const spread: Linter.Config = { ...agentLag.configs.strict, files: ['src/**/*.ts'] };
export const registered: Linter.Config = {
  plugins: { '@agent-lag': agentLag },
  rules: { '@agent-lag/no-sync-fs': ['error', { allow: ['fs.existsSync'] }] },
};
export const extended = defineConfig({ files: ['**/*.ts'], extends: [agentLag.configs.strict] });

// ESLint 9
export const one9 = defineConfig9(agentLag.configs.recommended);
export const array9: Linter9.Config[] = [agentLag.configs.recommended, agentLag.configs['strict-type-checked']];
export const registered9: Linter9.Config = { plugins: { '@agent-lag': agentLag } };

// typescript-eslint's helper, which accepted the presets before
export const viaTseslint = tseslint.config(agentLag.configs.recommended, { plugins: { '@agent-lag': agentLag } });
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    // A user's declaration files are checked too: a broken .d.ts of ours must fail here.
    skipLibCheck: false,
    types: ['node'],
  },
  files: ['eslint.config.ts'],
};

/** Where npm fetches from and caches, as the user set it: kept when the rest of npm's variables go. */
const KEPT_NPM_CONFIG = /^npm_config_(?:cache|registry|userconfig|globalconfig|proxy|https_proxy|noproxy|strict_ssl|cafile|ca|offline|fetch_[a-z_]+|@[^:]+:registry|\/\/.*)$/i;

/**
 * The environment without the npm_* variables an `npm test` around us sets (workspace, prefix,
 * lifecycle...), which would point npm at the workspace instead of the scratch project.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_CONFIG.test(key)));
}

function output(result: { stdout: string; stderr: string }): string {
  return `${result.stdout}\n${result.stderr}`.trim();
}

describe.skipIf(!npmAvailable)('the presets type-check as ESLint configs, installed from the packed tarballs', () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'agent-lag-presets-types-'));
  });

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('defineConfig(preset), Linter.Config[], plugins and tseslint.config with ESLint 10 and 9', async () => {
    for (const name of ['catalog', 'eslint-plugin']) {
      expect(existsSync(join(root, 'packages', name, 'dist', 'index.d.ts')), `packages/${name} is built (tsc -b)`).toBe(true);
    }
    const pack = await run(
      ['pack', '--workspace', 'packages/catalog', '--workspace', 'packages/eslint-plugin', '--pack-destination', project],
      { command: 'npm', cwd: root, env: cleanEnv(), timeoutMs: 120_000 },
    );
    expect(pack.code, output(pack)).toBe(0);
    const tarballs = (await readdir(project)).filter((file) => file.endsWith('.tgz'));
    const catalog = tarballs.find((file) => /^agent-lag-catalog-\d/.test(file));
    const eslintPlugin = tarballs.find((file) => /^agent-lag-eslint-plugin-\d/.test(file));
    expect(tarballs, 'npm pack wrote the catalog and the plugin').toHaveLength(2);
    if (!catalog || !eslintPlugin) throw new Error(`npm pack wrote ${tarballs.join(', ')}`);

    const packageJson = {
      name: 'presets-types-scratch',
      private: true,
      type: 'module',
      dependencies: {
        '@agent-lag/catalog': `file:./${catalog}`,
        '@agent-lag/eslint-plugin': `file:./${eslintPlugin}`,
        eslint: versionOf('eslint'),
        eslint9: 'npm:eslint@^9.22.0',
        'typescript-eslint': versionOf('typescript-eslint'),
        typescript: versionOf('typescript'),
        '@types/node': versionOf('@types/node'),
      },
    };
    await writeFile(join(project, 'package.json'), JSON.stringify(packageJson, null, 2));
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    await writeFile(join(project, 'eslint.config.ts'), CONFIG);

    const install = await run(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      command: 'npm',
      cwd: project,
      env: cleanEnv(),
      timeoutMs: 600_000,
    });
    expect(install.code, output(install)).toBe(0);
    const requireFromProject = createRequire(join(project, 'package.json'));
    const installed = (name: string) => (requireFromProject(`${name}/package.json`) as { version: string }).version;
    expect(installed('eslint')).toMatch(/^10\./);
    expect(installed('eslint9')).toMatch(/^9\./);

    const tsc = await run([join(project, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      env: cleanEnv(),
      timeoutMs: 600_000,
    });
    expect(output(tsc)).toBe('');
    expect(tsc.code).toBe(0);
  }, 1_500_000);
});
