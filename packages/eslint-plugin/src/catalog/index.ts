import {
  ASYNC_ONLY,
  BLOCKING_APIS,
  BLOCKING_GLOBALS,
  BLOCKING_MODULES,
  INSTANCE_SOURCES,
  PREFIX_ONLY_BUILTINS,
  findBlockingCall,
  findBlockingGlobal,
  normalizeModuleName,
} from '@agent-lag/catalog';
import type { AsyncEquivalent, BlockingApi, BlockingCategory, CheapUpTo } from '@agent-lag/catalog';

/** What the rules need to know about a blocking API, whether from the catalog or a user's list. */
export interface ApiInfo {
  /** Canonical name shown to users, e.g. `fs.readFileSync`. */
  readonly id: string;
  /** A catalog category, or `user` for entries from `no-blocking-api` options. */
  readonly category: BlockingCategory | 'user';
  readonly why: string;
  readonly asyncEquivalent?: AsyncEquivalent;
  /** Only blocking when no callback is passed (`crypto.randomBytes(n)`). */
  readonly blockingUnless?: 'callback';
  /** Cheap, so not reported, when its size or cost arguments are constants within this bound. */
  readonly cheapUpTo?: CheapUpTo;
  readonly kind: 'call' | 'construct' | 'method';
}

const trackedModules = new Set(BLOCKING_MODULES);

/** True for specifiers of catalog modules (`fs`, `node:fs`, `better-sqlite3`, ...). */
export function isCatalogModule(specifier: string): boolean {
  return trackedModules.has(normalizeModuleName(specifier));
}

/** Globals whose members the catalog lists (`Atomics`). */
export const CATALOG_GLOBAL_ROOTS: readonly string[] = [
  ...new Set(BLOCKING_GLOBALS.map((entry) => entry.path[0]).filter((root) => root !== undefined)),
];

/** The catalog's callable or constructible API at `specifier` + `path`, or the global at `path`. */
export function findCatalogApi(specifier: string | null, path: readonly string[]): ApiInfo | undefined {
  if (specifier === null) {
    const global = findBlockingGlobal(path);
    return global && { id: global.id, category: global.category, why: global.why, kind: 'call' };
  }
  return findBlockingCall(specifier, path);
}

/** The catalog's blocking method `method` of instances of `typeName` declared by `module`. */
export function findCatalogMethod(module: string, typeName: string, method: string): BlockingApi | undefined {
  return BLOCKING_APIS.find(
    (api) => api.kind === 'method' && api.module === module && api.typeName === typeName && api.method === method,
  );
}

/**
 * The type of the instance that `specifier`'s export at `path` makes when called or constructed
 * (`new Database(file)`: `Database`), when the catalog has blocking methods for it.
 */
export function instanceTypeOfExport(specifier: string, path: readonly string[], kind: 'call' | 'construct'): string | undefined {
  const module = normalizeModuleName(specifier);
  if (specifier === module && PREFIX_ONLY_BUILTINS.has(module)) return undefined;
  return INSTANCE_SOURCES.find(
    ({ module: sourceModule, from }) =>
      sourceModule === module && from.kind === kind && from.path.length === path.length && from.path.every((key, index) => key === path[index]),
  )?.typeName;
}

/** The type of the instance that method `method` of a `typeName` of `module` returns (`db.prepare(sql)`: `Statement`). */
export function instanceTypeOfMethod(module: string, typeName: string, method: string): string | undefined {
  return INSTANCE_SOURCES.find(
    ({ module: sourceModule, from }) => sourceModule === module && from.kind === 'method' && from.typeName === typeName && from.method === method,
  )?.typeName;
}

/** True when `path` of `specifier` is in an async-only module or member (`fs/promises`, `fs.promises`). */
export function isAsyncOnly(specifier: string, path: readonly string[]): boolean {
  const module = normalizeModuleName(specifier);
  return ASYNC_ONLY.some(
    (entry) => entry.module === module && (entry.path ?? []).every((segment, index) => path[index] === segment),
  );
}
