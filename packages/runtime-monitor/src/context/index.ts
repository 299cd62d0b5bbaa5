import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { MonitorContext } from '../types.js';
import { OPERATION_KEY, SPAN_ID_KEY, TRACE_ID_KEY } from '../agents/attributes.js';
import { activeTraceIds } from '../agents/trace-ids.js';
import { stringifyUnwrapped } from '../inflight/unwrapped-json.js';
import { formatCallSites } from '../capture/stack-text.js';

/*
 * What the app is doing (route, agent run, tool call), kept in AsyncLocalStorage. The watchdog reads it
 * while the main thread is paused inside a block, by evaluating PAUSE_EXPRESSION (in the global scope):
 * the store seen during the pause is the blocked code's own.
 */

/**
 * A context computed when it is read rather than when it is entered: the HTTP middleware's request
 * record is its own store, so entering a request costs one object, and a route matched after the
 * request entered (Express, Koa) shows up without entering the store again.
 */
export abstract class LiveContext {
  /** The store this one was first entered in (a server started inside withContext); its fields come first. */
  // Declared and assigned in the constructor, not a class field: a field definition costs a define IC on every request.
  declare enclosing: MonitorContext | LiveContext | undefined;

  constructor() {
    this.enclosing = undefined;
  }

  /** This source's own fields, already sanitised. */
  protected abstract ownContext(): MonitorContext;

  /** Whether this is an agent run (a RunRecord): what a block's capture checks when runs are in flight. */
  get isRun(): boolean {
    return false;
  }

  toContext(): MonitorContext {
    const own = this.ownContext();
    return this.enclosing === undefined ? own : { ...plainContext(this.enclosing), ...own };
  }

  toJSON(): MonitorContext {
    return this.toContext();
  }
}

type Store = MonitorContext | LiveContext;

const storage = new AsyncLocalStorage<Store>();

/**
 * The store of the request whose synchronous part is running right now, for adapters that do not
 * propagate async context (the default until it is needed, see `runInSyncContext`). It is set only for
 * the synchronous extent of a call, so code that runs later — after an await, from a stream event —
 * reads no context rather than a wrong one. It takes precedence over the AsyncLocalStorage store, which
 * then can only be an enclosing one; `withContext`/`setContext` move its fields into the storage.
 */
let syncStore: Store | undefined;

function currentStore(): Store | undefined {
  return syncStore ?? storage.getStore();
}

/**
 * Agent runs entered with the synchronous store only (trackRun with async context 'auto' before it was
 * needed, or off) and not yet ended. While there are some, a block whose capture reads a context that
 * names no run may be one of theirs, after an await their context did not reach.
 */
let syncRunsInFlight = 0;
/** Set by such a capture: runs in 'auto' propagate async context from then on. */
let runContextMissed = false;

/** Whether a block's capture found a run in flight whose context did not reach the blocking code. */
export function runContextWasMissed(): boolean {
  return runContextMissed;
}

/** `agent_lag.context_missing`: why a block during an agent run names none (its value: `async-context-off`). */
export const CONTEXT_MISSING_KEY = 'agent_lag.context_missing';

function isRunStore(store: Store | undefined): boolean {
  if (store === undefined) return false;
  if (store instanceof LiveContext) return store.isRun;
  return typeof (store as Record<string, unknown>)[OPERATION_KEY] === 'string';
}

/**
 * The context a block's capture reads (the debugger's pause, a quick sample, a sync wrapper's report): the
 * current store's, and where runs tracked with the synchronous store are in flight but the store names no
 * run, the reason it names none, noted so that runs propagate async context from now on.
 */
function contextForCapture(): MonitorContext | undefined {
  const store = currentStore();
  if (syncRunsInFlight === 0 || isRunStore(store)) return store === undefined ? undefined : plainContext(store);
  runContextMissed = true;
  return { ...(store === undefined ? undefined : plainContext(store)), [CONTEXT_MISSING_KEY]: 'async-context-off' };
}

/** The store of the current execution as it is (a live one not turned into fields), for trackRun to see what it runs inside. */
export function currentContextStore(): MonitorContext | LiveContext | undefined {
  return currentStore();
}

function plainContext(store: Store): MonitorContext {
  return store instanceof LiveContext ? store.toContext() : store;
}

/** Keys kept per context and characters per string value: a context must stay cheap to read in a pause. */
const MAX_KEYS = 32;
const MAX_STRING = 200;

/** A copy of `input` keeping only the shapes a context may have (bounded keys and string lengths). */
export function sanitizeContext(input: unknown): MonitorContext {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError('agent-lag: a context must be a plain object of strings, numbers, booleans or null');
  }
  const out: MonitorContext = {};
  let keys = 0;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (keys >= MAX_KEYS) break;
    if (typeof value === 'string') out[key] = value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || value === null) out[key] = value;
    else continue;
    keys++;
  }
  return out;
}

function merged(context: MonitorContext): MonitorContext {
  const current = currentStore();
  return current === undefined ? sanitizeContext(context) : { ...plainContext(current), ...sanitizeContext(context) };
}

/** Runs `fn` with `context` (merged over the enclosing one) as what a block inside it is attributed to. */
export function withContext<T>(context: MonitorContext, fn: () => T): T {
  const store = merged(context);
  const previous = syncStore;
  // The request's fields are in `store` now, and from here they travel with async context too.
  syncStore = undefined;
  try {
    return storage.run(store, fn);
  } finally {
    syncStore = previous;
  }
}

/** Remembers the store `source` was entered in, the first time (a later hook enters it again). */
function noteEnclosing(source: LiveContext): void {
  const current = currentStore();
  if (current !== undefined && current !== source && source.enclosing === undefined) source.enclosing = current;
}

/** What an adapter runs in a request's context: up to two arguments and a receiver, no rest array. */
export type RequestStep<This, A, B, T> = (this: This, a: A, b: B) => T;

function callStep<This, A, B, T>(fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  return fn.call(self, a, b);
}

/**
 * Runs `fn.call(self, a, b)` with `source` as what a block inside it is attributed to, through async
 * continuations too (the HTTP middleware, once per request: no copy, no closure). This is
 * AsyncLocalStorage: on Node 20 and 22 its first use turns on async hooks for every async resource
 * in the process, measured at 5-14% of a trivial route's cost.
 */
export function runWithLiveContext<This, A, B, T>(source: LiveContext, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  noteEnclosing(source);
  return runInNewLiveContext(source, fn, self, a, b);
}

/**
 * Runs `fn.call(self, a, b)` with `source`, a store not entered before whose `enclosing` its caller has set
 * (trackRun, once per run), as what a block inside it is attributed to, through async continuations too.
 * runWithLiveContext without its lookup of the enclosing store: trackRun has read it already, to know
 * whether the run is nested.
 */
export function runInNewLiveContext<This, A, B, T>(source: LiveContext, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  const previous = syncStore;
  syncStore = undefined;
  try {
    return storage.run<T, [RequestStep<This, A, B, T>, This, A, B]>(source, callStep, fn, self, a, b);
  } finally {
    syncStore = previous;
  }
}

/** `fn.call(self, a, b)` with `store` as the synchronous store while it runs. */
function callInSyncStore<This, A, B, T>(store: LiveContext, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  const previous = syncStore;
  syncStore = store;
  try {
    return fn.call(self, a, b);
  } finally {
    syncStore = previous;
  }
}

/**
 * Runs `fn.call(self, a, b)` with `source` as the context of its synchronous part only: a block before
 * the first await (or stream event) names it, one after it reads no context. Costs two assignments.
 */
export function runInSyncContext<This, A, B, T>(source: LiveContext, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  noteEnclosing(source);
  return callInSyncStore(source, fn, self, a, b);
}

/**
 * Runs `fn.call(self, a, b)` with `run`, a run not entered before (trackRun, once per run), as the context
 * of its synchronous part only, and counts it among the runs in flight without async context until
 * `endSyncRun()`. runInSyncContext without its lookup of the enclosing store.
 */
export function runInNewSyncRun<This, A, B, T>(run: LiveContext, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
  syncRunsInFlight++;
  return callInSyncStore(run, fn, self, a, b);
}

/** A run entered with runInNewSyncRun has ended (once per run). */
export function endSyncRun(): void {
  if (syncRunsInFlight > 0) syncRunsInFlight--;
}

/**
 * Merges `context` into the context of the current execution and what it schedules from here on, for
 * frameworks where wrapping the handler in withContext is awkward (middleware that calls next()).
 */
export function setContext(context: MonitorContext): void {
  storage.enterWith(merged(context));
  syncStore = undefined;
}

/**
 * The context of the current execution — what a block here is attributed to — or null outside any.
 * Inside an active OpenTelemetry span it carries the span's `trace_id` and `span_id` too.
 */
export function getContext(): MonitorContext | null {
  const store = currentStore();
  return withTraceIds(store === undefined ? undefined : plainContext(store));
}

/**
 * getContext for a block's capture, on the blocked thread (the debugger's pause, a sync wrapper's report):
 * it also says why a block during an agent run names none (see contextForCapture).
 */
export function getBlockContext(): MonitorContext | null {
  return withTraceIds(contextForCapture());
}

function withTraceIds(context: MonitorContext | undefined): MonitorContext | null {
  // The span's ids are read live, on the thread that runs the code: they are its own.
  const ids = activeTraceIds();
  if (ids === null) return context ?? null;
  return { ...context, [TRACE_ID_KEY]: ids[0], [SPAN_ID_KEY]: ids[1] };
}


const ACCESSOR = Symbol.for('agent-lag.context');
const STRINGIFY_ACCESSOR = Symbol.for('agent-lag.stringify');

/**
 * An expression, for code the watchdog evaluates on the main thread, that yields JSON.stringify as it was
 * before the sync wrappers replaced it: through the wrapper, an evaluation during a block that is not in a
 * wrapped call would mark "JSON.stringify" in flight for as long as it runs, and a watchdog reading the record
 * then would name it as the block's API.
 */
export const STRINGIFY_EXPRESSION = "(globalThis[Symbol.for('agent-lag.stringify')] || JSON.stringify)";
/** The main thread's formatCallSites (undefined before it is installed: V8's own text, which parses too). */
export const FORMAT_STACK_EXPRESSION = "globalThis[Symbol.for('agent-lag.formatStack')]";
const FORMAT_STACK_ACCESSOR = Symbol.for('agent-lag.formatStack');
const IDLE_ACCESSOR = Symbol.for('agent-lag.idle');
const REQUESTS_ACCESSOR = Symbol.for('agent-lag.requests');

/**
 * Evaluated by the watchdog on the paused frame; yields JSON `[idle, context, requests]`: the loop's cumulative
 * idle ms (it moves only once the loop has gone back to waiting, i.e. after the blocking task ended), the
 * context as JSON, and how many HTTP requests the middleware has in flight; each null when unavailable.
 */
export const PAUSE_EXPRESSION =
  "(() => { const g = globalThis; const c = g[Symbol.for('agent-lag.context')]; const i = g[Symbol.for('agent-lag.idle')]; " +
  "const r = g[Symbol.for('agent-lag.requests')]; " +
  `return (${STRINGIFY_EXPRESSION})([typeof i === 'function' ? i() : null, typeof c === 'function' ? c() : null, typeof r === 'function' ? r() : null]); })()`;

function defineAccessor(key: symbol, value: (...args: never[]) => unknown): void {
  Object.defineProperty(globalThis, key, { value, configurable: true, enumerable: false, writable: true });
}

/** Makes the store, the loop's idle counter and the stack formatter reachable from a debugger evaluation. Idempotent; a second copy of the package wins. */
export function installContextAccessor(): void {
  defineAccessor(STRINGIFY_ACCESSOR, stringifyUnwrapped);
  defineAccessor(FORMAT_STACK_ACCESSOR, formatCallSites);
  defineAccessor(ACCESSOR, (): string | null => {
    const context = getBlockContext();
    return context === null ? null : stringifyUnwrapped(context);
  });
  const timing = performance.nodeTiming as { idleTime?: unknown } | undefined;
  defineAccessor(IDLE_ACCESSOR, (): number | null => (typeof timing?.idleTime === 'number' ? timing.idleTime : null));
}

/**
 * Lets a block's capture (the pause, or a sync wrapper's report) count the HTTP requests in flight at that
 * moment: the middleware's tracker installs its counter here. A second copy of the package wins.
 */
export function installRequestsInFlightCounter(count: () => number): void {
  defineAccessor(REQUESTS_ACCESSOR, count);
}

/** The HTTP requests in flight now, as the middleware counts them; null without the middleware. */
export function readRequestsInFlight(): number | null {
  const count = (globalThis as Record<symbol, (() => unknown) | undefined>)[REQUESTS_ACCESSOR];
  if (typeof count !== 'function') return null;
  try {
    const value = count();
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/** What PAUSE_EXPRESSION returned: the idle counter, the context and the requests in flight, each null when missing or malformed. */
export interface PauseProbe {
  idle: number | null;
  context: MonitorContext | null;
  requestsInFlight: number | null;
}

const EMPTY_PROBE: PauseProbe = { idle: null, context: null, requestsInFlight: null };

export function parsePauseProbe(json: unknown): PauseProbe {
  if (typeof json !== 'string') return EMPTY_PROBE;
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!Array.isArray(parsed)) return EMPTY_PROBE;
    const [idle, context, requests] = parsed as unknown[];
    return {
      idle: typeof idle === 'number' ? idle : null,
      context: parseCapturedContext(context),
      requestsInFlight: parseRequestCount(requests),
    };
  } catch {
    return EMPTY_PROBE;
  }
}

/** A requests-in-flight count as read in a capture (pause or wrapper report), or null when it is not one. */
export function parseRequestCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/** Parses a context read as JSON (in a pause, or from a sync wrapper's report), keeping only the shapes a context may have. */
export function parseCapturedContext(json: unknown): MonitorContext | null {
  if (typeof json !== 'string') return null;
  try {
    return sanitizeContext(JSON.parse(json));
  } catch {
    return null;
  }
}
