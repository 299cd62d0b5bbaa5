import { createRequire, syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';
import { getBlockContext, readRequestsInFlight } from '../context/index.js';
import type { SyncCallSite } from '../types.js';
import { captureCallSite, captureStackAbove, SyncCallStats } from './call-sites.js';
import type { RedactPolicy } from '../redact/index.js';
import { commandHint, HintRedactor, stringHint } from './hint.js';
import { wrapParse, wrapStringify, wrapStructuredClone, type MarkedCall, type StringifyHooks } from './json-wrappers.js';
import { sizeHint } from './size.js';
import { HINT_BYTES, InFlightWriter } from './record.js';
import { setReportedSections, type ReportedSections } from './sections.js';
import { WRAPPED_APIS, type WrappedApi } from './table.js';
import { stringifyUnwrapped } from './unwrapped-json.js';

export interface SyncWrapperOptions {
  /** From `createInFlightBuffer()`; the watchdog worker reads it with `readInFlight()`. */
  buffer: SharedArrayBuffer;
  /** Calls at least this long have their call site captured. */
  slowCallMs: number;
  /** Calls are aggregated only once this returns true (start-up's module loading is not interesting). */
  isAfterStartup: () => boolean;
  /**
   * Calls at least this long report their context and stack even when the watchdog did not mark them (it
   * was scheduled too late to see the stall live); the stall threshold. Default: only marked calls.
   */
  reportCallsOverMs?: number;
  /** startMonitor's resolved `redact` option: hints off, extra patterns. Default: hints on, built-in rules. */
  redact?: RedactPolicy;
}

export interface SyncWrappers {
  /** Catalog ids actually wrapped in this Node (some catalog entries exist only in newer versions). */
  readonly apis: readonly string[];
  /** Sync calls made after start-up, per API and (for slow calls) per call site, largest total first. */
  syncCalls(): SyncCallSite[];
  /** Puts every original back exactly (unless someone patched over the wrapper since). Idempotent. */
  uninstall(): void;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

interface Patch {
  id: string;
  owner: object;
  property: string;
  descriptor: PropertyDescriptor;
  wrapper: AnyFunction;
}

/** The path or command a call names, as a string (Buffer paths: null), secrets redacted, bounded by the caller. */
function hintOf(api: WrappedApi, args: unknown[], hints: HintRedactor): string | null {
  if (api.hintArgument === undefined || !hints.hints) return null;
  const hint = stringHint(args[api.hintArgument]);
  return hints.redact(api.id, hint !== null && api.hintArgs ? commandHint(hint, args[api.hintArgument + 1]) : hint);
}

/** Marks wrappers so a second copy of this package (or a second install) never wraps a wrapper. */
const WRAPPER = Symbol.for('agent-lag.syncWrapper');
const require = createRequire(import.meta.url);
let installed = false;
/** Frames of the caller's stack handed to the worker after a call that stalled the loop. */
const REPORT_FRAMES = 64;

function ownerOf(api: WrappedApi): object | null {
  let owner: unknown = api.module === null ? globalThis : require(api.module);
  for (const segment of api.path.slice(0, -1)) {
    owner = owner !== null && typeof owner === 'object' ? (owner as Record<string, unknown>)[segment] : undefined;
  }
  return owner !== null && typeof owner === 'object' ? owner : null;
}

/** Gives the wrapper the original's name, length and own properties (`realpathSync.native`, symbols). */
function copyIdentity(wrapper: AnyFunction, original: AnyFunction): void {
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype' || key === 'arguments' || key === 'caller') continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapper, key, descriptor);
  }
  Object.defineProperty(wrapper, WRAPPER, { value: true });
}

const GATED_WRAPPERS: Record<string, (index: number, original: never, marked: MarkedCall, hooks: StringifyHooks) => AnyFunction> = {
  'JSON.parse': (index, original, marked) => wrapParse(index, original, marked),
  'JSON.stringify': (index, original, _marked, hooks) => wrapStringify(index, original, hooks),
  structuredClone: (index, original, marked) => wrapStructuredClone(index, original, marked),
};

/**
 * The size-gated wrapper of a V8 built-in, or null to leave it alone: someone already replaced it (a
 * non-native JSON function: wrapping theirs could change what they rely on; `structuredClone` is Node's
 * own JavaScript on Node 22 and later, so it is not held to that). A frozen owner (`--frozen-intrinsics`
 * freezes JSON) never gets here: its property is not configurable.
 */
function wrapGated(index: number, api: WrappedApi, original: AnyFunction, marked: MarkedCall, hooks: StringifyHooks): AnyFunction | null {
  const build = GATED_WRAPPERS[api.id];
  if (build === undefined) return null;
  if (api.id.startsWith('JSON.') && !Function.prototype.toString.call(original).includes('[native code]')) return null;
  const wrapper = build(index, original as never, marked, hooks);
  copyIdentity(wrapper, original);
  return wrapper;
}

/**
 * Replaces every catalog built-in marked `wrapAtRuntime` with a wrapper that names the call in the
 * shared in-flight record while it runs and times it. Only the outermost wrapped call on the stack is
 * recorded: Node's own nested calls (`readFileSync` → `fs.openSync`/`fs.readSync`) pass straight through,
 * so the record keeps naming the API the application called, and durations are not counted twice.
 */
export function installSyncWrappers(options: SyncWrapperOptions): SyncWrappers {
  if (installed) throw new Error('agent-lag: sync wrappers are already installed; uninstall() the previous ones first');
  const { slowCallMs, isAfterStartup } = options;
  const reportCallsOverMs = options.reportCallsOverMs ?? Infinity;
  if (!(slowCallMs >= 0)) throw new RangeError(`slowCallMs must be a number >= 0, got ${String(slowCallMs)}`);
  const writer = new InFlightWriter(options.buffer);
  const stats = new SyncCallStats();
  const hints = new HintRedactor(options.redact);
  const patches: Patch[] = [];
  let depth = 0;
  let afterStartup = false;

  const counting = (): boolean => {
    if (afterStartup) return true;
    try {
      afterStartup = isAfterStartup() === true;
    } catch {
      afterStartup = false;
    }
    return afterStartup;
  };

  const record = (index: number, elapsedMs: number, wrapper: AnyFunction): void => {
    if (elapsedMs < slowCallMs) {
      stats.recordUnlocated(index, elapsedMs);
      return;
    }
    const site = captureCallSite(wrapper);
    if (site === null) stats.recordUnlocated(index, elapsedMs);
    else stats.recordAt(index, site, elapsedMs);
  };

  const publish = (index: number, api: WrappedApi, args: unknown[]): number => {
    if (api.hintArgument !== undefined) {
      const argument = args[api.hintArgument];
      if (argument instanceof Uint8Array) return hints.hints ? writer.beginWithBytes(index, argument) : writer.begin(index, null);
    }
    return writer.begin(index, hintOf(api, args, hints));
  };

  /*
   * The slow path, taken only after a call during which the watchdog saw the loop stall: the inspector's
   * pause for a native call lands only once JavaScript runs again, possibly after the caller's async scope
   * ended, so the wrapper hands over what it knows exactly — the context and the caller's stack.
   */
  const reportStall = (sequence: number, wrapper: AnyFunction, api: WrappedApi | null, fullHint: string | null, elapsedMs: number | null, unseen: boolean): void => {
    try {
      const stack = captureStackAbove(wrapper, REPORT_FRAMES);
      const hint = fullHint?.slice(0, HINT_BYTES) ?? null;
      const requests = readRequestsInFlight();
      writer.report(sequence, stringifyUnwrapped({ context: getBlockContext(), requests, stack, api: api?.id ?? null, hint, endedAt: Date.now(), durationMs: elapsedMs }), unseen);
    } catch {
      // Never let the monitor's bookkeeping fail the application's call.
    }
  };

  const wrap = (index: number, api: WrappedApi, original: AnyFunction): AnyFunction => {
    // `arguments` rather than rest parameters: V8 forwards `apply(this, arguments)` without building an
    // array, and this runs on every sync call the application makes.
    const wrapper = function (this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      if (depth !== 0) return original.apply(this, args);
      depth = 1;
      const sequence = publish(index, api, args);
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const elapsedMs = performance.now() - started;
        writer.clear();
        depth = 0;
        if (writer.stallSeen(sequence)) reportStall(sequence, wrapper, api, hintOf(api, args, hints), elapsedMs, false);
        else if (elapsedMs >= reportCallsOverMs) reportStall(sequence, wrapper, api, hintOf(api, args, hints), elapsedMs, true);
        if (counting()) record(index, elapsedMs, wrapper);
      }
    };
    copyIdentity(wrapper, original);
    return wrapper;
  };

  /** A size-gated built-in above its gate: the same bookkeeping as a native call, the size as its hint. */
  const marked: MarkedCall = (index, wrapper, original, self, args, hint) => {
    const api = WRAPPED_APIS[index]!;
    if (depth !== 0) return Reflect.apply(original, self, args);
    depth = 1;
    const sequence = writer.begin(index, hint);
    const started = performance.now();
    try {
      return Reflect.apply(original, self, args);
    } finally {
      const elapsedMs = performance.now() - started;
      writer.clear();
      depth = 0;
      if (writer.stallSeen(sequence)) reportStall(sequence, wrapper, api, hint, elapsedMs, false);
      else if (elapsedMs >= reportCallsOverMs) reportStall(sequence, wrapper, api, hint, elapsedMs, true);
      if (counting()) record(index, elapsedMs, wrapper);
    }
  };

  /*
   * JSON.stringify, every call: marked with two plain stores, not timed (a clock read costs about as much as
   * a small call), so it is neither counted in syncCalls() nor reported unseen; after a call the watchdog saw
   * stall, its report carries the output's exact size, which the watchdog takes as the hint the mark lacked.
   */
  const stringifyHooks: StringifyHooks = {
    enter: (index) => {
      if (depth !== 0) return 0;
      depth = 1;
      return writer.mark(index);
    },
    leave: (sequence, index, wrapper, output) => {
      const seen = writer.unmark(sequence);
      depth = 0;
      if (!seen) return;
      const hint = typeof output === 'string' ? sizeHint(output.length, false) : null;
      // Not timed: the watchdog measured this stall itself and uses durationMs only for unseen reports.
      reportStall(sequence, wrapper, WRAPPED_APIS[index]!, hint, null, false);
    },
  };

  // A reported section names no API: its report is its context and its caller's stack. Not timed, as JSON.stringify.
  const sections: ReportedSections = {
    enter: () => writer.enterSection(),
    leave: (sequence, caller) => {
      if (sequence !== 0 && writer.leaveSection(sequence)) reportStall(sequence, caller as AnyFunction, null, null, null, false);
    },
  };

  WRAPPED_APIS.forEach((api, index) => {
    const owner = ownerOf(api);
    const property = api.path[api.path.length - 1];
    if (!owner || property === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(owner, property);
    if (!descriptor?.configurable) return;
    const original: unknown = Reflect.get(owner, property);
    if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[WRAPPER] === true) return;
    let wrapper: AnyFunction;
    if (api.sizeGated) {
      const gated = wrapGated(index, api, original as AnyFunction, marked, stringifyHooks);
      if (gated === null) return;
      wrapper = gated;
    } else {
      wrapper = wrap(index, api, original as AnyFunction);
    }
    Object.defineProperty(owner, property, {
      value: wrapper,
      writable: true,
      enumerable: descriptor.enumerable ?? true,
      configurable: true,
    });
    patches.push({ id: api.id, owner, property, descriptor, wrapper });
  });
  installed = true;
  setReportedSections(sections);
  // `import { readFileSync } from 'node:fs'` bindings only follow the CommonJS object after this.
  syncBuiltinESMExports();

  let active = true;
  return {
    apis: patches.map((patch) => patch.id),
    syncCalls: () => stats.list(),
    uninstall(): void {
      if (!active) return;
      active = false;
      installed = false;
      setReportedSections(null);
      for (const { owner, property, descriptor, wrapper } of patches) {
        // Someone (a mock, graceful-fs) patched over us: putting the original back would undo their patch.
        if (Reflect.get(owner, property) !== wrapper) continue;
        // Frozen since we installed (-r preloads run before --frozen-intrinsics freezes Atomics): it stays wrapped.
        if (Object.getOwnPropertyDescriptor(owner, property)?.configurable !== true) continue;
        Object.defineProperty(owner, property, descriptor);
      }
      writer.clear();
      syncBuiltinESMExports();
    },
  };
}
