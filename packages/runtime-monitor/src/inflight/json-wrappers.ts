import { estimateSize, SIZE_GATE, sizeHint } from './size.js';

export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Runs `original` marked in flight like a native sync call (named while it runs, timed, reported with the
 * caller's stack if the loop stalled during it). Supplied by installSyncWrappers.
 */
export type MarkedCall = (index: number, wrapper: AnyFunction, original: AnyFunction, self: unknown, args: IArguments, hint: string) => unknown;

/**
 * JSON.stringify's bookkeeping, supplied by installSyncWrappers. Its size is known only once it returned
 * (the output's length), and a look at the value before every call costs +16-23% of a small call, so every
 * call is marked in flight instead (two plain stores, no hint, no clock: a clock read costs as much as the
 * call here), and the size reaches the event through the report written after a call the watchdog saw stall.
 */
export interface StringifyHooks {
  /** Marks the call in flight; its sequence, or 0 when a wrapped call is already in flight (nothing marked). */
  enter(index: number): number;
  /** Ends the mark of `sequence`; reports `output`'s size and the caller's stack if the watchdog saw a stall. */
  leave(sequence: number, index: number, wrapper: AnyFunction, output: unknown): void;
}

/*
 * The fast path of parse and structuredClone is a size check and a direct call with the same arguments: no closure, no
 * try/finally, no `arguments` object (V8 inlines a small function that does not touch it). Only a call at or
 * above the gate goes through `marked`. Arity and extra arguments: both built-ins ignore arguments past
 * their second (parse) or third (stringify), and passing `undefined` for a missing reviver, replacer or
 * space is the same as omitting it.
 */

export function wrapParse(index: number, original: typeof JSON.parse, marked: MarkedCall): AnyFunction {
  const wrapper = function parse(this: unknown, text: unknown, reviver?: unknown): unknown {
    // A non-string is converted by JSON.parse itself (its toString may be user code): never here.
    if (typeof text !== 'string' || text.length < SIZE_GATE) return original(text as string, reviver as undefined);
    // eslint-disable-next-line prefer-rest-params
    return marked(index, wrapper, original as AnyFunction, this, arguments, sizeHint(text.length, false));
  };
  return wrapper;
}

export function wrapStringify(index: number, original: typeof JSON.stringify, hooks: StringifyHooks): AnyFunction {
  const wrapper = function stringify(this: unknown, value: unknown, replacer?: unknown, space?: unknown): unknown {
    const sequence = hooks.enter(index);
    if (sequence === 0) return original(value, replacer as undefined, space as undefined);
    let output: string | undefined;
    try {
      output = original(value, replacer as undefined, space as undefined);
    } finally {
      // A throw passes through unchanged; the mark ends either way.
      hooks.leave(sequence, index, wrapper, output);
    }
    return output;
  };
  return wrapper;
}

export function wrapStructuredClone(index: number, original: typeof structuredClone, marked: MarkedCall): AnyFunction {
  const wrapper = function structuredClone(this: unknown, value: unknown, options?: unknown): unknown {
    const size = estimateSize(value);
    if (size < SIZE_GATE) return original(value, options as undefined);
    // eslint-disable-next-line prefer-rest-params
    return marked(index, wrapper, original as AnyFunction, this, arguments, sizeHint(size, typeof value !== 'string'));
  };
  return wrapper;
}
