/*
 * The loader module `module.register` runs in its loader thread where Node has no in-thread hooks that
 * import-in-the-middle can use (Node 20): it passes every import through until one resolves to an SDK
 * file, and only then loads import-in-the-middle's own loader (its parsers among it) and hands it that
 * import and every one after it. The thread itself Node starts at registration, whatever it runs.
 */

/** What the preload passes at registration (structured clone: strings and regular expressions). */
export interface LoaderData {
  /** URL endings of the SDK files to wrap: `/node_modules/<package>/<file>`. */
  files: string[];
  /** The same files, as import-in-the-middle's `include` patterns. */
  include: RegExp[];
  /** import-in-the-middle's hook.mjs: its create-hook.mjs is beside it. */
  iitmLoaderUrl: string;
}

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: object) => Promise<ResolveResult>;
type NextLoad = (url: string, context?: object) => Promise<object>;
interface IitmLoader {
  initialize: (data: { include: RegExp[] }) => Promise<void>;
  resolve: (specifier: string, context: object, nextResolve: NextResolve) => Promise<ResolveResult>;
  load: (url: string, context: object, nextLoad: NextLoad) => Promise<object>;
}

let data: LoaderData | undefined;
/** import-in-the-middle's loader once it is running; every import goes to it from then on. */
let iitm: IitmLoader | undefined;
/** Its start, from the first SDK file's import (undefined if it failed). */
let starting: Promise<IitmLoader | undefined> | undefined;

export function initialize(registered: LoaderData): void {
  data = registered;
}

export async function resolve(specifier: string, context: object, nextResolve: NextResolve): Promise<ResolveResult> {
  if (iitm !== undefined) return iitm.resolve(specifier, context, nextResolve);
  // Passed through until an SDK file: the loader thread's own imports come here too, those of
  // import-in-the-middle's start among them, so nothing else may wait for that start.
  const resolved = await nextResolve(specifier, context);
  if (data === undefined || !data.files.some((file) => resolved.url.endsWith(file))) return resolved;
  starting ??= startIitm(data);
  const started = await starting;
  // Resolved again through import-in-the-middle, which points the import at its wrapper module.
  return started === undefined ? resolved : started.resolve(specifier, context, nextResolve);
}

export async function load(url: string, context: object, nextLoad: NextLoad): Promise<object> {
  // A wrapper module is only imported once import-in-the-middle runs, which resolved its URL.
  return iitm === undefined ? nextLoad(url, context) : iitm.load(url, context, nextLoad);
}

/** import-in-the-middle's loader, as its hook.mjs makes it; undefined (and the SDK left unwrapped) if that fails. */
async function startIitm(registered: LoaderData): Promise<IitmLoader | undefined> {
  try {
    const { createHook } = (await import(new URL('create-hook.mjs', registered.iitmLoaderUrl).href)) as { createHook?: (meta: { url: string }) => IitmLoader };
    if (typeof createHook !== 'function') throw new Error('import-in-the-middle/create-hook.mjs exports no createHook (a version this monitor does not know)');
    const loader = createHook({ url: registered.iitmLoaderUrl });
    await loader.initialize({ include: registered.include });
    iitm = loader;
    return loader;
  } catch (error) {
    // The loader thread's warnings reach the process's stderr like the main thread's.
    process.emitWarning(`agent-lag: agent SDK import hook not installed: ${error instanceof Error ? error.message : String(error)} (blocks will not name tools or agents of SDKs the app imports, unless it calls the adapters itself)`, { code: 'AGENT_LAG_AGENT_HOOKS' });
    return undefined;
  }
}
