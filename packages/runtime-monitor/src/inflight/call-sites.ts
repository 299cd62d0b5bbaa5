import { fileURLToPath } from 'node:url';
import type { SyncCallSite } from '../types.js';
import { formatCallSites } from '../capture/stack-text.js';
import { WRAPPED_APIS } from './table.js';

/** Distinct (API, call site) pairs kept; slow calls from further sites fold into their API's unlocated row. */
export const MAX_SITES = 200;
/** Frames captured for a slow call: enough to walk past Node internals and this package. */
const STACK_FRAMES = 16;

interface Totals {
  count: number;
  totalMs: number;
  maxMs: number;
}

// Frames in this package's own source (src/ or dist/) are skipped, so a call made through the monitor's
// helpers is blamed on whoever called them.
const ownDirectoryUrl = new URL('../', import.meta.url).href;
const ownDirectoryPath = fileURLToPath(ownDirectoryUrl);
// "    at fn (location)" or "    at location"; location is "file:line:column".
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** `file:line:column` of the first frame outside Node internals and this package, or null. */
export function parseCallSite(stack: string): string | null {
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const match = FRAME.exec(lines[i] ?? '');
    if (!match) continue;
    let file = match[1] ?? '';
    if (file.startsWith('node:') || file.startsWith('internal/') || file === '<anonymous>') continue;
    if (file.startsWith(ownDirectoryUrl) || file.startsWith(ownDirectoryPath)) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        // Keep the URL as it was written.
      }
    }
    return `${file}:${match[2]}:${match[3]}`;
  }
  return null;
}

/**
 * The stack above `wrapper`, captured now with up to `frames` frames and formatted by formatCallSites ('' when
 * it cannot be). Under `--frozen-intrinsics` Error.stackTraceLimit and Error.prepareStackTrace are read-only
 * and assigning them throws (our modules are strict): the stack is then taken at the host's limit, in the
 * host's format, and nothing is thrown into the host's call (it once was, from the wrapped realpathSync that
 * Node calls on a -r preloaded host's main module: the host exited with 1).
 */
export function captureStackAbove(wrapper: (...args: never[]) => unknown, frames: number): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  const prepare: unknown = Reflect.get(Error, 'prepareStackTrace');
  let limited = false;
  let formatted = false;
  try {
    Error.stackTraceLimit = frames;
    limited = true;
    formatted = Reflect.set(Error, 'prepareStackTrace', formatCallSites);
  } catch {
    // Frozen: keep the host's limit and format.
  }
  let stack = '';
  try {
    Error.captureStackTrace(holder, wrapper);
    // Read here: the stack is formatted on first read, by whichever Error.prepareStackTrace is set then.
    if (typeof holder.stack === 'string') stack = holder.stack;
  } catch {
    // Nothing to capture with, or the host's formatter threw.
  }
  if (formatted) restore(() => Reflect.set(Error, 'prepareStackTrace', prepare));
  if (limited) restore(() => (Error.stackTraceLimit = limit));
  return stack;
}

function restore(put: () => unknown): void {
  try {
    put();
  } catch {
    // Made read-only meanwhile (by a getter/setter of the host's): nothing to restore.
  }
}

/** The caller of `wrapper`, from a stack captured now. Only used for slow calls: it costs microseconds. */
export function captureCallSite(wrapper: (...args: never[]) => unknown): string | null {
  return parseCallSite(captureStackAbove(wrapper, STACK_FRAMES));
}

/**
 * Count, total and max per API for every call, and per call site for the slow ones. Fast calls touch
 * three typed-array slots; only a slow call allocates (its site string and, the first time, its row).
 */
export class SyncCallStats {
  readonly #count = new Float64Array(WRAPPED_APIS.length);
  readonly #total = new Float64Array(WRAPPED_APIS.length);
  readonly #max = new Float64Array(WRAPPED_APIS.length);
  readonly #sites = new Map<string, Totals & { api: number; site: string }>();

  /** A call whose site is unknown: fast, or slow once the site table is full. */
  recordUnlocated(api: number, elapsedMs: number): void {
    this.#count[api]! += 1;
    this.#total[api]! += elapsedMs;
    if (elapsedMs > this.#max[api]!) this.#max[api] = elapsedMs;
  }

  recordAt(api: number, site: string, elapsedMs: number): void {
    const key = `${api}:${site}`;
    let row = this.#sites.get(key);
    if (!row) {
      if (this.#sites.size >= MAX_SITES) {
        this.recordUnlocated(api, elapsedMs);
        return;
      }
      row = { api, site, count: 0, totalMs: 0, maxMs: 0 };
      this.#sites.set(key, row);
    }
    row.count += 1;
    row.totalMs += elapsedMs;
    if (elapsedMs > row.maxMs) row.maxMs = elapsedMs;
  }

  /** Located rows and per-API unlocated rows (`site: null`), largest total first. */
  list(): SyncCallSite[] {
    const rows: SyncCallSite[] = [];
    for (const row of this.#sites.values()) {
      rows.push({ api: WRAPPED_APIS[row.api]?.id ?? '?', site: row.site, count: row.count, totalMs: row.totalMs, maxMs: row.maxMs });
    }
    for (let api = 0; api < WRAPPED_APIS.length; api++) {
      const count = this.#count[api] ?? 0;
      if (count === 0) continue;
      rows.push({ api: WRAPPED_APIS[api]?.id ?? '?', site: null, count, totalMs: this.#total[api] ?? 0, maxMs: this.#max[api] ?? 0 });
    }
    return rows.sort((a, b) => b.totalMs - a.totalMs);
  }
}
