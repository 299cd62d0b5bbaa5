/*
 * What every adapter needs to patch an SDK it does not own: replace a method once (however many times the
 * hook fires or the user also calls the explicit instrument function), and never let a patch that does not
 * fit this SDK version throw into the host.
 */

/** `agent_lag.phase`: which part of a tracked call a block fell in, when it is not the call's own code. */
export const PHASE_KEY = 'agent_lag.phase';

const PATCHED = Symbol.for('agent-lag.patched');

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

/** Whether `fn` is one of our wrappers (or a method we already replaced). */
export function isPatched(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[PATCHED] === true;
}

/** Marks `fn` as ours, so a second instrument call leaves it alone. Returns `fn`. */
export function markPatched<F extends object>(fn: F): F {
  Object.defineProperty(fn, PATCHED, { value: true });
  return fn;
}

/**
 * Replaces `target[name]` by `wrap(original)`, once. Throws when the method is missing (the SDK version
 * does not have the shape this adapter was written for): the caller turns that into one warning.
 */
export function wrapMethod<T extends object>(target: T, name: string, wrap: (original: AnyFunction) => AnyFunction): void {
  const original = (target as Record<string, unknown>)[name];
  if (typeof original !== 'function') throw new TypeError(`${name} is not a function here (an SDK version this adapter does not know)`);
  if (isPatched(original)) return;
  (target as Record<string, unknown>)[name] = markPatched(wrap(original as AnyFunction));
}
