import { BLOCKING_APIS, BLOCKING_GLOBALS, PREFIX_ONLY_BUILTINS } from './apis.js';
import type { BlockingApi, BlockingGlobal } from './types.js';

/** `node:fs` → `fs`; `fs` → `fs`; third-party names unchanged. Sub-paths kept (`fs/promises`). */
export function normalizeModuleName(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
}

/** True when `specifier` names the catalog module `module` (with or without `node:` for built-ins). */
export function isSameModule(specifier: string, module: string): boolean {
  if (specifier === module) return !PREFIX_ONLY_BUILTINS.has(module);
  return specifier === `node:${module}`;
}

function key(module: string, path: readonly string[]): string {
  return `${module}\0${path.join('\0')}`;
}

const byModuleAndPath = new Map<string, BlockingApi[]>();
for (const api of BLOCKING_APIS) {
  const k = key(api.module, api.path);
  const list = byModuleAndPath.get(k);
  if (list) list.push(api);
  else byModuleAndPath.set(k, [api]);
}

const byId = new Map<string, BlockingApi | BlockingGlobal>();
for (const api of [...BLOCKING_APIS, ...BLOCKING_GLOBALS]) byId.set(api.id, api);

/**
 * The blocking APIs reached by `module` + export `path`, of every kind (a `call` entry and the
 * `method` entries of the same export, for instance). Empty when nothing blocks there.
 */
export function findBlockingApis(specifier: string, path: readonly string[]): readonly BlockingApi[] {
  const module = normalizeModuleName(specifier);
  if (specifier === module && PREFIX_ONLY_BUILTINS.has(module)) return [];
  return byModuleAndPath.get(key(module, path)) ?? [];
}

/** The directly callable (or constructible) blocking API at `module` + `path`, if any. */
export function findBlockingCall(specifier: string, path: readonly string[]): BlockingApi | undefined {
  return findBlockingApis(specifier, path).find((api) => api.kind !== 'method');
}

export function findBlockingGlobal(path: readonly string[]): BlockingGlobal | undefined {
  return BLOCKING_GLOBALS.find((g) => g.path.length === path.length && g.path.every((p, i) => p === path[i]));
}

export function getApiById(id: string): BlockingApi | BlockingGlobal | undefined {
  return byId.get(id);
}

/** Catalog modules that have at least one blocking export (`fs`, `crypto`, `fs-extra`, ...). */
export const BLOCKING_MODULES: readonly string[] = [...new Set(BLOCKING_APIS.map((api) => api.module))];
