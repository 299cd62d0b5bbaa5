import { currentContextStore, runInNewLiveContext, type RequestStep } from '../context/index.js';
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

/** Another thenable (an SDK's promise-like result with methods of its own) is returned as it is. */
function endWhenThenableSettles(tracker: RequestTracker, record: RunRecord, thenable: PromiseLike<unknown>): void {
  const end = (): void => tracker.endRun(record);
  try {
    thenable.then(end, end);
  } catch {
    end();
  }
}

/** trackRun's body, for `fn.call(self, a, b)`: adapters pass the SDK's method and its arguments rather than a closure. */
function track<This, A, B, T>(run: AgentRun, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  const tracker = getRequestTracker();
  const monitor = currentMonitor();
  if (monitor !== null && monitor !== tracker.monitor) tracker.attach(monitor);
  const record = tracker.beginRun(run, currentContextStore());
  let result: T;
  try {
    result = runInNewLiveContext(record, fn, self, a, b);
  } catch (error) {
    tracker.endRun(record);
    throw error;
  }
  if (result instanceof Promise) return endWhenSettled(tracker, record, result) as T;
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
  return track(run, callRun<T>, undefined, fn, undefined);
}

/**
 * What the adapters' wrappers call: `method.apply(self, args)` as `run`, like trackRun without the closure
 * a wrapper would otherwise make per call. `run` is the adapter's own object literal, `method` the SDK's.
 */
export function trackMethodCall(run: AgentRun, method: (this: never, ...args: never[]) => unknown, self: unknown, args: readonly unknown[]): unknown {
  return track(run, applyMethod, self, method as (this: unknown, ...args: never[]) => unknown, args);
}

/**
 * Sets the caps of the run figures' labels (process-wide): tool names, agent names and tenants tracked
 * before further ones are counted under `other`. Labels already given keep theirs.
 */
export function configureAgentRuns(limits: RunLimits): void {
  if (limits === null || typeof limits !== 'object') throw new TypeError('agent-lag: configureAgentRuns needs { maxTools?, maxAgents?, maxTenants? }');
  getRequestTracker().runs.configure(limits);
}
