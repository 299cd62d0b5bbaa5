import { existsSync, statSync } from 'node:fs';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';

/** The config file names ESLint 10 itself looks for, in its order of preference. */
export const ESLINT_CONFIG_NAMES = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
] as const;

/** The directory of a path: itself for a directory, its parent for a file. */
export function directoryOf(path: string): string {
  return statSync(path).isDirectory() ? path : dirname(path);
}

/** The directory and its ancestors, innermost first, up to the filesystem root. */
function* ancestors(start: string): Generator<string> {
  let current = resolve(start);
  for (;;) {
    yield current;
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** The nearest directory with a package.json or a .git, from `start` up; null when there is none. */
export function findPackageRoot(start: string): string | null {
  for (const dir of ancestors(start)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return dir;
  }
  return null;
}

/**
 * The root of the project a path belongs to, which zero-config lint's file patterns and ignores are relative
 * to: its package root; in a folder with neither a package.json nor a .git (a few scripts), the working
 * directory when the path is in it, else the path itself.
 */
export function findProjectRoot(start: string, cwd: string): string {
  return findPackageRoot(start) ?? (isInside(resolve(start), resolve(cwd)) ? resolve(cwd) : resolve(start));
}

/**
 * The eslint.config.* that applies to `start`: the nearest one in it or any ancestor, up to the
 * filesystem root, as ESLint itself looks. Not bounded by the project root: a config beside a
 * folder of scripts with no package.json or .git still counts, and so does a monorepo's root config.
 */
export function findEslintConfig(start: string): string | null {
  for (const dir of ancestors(start)) {
    for (const name of ESLINT_CONFIG_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * The nearest tsconfig.json from `start` up to its package root (inclusive), so that a package never takes
 * an unrelated one from above it; with no package root, up to the filesystem root, as `tsc` looks.
 */
export function findTsconfig(start: string, packageRoot: string | null): string | null {
  for (const dir of ancestors(start)) {
    const candidate = join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (packageRoot !== null && (dir === packageRoot || !isInside(dir, packageRoot))) return null;
  }
  return null;
}

export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !parse(rel).root);
}

/** The deepest directory containing every given directory. */
export function commonAncestor(dirs: readonly string[]): string {
  const [first, ...rest] = dirs.map((dir) => resolve(dir));
  if (first === undefined) return process.cwd();
  let common = first;
  while (!rest.every((dir) => isInside(dir, common))) {
    const parent = dirname(common);
    if (parent === common) break;
    common = parent;
  }
  return common.endsWith(sep) && common.length > 1 ? common.slice(0, -1) : common;
}
