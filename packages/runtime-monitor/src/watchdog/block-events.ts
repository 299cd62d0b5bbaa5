import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CaptureResult } from '../capture/stack-capturer.js';
import { MAX_FRAMES, resolveFrames, type RawFrame, type ScriptInfo } from '../capture/frames.js';
import { EXACT_NAMES_HEADER } from '../capture/stack-text.js';
import { SourceMapResolver } from '../capture/source-maps.js';
import { parseCapturedContext, parseRequestCount } from '../context/index.js';
import { stackSignature } from '../events/signature.js';
import type { BlockEvent, InFlightCall, StackFrame } from '../types.js';

/*
 * Turns what the watchdog gathered about a stall (the inspector's samples, the sync wrapper's report,
 * the API in flight) into block events: plain data in, plain data out, so the event a user reads can be
 * checked without a thread.
 */

/** A stack whose pause was let go less than this before the block ended was taken after the block. */
export const LATE_SLACK_MS = 10;

/**
 * A quick sample answered this long after it was asked for, or longer, found the main thread in code that lets
 * no interrupt in: a native call no wrapper names or a built-in. JavaScript answers within a few ms (a busy loop
 * checks for interrupts at every iteration); the margin is for a main thread kept off the CPU on a loaded machine.
 */
export const NATIVE_DELAY_MS = 100;

/** What a sync wrapper reported about a call that took a threshold or more, as it returned. */
export interface WrapperReport {
  stack: StackFrame[];
  context: BlockEvent['context'];
  /** HTTP requests in flight as the call returned; null without the middleware. */
  requestsInFlight: number | null;
  /** The call itself, as its wrapper named it. */
  inFlight: InFlightCall | null;
  /** Epoch ms the call returned, and how long it took (null: not timed, a reported section or JSON.stringify). */
  endedAt: number;
  durationMs: number | null;
}

/** A stack taken without pausing (Runtime.evaluate) while the stall lasted, resolved, with its context. */
export interface QuickStack {
  stack: StackFrame[];
  /**
   * Its answer came after the beat moved: taken after the block had ended (a built-in that never checks
   * for interrupts: the code right after it), unless `takenAt` shows it was taken before.
   */
  late: boolean;
  context: BlockEvent['context'];
  requestsInFlight: number | null;
  /** Monitor-clock ms on the main thread when it was taken; null when unknown. */
  takenAt: number | null;
  /** How long after the watchdog asked for it it was taken (ms); null when unknown. */
  delayMs: number | null;
}

/**
 * The quick sample, when the main thread answered it only NATIVE_DELAY_MS or more after it was asked, while the
 * stall still lasted (`endBeat`, once known): it was then in a native call, and the sample was taken at the first
 * point JavaScript ran after it — the nearest stack to that call there is (the pauses start only once the quick
 * sample is in, later still). Not when the stall went on longer after it than the wait: then the block is mostly
 * the JavaScript that followed, which the pauses sampled.
 */
function afterNativeCall(quick: QuickStack | null, endBeat: number | null): (QuickStack & { delayMs: number }) | null {
  if (quick === null || quick.delayMs === null || quick.delayMs < NATIVE_DELAY_MS || quick.stack.length === 0) return null;
  if (endBeat === null) return quick as QuickStack & { delayMs: number };
  if (quick.takenAt === null) return null;
  const after = (endBeat - quick.takenAt) | 0;
  return after >= 0 && after <= quick.delayMs ? (quick as QuickStack & { delayMs: number }) : null;
}

/** A stall as the ring recorded it: the beat before it, its busy time, the beat that ended it (monitor clock). */
export interface MeasuredStall {
  startBeat: number;
  durationMs: number;
  endBeat: number;
}

/** When a block event's stall began (the key that pairs its events) and when the block itself did (epoch ms). */
export interface BlockSpan {
  startedAt: number;
  blockStartedAt: number;
}

/** `blockStartedAt` is written only where it differs from `startedAt` (block events and checkpoints alike). */
export function spanFields(span: BlockSpan): Pick<BlockEvent, 'startedAt' | 'blockStartedAt'> {
  return span.blockStartedAt === span.startedAt ? { startedAt: span.startedAt } : { startedAt: span.startedAt, blockStartedAt: span.blockStartedAt };
}

// "    at fn (location)" or "    at location"; location is "url-or-path:line:column".
const STACK_LINE = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
const MAX_SCRIPT_BYTES = 8 * 1024 * 1024;

export class BlockEventBuilder {
  readonly #sourceMaps = new SourceMapResolver();
  readonly #sourceMapUrls = new Map<string, string>();
  /** URL prefix of the monitor's own files, whose frames are dropped from stacks. */
  readonly #ownUrlPrefix: string;

  constructor(ownUrlPrefix: string) {
    this.#ownUrlPrefix = ownUrlPrefix;
  }

  resolve(frames: readonly RawFrame[], scripts: ReadonlyMap<string, ScriptInfo>): StackFrame[] {
    return resolveFrames(frames, scripts, this.#sourceMaps, this.#ownUrlPrefix);
  }

  /**
   * The provisional event of a stall still running: the newest sample as its stack, the earlier ones as
   * samples. `span.startedAt` pairs it with the final event.
   */
  ongoing(span: BlockSpan, durationMs: number, inFlight: InFlightCall | null, progress: CaptureResult, quick: QuickStack | null = null): BlockEvent {
    // Samples are only taken while the stall lasts, and it still does: all of them belong to it.
    const taken = progress.samples.map((sample) => this.resolve(sample.frames, progress.scripts));
    const stack = taken.at(-1) ?? (quick?.late === false ? quick.stack : []);
    // Named so far only by a sample taken as a native call returned: said so.
    const native = taken.length === 0 && quick?.late === false ? afterNativeCall(quick, null) : null;
    const earlier = taken.slice(0, -1);
    const context = progress.samples.length > 0 ? progress.context : (quick?.context ?? null);
    const requestsInFlight = progress.samples.length > 0 ? progress.requestsInFlight : (quick?.requestsInFlight ?? null);
    const signature = stack.length > 0 || inFlight !== null ? stackSignature(stack, inFlight) : undefined;
    return {
      type: 'block',
      ...spanFields(span),
      durationMs,
      stack,
      ...(earlier.length === 0 ? {} : { samples: earlier }),
      inFlight,
      context,
      ...(requestsInFlight === null ? {} : { requestsInFlight }),
      late: false,
      ...(native === null ? {} : { stackDelayMs: native.delayMs }),
      ...(signature === undefined ? {} : { signature }),
      ongoing: true,
    };
  }

  /** The final event of a stall, from the capture (if any) and the wrapper's report (if any), whose stack wins. */
  final(stall: MeasuredStall, span: BlockSpan, inFlight: InFlightCall | null, result: CaptureResult | null, report: WrapperReport | null, quick: QuickStack | null = null): BlockEvent {
    let stack: StackFrame[] = [];
    let samples: StackFrame[][] | undefined;
    let context: BlockEvent['context'] = null;
    let requestsInFlight: number | null = null;
    let late = false;
    if (result !== null) {
      const [first, ...rest] = result.samples;
      if (first !== undefined) stack = this.resolve(first.frames, result.scripts);
      // A sample whose pause saw a newer beat landed after the block had ended, in unrelated code.
      const during = rest
        .filter((sample) => sample.pausedBeat === stall.startBeat)
        .map((sample) => this.resolve(sample.frames, result.scripts))
        .filter((frames) => frames.length > 0);
      if (during.length > 0) samples = during;
      // A first pause that landed in the monitor's own work came after the block: its context is not the block's either.
      const inOwnWork = first !== undefined && first.frames.length > 0 && stack.length === 0;
      if (!inOwnWork) {
        context = result.context;
        requestsInFlight = result.requestsInFlight;
        late = isLate(stall, inFlight, result);
      }
    }
    const native = afterNativeCall(quick, stall.endBeat);
    if (native !== null) {
      // The first stack taken after the native call returned: the pauses came later, farther from it.
      stack = native.stack;
      context = native.context;
      requestsInFlight = native.requestsInFlight;
      late = false;
    } else if (stack.length === 0 && quick !== null && quick.stack.length > 0) {
      // Nothing paused in time (the capture failed or was cut off): the quick stack, taken while it lasted.
      stack = quick.stack;
      context = quick.context;
      requestsInFlight = quick.requestsInFlight;
      // An answer that arrived after the block ended may still have been taken during it: the watchdog
      // thread, waiting for a CPU on a loaded machine, can read it hundreds of ms after the main thread wrote it.
      late = quick.late && (quick.takenAt === null || ((stall.endBeat - quick.takenAt) | 0) < LATE_SLACK_MS);
    }
    // The wrapper's stack and context are the blocked call's own, taken as it returned: exact, never late.
    const exact = report !== null && report.stack.length > 0;
    if (exact) {
      stack = report.stack;
      context = report.context;
      requestsInFlight = report.requestsInFlight;
      late = false;
    }
    const signature = stack.length > 0 || inFlight !== null ? stackSignature(stack, inFlight) : undefined;
    return {
      type: 'block',
      ...spanFields(span),
      durationMs: stall.durationMs,
      stack,
      ...(samples === undefined ? {} : { samples }),
      inFlight,
      context,
      ...(requestsInFlight === null ? {} : { requestsInFlight }),
      late,
      ...(exact || native === null ? {} : { stackDelayMs: native.delayMs }),
      ...(signature === undefined ? {} : { signature }),
    };
  }

  /** A sync wrapper's report, read from the in-flight buffer as JSON; null when it does not parse. */
  parseWrapperReport(json: string, scripts: ReadonlyMap<string, ScriptInfo> | undefined): WrapperReport | null {
    try {
      const parsed = JSON.parse(json) as { context?: unknown; requests?: unknown; stack?: unknown; api?: unknown; hint?: unknown; endedAt?: unknown; durationMs?: unknown };
      const stack = typeof parsed.stack === 'string' ? this.parseStackText(parsed.stack, scripts) : [];
      const context = parsed.context === null || parsed.context === undefined ? null : parseCapturedContext(JSON.stringify(parsed.context));
      const inFlight = typeof parsed.api === 'string' ? { api: parsed.api, hint: typeof parsed.hint === 'string' ? parsed.hint : null } : null;
      return {
        stack,
        context,
        requestsInFlight: parseRequestCount(parsed.requests),
        inFlight,
        endedAt: typeof parsed.endedAt === 'number' ? parsed.endedAt : 0,
        durationMs: typeof parsed.durationMs === 'number' ? parsed.durationMs : null,
      };
    } catch {
      return null;
    }
  }

  /**
   * Frames of an Error's stack text, source-mapped: formatCallSites' (functions' own names), or V8's (its first
   * line is the message; names as V8 reached them) where the host's frozen intrinsics kept ours out.
   */
  parseStackText(text: string, scripts?: ReadonlyMap<string, ScriptInfo>): StackFrame[] {
    const raw: RawFrame[] = [];
    const infos = new Map<string, ScriptInfo>();
    const lines = text.split('\n');
    const exactNames = lines[0] === EXACT_NAMES_HEADER;
    for (let i = 1; i < lines.length && raw.length < MAX_FRAMES; i++) {
      const match = STACK_LINE.exec(lines[i] ?? '');
      if (!match) continue;
      let url = match[2] ?? '';
      // The evaluated expression's own frame.
      if (url === '<anonymous>') continue;
      if (url.startsWith('/')) url = pathToFileURL(url).href;
      if (!infos.has(url)) infos.set(url, { url, sourceMapUrl: this.#sourceMapUrlOf(url, scripts) });
      raw.push({ functionName: exactNames ? (match[1] ?? '') : functionNameOf(match[1]), scriptId: url, line: Number(match[3]) - 1, column: Number(match[4]) - 1 });
    }
    return this.resolve(raw, infos);
  }

  /** The sourceMappingURL comment of a script file, read once (the worker has time; the main thread does not). */
  #sourceMapUrlOf(url: string, scripts: ReadonlyMap<string, ScriptInfo> | undefined): string {
    if (scripts !== undefined) {
      for (const script of scripts.values()) if (script.url === url) return script.sourceMapUrl;
    }
    let found = this.#sourceMapUrls.get(url);
    if (found !== undefined) return found;
    found = '';
    try {
      if (url.startsWith('file:')) {
        // The watchdog's own loop, not the application's; once per script.
        const text = readFileSync(fileURLToPath(url), 'utf8');
        if (text.length <= MAX_SCRIPT_BYTES) found = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text)?.[1] ?? '';
      }
    } catch {
      found = '';
    }
    if (this.#sourceMapUrls.size >= 256) this.#sourceMapUrls.clear();
    this.#sourceMapUrls.set(url, found);
    return found;
  }
}

/** Whether a wrapper's report explains a stall nobody watched: it returned within it and took at least half of it. */
export function reportExplains(report: WrapperReport, stallStart: number, stallEnd: number, durationMs: number): boolean {
  return report.endedAt >= stallStart && report.endedAt <= stallEnd + LATE_SLACK_MS && report.durationMs !== null && report.durationMs * 2 >= durationMs;
}

function isLate(stall: MeasuredStall, inFlight: InFlightCall | null, result: CaptureResult): boolean {
  const first = result.samples[0];
  if (first === undefined) return true;
  if (first.pausedBeat !== stall.startBeat) return true;
  if (inFlight !== null && first.inFlightAtPause === null) return true;
  return ((stall.endBeat - first.resumedAt) | 0) < LATE_SLACK_MS;
}

function functionNameOf(raw: string | undefined): string {
  if (raw === undefined) return '';
  const name = raw.replace(/^(?:async |new )/, '').replace(/ \[as [^\]]*\]$/, '');
  const last = name.slice(name.lastIndexOf('.') + 1);
  return last === '<anonymous>' ? '' : last;
}
