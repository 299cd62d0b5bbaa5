import { AsyncLocalStorage } from 'node:async_hooks';
import type { MonitorContext } from '../types.js';

/*
 * What the app is doing (route, agent run, tool call), kept in AsyncLocalStorage. The watchdog reads it
 * while the main thread is paused inside a block, by evaluating CONTEXT_EXPRESSION on the paused frame:
 * the store seen there is the blocked code's own.
 */

/**
 * A context computed when it is read rather than when it is entered: the HTTP middleware's request
 * record is its own store, so entering a request costs one object, and a route matched after the
 * request entered (Express, Koa) shows up without entering the store again.
 */
export abstract class LiveContext {
  /** The store this one was first entered in (a server started inside withContext); its fields come first. */
  enclosing: MonitorContext | LiveContext | undefined = undefined;

  /** This source's own fields, already sanitised. */
  protected abstract ownContext(): MonitorContext;

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

/** Runs `fn` with `context` (merged over the enclosing one) as what a block inside it is attributed to. */
export function withContext<T>(context: MonitorContext, fn: () => T): T {
  const current = storage.getStore();
  return storage.run(current === undefined ? sanitizeContext(context) : { ...plainContext(current), ...sanitizeContext(context) }, fn);
}

/**
 * Runs `fn(...args)` with `source` as what a block inside it is attributed to (the HTTP middleware,
 * once per request: no copy, no closure). Entering the same source again (a later framework hook)
 * keeps the enclosing store it first saw.
 */
export function runWithLiveContext<A extends unknown[], T>(source: LiveContext, fn: (...args: A) => T, ...args: A): T {
  const current = storage.getStore();
  if (current !== undefined && current !== source && source.enclosing === undefined) source.enclosing = current;
  return storage.run(source, fn, ...args);
}

/**
 * Merges `context` into the context of the current execution and what it schedules from here on, for
 * frameworks where wrapping the handler in withContext is awkward (middleware that calls next()).
 */
export function setContext(context: MonitorContext): void {
  const current = storage.getStore();
  storage.enterWith(current === undefined ? sanitizeContext(context) : { ...plainContext(current), ...sanitizeContext(context) });
}

/** The context of the current execution, or null outside any. */
export function getContext(): MonitorContext | null {
  const store = storage.getStore();
  return store === undefined ? null : plainContext(store);
}

const ACCESSOR = Symbol.for('agent-lag.context');

/** Evaluated by the watchdog on the paused frame; yields the context as JSON, or null. */
export const CONTEXT_EXPRESSION = `(() => { const read = globalThis[Symbol.for('agent-lag.context')]; return typeof read === 'function' ? read() : null; })()`;

/** Makes the store reachable from a debugger evaluation. Idempotent; a second copy of the package wins. */
export function installContextAccessor(): void {
  Object.defineProperty(globalThis, ACCESSOR, {
    value: (): string | null => {
      const store = storage.getStore();
      return store === undefined ? null : JSON.stringify(store);
    },
    configurable: true,
    enumerable: false,
    writable: true,
  });
}

/** Parses what CONTEXT_EXPRESSION returned, keeping only the shapes a context may have. */
export function parseCapturedContext(json: unknown): MonitorContext | null {
  if (typeof json !== 'string') return null;
  try {
    return sanitizeContext(JSON.parse(json));
  } catch {
    return null;
  }
}
