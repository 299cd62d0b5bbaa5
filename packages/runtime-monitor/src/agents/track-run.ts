import { currentContextStore, runContextWasMissed, runInNewLiveContext, runInNewSyncRun, type RequestStep } from '../context/index.js';
import { warnOnce } from '../warnings.js';
import { getRequestTracker } from '../middleware/core.js';
import type { RequestTracker } from '../middleware/tracker.js';
import { currentMonitor } from '../middleware/monitor-link.js';
import type { RunLimits } from './run-figures.js';
import type { AgentRun, RunRecord } from './run-record.js';

export type { AgentRun } from './run-record.js';
export type { RunLimits } from './run-figures.js';

/*
 * The hot path of every adapter: once per tool call, agent run or model call. Measured (bench/agents/track-run-micro.mjs,
 * callgrind on LangChain): what it costs above a bare AsyncLocalStorage#run is one record, the run's promise
 * when fn returns one, and a few lookups; anything else a block needs (the context object, the labels of the
 * published figures) is built when a block or a metrics read asks for it. No closure on the synchronous
 * path: the two that end a run when its promise settles are made in endWhenSettled, only when there is one.
 */

/** How a run's context reaches the code it runs: see AgentRunsOptions['asyncContext']. */
export type RunAsyncContext = boolean | 'auto';

function asyncContextFromEnv(): RunAsyncContext {
  const value = process.env.AGENT_LAG_AGENT_ASYNC_CONTEXT?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'on' || value === 'true' || value === '1') return true;
  if (value === 'auto') return 'auto';
  if (value === 'off' || value === 'false' || value === '0') return false;
  warnOnce('AGENT_LAG_AGENT_ASYNC_CONTEXT', `AGENT_LAG_AGENT_ASYNC_CONTEXT=${JSON.stringify(value)} is not on, off or auto: runs propagate async context (on)`);
  return true;
}

let asyncContext: RunAsyncContext = asyncContextFromEnv();

function callRun<T>(this: undefined, fn: () => T): T {
  return fn();
}

/** What an adapter calls: a method with the arguments its wrapper received, without a closure per call. */
function applyMethod(this: unknown, method: (this: unknown, ...args: never[]) => unknown, args: readonly unknown[]): unknown {
  return method.apply(this, args as never[]);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A native promise is replaced by one that settles the same way after the run ends: the caller's handling
 * (or not) of a rejection is unchanged, which a handler on the original would hide.
 */
function endWhenSettled<V>(tracker: RequestTracker, record: RunRecord, promise: Promise<V>): Promise<V> {
  return promise.then(
    (value) => {
      tracker.endRun(record);
      return value;
    },
    (error: unknown) => {
      tracker.endRun(record);
      throw error;
    },
  );
}

/**
 * Returned as it is, the run ended by a handler of ours: another thenable (an SDK's promise-like result with
 * methods of its own), and a native promise whose rejection the caller handles in every case (the SDK adopts or
 * chains it: an MCP handler's result, a LangChain tool's call() made by its invoke()). No promise in between:
 * resolving one with the call's result looks its `then` up, ≈ 1.3k instructions a LangChain call (a ToolMessage's
 * deep prototype chain; callgrind). Only for those callers, as the handler would hide a rejection nobody else handles.
 */
function endWhenThenableSettles(tracker: RequestTracker, record: RunRecord, thenable: PromiseLike<unknown>): void {
  const end = (): void => tracker.endRun(record);
  try {
    thenable.then(end, end);
  } catch {
    end();
  }
}

/**
 * Whether runs starting now propagate async context (AsyncLocalStorage): always with `asyncContext: true`,
 * and in 'auto' once a block missed a run's context or the HTTP middleware propagates it anyway.
 */
export function runsUseAsyncContext(tracker: RequestTracker = getRequestTracker()): boolean {
  return asyncContext === true || (asyncContext === 'auto' && (runContextWasMissed() || tracker.asyncContextWanted));
}

/**
 * trackRun's body: `fn.call(self, a, b)` as `run`. What an adapter's wrapper of a method of up to two
 * arguments calls, with no closure or array a call. `rejectionHandled`: the caller handles a rejection of
 * the promise `fn` returns in every case (see endWhenThenableSettles), so that promise is returned as it is.
 */
export function trackStep<This, A, B, T>(run: AgentRun, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B, rejectionHandled = false): T {
  const tracker = getRequestTracker();
  const monitor = currentMonitor();
  if (monitor !== null && monitor !== tracker.monitor) tracker.attach(monitor);
  const record = tracker.beginRun(run, currentContextStore());
  let result: T;
  try {
    if (runsUseAsyncContext(tracker)) {
      result = runInNewLiveContext(record, fn, self, a, b);
    } else {
      record.syncContext = true;
      result = runInNewSyncRun(record, fn, self, a, b);
    }
  } catch (error) {
    tracker.endRun(record);
    throw error;
  }
  if (result instanceof Promise && !rejectionHandled) return endWhenSettled(tracker, record, result) as T;
  if (isThenable(result)) {
    endWhenThenableSettles(tracker, record, result);
    return result;
  }
  tracker.endRun(record);
  return result;
}

/**
 * Runs `fn` as `run`: a block inside it — before or after an await — names the tool, agent and run it
 * interrupted, merged over the enclosing context (a tool call inside an agent run keeps the agent's name).
 * The run is in the in-flight table (beside the HTTP requests) from this call until `fn` returns, throws,
 * or the promise it returns settles. Returns what `fn` returns.
 */
export function trackRun<T>(run: AgentRun, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('agent-lag: trackRun(run, fn) needs a function to run');
  if (run === null || typeof run !== 'object') throw new TypeError('agent-lag: trackRun(run, fn) needs the run as an object ({ operation, toolName, ... })');
  return trackStep(run, callRun<T>, undefined, fn, undefined);
}

/**
 * What the adapters' wrappers call: `method.apply(self, args)` as `run`, like trackRun without the closure
 * a wrapper would otherwise make per call. `run` is the adapter's own object literal, `method` the SDK's.
 */
export function trackMethodCall(run: AgentRun, method: (this: never, ...args: never[]) => unknown, self: unknown, args: readonly unknown[]): unknown {
  return trackStep(run, applyMethod, self, method as (this: unknown, ...args: never[]) => unknown, args);
}

export interface AgentRunsOptions extends RunLimits {
  /**
   * How a run's context reaches the code it runs. `true` (default; `AGENT_LAG_AGENT_ASYNC_CONTEXT=on`):
   * through every await, so every block in a tool names it. This is AsyncLocalStorage, which on Node 20 and
   * 22 turns on a promise hook for every promise in the process (+14% on a LangChain tool call that does
   * nothing, +56% on an in-memory MCP call; nothing more where the host already uses AsyncLocalStorage, as
   * OpenTelemetry does). `'auto'` (`=auto`): the run's synchronous part only, until a block's capture finds
   * a run in flight and a context that names none (that block says why: `agent_lag.context_missing`), or the
   * HTTP middleware turned AsyncLocalStorage on; then as `true`. `false` (`=off`): synchronous part only.
   */
  asyncContext?: RunAsyncContext;
}

/**
 * Sets, process-wide, the caps of the run figures' labels (tool names, agent names and tenants tracked
 * before further ones are counted under `other`; labels already given keep theirs) and how runs propagate
 * their context.
 */
export function configureAgentRuns(options: AgentRunsOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('agent-lag: configureAgentRuns needs { maxTools?, maxAgents?, maxTenants?, asyncContext? }');
  const { asyncContext: mode, ...caps } = options;
  if (mode !== undefined && mode !== true && mode !== false && mode !== 'auto') {
    throw new TypeError(`agent-lag: configureAgentRuns' asyncContext must be true, false or 'auto', got ${JSON.stringify(mode)}`);
  }
  getRequestTracker().runs.configure(caps);
  if (mode !== undefined) asyncContext = mode;
}
