import { statSync } from 'node:fs';
import { createRequire, register as registerLoader } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warnOnce, describeError } from '../warnings.js';
import type { AgentSdk } from './attributes.js';
import { patchMcpProtocol } from './adapters/mcp.js';
import { patchOpenAIAgentsRun } from './adapters/openai-agents.js';
import { patchAiSdk } from './adapters/ai-sdk.js';
import { patchLangChain } from './adapters/langchain.js';

/*
 * Zero-code-change instrumentation under the preload: when the host loads one of the files below — by
 * require() (require-in-the-middle) or by import (import-in-the-middle's loader, told to wrap those files
 * only) — its exports go through the row's patch before the host sees them. The libraries are the ones
 * OpenTelemetry's instrumentations use. Nothing is installed for an SDK the host does not have, and
 * nothing at all when it has none: no require() patch, no loader thread.
 */

/** One SDK: the files whose exports its adapter patches, and the patch. Adding an SDK is one row. */
export interface SdkHook {
  sdk: AgentSdk;
  /** The npm package the files belong to, as it appears under node_modules/. */
  packageName: string;
  /** Paths inside the package: its ESM and its CJS build of the module the patch needs. */
  files: readonly string[];
  /** Patches `exports` in place (prototypes, or an export's value where the module lets it be set). */
  /** Patches the exports in place, or returns a replacement object (a CJS bundle whose exports are locked getters). */
  patch: (exports: Record<string, unknown>) => Record<string, unknown> | undefined | void;
}

export const SDK_HOOKS: readonly SdkHook[] = [
  {
    sdk: 'mcp',
    packageName: '@modelcontextprotocol/sdk',
    // Protocol is the base of Server (and of McpServer's server): its request handlers and transports.
    files: ['dist/esm/shared/protocol.js', 'dist/cjs/shared/protocol.js'],
    patch: patchMcpProtocol,
  },
  {
    sdk: 'openai-agents',
    packageName: '@openai/agents-core',
    // Runner: every run(), the default runner's included, starts here.
    files: ['dist/run.mjs', 'dist/run.js'],
    patch: patchOpenAIAgentsRun,
  },
  {
    sdk: 'ai-sdk',
    packageName: 'ai',
    // The SDK is one bundle: generateText, streamText and ToolLoopAgent.
    files: ['dist/index.mjs', 'dist/index.js'],
    patch: patchAiSdk,
  },
  {
    sdk: 'langchain',
    packageName: '@langchain/core',
    // StructuredTool, RunnableSequence and BaseChatModel, each where it is defined.
    files: ['dist/tools/index.js', 'dist/tools/index.cjs', 'dist/runnables/base.js', 'dist/runnables/base.cjs', 'dist/language_models/chat_models.js', 'dist/language_models/chat_models.cjs'],
    patch: patchLangChain,
  },
];

let installed = false;

/**
 * Installs the module hooks for the SDKs found installed near the app. Called once by the preload, before
 * the app's first import. Never throws: a failure is one AGENT_LAG_AGENT_HOOKS warning and the app runs
 * with its SDKs unpatched.
 */
export function installAgentHooks(hooks: readonly SdkHook[] = SDK_HOOKS): void {
  if (installed) return;
  installed = true;
  try {
    const present = hooks.filter((hook) => isInstalledNearApp(hook.packageName));
    if (present.length === 0) return;
    const require = createRequire(import.meta.url);
    installRequireHook(require, present);
    installImportHook(require, present);
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

function installRequireHook(require: NodeJS.Require, hooks: readonly SdkHook[]): void {
  const { Hook } = require('require-in-the-middle') as { Hook: RequireHookConstructor };
  // require-in-the-middle matches `<package>/<file>` for a file inside a package, with a final `.js`
  // (and `/index.js`) taken off.
  const names = hooks.flatMap((hook) => hook.files.map((file) => `${hook.packageName}/${file}`.replace(/(\/index)?\.js$/, '')));
  new Hook(names, (exports, name) => {
    const hook = hooks.find((candidate) => name.startsWith(`${candidate.packageName}/`));
    return hook === undefined ? exports : applyPatch(hook, exports);
  });
}

type ImportHookFunction = (url: string, namespace: unknown) => void;

function installImportHook(require: NodeJS.Require, hooks: readonly SdkHook[]): void {
  const { addHook } = require('import-in-the-middle') as { addHook: (hook: ImportHookFunction) => void };
  // The loader wraps only these files (an unrestricted one would wrap every module the app imports).
  const include = hooks.flatMap((hook) => hook.files.map((file) => new RegExp(`/node_modules/${escapeRegExp(hook.packageName)}/${escapeRegExp(file)}$`)));
  registerLoader(pathToFileURL(require.resolve('import-in-the-middle/hook.mjs')).href, import.meta.url, { data: { include } });
  addHook((url, namespace) => {
    const hook = matchFile(hooks, url);
    if (hook !== undefined) applyPatch(hook, namespace);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
