import { estimateSize, SIZE_GATE, sizeHint } from './size.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Runs `original` marked in flight like a native sync call (named while it runs, timed, reported with the
 * caller's stack if the loop stalled during it). Supplied by installSyncWrappers.
 */
export type MarkedCall = (index: number, wrapper: AnyFunction, original: AnyFunction, self: unknown, args: IArguments, hint: string) => unknown;

/*
 * The fast path of each wrapper is a size check and a direct call with the same arguments: no closure, no
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

export function wrapStringify(index: number, original: typeof JSON.stringify, marked: MarkedCall): AnyFunction {
  const wrapper = function stringify(this: unknown, value: unknown, replacer?: unknown, space?: unknown): unknown {
    const size = estimateSize(value);
    if (size < SIZE_GATE) return original(value, replacer as undefined, space as undefined);
    // eslint-disable-next-line prefer-rest-params
    return marked(index, wrapper, original as AnyFunction, this, arguments, sizeHint(size, typeof value !== 'string'));
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
