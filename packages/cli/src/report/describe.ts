import type { Context, Frame, InFlight } from './log-types.js';

/** `child_process.execSync "sleep 1"`: the sync API in flight and its argument hint. */
export function describeInFlight(inFlight: InFlight | null): string | null {
  if (!inFlight) return null;
  return inFlight.hint ? `${inFlight.api} ${JSON.stringify(inFlight.hint)}` : inFlight.api;
}

/**
 * `4 requests in flight`: the requests the HTTP middleware counted as not yet answered while the block
 * held the loop (the one that blocked among them). Null without the middleware, or with none in flight.
 */
export function describeRequestsInFlight(count: number | null | undefined): string | null {
  if (count === null || count === undefined || count < 1) return null;
  return `${count} request${count === 1 ? '' : 's'} in flight`;
}

/** `POST /agent/run` when the context names a route, else `key=value` pairs. */
export function describeContext(context: Context | null): string | null {
  if (!context) return null;
  const route = context['http.route'];
  const method = context['http.request.method'];
  const rest = Object.entries(context)
    .filter(([key]) => key !== 'http.route' && key !== 'http.request.method')
    .map(([key, value]) => `${key}=${String(value)}`);
  const head = typeof route === 'string' ? [`${typeof method === 'string' ? `${method} ` : ''}${route}`] : [];
  const parts = [...head, ...rest];
  return parts.length ? parts.join(' ') : null;
}

/*
 * Why a stall has no stack, worded once for every output (`run`, `watch`, `report` terminal, JSON and
 * HTML): the terminal wraps a reason in parentheses of its own, so none has parentheses inside.
 */
const NO_STACK_REASONS: Record<string, string> = {
  'lag-only': 'no stack: the monitor ran lag-only, without the inspector',
  debugger: 'no stack: a debugger held the main thread',
  'rate-limited': 'no stack: rate-limited, the budget for detailed reports was spent',
  'ended-unseen': 'no stack: over before the watchdog looked, up to 2 × the threshold after it began, later on a busy machine; a lower threshold catches shorter blocks',
  'not-caught': 'no stack: over before the watchdog could sample it, or a native call no wrapper names',
  'not-watched': 'no stack: not watched, the watchdog had not started yet',
  'start-up': 'no stack: it began in the start-up grace, when stacks are not sampled',
};

/**
 * The words for a stall the counters kept without a stack (`stalls.worst[].noStack`); a word a newer monitor
 * uses is shown as it is. `stillRunning`: the reason was given while the block still ran (a provisional
 * event, a checkpoint's stall in progress), so for all it knew a sample could still land.
 */
export function describeNoStackReason(reason: string, stillRunning = false): string {
  if (stillRunning && reason === 'not-caught') return 'no stack sampled yet: a native call no wrapper names, or the first sample had not landed';
  return NO_STACK_REASONS[reason] ?? `no stack: ${reason}`;
}

/** What a block without a stack still says: why it has none (in the words of the counters' reasons). */
export interface StacklessBlock {
  stack: readonly Frame[];
  inFlight: InFlight | null;
  /** The reason already worded for a stall only the counters know (a repeat, rate-limited, lag-only...). */
  noStack?: string | null;
  /** The monitor's own reason on the block event (`not-watched`...), not yet worded. */
  noStackReason?: string | null;
  ongoing?: boolean;
}

/**
 * Why a block has no stack, in the words of the counters' reasons; null when it has one. A block event with an empty
 * stack carries no reason field, so the reason is read from what it does carry: the monitor's mode,
 * whether it was still running when written, and whether a sync API was in flight (a native call the
 * watchdog cannot pause inside: it ended before a pause landed, and the API's name is what is known).
 */
export function describeNoStack(block: StacklessBlock, mode: string | null): string | null {
  if (block.noStack) return block.noStack;
  if (block.stack.length > 0) return null;
  if (block.noStackReason) return describeNoStackReason(block.noStackReason, block.ongoing === true);
  // Worded as the counters' reasons, so one stall reads the same in every table.
  if (mode === 'lag-only') return describeNoStackReason('lag-only');
  if (block.ongoing) return 'no stack sampled before it was reported: a native call, or the report budget was spent';
  if (block.inFlight) return 'no stack: a native call that ended before the watchdog could sample it; the sync API in flight names it';
  return describeNoStackReason('not-caught');
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/**
 * A block's stackDelayMs in words: its stack could only be taken once native code returned (a call no wrapper
 * names, a built-in, a garbage collection), so it shows where JavaScript resumed, not the call itself.
 */
export function describeStackDelay(stackDelayMs: number): string {
  return `the stack waited ${Math.round(stackDelayMs)} ms for native code to return (a call no wrapper names, or garbage collection): the block is in what ran just before the line shown`;
}
