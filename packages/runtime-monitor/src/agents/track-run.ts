import { currentContextStore, runWithLiveContext } from '../context/index.js';
import { getRequestTracker } from '../middleware/core.js';
import { currentMonitor } from '../middleware/monitor-link.js';
import { OPERATION_KEY } from './attributes.js';
import type { RunLimits } from './run-figures.js';
import { RunRecord, type AgentRun } from './run-record.js';

export type { AgentRun } from './run-record.js';
export type { RunLimits } from './run-figures.js';

/** Whether the current execution is inside a run already (tracked, or its fields merged into a plain context by withContext). */
function insideRun(): boolean {
  const store = currentContextStore();
  if (store === undefined) return false;
  if (store instanceof RunRecord) return true;
  return typeof (store as Record<string, unknown>)[OPERATION_KEY] === 'string';
}

function callRun<T>(this: undefined, fn: () => T): T {
  return fn();
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
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
  const tracker = getRequestTracker();
  const monitor = currentMonitor();
  if (monitor !== null && monitor !== tracker.monitor) tracker.attach(monitor);
  const record = tracker.beginRun(run, insideRun());
  let result: T;
  try {
    result = runWithLiveContext(record, callRun<T>, undefined, fn, undefined);
  } catch (error) {
    tracker.endRun(record);
    throw error;
  }
  if (isPromise(result)) {
    // A native promise is replaced by one that settles the same way after the run ends: the caller's
    // handling (or not) of a rejection is unchanged, which a handler on the original would hide.
    return result.then(
      (value) => {
        tracker.endRun(record);
        return value;
      },
      (error: unknown) => {
        tracker.endRun(record);
        throw error;
      },
    ) as T;
  }
  if (isThenable(result)) {
    // Another thenable (an SDK's promise-like result with methods of its own) is returned as it is.
    const end = (): void => tracker.endRun(record);
    try {
      result.then(end, end);
    } catch {
      end();
    }
    return result;
  }
  tracker.endRun(record);
  return result;
}

/**
 * Sets the caps of the run figures' labels (process-wide): tool names, agent names and tenants tracked
 * before further ones are counted under `other`. Labels already given keep theirs.
 */
export function configureAgentRuns(limits: RunLimits): void {
  if (limits === null || typeof limits !== 'object') throw new TypeError('agent-lag: configureAgentRuns needs { maxTools?, maxAgents?, maxTenants? }');
  getRequestTracker().runs.configure(limits);
}
