// The lint corpus shared by bench/lint and test/plugin-robustness.test.ts: real code nobody here wrote,
// taken from the repository's own node_modules, sampled deterministically.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export const SOURCE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

/**
 * Every source file under `root` (symlinks, i.e. our own workspace packages, are skipped), sorted,
 * then `limit` of them spread evenly over the sorted list so that every package contributes.
 * @param {{ root: string; limit: number; maxBytes?: number; typescriptOnly?: boolean; includeDeclarations?: boolean }} options
 * @returns {string[]} absolute paths
 */
export function sampleCorpus({ root, limit, maxBytes = 100_000, typescriptOnly = false, includeDeclarations = true }) {
  const files = [];
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.bin' && entry.name !== '.cache') stack.push(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const extensions = typescriptOnly ? TS_EXTENSIONS : SOURCE_EXTENSIONS;
      if (!extensions.some((extension) => entry.name.endsWith(extension))) continue;
      if (entry.name.endsWith('.min.js')) continue;
      if (!includeDeclarations && /\.d\.[mc]?ts$/.test(entry.name)) continue;
      if (statSync(path).size > maxBytes) continue;
      files.push(path);
    }
  }
  files.sort((a, b) => (relative(root, a) < relative(root, b) ? -1 : 1));
  if (files.length <= limit) return files;
  const step = files.length / limit;
  return Array.from({ length: limit }, (_, index) => files[Math.floor(index * step)]);
}

/** @type {Map<string, boolean>} */
const esmPackages = new Map();

/**
 * Whether a `.js` file is an ES module: its nearest package.json says `"type": "module"`, or it is a
 * bundler-only ESM build (`build/esm/*.js` in a CommonJS package) that starts lines with import/export.
 */
function isEsmJs(file) {
  return packageIsEsm(file) || /^(?:import\s*[\w*{'"]|export\s)/m.test(readFileSync(file, 'utf8'));
}

function packageIsEsm(file) {
  const chain = [];
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const known = esmPackages.get(dir);
    if (known !== undefined) return remember(chain, known);
    chain.push(dir);
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      let esm = false;
      try {
        esm = JSON.parse(readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        // An unreadable manifest: treat the package as CommonJS, Node's default.
      }
      return remember(chain, esm);
    }
    if (dirname(dir) === dir) return remember(chain, false);
  }
}

function remember(dirs, esm) {
  for (const dir of dirs) esmPackages.set(dir, esm);
  return esm;
}

/**
 * Flat-config entries that parse the corpus the way its authors meant: CommonJS for `.js`/`.cjs`
 * (ES module for `.js` in `"type": "module"` packages), ES modules for `.mjs`, typescript-eslint for
 * TypeScript. No rules.
 * @param {{ cwd: string; files: string[]; typedParserOptions?: Record<string, unknown> }} options
 * @returns {import('eslint').Linter.Config[]}
 */
export function corpusLanguageConfigs({ cwd, files, typedParserOptions = {} }) {
  const esmJs = files.filter((file) => file.endsWith('.js') && isEsmJs(file)).map((file) => relative(cwd, file));
  const base = { ecmaVersion: 'latest', globals: { ...globals.node, ...globals.es2021 } };
  return [
    // ESLint skips node_modules by default; here it is the corpus.
    { ignores: ['!**/node_modules/'] },
    {
      files: ['**/*.js', '**/*.cjs'],
      languageOptions: { ...base, sourceType: 'commonjs' },
      linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
    },
    ...(esmJs.length > 0 ? [{ files: esmJs, languageOptions: { sourceType: 'module' } }] : []),
    {
      files: ['**/*.mjs'],
      languageOptions: { ...base, sourceType: 'module' },
      linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
    },
    {
      files: ['**/*.ts', '**/*.mts', '**/*.cts'],
      languageOptions: { ...base, sourceType: 'module', parser: tseslint.parser, parserOptions: typedParserOptions },
      linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' },
    },
  ];
}
