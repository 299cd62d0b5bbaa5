import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { warnOnce, describeError } from '../warnings.js';
import type { AgentSdk } from './attributes.js';
import type { patchMcpProtocol } from './adapters/mcp.js';
import type { patchOpenAIAgentsRun } from './adapters/openai-agents.js';
import type { patchAiSdk } from './adapters/ai-sdk.js';
import type { patchLangChain } from './adapters/langchain.js';
import { installImportHook } from './hooks/import-hook.js';
import { installRequireGate } from './hooks/require-gate.js';

/*
 * Zero-code-change instrumentation under the preload: when the host loads one of the files below — by
 * require() (require-in-the-middle) or by import (import-in-the-middle, told to wrap those files only) —
 * its exports go through the row's patch before the host sees them. The libraries are the ones
 * OpenTelemetry's instrumentations use. Each library is loaded on the first require() or import of an
 * SDK, not before (hooks/require-gate.ts, hooks/import-hook.ts), and so is each adapter: an SDK that is
 * installed but never loaded costs a few comparisons per module the app loads — except on Node without
 * in-thread import hooks (Node 20), where the import hook needs module.register's loader thread from the
 * start. Nothing is installed at all for a host with none of the SDKs near it.
 */

const requireHere = createRequire(import.meta.url);

/**
 * An adapter module, loaded when its SDK's file loads (a synchronous require of our own ES module, which
 * Node >= 20.19 allows): the adapters bring the run tracker and its tables, tens of milliseconds of
 * start-up the preload would otherwise pay for every host.
 */
function adapter<T>(path: string): T {
  return requireHere(path) as T;
}

/** One SDK: the files whose exports its adapter patches, and the patch. Adding an SDK is one row. */
export interface SdkHook {
  sdk: AgentSdk;
  /** The npm package the files belong to, as it appears under node_modules/. */
  packageName: string;
  /** Paths inside the package: its ESM and its CJS build of the module the patch needs. */
  files: readonly string[];
  /** Patches the exports in place, or returns a replacement object (a CJS bundle whose exports are locked getters). */
  patch: (exports: Record<string, unknown>) => Record<string, unknown> | undefined | void;
}

export const SDK_HOOKS: readonly SdkHook[] = [
  {
    sdk: 'mcp',
    packageName: '@modelcontextprotocol/sdk',
    // Protocol is the base of Server (and of McpServer's server): its request handlers and transports.
    files: ['dist/esm/shared/protocol.js', 'dist/cjs/shared/protocol.js'],
    patch: (exports) => adapter<{ patchMcpProtocol: typeof patchMcpProtocol }>('./adapters/mcp.js').patchMcpProtocol(exports),
  },
  {
    sdk: 'openai-agents',
    packageName: '@openai/agents-core',
    // Runner: every run(), the default runner's included, starts here.
    files: ['dist/run.mjs', 'dist/run.js'],
    patch: (exports) => adapter<{ patchOpenAIAgentsRun: typeof patchOpenAIAgentsRun }>('./adapters/openai-agents.js').patchOpenAIAgentsRun(exports),
  },
  {
    sdk: 'ai-sdk',
    packageName: 'ai',
    // The SDK is one bundle: generateText, streamText and ToolLoopAgent.
    files: ['dist/index.mjs', 'dist/index.js'],
    patch: (exports) => adapter<{ patchAiSdk: typeof patchAiSdk }>('./adapters/ai-sdk.js').patchAiSdk(exports),
  },
  {
    sdk: 'langchain',
    packageName: '@langchain/core',
    // StructuredTool, RunnableSequence and BaseChatModel, each where it is defined.
    files: ['dist/tools/index.js', 'dist/tools/index.cjs', 'dist/runnables/base.js', 'dist/runnables/base.cjs', 'dist/language_models/chat_models.js', 'dist/language_models/chat_models.cjs'],
    patch: (exports) => adapter<{ patchLangChain: typeof patchLangChain }>('./adapters/langchain.js').patchLangChain(exports),
  },
];

let installed = false;

/**
 * Installs the module hooks for the SDKs found installed near the app: the require() gate and the import
 * hook, which load the hook libraries when the app first loads one of those SDKs. Called once by the
 * preload, before the app's first import. Never throws: a failure is one AGENT_LAG_AGENT_HOOKS warning and the app runs
 * with its SDKs unpatched.
 */
export function installAgentHooks(hooks: readonly SdkHook[] = SDK_HOOKS): void {
  if (installed) return;
  installed = true;
  try {
    const present = hooks.filter((hook) => isInstalledNearApp(hook.packageName));
    if (present.length === 0) return;
    // The import hook first: it is the one that can fail here (the gate only assigns a function), and
    // then neither is installed.
    installImportHook(requireHere, importedFiles(present), (url, namespace) => {
      const hook = matchFile(present, url);
      if (hook !== undefined) applyPatch(hook, namespace);
    });
    installRequireGate(present.map((hook) => hook.packageName), () => installRequireHook(present));
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS', `agent SDK hooks not installed: ${describeError(error)} (blocks will not name tools or agents unless the app calls the adapters itself)`);
  }
}

/**
 * Whether `node_modules/<packageName>` exists in the app's directory or one above it (the entry script's
 * and the working directory's): a few stat calls, so a host without the SDK pays nothing else. A package
 * only reachable through another package's private node_modules (pnpm, not hoisted) is not seen: the
 * explicit calls cover it.
 */
function isInstalledNearApp(packageName: string): boolean {
  const roots = new Set<string>([process.cwd()]);
  const entry = process.argv[1];
  if (entry !== undefined && entry !== '') roots.add(dirname(resolve(entry)));
  for (const root of roots) {
    for (let dir = root; ; dir = dirname(dir)) {
      if (statSync(join(dir, 'node_modules', packageName, 'package.json'), { throwIfNoEntry: false })?.isFile()) return true;
      if (dirname(dir) === dir) break;
    }
  }
  return false;
}

/** The row and the file a loaded module is, from its path or file URL (`/node_modules/<package>/<file>` at its end). */
function matchFile(hooks: readonly SdkHook[], location: string): SdkHook | undefined {
  const path = location.split('?')[0]!.replaceAll('\\', '/');
  return hooks.find((hook) => hook.files.some((file) => path.endsWith(`/node_modules/${hook.packageName}/${file}`)));
}

/** The exports the host gets: patched in place, or the patch's replacement (require() hooks can swap them). */
function applyPatch(hook: SdkHook, exports: unknown): unknown {
  try {
    if (exports !== null && typeof exports === 'object') return hook.patch(exports as Record<string, unknown>) ?? exports;
  } catch (error) {
    warnOnce(`AGENT_LAG_AGENT_HOOKS_${hook.sdk}`, `${hook.packageName} not instrumented: ${describeError(error)}`);
  }
  return exports;
}

type RequireHookConstructor = new (modules: string[], onrequire: (exports: unknown, name: string) => unknown) => unknown;

/** require-in-the-middle, told to patch the rows' files: what the require gate installs on an SDK's first require(). */
function installRequireHook(hooks: readonly SdkHook[]): void {
  const { Hook } = requireHere('require-in-the-middle') as { Hook: RequireHookConstructor };
  // require-in-the-middle matches `<package>/<file>` for a file inside a package, with a final `.js`
  // (and `/index.js`) taken off.
  const names = hooks.flatMap((hook) => hook.files.map((file) => `${hook.packageName}/${file}`.replace(/(\/index)?\.js$/, '')));
  new Hook(names, (exports, name) => {
    const hook = hooks.find((candidate) => name.startsWith(`${candidate.packageName}/`));
    return hook === undefined ? exports : applyPatch(hook, exports);
  });
}

/** The URL endings of the files import-in-the-middle wraps (an unrestricted loader would wrap every module the app imports). */
function importedFiles(hooks: readonly SdkHook[]): string[] {
  return hooks.flatMap((hook) => hook.files.map((file) => `/node_modules/${hook.packageName}/${file}`));
}
