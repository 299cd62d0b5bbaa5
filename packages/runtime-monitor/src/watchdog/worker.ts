import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { MAX_FRAMES, resolveFrames, type RawFrame, type ScriptInfo } from '../capture/frames.js';
import { SourceMapResolver } from '../capture/source-maps.js';
import { emptyCapture, StackCapturer, type CaptureProgress, type CaptureResult, type StallProbe } from '../capture/stack-capturer.js';
import { startControlServer, type ControlServer, type HelloMessage } from '../control/control-server.js';
import { EventLog } from '../events/event-log.js';
import { ReportLimiter } from '../events/report-limiter.js';
import { stackSignature } from '../events/signature.js';
import { StackTable } from '../events/stack-table.js';
import { StallStats } from '../events/stall-stats.js';
import {
  BEAT,
  DEBUGGER_ACTIVE,
  drainStalls,
  endOnDemandBeats,
  EXIT_DONE,
  lastSignOfLife,
  ON_DEMAND,
  periodicBeatMs,
  SENTINEL_SLEEP,
  SENTINEL_STOP,
  STATE_WANTED,
  WATCHDOG_WAKE,
  type RingStall,
} from '../heartbeat/shared-state.js';
import { parseCapturedContext, parseRequestCount } from '../context/index.js';
import { markStallSeen, readInFlight, readUnseenReport, readReport } from '../inflight/index.js';
import { emptyLagFigures } from '../lag/lag-figures.js';
import type { BlockEvent, InFlightCall, MonitorEvent, MonitorSnapshot } from '../types.js';
import type { FromWorker, MainThreadState, ToWorker, WatchdogData } from './messages.js';
import type { SentinelData } from './sentinel.js';

/*
 * The watchdog thread. It watches the main thread's heartbeat; when a gap passes the threshold it reads
 * the sync API in flight and samples the main thread's stack while the block lasts. Counting comes from
 * the ring the heartbeat fills (exact even if this thread was scheduled late); the live watch only adds
 * detail. Everything that must work while the main thread is frozen lives here: the event log, the
 * control socket, the metrics endpoint.
 */

/** A stack whose pause was let go less than this before the block ended was taken after the block. */
const LATE_SLACK_MS = 10;
/** Stall distributions sent to the main thread at most this often (coalesced: encoding costs ms). */
const DISTRIBUTION_DELAY_MS = 200;
/** How long a finished stall waits for the sync wrapper's report (written as soon as the call returns). */
const REPORT_WAIT_MS = 50;
const REPORT_POLL_MS = 2;

interface LiveStall {
  startBeat: number;
  /** Monitor-clock ms since which the main thread has been busy, at most: its last sign of life. */
  sinceMs: number;
  inFlight: InFlightCall | null;
  /** Sequence of the wrapped call marked as having stalled the loop: its wrapper reports context and stack. */
  reportSequence: number | null;
  reportToken: boolean;
  capture: Promise<CaptureResult | null> | null;
  /** The capture's samples as they are taken, for the provisional report. */
  progress: CaptureProgress | null;
  /** Fires the provisional ("ongoing") report once the stall has lasted ongoingReportMs. */
  ongoingTimer: NodeJS.Timeout | null;
  /** startedAt of the provisional event, once one was written; the final event repeats it. */
  provisionalStartedAt: number | null;
  /** The provisional event itself, for control clients that connect while the stall still lasts. */
  provisional: BlockEvent | null;
  over: boolean;
  ended: Promise<void>;
  end: () => void;
}

const data = workerData as WatchdogData;
const port = parentPort;
const { options } = data;
const state = new Int32Array(data.state);
const clockOffsetMs = performance.timeOrigin - data.clockBaseMs;
const now = (): number => (performance.now() + clockOffsetMs) | 0;
const stallPollMs = Math.max(1, Math.min(10, options.heartbeatIntervalMs));
/**
 * A beat older than this means the main thread is blocked: the beat is overdue by half a threshold
 * (so an idle beat a little late on a busy host is not taken for a block), and never less than the
 * threshold. With the default heartbeat (= threshold) that is 1.5 × threshold after the last beat, so a
 * block is watched (stack sampling starts) within 1.5 × threshold of its start at the latest, and a
 * block shorter than that may be counted without a live stack when it starts just after a beat.
 * When idle the worker wakes once per heartbeat period: each poll sleeps until the last beat would
 * turn stale.
 */
const staleMs = Math.max(options.thresholdMs, options.heartbeatIntervalMs + Math.floor(options.thresholdMs / 2));
/**
 * Age of the stall (since the beat before it) at which the provisional report is written. Never before
 * threshold + one heartbeat period: the stall then has more than a threshold of busy time whatever idle
 * wait preceded it, so it will be counted (and get its final event) when it ends.
 */
const ongoingDueMs = options.ongoingReportMs === 0 ? 0 : Math.max(options.ongoingReportMs, options.thresholdMs + options.heartbeatIntervalMs);

const stats = new StallStats();
const stacks = new StackTable();
const limiter = new ReportLimiter({ perMinute: options.reportsPerMinute, dedupeWindowMs: options.dedupeWindowMs, now: Date.now() });
const sourceMaps = new SourceMapResolver();
let mode: MonitorSnapshot['mode'] = data.captureStacks ? 'full' : 'lag-only';
let mainState: MainThreadState = {
  lag: emptyLagFigures(options.lagSource),
  utilization: 0,
  threadPool: null,
  syncCalls: [],
  sections: {},
  uptimeMs: 0,
};
let capturer: StackCapturer | null = null;
let control: ControlServer | null = null;
let metrics: { close(): Promise<void> } | null = null;
let log: EventLog | null = null;
let live: LiveStall | null = null;
let lastWatchedBeat: number | null = null;
let ringRead = 0;
let graceOver = options.startupGraceMs === 0;
let pollTimer: NodeJS.Timeout | null = null;
/** The alarm-clock thread; while it runs, an idle watchdog sleeps on WATCHDOG_WAKE instead of a timer. */
let sentinel: Worker | null = null;
/** Counts the sleeps on WATCHDOG_WAKE, so a wake meant for an abandoned sleep polls nothing. */
let sleepGeneration = 0;
let distributionTimer: NodeJS.Timeout | null = null;
let stopping = false;
/** Block events waiting for their capture or the wrapper's report; flushed (bounded) at shutdown. */
const pendingFinishes = new Set<Promise<void>>();
/** Well under the main thread's 1 s wait for the worker at exit. */
const SHUTDOWN_FLUSH_MS = 300;

let controlClients = 0;

/** Asks the main thread for its figures every second only while someone here can be asked for them. */
function updateStateWanted(): void {
  Atomics.store(state, STATE_WANTED, controlClients > 0 || metrics !== null ? 1 : 0);
}

function post(message: FromWorker): void {
  try {
    port?.postMessage(message);
  } catch {
    // The main thread is gone; nothing to tell.
  }
}

function warn(code: string, message: string): void {
  post({ kind: 'warning', code, message });
}

function inFlightNow(): InFlightCall | null {
  if (data.inFlight === null) return null;
  try {
    return readInFlight(data.inFlight);
  } catch {
    return null;
  }
}

function emit(event: MonitorEvent): void {
  log?.write(event);
  control?.broadcast(event);
}

function snapshot(): MonitorSnapshot {
  return {
    pid: process.pid,
    at: Date.now(),
    uptimeMs: Math.round(performance.now() + clockOffsetMs),
    thresholdMs: options.thresholdMs,
    mode,
    heartbeat: Atomics.load(state, ON_DEMAND) === 1 ? 'on-demand' : 'timer',
    lag: mainState.lag,
    utilization: mainState.utilization,
    stalls: stats.figures(),
    threadPool: mainState.threadPool,
    topStacks: stacks.top(),
    syncCalls: mainState.syncCalls,
    sections: mainState.sections,
  };
}

function captureAllowed(): boolean {
  if (capturer === null || capturer.busy || mode !== 'full') return false;
  if (Atomics.load(state, DEBUGGER_ACTIVE) !== 0) {
    // A debugger now owns the main thread: pausing it would show in the user's debugger.
    mode = 'lag-only';
    post({ kind: 'mode', mode });
    return false;
  }
  return true;
}

function probeFor(stall: LiveStall): StallProbe {
  return {
    now,
    beat: () => Atomics.load(state, BEAT),
    readInFlight: inFlightNow,
    ended: stall.ended,
    stillStalledAfter: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(!stall.over), ms);
        void stall.ended.then(() => {
          clearTimeout(timer);
          resolve(false);
        });
      }),
  };
}

/** Reads the wrapped call in flight and asks its wrapper to report its context and stack when it returns. */
function noteInFlight(stall: LiveStall): void {
  if (stall.inFlight !== null || data.inFlight === null) return;
  stall.inFlight = inFlightNow();
  if (stall.inFlight === null) return;
  try {
    stall.reportSequence = markStallSeen(data.inFlight);
  } catch {
    stall.reportSequence = null;
  }
}

interface WrapperReport {
  stack: BlockEvent['stack'];
  context: BlockEvent['context'];
  /** HTTP requests in flight as the call returned; null without the middleware. */
  requestsInFlight: number | null;
  /** The call itself, as its wrapper named it. */
  inFlight: InFlightCall | null;
  /** Epoch ms the call returned, and how long it took. */
  endedAt: number;
  durationMs: number;
}

/** Sequence of the newest report already given to a stall nobody watched (a report explains one stall). */
let unseenReportTaken = 0;

/**
 * The wrapper's report for a stall the worker did not watch live (it was scheduled too late, or had not
 * started yet): wrappers report every call that took a threshold or more. It explains the stall when the
 * call returned within it and took at least half of it.
 */
function unseenReport(stall: RingStall, scripts: ReadonlyMap<string, ScriptInfo> | undefined): WrapperReport | null {
  if (data.inFlight === null) return null;
  let latest: { sequence: number; json: string } | null;
  try {
    latest = readUnseenReport(data.inFlight);
  } catch {
    return null;
  }
  if (latest === null || latest.sequence === unseenReportTaken) return null;
  const report = parseWrapperReport(latest.json, scripts);
  if (report === null) return null;
  const stallEnd = Date.now() - ((now() - stall.endBeat) | 0);
  const stallStart = stallEnd - stall.durationMs;
  if (report.endedAt < stallStart || report.endedAt > stallEnd + LATE_SLACK_MS || report.durationMs * 2 < stall.durationMs) return null;
  unseenReportTaken = latest.sequence;
  return report;
}

/** The report of the wrapped call that stalled the loop, waited for briefly (bounded), or null. */
function wrapperReport(stall: LiveStall | null, scripts: ReadonlyMap<string, ScriptInfo> | undefined): Promise<WrapperReport | null> {
  const buffer = data.inFlight;
  const sequence = stall?.reportSequence ?? null;
  if (buffer === null || sequence === null) return Promise.resolve(null);
  const deadline = performance.now() + REPORT_WAIT_MS;
  return new Promise((resolve) => {
    const attempt = (): void => {
      let json: string | null;
      try {
        json = readReport(buffer, sequence);
      } catch {
        json = null;
      }
      if (json !== null) resolve(parseWrapperReport(json, scripts));
      else if (performance.now() >= deadline || stopping) resolve(null);
      else setTimeout(attempt, REPORT_POLL_MS);
    };
    attempt();
  });
}

// "    at fn (location)" or "    at location"; location is "url-or-path:line:column".
const STACK_LINE = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
const sourceMapUrls = new Map<string, string>();
const MAX_SCRIPT_BYTES = 8 * 1024 * 1024;

/** The sourceMappingURL comment of a script file, read once (the worker has time; the main thread does not). */
function sourceMapUrlOf(url: string, scripts: ReadonlyMap<string, ScriptInfo> | undefined): string {
  if (scripts !== undefined) {
    for (const script of scripts.values()) if (script.url === url) return script.sourceMapUrl;
  }
  let found = sourceMapUrls.get(url);
  if (found !== undefined) return found;
  found = '';
  try {
    if (url.startsWith('file:')) {
      // The watchdog's own loop, not the application's; once per script.
      // eslint-disable-next-line @agent-lag/no-sync-fs
      const text = readFileSync(fileURLToPath(url), 'utf8');
      if (text.length <= MAX_SCRIPT_BYTES) found = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text)?.[1] ?? '';
    }
  } catch {
    found = '';
  }
  if (sourceMapUrls.size >= 256) sourceMapUrls.clear();
  sourceMapUrls.set(url, found);
  return found;
}

function functionNameOf(raw: string | undefined): string {
  if (raw === undefined) return '';
  const name = raw.replace(/^(?:async |new )/, '').replace(/ \[as [^\]]*\]$/, '');
  const last = name.slice(name.lastIndexOf('.') + 1);
  return last === '<anonymous>' ? '' : last;
}

function parseWrapperReport(json: string, scripts: ReadonlyMap<string, ScriptInfo> | undefined): WrapperReport | null {
  try {
    const parsed = JSON.parse(json) as { context?: unknown; requests?: unknown; stack?: unknown; api?: unknown; hint?: unknown; endedAt?: unknown; durationMs?: unknown };
    const raw: RawFrame[] = [];
    const infos = new Map<string, ScriptInfo>();
    const lines = typeof parsed.stack === 'string' ? parsed.stack.split('\n') : [];
    for (let i = 1; i < lines.length && raw.length < MAX_FRAMES; i++) {
      const match = STACK_LINE.exec(lines[i] ?? '');
      if (!match) continue;
      let url = match[2] ?? '';
      if (url.startsWith('/')) url = pathToFileURL(url).href;
      if (!infos.has(url)) infos.set(url, { url, sourceMapUrl: sourceMapUrlOf(url, scripts) });
      raw.push({ functionName: functionNameOf(match[1]), scriptId: url, line: Number(match[3]) - 1, column: Number(match[4]) - 1 });
    }
    const context = parsed.context === null || parsed.context === undefined ? null : parseCapturedContext(JSON.stringify(parsed.context));
    const inFlight = typeof parsed.api === 'string' ? { api: parsed.api, hint: typeof parsed.hint === 'string' ? parsed.hint : null } : null;
    return {
      stack: resolveFrames(raw, infos, sourceMaps, data.ownUrlPrefix),
      context,
      requestsInFlight: parseRequestCount(parsed.requests),
      inFlight,
      endedAt: typeof parsed.endedAt === 'number' ? parsed.endedAt : 0,
      durationMs: typeof parsed.durationMs === 'number' ? parsed.durationMs : 0,
    };
  } catch {
    return null;
  }
}

function watch(startBeat: number, sinceMs: number): LiveStall {
  let end = (): void => undefined;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const stall: LiveStall = {
    startBeat,
    sinceMs,
    inFlight: null,
    reportSequence: null,
    reportToken: false,
    capture: null,
    progress: null,
    ongoingTimer: null,
    provisionalStartedAt: null,
    provisional: null,
    over: false,
    ended,
    end,
  };
  noteInFlight(stall);
  lastWatchedBeat = startBeat;
  if (!graceOver && startBeat < options.startupGraceMs) return stall;
  stall.reportToken = limiter.take(Date.now());
  if (stall.reportToken && captureAllowed() && capturer !== null) {
    const progress = emptyCapture();
    stall.progress = progress;
    stall.capture = capturer.capture(probeFor(stall), options.thresholdMs, options.maxSamples, progress).catch(() => null);
  }
  // The provisional report is part of this stall's detailed report: it needs the same token.
  if (stall.reportToken && ongoingDueMs > 0) scheduleOngoing(stall);
  return stall;
}

/** Arms the stall's one provisional-report timer for when it will have lasted ongoingDueMs. */
function scheduleOngoing(stall: LiveStall): void {
  const delay = Math.max(0, ongoingDueMs - ((now() - stall.sinceMs) | 0));
  stall.ongoingTimer = setTimeout(() => {
    stall.ongoingTimer = null;
    reportOngoing(stall);
  }, delay);
}

function stopOngoingTimer(stall: LiveStall): void {
  if (stall.ongoingTimer === null) return;
  clearTimeout(stall.ongoingTimer);
  stall.ongoingTimer = null;
}

/**
 * The provisional event of a stall that is still running: written to the log and the control socket from
 * here, since the main thread is frozen (and may never run again). Not posted to the main thread: its
 * 'block' listeners get the final event when the loop runs again. Counts are untouched (they come from
 * the ring when the stall ends).
 */
function reportOngoing(stall: LiveStall): void {
  if (stopping || stall.over || live !== stall || Atomics.load(state, BEAT) !== stall.startBeat) return;
  const durationMs = (now() - stall.sinceMs) | 0;
  // Timers may fire a millisecond early by this clock: never report before the stall is due.
  if (durationMs < ongoingDueMs) {
    scheduleOngoing(stall);
    return;
  }
  noteInFlight(stall);
  const inFlight = stall.inFlight;
  const progress = stall.progress ?? emptyCapture();
  // Samples are only taken while the stall lasts, and it still does: all of them belong to it.
  const taken = progress.samples.map((sample) => resolveFrames(sample.frames, progress.scripts, sourceMaps, data.ownUrlPrefix));
  const stack = taken.at(-1) ?? [];
  const earlier = taken.slice(0, -1);
  const signature = stack.length > 0 || inFlight !== null ? stackSignature(stack, inFlight) : undefined;
  const at = Date.now();
  // De-duplicated like a final report; a stall whose provisional event is written always gets its final one.
  if (signature !== undefined && stack.length > 0 && !limiter.firstInWindow(signature, at)) return;
  const startedAt = Math.round(at - durationMs);
  const event: BlockEvent = {
    type: 'block',
    startedAt,
    durationMs,
    stack,
    ...(earlier.length === 0 ? {} : { samples: earlier }),
    inFlight,
    context: progress.context,
    ...(progress.requestsInFlight === null ? {} : { requestsInFlight: progress.requestsInFlight }),
    late: false,
    ...(signature === undefined ? {} : { signature }),
    ongoing: true,
  };
  stall.provisionalStartedAt = startedAt;
  stall.provisional = event;
  emit(event);
}

/**
 * The control socket's hello. While a stall whose provisional event was written still lasts, it carries
 * that event as `ongoing`: a client connecting to a wedged process (the usual moment to run `watch`)
 * learns of the block it would otherwise have missed.
 */
function hello(): HelloMessage & { ongoing?: BlockEvent } {
  const message: HelloMessage & { ongoing?: BlockEvent } = { type: 'hello', pid: process.pid, version: data.version, thresholdMs: options.thresholdMs, mode };
  const current = live;
  if (current !== null && current.provisional !== null && !current.over && Atomics.load(state, BEAT) === current.startBeat) {
    message.ongoing = current.provisional;
  }
  return message;
}

function isLate(stall: RingStall, inFlight: InFlightCall | null, result: CaptureResult): boolean {
  const first = result.samples[0];
  if (first === undefined) return true;
  if (first.pausedBeat !== stall.startBeat) return true;
  if (inFlight !== null && first.inFlightAtPause === null) return true;
  return ((stall.endBeat - first.resumedAt) | 0) < LATE_SLACK_MS;
}

/**
 * Writes a stall's final block event and hands it to the main thread. `counted` false: a stall the ring
 * never got (cut short by exit); its event closes a provisional one but it stays out of every figure.
 */
function finish(stall: RingStall, watched: LiveStall | null, result: CaptureResult | null, report: WrapperReport | null = null, counted = true): void {
  const inFlight = watched?.inFlight ?? report?.inFlight ?? null;
  let stack: BlockEvent['stack'] = [];
  let samples: BlockEvent['samples'];
  let context: BlockEvent['context'] = null;
  let requestsInFlight: number | null = null;
  let late = false;
  if (result !== null) {
    const [first, ...rest] = result.samples;
    if (first !== undefined) stack = resolveFrames(first.frames, result.scripts, sourceMaps, data.ownUrlPrefix);
    // A sample whose pause saw a newer beat landed after the block had ended, in unrelated code.
    const during = rest.filter((sample) => sample.pausedBeat === stall.startBeat);
    if (during.length > 0) samples = during.map((sample) => resolveFrames(sample.frames, result.scripts, sourceMaps, data.ownUrlPrefix));
    context = result.context;
    requestsInFlight = result.requestsInFlight;
    late = isLate(stall, inFlight, result);
  }
  // The wrapper's stack and context are the blocked call's own, taken as it returned: exact, never late.
  if (report !== null && report.stack.length > 0) {
    stack = report.stack;
    context = report.context;
    requestsInFlight = report.requestsInFlight;
    late = false;
  }
  const signature = stack.length > 0 || inFlight !== null ? stackSignature(stack, inFlight) : undefined;
  const provisionalStartedAt = watched?.provisionalStartedAt ?? null;
  const event: BlockEvent = {
    type: 'block',
    // The block ended at the end beat and lasted durationMs (the idle wait before it is not part of it).
    // After a provisional event, its startedAt (the beat before the stall): consumers pair the two by it.
    startedAt: provisionalStartedAt ?? Math.round(Date.now() - ((now() - stall.endBeat) | 0) - stall.durationMs),
    durationMs: stall.durationMs,
    stack,
    ...(samples === undefined ? {} : { samples }),
    inFlight,
    context,
    ...(requestsInFlight === null ? {} : { requestsInFlight }),
    late,
    ...(signature === undefined ? {} : { signature }),
  };
  const at = Date.now();
  let reported = watched !== null ? watched.reportToken : limiter.take(at);
  // A stall whose provisional event was written must get its final one, or it would look never-ended.
  if (reported && signature !== undefined && stack.length > 0 && !limiter.firstInWindow(signature, at) && provisionalStartedAt === null) reported = false;
  if (!counted) {
    emit(event);
    return;
  }
  const block = signature === undefined ? null : { ...event, signature };
  if (block !== null) stacks.add(block);
  if (reported) emit(event);
  post({ kind: 'stall', durationMs: stall.durationMs, startup: false, block, reported: reported ? event : null, counted: event, unmeasured: 0 });
}

/** Finishes a watched stall once its capture (and the sync wrapper's report) are in; tracked for the shutdown flush. */
function finishWhenCaptured(stall: RingStall, watched: LiveStall, counted: boolean): void {
  const capture = watched.capture ?? Promise.resolve(null);
  const finished: Promise<void> = capture
    .then(async (result) => finish(stall, watched, result, (await wrapperReport(watched, result?.scripts)) ?? unseenReport(stall, result?.scripts), counted))
    .catch(() => undefined)
    .finally(() => pendingFinishes.delete(finished));
  pendingFinishes.add(finished);
}

/** The main thread's snapshot() takes percentiles and the encoded histogram from here, never computing them itself. */
function scheduleDistribution(): void {
  if (distributionTimer !== null || stopping) return;
  distributionTimer = setTimeout(() => {
    distributionTimer = null;
    post({ kind: 'stallDistribution', distribution: stats.distribution() });
  }, DISTRIBUTION_DELAY_MS);
}

function drainRing(): void {
  const drained = drainStalls(state, ringRead);
  ringRead = drained.read;
  if (drained.stalls.length > 0) scheduleDistribution();
  if (drained.lost > 0) {
    stats.recordUnmeasured(drained.lost);
    post({ kind: 'stall', durationMs: 0, startup: false, block: null, reported: null, counted: null, unmeasured: drained.lost });
  }
  for (const stall of drained.stalls) {
    const startup = !graceOver && stall.startBeat < options.startupGraceMs;
    stats.record(stall.durationMs, startup);
    let watched: LiveStall | null = null;
    if (live !== null && live.startBeat === stall.startBeat) {
      watched = live;
      live = null;
    }
    if (startup) {
      post({ kind: 'stall', durationMs: stall.durationMs, startup: true, block: null, reported: null, counted: null, unmeasured: 0 });
    } else if (watched !== null && (watched.capture !== null || watched.reportSequence !== null)) {
      finishWhenCaptured(stall, watched, true);
    } else {
      finish(stall, watched, null, unseenReport(stall, undefined));
    }
  }
}

function poll(): void {
  pollTimer = null;
  if (stopping) return;
  const wakeSeen = Atomics.load(state, WATCHDOG_WAKE);
  const beat = Atomics.load(state, BEAT);
  if (live !== null && beat !== live.startBeat && !live.over) {
    live.over = true;
    stopOngoingTimer(live);
    live.end();
  }
  drainRing();
  // Ended without a ring entry: the main thread measured a gap under the threshold after all.
  if (live?.over === true) live = null;
  const life = lastSignOfLife(state);
  const gap = (now() - life) | 0;
  if (live === null && gap > staleMs && beat !== lastWatchedBeat) live = watch(beat, life);
  else if (live !== null) noteInFlight(live);
  if (!graceOver && beat >= options.startupGraceMs) graceOver = true;
  if (live !== null) pollTimer = setTimeout(poll, stallPollMs);
  else if (sentinel !== null) sleepUntilWoken(wakeSeen);
  else pollTimer = setTimeout(poll, Math.max(1, Math.min(staleMs, staleMs - gap + 1)));
}

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };

/**
 * Sleeps without a timer until the sentinel (the beat turned stale) or the main thread (a stall was
 * pushed) bumps WATCHDOG_WAKE past `seen`, read before the poll that decided to sleep: a wake that came
 * in between is not missed. Sockets, messages and the metrics endpoint still wake the event loop as usual.
 */
function sleepUntilWoken(seen: number): void {
  const generation = ++sleepGeneration;
  const waiting = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(state, WATCHDOG_WAKE, seen);
  const wake = (): void => {
    if (generation === sleepGeneration && pollTimer === null && !stopping) poll();
  };
  if (waiting.async) void waiting.value.then(wake);
  else pollTimer = setTimeout(poll, 0);
}

/**
 * Starts the sentinel. Without one (Atomics.waitAsync missing, or the thread refused), the watchdog polls
 * with its own timer, one wake-up per heartbeat period.
 */
function startSentinel(): void {
  if (typeof (Atomics as unknown as { waitAsync?: unknown }).waitAsync !== 'function') return;
  let thread: Worker;
  try {
    thread = new Worker(new URL('./sentinel.js', import.meta.url), {
      workerData: {
        state: data.state,
        staleMs,
        clockBaseMs: data.clockBaseMs,
        checkMs: options.heartbeatIntervalMs,
        thresholdMs: options.thresholdMs,
        periodicMs: periodicBeatMs(options.lagWindowMs),
      } satisfies SentinelData,
      execArgv: [],
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, stackSizeMb: 1 },
      name: 'agent-lag sentinel',
    });
  } catch {
    return;
  }
  const fallBack = (): void => {
    if (sentinel !== thread) return;
    sentinel = null;
    // Nobody vouches for an idle loop any more: the main thread's beat timer again.
    endOnDemandBeats(state);
    // Back to timer polling; a sleep on WATCHDOG_WAKE would now wait for nobody.
    sleepGeneration++;
    if (!stopping && pollTimer === null && live === null) pollTimer = setTimeout(poll, 1);
  };
  thread.on('error', fallBack);
  thread.on('exit', fallBack);
  thread.unref();
  sentinel = thread;
}

function stopSentinel(): void {
  const thread = sentinel;
  sentinel = null;
  sleepGeneration++;
  endOnDemandBeats(state);
  Atomics.store(state, SENTINEL_STOP, 1);
  Atomics.notify(state, SENTINEL_SLEEP);
  void thread?.terminate().catch(() => undefined);
}

/**
 * At stop or exit, a stall whose provisional event was written but whose end the heartbeat never saw
 * (the app blocked, then exited without its loop turning again): the main thread is running our stop or
 * exit handler, so it is over. Its final event closes the provisional one, with the time until now since
 * the beat before it; it is not counted (counts come from the ring, which never got it).
 */
function closeCutStall(): void {
  const cut = live;
  if (cut === null || cut.provisionalStartedAt === null || Atomics.load(state, BEAT) !== cut.startBeat) return;
  live = null;
  cut.over = true;
  cut.end();
  const endBeat = now();
  finishWhenCaptured({ startBeat: cut.startBeat, durationMs: (endBeat - cut.sinceMs) | 0, endBeat }, cut, false);
}

/**
 * Writes what is still pending, then the summary. A block that ended just before exit is usually still
 * being captured: closing the session fails the capture's outstanding inspector calls (a main thread
 * parked in its exit handler would never answer them), so it finishes with the samples it already has.
 */
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (pollTimer !== null) clearTimeout(pollTimer);
  stopSentinel();
  if (distributionTimer !== null) clearTimeout(distributionTimer);
  if (live !== null) stopOngoingTimer(live);
  drainRing();
  closeCutStall();
  capturer?.close();
  if (pendingFinishes.size > 0) {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS)));
    await Promise.race([Promise.allSettled([...pendingFinishes]), bound]);
    clearTimeout(timer);
  }
  emit({ type: 'summary', ...snapshot() });
  log?.close();
  control?.closeSync();
}

port?.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'state':
      mainState = message.state;
      break;
    case 'lag':
      if (!stopping) emit(message.event);
      break;
    case 'stop':
      void shutdown()
        .then(() => metrics?.close())
        .catch(() => undefined)
        .then(() => {
          post({ kind: 'stopped' });
          port.close();
        });
      break;
    case 'exit':
      // The main thread waits on EXIT_DONE: the inspector session must be gone before it exits.
      void shutdown()
        .catch(() => undefined)
        .then(() => {
          Atomics.store(state, EXIT_DONE, 1);
          Atomics.notify(state, EXIT_DONE);
        });
      break;
  }
});

async function start(): Promise<void> {
  if (options.reportPath !== null) {
    log = new EventLog(options.reportPath, (error) => warn('AGENT_LAG_REPORT', `cannot write the event log ${options.reportPath}: ${error.message}`));
  }
  startSentinel();
  pollTimer = setTimeout(poll, 1);
  if (data.captureStacks) {
    try {
      capturer = await StackCapturer.connect();
    } catch (error) {
      mode = 'lag-only';
      warn('AGENT_LAG_LAG_ONLY', `stack capture unavailable (${describeError(error)}); reporting lag and stalls without stacks`);
    }
  }
  if (stopping) {
    capturer?.close();
    return;
  }
  post({ kind: 'ready', mode });
  if (data.socketPath !== null) {
    try {
      control = await startControlServer({
        path: data.socketPath,
        hello,
        snapshot,
        onClients: (count) => {
          controlClients = count;
          updateStateWanted();
        },
      });
      if (stopping) control.closeSync();
    } catch (error) {
      warn('AGENT_LAG_SOCKET', `control socket unavailable at ${data.socketPath} (${describeError(error)})`);
    }
  }
  if (options.metricsEndpoint !== null && !stopping) {
    try {
      const endpoint = await startMetricsEndpoint(options.metricsEndpoint, snapshot);
      metrics = endpoint;
      updateStateWanted();
      post({ kind: 'metricsEndpoint', address: { host: endpoint.host, port: endpoint.port } });
    } catch (error) {
      post({ kind: 'metricsEndpoint', address: null });
      warn('AGENT_LAG_METRICS', `metrics endpoint unavailable on ${options.metricsEndpoint.host}:${options.metricsEndpoint.port} (${describeError(error)})`);
    }
  }
}

interface HttpEndpointModule {
  startHttpEndpoint(options: {
    host: string;
    port: number;
    getSnapshot: () => MonitorSnapshot;
    getStalledMs: () => number;
  }): Promise<{ close(): Promise<void>; port: number; host: string }>;
}

/**
 * How long the main loop has been frozen right now (0 while it runs), from the stall being watched. With
 * on-demand beats an idle loop does not beat at all, so the beat's age alone says nothing.
 */
function stalledMs(): number {
  const current = live;
  if (current === null || current.over || Atomics.load(state, BEAT) !== current.startBeat) return 0;
  return (now() - current.sinceMs) | 0;
}

async function startMetricsEndpoint(
  endpoint: { host: string; port: number },
  getSnapshot: () => MonitorSnapshot,
): Promise<{ close(): Promise<void>; port: number; host: string }> {
  // Loaded only when an endpoint is asked for: the HTTP server code stays out of other workers.
  const module = (await import('../exporters/http-endpoint.js')) as HttpEndpointModule;
  return module.startHttpEndpoint({ host: endpoint.host, port: endpoint.port, getSnapshot, getStalledMs: stalledMs });
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${code}: ${error.message}`;
  }
  return String(error);
}

start().catch((error: unknown) => warn('AGENT_LAG_WORKER', `watchdog start failed (${describeError(error)})`));
