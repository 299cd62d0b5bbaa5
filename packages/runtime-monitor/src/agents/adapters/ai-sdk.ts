import type { MonitorContext } from '../../types.js';
import { withContext } from '../../context/index.js';
import { describeError, warnOnce } from '../../warnings.js';
import { AGENT_NAME_KEY, OPERATION_KEY, SDK_KEY, TOOL_CALL_ID_KEY, TOOL_NAME_KEY } from '../attributes.js';
import { trackMethodCall, type AgentRun } from '../track-run.js';
import { isPatched, markPatched, wrapMethod } from './patch.js';

/*
 * Vercel AI SDK (`ai` 6.x): each tool's execute() is a tool call (`execute_tool`, the tool's key in
 * `tools` as its name, the model's toolCallId), each model call of a step — a language model's
 * doGenerate/doStream — a `chat` run, and a ToolLoopAgent's generate() an agent run (`invoke_agent`, its
 * id as the agent name).
 *
 * The SDK is one bundled file: generateText calls the tools and the model it is given, never an export, so
 * the adapter works on a call's options. A tool's name is its key in `tools` (not on the tool object),
 * so the tools record is copied per call with each execute wrapped; a model is wrapped in place, once.
 * The SDK's ToolLoopAgent calls its own generateText: its prepareCall (the options it passes) is patched.
 */

const SDK = 'ai-sdk';

interface ToolLike {
  execute?: unknown;
}

interface ModelLike {
  doGenerate?: unknown;
  doStream?: unknown;
  modelId?: unknown;
  provider?: unknown;
}

interface CallOptionsLike {
  id?: unknown;
  tools?: unknown;
  model?: unknown;
}

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return isObject(value) && !(value instanceof Promise) && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** A run's keys as a plain context, for work of the run that resumes after the run's call returned. */
function contextOf(run: AgentRun): MonitorContext {
  const context: MonitorContext = { [OPERATION_KEY]: run.operation, [SDK_KEY]: SDK };
  if (run.toolName !== undefined) context[TOOL_NAME_KEY] = run.toolName;
  if (run.agentName !== undefined) context[AGENT_NAME_KEY] = run.agentName;
  if (run.toolCallId !== undefined) context[TOOL_CALL_ID_KEY] = run.toolCallId;
  return context;
}

/**
 * A tool whose execute is an async generator (preliminary results) returns before its body runs: the
 * body runs as the SDK pulls it, so each step of it gets the call's keys.
 */
function iterateWithin(run: AgentRun, iterable: AsyncIterable<unknown>): AsyncIterable<unknown> {
  const context = contextOf(run);
  return {
    [Symbol.asyncIterator]() {
      const iterator = iterable[Symbol.asyncIterator]();
      return {
        next: (...args: [] | [unknown]) => withContext(context, () => iterator.next(...args)),
        return: (value?: unknown) => (iterator.return === undefined ? Promise.resolve({ done: true as const, value }) : withContext(context, () => iterator.return!(value))),
      };
    },
  };
}

function trackedExecute(execute: AnyFunction, tool: object, toolName: string, agentName: string | undefined): AnyFunction {
  return markPatched(function agentLagAiSdkExecute(this: unknown, ...args: never[]): unknown {
    // execute(input, { toolCallId, messages, abortSignal, ... })
    const callId = (args[1] as { toolCallId?: unknown } | undefined)?.toolCallId;
    const run: AgentRun = { operation: 'execute_tool', sdk: SDK, toolName, agentName, toolCallId: typeof callId === 'string' ? callId : undefined };
    const result = trackMethodCall(run, execute, tool, args);
    return isAsyncIterable(result) ? iterateWithin(run, result) : result;
  });
}

/** `tools` with every execute a tracked tool call; the record is copied, the user's objects are left as they are. */
function instrumentTools(tools: unknown, agentName: string | undefined): unknown {
  if (!isObject(tools)) return tools;
  let copy: Record<string, unknown> | undefined;
  for (const name of Object.keys(tools)) {
    const tool = tools[name] as ToolLike | undefined;
    if (!isObject(tool) || typeof tool.execute !== 'function' || isPatched(tool.execute)) continue;
    copy ??= { ...tools };
    copy[name] = { ...tool, execute: trackedExecute(tool.execute as AnyFunction, tool, name, agentName) };
  }
  return copy ?? tools;
}

function modelContext(model: ModelLike): MonitorContext | undefined {
  const context: MonitorContext = {};
  if (typeof model.modelId === 'string') context['gen_ai.request.model'] = model.modelId;
  if (typeof model.provider === 'string') context['gen_ai.provider.name'] = model.provider;
  return Object.keys(context).length === 0 ? undefined : context;
}

/**
 * Wraps a language model's doGenerate and doStream in place (once) as `chat` runs. A doStream run ends
 * when the model's stream is returned: the chunks are parsed as the SDK reads them, outside the call.
 * A model given by id (a string the SDK resolves through its gateway) is not ours to wrap.
 */
function instrumentModel(model: unknown): void {
  if (!isObject(model)) return;
  const target = model as ModelLike;
  for (const method of ['doGenerate', 'doStream'] as const) {
    if (typeof target[method] !== 'function' || isPatched(target[method])) continue;
    try {
      wrapMethod(target, method, (call) =>
        function agentLagAiSdkModelCall(this: unknown, ...args: never[]): unknown {
          return trackMethodCall({ operation: 'chat', sdk: SDK, context: modelContext(target) }, call, this, args);
        },
      );
    } catch (error) {
      warnOnce('AGENT_LAG_AGENT_HOOKS_ai-sdk_model', `an AI SDK model's ${method} not instrumented (its blocks will not be named chat): ${describeError(error)}`);
    }
  }
}

function instrumentOptions<T>(options: T, agentName: string | undefined): T {
  if (!isObject(options)) return options;
  const call = options as CallOptionsLike;
  instrumentModel(call.model);
  const tools = instrumentTools(call.tools, agentName);
  return tools === call.tools ? options : { ...options, tools };
}

/**
 * Names the tool call or model call behind every block in the tools and model of `options` — for apps
 * that do not run under the preload. One line around the options of generateText, streamText or a
 * ToolLoopAgent (whose `id` names the agent):
 * `generateText(instrumentAiSdk({ model, tools, prompt }))`,
 * `new ToolLoopAgent(instrumentAiSdk({ id: 'triage', model, tools }))`.
 * Returns a copy of `options` with the tools wrapped (the model is wrapped in place); never throws (one warning).
 */
export function instrumentAiSdk<T extends object>(options: T): T {
  try {
    const id = (options as CallOptionsLike).id;
    return instrumentOptions(options, typeof id === 'string' ? id : undefined);
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS_ai-sdk', `AI SDK call not instrumented: ${describeError(error)}`);
    return options;
  }
}

/** generateText/streamText: the same function, given the options with their tools and model instrumented. */
function trackedEntryPoint(entryPoint: AnyFunction): AnyFunction {
  return markPatched(function agentLagAiSdkCall(this: unknown, ...args: never[]): unknown {
    const options = args[0] as unknown;
    let instrumented: unknown = options;
    try {
      instrumented = instrumentOptions(options, undefined);
    } catch (error) {
      warnOnce('AGENT_LAG_AGENT_HOOKS_ai-sdk', `AI SDK call not instrumented: ${describeError(error)}`);
    }
    return entryPoint.call(this, ...([instrumented, ...args.slice(1)] as never[]));
  });
}

function patchAgentClass(Agent: unknown): void {
  if (typeof Agent !== 'function') return;
  const prototype = Agent.prototype as object;
  // prepareCall(options) resolves to the options generate() and stream() pass to the SDK's own generateText/streamText.
  wrapMethod(prototype, 'prepareCall', (prepareCall) =>
    function agentLagPrepareCall(this: unknown, ...args: never[]): unknown {
      const id = (this as { id?: unknown } | null)?.id;
      const agentName = typeof id === 'string' ? id : undefined;
      const prepared = prepareCall.apply(this, args);
      return prepared instanceof Promise ? prepared.then((options: unknown) => instrumentOptions(options, agentName)) : instrumentOptions(prepared, agentName);
    },
  );
  // generate() is the agent run. stream() returns once the stream is set up, long before the agent is
  // done: it is not a run of its own (its tool and model calls are).
  wrapMethod(prototype, 'generate', (generate) =>
    function agentLagAgentGenerate(this: unknown, ...args: never[]): unknown {
      const id = (this as { id?: unknown } | null)?.id;
      return trackMethodCall({ operation: 'invoke_agent', sdk: SDK, agentName: typeof id === 'string' ? id : undefined }, generate, this, args);
    },
  );
}

const ENTRY_POINTS = ['generateText', 'streamText'] as const;

/**
 * The hook's patch: the SDK's bundle (`dist/index.mjs`, `dist/index.js`). ToolLoopAgent is patched on its
 * prototype. generateText and streamText are replaced in `exports` where the module lets them be set (an
 * ES module under the import hook); a CommonJS build's exports are getters that cannot be redefined, so
 * for it a copy of the exports with the two replaced is returned, for the require hook to hand out instead.
 */
export function patchAiSdk(exports: Record<string, unknown>): Record<string, unknown> | undefined {
  if (typeof exports.generateText !== 'function') throw new TypeError('the module exports no generateText (an AI SDK version this adapter does not know)');
  try {
    patchAgentClass(exports.ToolLoopAgent);
    if (exports.Experimental_Agent !== exports.ToolLoopAgent) patchAgentClass(exports.Experimental_Agent);
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS_ai-sdk_agent', `the AI SDK's ToolLoopAgent not instrumented (generateText and streamText are): ${describeError(error)}`);
  }
  const settable = ENTRY_POINTS.every((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(exports, name);
    return descriptor === undefined || descriptor.writable === true || descriptor.set !== undefined;
  });
  if (settable) {
    for (const name of ENTRY_POINTS) {
      const entryPoint = exports[name];
      if (typeof entryPoint === 'function' && !isPatched(entryPoint)) exports[name] = trackedEntryPoint(entryPoint as AnyFunction);
    }
    return undefined;
  }
  const descriptors = Object.getOwnPropertyDescriptors(exports);
  for (const name of ENTRY_POINTS) {
    const entryPoint = exports[name];
    if (typeof entryPoint === 'function' && !isPatched(entryPoint)) descriptors[name] = { value: trackedEntryPoint(entryPoint as AnyFunction), enumerable: true };
  }
  const replacement = Object.defineProperties({}, descriptors) as Record<string, unknown>;
  return replacement;
}
