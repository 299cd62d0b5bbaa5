import { createRequire } from 'node:module';
import { describeError } from '../warnings.js';

/*
 * Whether the host (or another tool in-process) has an inspector session of its own with the debugger
 * enabled. Every session with the Debugger domain on receives Debugger.paused for the watchdog's pauses
 * (measured: 9-10 paused/resumed pairs per 1 s block), so while one is on the watchdog must not pause.
 * `inspector.url()` cannot tell: an in-process `inspector.Session` opens no port.
 *
 * Sessions are learnt by wrapping `post` and `disconnect` on the main thread's Session prototypes. On Node
 * 20, 22 and 24 `node:inspector/promises`' Session extends `node:inspector`'s and has a `post` of its
 * own, which calls the callback `post` it captured when the module loaded, not the prototype's: both are
 * wrapped (and both modules loaded first, so that capture is always the original). `disconnect` is the
 * callback prototype's, shared by both.
 *
 * The Debugger domain is on or off per session (a second enable is a no-op, one disable turns it off), so
 * a session counts once, from the moment its Debugger.enable is posted (a pause landing in the host's
 * debugger is the worse mistake) until its Debugger.disable has been dispatched or it disconnects.
 * Only sessions on this thread are seen: a host worker's connectToMainThread session is not, nor a session
 * enabled before the first watch started.
 */

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export interface HostDebuggerWatch {
  /** False when the prototypes could not be wrapped: nothing is watched (the caller warns). */
  readonly watching: boolean;
  /** Why watching is false. */
  readonly reason?: string;
  /** Whether some host session has the debugger enabled now. */
  readonly enabled: boolean;
  /** Stops this watch; the last one to stop puts the originals back. Idempotent. */
  stop(): void;
}

interface Patch {
  owner: object;
  key: 'post' | 'disconnect';
  original: AnyFunction;
  wrapper: AnyFunction;
}

const listeners = new Set<(enabled: boolean) => void>();
let patches: Patch[] | null = null;
/** Sessions with the debugger on; weak, so a session the host drops is not kept alive by the monitor. */
let enabledSessions = new WeakSet<object>();
let enabledCount = 0;

/**
 * Calls `onChange(true)` when a first host session enables the debugger and `onChange(false)` when the
 * last one disables it or disconnects, synchronously inside the host's call. The prototypes are wrapped
 * on the first watch, never before, and only the host's own inspector calls pass through the wrappers.
 */
export function watchHostDebugger(onChange: (enabled: boolean) => void): HostDebuggerWatch {
  if (patches === null) {
    try {
      patches = install();
    } catch (error) {
      return { watching: false, reason: describeError(error), enabled: false, stop: () => undefined };
    }
  }
  const listener = (enabled: boolean): void => onChange(enabled);
  listeners.add(listener);
  if (enabledCount > 0) notify(listener, true);
  return {
    watching: true,
    get enabled() {
      return enabledCount > 0;
    },
    stop() {
      if (!listeners.delete(listener) || listeners.size > 0) return;
      uninstall();
    },
  };
}

function install(): Patch[] {
  const require = createRequire(import.meta.url);
  const inspector = require('node:inspector') as typeof import('node:inspector');
  let promises: typeof import('node:inspector/promises') | null = null;
  try {
    promises = require('node:inspector/promises') as typeof import('node:inspector/promises');
  } catch {
    // No promises API in this build: no host can use it either.
  }
  const base = inspector.Session.prototype as unknown as Record<string, unknown>;
  const targets: { owner: Record<string, unknown>; key: Patch['key']; wrap: (original: AnyFunction) => AnyFunction }[] = [
    { owner: base, key: 'post', wrap: wrapPost },
    { owner: base, key: 'disconnect', wrap: wrapDisconnect },
  ];
  const derived = promises?.Session.prototype as unknown as Record<string, unknown> | undefined;
  if (derived !== undefined && Object.hasOwn(derived, 'post')) targets.push({ owner: derived, key: 'post', wrap: wrapPost });

  const done: Patch[] = [];
  try {
    for (const { owner, key, wrap } of targets) {
      const original = owner[key];
      if (typeof original !== 'function') throw new Error(`inspector.Session.prototype.${key} is not a function`);
      const wrapper = wrap(original as AnyFunction);
      // Assignment keeps the property's attributes; a frozen prototype throws here (module code is strict).
      owner[key] = wrapper;
      done.push({ owner, key, original: original as AnyFunction, wrapper });
    }
  } catch (error) {
    restore(done);
    throw error;
  }
  return done;
}

function uninstall(): void {
  if (patches === null) return;
  restore(patches);
  patches = null;
  // Unwatched, disables and disconnects go unseen: a later watch starts from nothing, like a first one.
  enabledSessions = new WeakSet();
  enabledCount = 0;
}

function restore(done: Patch[]): void {
  for (const patch of done) {
    const owner = patch.owner as Record<string, unknown>;
    // Someone wrapped it after us: leave theirs in place (ours is a pass-through once inactive).
    if (owner[patch.key] !== patch.wrapper) continue;
    try {
      owner[patch.key] = patch.original;
    } catch {
      // Frozen since: the wrapper stays, inactive.
    }
  }
}

/** Whether this wrapper is still the watching one (a wrapper kept by someone else's wrap passes through). */
const active = (wrapper: AnyFunction): boolean => patches?.some((patch) => patch.wrapper === wrapper) === true;

function wrapPost(original: AnyFunction): AnyFunction {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const method = args[0];
    if (method !== 'Debugger.enable' && method !== 'Debugger.disable') return Reflect.apply(original, this, args);
    if (!active(wrapper) || typeof this !== 'object' || this === null) return Reflect.apply(original, this, args);
    if (method === 'Debugger.disable') {
      const result = Reflect.apply(original, this, args);
      // Dispatched synchronously on this thread: the session's debugger is off by now.
      markDisabled(this);
      return result;
    }
    // The promises API rejects instead of throwing (a session that is not connected): that enable stays
    // counted until the session disables or disconnects; watching the promise would mark it handled.
    const added = markEnabled(this);
    try {
      return Reflect.apply(original, this, args);
    } catch (error) {
      // Not posted (not connected, bad arguments): the session's debugger is as it was.
      if (added) markDisabled(this);
      throw error;
    }
  };
  copyIdentity(wrapper, original);
  return wrapper;
}

function wrapDisconnect(original: AnyFunction): AnyFunction {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const result = Reflect.apply(original, this, args);
    if (active(wrapper) && typeof this === 'object' && this !== null) markDisabled(this);
    return result;
  };
  copyIdentity(wrapper, original);
  return wrapper;
}

function markEnabled(session: object): boolean {
  if (enabledSessions.has(session)) return false;
  enabledSessions.add(session);
  if (++enabledCount === 1) notifyAll(true);
  return true;
}

function markDisabled(session: object): void {
  if (!enabledSessions.delete(session)) return;
  if (--enabledCount === 0) notifyAll(false);
}

function notifyAll(enabled: boolean): void {
  for (const listener of listeners) notify(listener, enabled);
}

function notify(listener: (enabled: boolean) => void, enabled: boolean): void {
  try {
    listener(enabled);
  } catch {
    // Runs inside the host's own inspector call: a listener's failure must not become the host's.
  }
}

/** The name and arity the host (or a tool inspecting it) would see on the original. */
function copyIdentity(wrapper: AnyFunction, original: AnyFunction): void {
  try {
    Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  } catch {
    // Cosmetic only.
  }
}
