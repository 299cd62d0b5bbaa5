/*
 * JSON's built-ins as they were when the monitor loaded, before its sync wrappers replaced them (wrappers.ts
 * imports this module, so it is evaluated first). The monitor's own main-thread code serialises with these:
 * through the wrappers, its section refresh (a timer that fires right after a long block ends, before the
 * next beat) marked "JSON.stringify" in flight, and a watchdog reading the record in that moment named it as
 * the block's API (seen on a loaded machine: a busy loop reported with `JSON.stringify` "0.0 MB" in flight).
 */
export const stringifyUnwrapped: typeof JSON.stringify = JSON.stringify;
export const parseUnwrapped: typeof JSON.parse = JSON.parse;
