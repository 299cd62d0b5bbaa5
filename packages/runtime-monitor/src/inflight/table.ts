import { BLOCKING_APIS, BLOCKING_GLOBALS } from '@agent-lag/catalog';

/** One blocking built-in the wrappers replace, in a fixed order shared by the main thread and the worker. */
export interface WrappedApi {
  /** Catalog id written to the event log, e.g. `fs.readFileSync`. */
  readonly id: string;
  /** `require()` specifier of the owner (`node:fs`), or null for a global (`Atomics.wait`). */
  readonly module: string | null;
  /** Path to the function from the module object or from `globalThis`; the last segment is the property. */
  readonly path: readonly string[];
  /** Argument whose bounded prefix is recorded as the hint, if any. */
  readonly hintArgument: number | undefined;
  /** Child-process APIs also append their argument array to the hint (`sh -c "sleep 5"`). */
  readonly hintArgs: boolean;
  /**
   * V8 built-ins wrapped only above a size gate (json-wrappers.ts), not in the catalog: the ESLint plugin
   * must not report every JSON.parse. Their hint is the size (`48 MB`, `~38 MB`); JSON.stringify is marked on
   * every call, without a hint until its report gives the output's size.
   */
  readonly sizeGated?: true;
}

/** Size-gated built-ins, after the catalog's entries so that both threads' indices agree. */
const SIZE_GATED: readonly WrappedApi[] = [
  { id: 'JSON.parse', module: null, path: ['JSON', 'parse'], hintArgument: undefined, hintArgs: false, sizeGated: true },
  { id: 'JSON.stringify', module: null, path: ['JSON', 'stringify'], hintArgument: undefined, hintArgs: false, sizeGated: true },
  { id: 'structuredClone', module: null, path: ['structuredClone'], hintArgument: undefined, hintArgs: false, sizeGated: true },
];

/*
 * Both threads build this table from the same catalog, so an index written by the main thread names the
 * same API in the worker. Entries that do not exist in the running Node are skipped at install time, not
 * here, so that the indices stay identical whatever the version.
 */
export const WRAPPED_APIS: readonly WrappedApi[] = [
  ...BLOCKING_APIS.filter((api) => api.builtin && api.wrapAtRuntime && api.kind === 'call').map(
    (api): WrappedApi => ({
      id: api.id,
      module: `node:${api.module}`,
      path: api.path,
      hintArgument: api.hintArgument,
      hintArgs: api.category === 'child-process' && api.id !== 'child_process.execSync',
    }),
  ),
  ...BLOCKING_GLOBALS.filter((api) => api.wrapAtRuntime).map(
    (api): WrappedApi => ({ id: api.id, module: null, path: api.path, hintArgument: undefined, hintArgs: false }),
  ),
  ...SIZE_GATED,
];
