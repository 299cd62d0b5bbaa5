import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { describeError, warnOnce } from '../../warnings.js';
import type { LoaderData } from './import-loader.js';

/*
 * The import side of the zero-code-change hooks: import-in-the-middle wraps the SDKs' ES module files so
 * their exports go through the adapters' patches. It needs a module hook in place before the app's first
 * import, and what that hook costs an app that never imports an SDK depends on Node:
 * - where `module.registerHooks` can run import-in-the-middle (its `supportsSyncHooks()`: Node >= 22.22.3,
 *   >= 24.11.1, >= 25.1), an in-thread resolve hook that compares each resolved URL with the SDKs' files,
 *   and loads import-in-the-middle only when one of them is imported: no thread, no library loaded;
 * - elsewhere (Node 20), `module.register` and its loader thread, which no in-thread alternative replaces:
 *   our own small loader (import-loader.ts), which loads import-in-the-middle's loader inside that thread
 *   only when an SDK file is imported, so the thread starts without parsing it.
 */

/** The namespace callback: import-in-the-middle's `addHook` callback, called for every module it wrapped. */
export type OnImport = (url: string, namespace: unknown) => void;

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface ResolveContext {
  conditions?: readonly string[];
  parentURL?: string;
}
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult;
type NextLoad = (url: string, context?: object) => object;
interface SyncHooks {
  resolve?: (specifier: string, context: ResolveContext, nextResolve: NextResolve) => ResolveResult;
  load?: (url: string, context: object, nextLoad: NextLoad) => object;
}
/** What import-in-the-middle's createHook returns that the in-thread hooks use. */
interface IitmSyncHook {
  applyOptions: (options: { include: RegExp[] }) => void;
  resolveSync: NonNullable<SyncHooks['resolve']>;
  loadSync: NonNullable<SyncHooks['load']>;
}

/**
 * Installs the import hook for the files ending in `files` (`/node_modules/<package>/<file>`): `onImport`
 * gets each one's namespace when it is imported. Throws when the hook cannot be installed.
 */
export function installImportHook(require: NodeJS.Require, files: readonly string[], onImport: OnImport): void {
  const registerHooks = (nodeModule as { registerHooks?: (hooks: SyncHooks) => unknown }).registerHooks;
  if (typeof registerHooks === 'function' && supportsSyncHooks(require)) installInThreadHook(require, registerHooks, files, onImport);
  else installLoaderThreadHook(require, files, onImport);
}

function supportsSyncHooks(require: NodeJS.Require): boolean {
  try {
    // Its own import-free module, so the check loads nothing else.
    const { supportsSyncHooks: supported } = require('import-in-the-middle/supports-sync-hooks.mjs') as { supportsSyncHooks?: () => boolean };
    return typeof supported === 'function' && supported();
  } catch {
    // No require() of an ES module here (--no-experimental-require-module): the loader thread works anyway.
    return false;
  }
}

function installInThreadHook(require: NodeJS.Require, registerHooks: (hooks: SyncHooks) => unknown, files: readonly string[], onImport: OnImport): void {
  let iitm: IitmSyncHook | undefined;
  let failed = false;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (iitm !== undefined) return iitm.resolveSync(specifier, context, nextResolve);
      const resolved = nextResolve(specifier, context);
      // A require() is require-in-the-middle's (import-in-the-middle leaves those alone too).
      if (failed || context.conditions?.includes('require') === true || !endsWithAny(resolved.url, files)) return resolved;
      try {
        iitm = startInThreadIitm(require, registerHooks, files, onImport);
      } catch (error) {
        failed = true;
        warnOnce('AGENT_LAG_AGENT_HOOKS', `agent SDK import hook not installed: ${describeError(error)} (blocks will not name tools or agents of SDKs the app imports, unless it calls the adapters itself)`);
        return resolved;
      }
      // Resolved again through import-in-the-middle, which points the import at its wrapper module.
      return iitm.resolveSync(specifier, context, nextResolve);
    },
  });
}

/** import-in-the-middle's in-thread hooks, as its register-hooks.mjs makes them, and its namespace callback. */
function startInThreadIitm(require: NodeJS.Require, registerHooks: (hooks: SyncHooks) => unknown, files: readonly string[], onImport: OnImport): IitmSyncHook {
  const { createHook } = require('import-in-the-middle/create-hook.mjs') as { createHook?: (meta: { url: string }) => IitmSyncHook };
  if (typeof createHook !== 'function') throw new Error('import-in-the-middle/create-hook.mjs exports no createHook (a version this monitor does not know)');
  const hook = createHook({ url: pathToFileURL(require.resolve('import-in-the-middle/register-hooks.mjs')).href });
  hook.applyOptions({ include: files.map(filePattern) });
  const { addHook } = require('import-in-the-middle') as { addHook: (hook: OnImport) => void };
  addHook(onImport);
  // Its load hook serves the wrapper modules its resolve hook points imports at, from the import that
  // started it on (Node reads the hooks at each load).
  registerHooks({ load: hook.loadSync });
  return hook;
}

function installLoaderThreadHook(require: NodeJS.Require, files: readonly string[], onImport: OnImport): void {
  const { addHook } = require('import-in-the-middle') as { addHook: (hook: OnImport) => void };
  const data: LoaderData = { files: [...files], include: files.map(filePattern), iitmLoaderUrl: pathToFileURL(require.resolve('import-in-the-middle/hook.mjs')).href };
  nodeModule.register(new URL('./import-loader.js', import.meta.url).href, import.meta.url, { data });
  addHook(onImport);
}

export function endsWithAny(url: string, files: readonly string[]): boolean {
  for (const file of files) if (url.endsWith(file)) return true;
  return false;
}

function filePattern(file: string): RegExp {
  return new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
}
