import type { MonitorContext } from '../../types.js';
import { describeError, warnOnce } from '../../warnings.js';
import { trackMethodCall, trackStep, type AgentRun } from '../track-run.js';
import { wrapMethod } from './patch.js';

/*
 * LangChain.js (@langchain/core 1.x): a tool's call() is a tool call (`execute_tool`, the tool's name, the
 * ToolCall's id), a RunnableSequence's invoke() a chain run (operation `chain`, LangChain's own name for
 * it: no GenAI operation fits; a chain given a name — RunnableSequence.from(steps, 'triage') or the
 * runName of its config — is the agent), a chat model's generate() a `chat` run.
 *
 * Patched on the base classes, once: StructuredTool.prototype.call (Tool, DynamicTool and the
 * DynamicStructuredTool that tool() makes reach it through super.call, invoke() through call()),
 * RunnableSequence.prototype.invoke and BaseChatModel.prototype.generate (invoke() and batch() reach it).
 * A callback handler (handleToolStart/End) sees a tool start and end but cannot run the tool's own code
 * inside a context, so the methods are wrapped instead. Streaming (stream(), streamEvents()) runs outside
 * these methods and is not named.
 */

const SDK = 'langchain';

interface ToolCallLike {
  type?: unknown;
  id?: unknown;
}

interface RunnableLike {
  name?: unknown;
  model?: unknown;
  modelName?: unknown;
  steps?: unknown;
  bound?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The model's tool call id: the ToolCall passed as the input, or the one invoke() put in the config. */
function toolCallIdOf(input: unknown, config: unknown): string | undefined {
  if (isObject(input) && (input as ToolCallLike).type === 'tool_call') {
    const id = stringOrUndefined((input as ToolCallLike).id);
    if (id !== undefined) return id;
  }
  const toolCall = isObject(config) ? config.toolCall : undefined;
  return isObject(toolCall) ? stringOrUndefined((toolCall as ToolCallLike).id) : undefined;
}

type Method = (this: unknown, ...args: never[]) => unknown;
type TwoArgumentMethod = (this: unknown, a: unknown, b: unknown) => unknown;

/**
 * `method` as `run`, with the arguments its wrapper got: (input, config) as they are, or with a third
 * (StructuredTool.call's legacy `tags`, BaseChatModel.generate's `callbacks`) only when one was given. An
 * array a call otherwise (a tool call that does nothing allocates ~17 kB in LangChain; every object counts).
 */
function trackLangChainCall(run: AgentRun, method: Method, self: unknown, a: unknown, b: unknown, c: unknown, rejectionHandled = false): unknown {
  return c === undefined ? trackStep(run, method as TwoArgumentMethod, self, a, b, rejectionHandled) : trackMethodCall(run, method, self, [a, b, c]);
}

/**
 * True while a StructuredTool's invoke() runs its synchronous part, which ends by returning this.call(…):
 * the promise of that call() is adopted by invoke's own, so its rejection is always handled (trackStep's
 * rejectionHandled; the tools an agent runs are invoked). A call() made any other way, or after an await in a
 * subclass's override of call(), finds it false and keeps the general path.
 */
let callReturnedByInvoke = false;

function patchToolPrototype(prototype: object): void {
  wrapMethod(prototype, 'call', (call) =>
    function agentLagToolCall(this: unknown, input: unknown, config: unknown, tags: unknown): unknown {
      const rejectionHandled = callReturnedByInvoke;
      callReturnedByInvoke = false;
      const tool = (this ?? {}) as RunnableLike;
      const run: AgentRun = { operation: 'execute_tool', sdk: SDK, toolName: stringOrUndefined(tool.name), toolCallId: toolCallIdOf(input, config) };
      return trackLangChainCall(run, call, this, input, config, tags, rejectionHandled);
    },
  );
  wrapMethod(prototype, 'invoke', (invoke) =>
    function agentLagToolInvoke(this: unknown, input: unknown, config: unknown): unknown {
      callReturnedByInvoke = true;
      try {
        return (invoke as TwoArgumentMethod).call(this, input, config);
      } finally {
        callReturnedByInvoke = false;
      }
    },
  );
}

function patchSequencePrototype(prototype: object): void {
  wrapMethod(prototype, 'invoke', (invoke) =>
    function agentLagChainInvoke(this: unknown, input: unknown, options: unknown): unknown {
      const chain = (this ?? {}) as RunnableLike;
      const agentName = stringOrUndefined((options as { runName?: unknown } | undefined)?.runName) ?? stringOrUndefined(chain.name);
      return trackStep({ operation: 'chain', sdk: SDK, agentName }, invoke as TwoArgumentMethod, this, input, options);
    },
  );
}

function modelContext(model: RunnableLike): MonitorContext | undefined {
  const name = stringOrUndefined(model.model) ?? stringOrUndefined(model.modelName);
  return name === undefined ? undefined : { 'gen_ai.request.model': name };
}

function patchChatModelPrototype(prototype: object): void {
  wrapMethod(prototype, 'generate', (generate) =>
    function agentLagChatGenerate(this: unknown, messages: unknown, options: unknown, callbacks: unknown): unknown {
      return trackLangChainCall({ operation: 'chat', sdk: SDK, context: modelContext(this ?? {}) }, generate, this, messages, options, callbacks);
    },
  );
}

/** The base classes, by the name LangChain gives them, and the patch of each one's prototype. */
const PATCHES: Readonly<Record<string, (prototype: object) => void>> = {
  StructuredTool: patchToolPrototype,
  RunnableSequence: patchSequencePrototype,
  BaseChatModel: patchChatModelPrototype,
};

/**
 * The hook's patch: the modules of either build that define the classes (`dist/tools/index`,
 * `dist/runnables/base`, `dist/language_models/chat_models`); each module patches what it exports.
 */
export function patchLangChain(exports: Record<string, unknown>): void {
  for (const [name, patch] of Object.entries(PATCHES)) {
    const Class = exports[name];
    if (typeof Class === 'function') patch(Class.prototype as object);
  }
}

/** Patches the base classes in `target`'s prototype chain, then the runnables a sequence or binding holds. */
function instrumentRunnable(target: unknown, seen: Set<object>): void {
  if (!isObject(target) || seen.has(target)) return;
  seen.add(target);
  for (let prototype = Object.getPrototypeOf(target) as object | null; prototype !== null; prototype = Object.getPrototypeOf(prototype) as object | null) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && Object.hasOwn(PATCHES, name)) PATCHES[name]!(prototype);
  }
  const runnable = target as RunnableLike;
  if (Array.isArray(runnable.steps)) for (const step of runnable.steps as unknown[]) instrumentRunnable(step, seen);
  instrumentRunnable(runnable.bound, seen);
}

/**
 * Names the tool call, chain or model call behind every block in LangChain's tools, sequences and chat
 * models — for apps that do not run under the preload. One line with any of the app's tools, chains or
 * models: `instrumentLangChain(summarizeRepo, chain)`. It patches the base classes of the @langchain/core
 * copy they come from (every tool, sequence and chat model of that copy). Never throws (one warning).
 */
export function instrumentLangChain(...targets: unknown[]): void {
  try {
    const seen = new Set<object>();
    for (const target of targets) instrumentRunnable(target, seen);
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS_langchain', `LangChain not instrumented: ${describeError(error)}`);
  }
}
