import { HINT_BYTES } from './record.js';

/** Argument-array entries appended to a child-process hint; the hint is cut to HINT_BYTES anyway. */
const MAX_HINT_ARGS = 16;

/**
 * The hint as a string, or null when the argument is not something worth naming. Never calls user
 * code (no `String(x)` on arbitrary objects: a getter or `toString` could throw or block).
 * Buffers are handled by the caller, which copies their bytes without decoding.
 */
export function stringHint(argument: unknown): string | null {
  if (typeof argument === 'string') return argument;
  if (argument instanceof URL) return argument.href;
  return null;
}

/** `file arg1 arg2 …` for execFileSync/spawnSync, bounded; only string entries are used. */
export function commandHint(file: string, args: unknown): string {
  if (!Array.isArray(args)) return file;
  let hint = file;
  const count = Math.min(args.length, MAX_HINT_ARGS);
  for (let i = 0; i < count && hint.length < HINT_BYTES; i++) {
    const arg: unknown = args[i];
    if (typeof arg === 'string') hint += ` ${arg}`;
  }
  return hint;
}
