import { emptyCapture, type CaptureProgress, type CaptureResult, type QuickSample, type StallProbe } from '../capture/stack-capturer.js';
import type { ScriptInfo } from '../capture/frames.js';
import { ReportLimiter } from '../events/report-limiter.js';
import { StackTable } from '../events/stack-table.js';
import { StallStats } from '../events/stall-stats.js';
import type { MonitorClock } from '../heartbeat/clock.js';
import type { RingStall, WatchdogSlots } from '../heartbeat/shared-state.js';
import type { BlockEvent, InFlightCall, MonitorSnapshot, NoStackReason, OngoingStall, StackFrame } from '../types.js';
import { LATE_SLACK_MS, reportExplains, spanFields, type BlockEventBuilder, type BlockSpan, type QuickStack, type WrapperReport } from './block-events.js';
import type { StallMessage } from './messages.js';

/*
 * The watchdog's stall state machine, one poll per step(): it ends the stall it watches when the beat
 * moves, counts what the ring recorded (exact even if this thread was scheduled late), starts watching
 * when the beat turns stale, has the main thread's stack sampled, publishes a block as ongoing as soon
 * as it has a stack or a named API, and writes each block's final event once its capture and the sync
 * wrapper's report are in. It owns no timer and no thread: the shell (worker.ts) calls step() when it
 * returns to, and whenever it is woken; tests drive it with a fake clock, capturer and in-flight source.
 */

export interface WatcherConfig {
  thresholdMs: number;
  heartbeatIntervalMs: number;
  startupGraceMs: number;
  /** 0: off. */
  ongoingReportMs: number;
  maxSamples: number;
  reportsPerMinute: number;
  dedupeWindowMs: number;
}

/** Samples the main thread's stack (the inspector, in the worker). */
export interface Capturer {
  readonly busy: boolean;
  capture(probe: StallProbe, intervalMs: number, maxSamples: number, progress: CaptureProgress): Promise<CaptureResult | null>;
  /** The stack without pausing, fast (for the ongoing report); absent where the capturer cannot. */
  quickSample?(): Promise<QuickSample | null>;
}

/** The sync-API wrappers' shared buffer, as the watchdog reads it. */
export interface InFlightSource {
  current(): InFlightCall | null;
  /** The sequence of the wrapped call in flight (not a section), without marking it; null with none. */
  callInFlight(): number | null;
  /** Asks the call in flight (with none, the reported section running) to report its stack and context as it returns; its sequence, or null. */
  markStallSeen(): number | null;
  /** The report of call `sequence`, once written (JSON), else null. */
  report(sequence: number): string | null;
  /** The latest report of a slow call nobody asked about. */
  unseenReport(): { sequence: number; json: string } | null;
}

export interface WatcherOutput {
  /** A block event for the log and the control socket. */
  emit(event: BlockEvent): void;
  /** A counted stall for the main thread. */
  stall(message: StallMessage): void;
  mode(mode: MonitorSnapshot['mode']): void;
  /** Something new to step on (a capture settled). */
  wake(): void;
}

export interface WatcherDeps {
  slots: WatchdogSlots;
  now: MonitorClock;
  /** Epoch ms, for the events' timestamps. */
  epochNow: () => number;
  config: WatcherConfig;
  capturer: Capturer | null;
  inFlight: InFlightSource | null;
  events: BlockEventBuilder;
  output: WatcherOutput;
}

/** How long `live` has blocked the loop as of monitor-clock `at`, ms: from its last sign of life, less the idle wait a quick sample measured after it. */
function ageOf(live: LiveStall, at: number): number {
  return ((at - live.sinceMs) | 0) - live.idleBeforeMs;
}

/** Its last sign of life (its events' startedAt), and when the block began, as far as a quick sample measured the idle wait between. */
function spanOf(live: LiveStall): BlockSpan {
  return { startedAt: live.startedAt, blockStartedAt: Math.round(live.startedAt + live.idleBeforeMs) };
}

/**
 * The capture's samples taken while `live` lasted. With on-demand beats the beat moves only once the main
 * thread answers its poke, so a pause can land after the block, in whatever ran next (a timer), with the
 * beat unchanged: the loop's idle counter tells, since it cannot move during a block. A sample whose counter
 * differs from the quick sample's was taken after the loop waited again.
 */
function samplesDuring<T extends CaptureResult>(progress: T, quickIdle: number | null): T {
  if (quickIdle === null || progress.samples.every((sample) => sample.idle === null || sample.idle === quickIdle)) return progress;
  return { ...progress, samples: progress.samples.filter((sample) => sample.idle === null || sample.idle === quickIdle) };
}

/**
 * Whether a stack sampled during a stall is of a marked call's own code. Node's JavaScript on top is passed
 * over (the API's own, as execSync returns; or a built-in the code called, `performance.now()` in a loop):
 * the frame under it must be the call's caller or a caller of it, at the line it made the call from (a
 * sample as the call returns, or between two calls of a loop). Any line of those will do when the worker saw
 * other wrapped calls in flight (`callsAround`): a loop of calls. A sample of other code — a function the
 * caller went on to call, or another line of the caller with no other call seen (a loop written inline
 * before or after the call) — is evidence that JavaScript of its own took the stall's time; without a stack
 * to compare, it is not.
 */
function ofTheCall(sample: readonly StackFrame[], call: readonly StackFrame[], callsAround: boolean): boolean {
  const code = sample.find((frame) => !frame.url.startsWith('node:'));
  if (code === undefined || call.length === 0) return true;
  const caller = call.find((frame) => sameFunction(frame, code));
  if (caller === undefined) return false;
  return callsAround || caller.line === code.line;
}

/** Same function, as far as two resolved frames tell: an anonymous one matches any other in its file. */
function sameFunction(a: StackFrame, b: StackFrame): boolean {
  return a.url === b.url && a.functionName === b.functionName;
}

/** What names a finished stall: a wrapper's report, else the first of the samples (the stall's, reordered). */
interface BlockNaming {
  report: WrapperReport | null;
  samples: CaptureResult | null;
}

/** How long a finished stall waits for the sync wrapper's report (written as soon as the call returns). */
const REPORT_WAIT_MS = 50;
const REPORT_POLL_MS = 2;
/** Quick samples per stall at most, while its busy time has not yet passed the threshold. */
const MAX_QUICK_SAMPLES = 4;
/** How long a finished stall waits for its capture to let go (it asks for one more pause at most). */
const CAPTURE_WAIT_MS = 1500;

interface LiveStall {
  startBeat: number;
  /** Monitor-clock ms since which the main thread has been busy, at most: its last sign of life. */
  sinceMs: number;
  /** The same instant as epoch ms: the startedAt of its provisional event and of the checkpoints' stall. */
  startedAt: number;
  /** Stack sampling and reporting started (not during the start-up grace). */
  detailed: boolean;
  inFlight: InFlightCall | null;
  /** Sequence of the wrapped call marked as having stalled the loop: its wrapper reports context and stack. */
  reportSequence: number | null;
  /** Monitor-clock ms at which this worker marked that call (or section); null until it did. */
  reportMarkedAt: number | null;
  /** A poll saw a wrapped call in flight other than the marked one: the stall made more calls than it. */
  otherCallSeen: boolean;
  reportToken: boolean;
  capture: Promise<CaptureResult | null> | null;
  /** The capture's outcome once it settled; undefined while it runs. */
  captured: CaptureResult | null | undefined;
  progress: CaptureProgress | null;
  /** The quick sample, once in, if it came while the stall still lasted. */
  quick: QuickStack | null;
  /** Monitor-clock ms at which this worker got that sample's answer; null without one in time. */
  quickAnsweredAt: number | null;
  /** The loop's busy ms since the beat before the stall, as of the latest quick sample; null when unknown. */
  quickBusyMs: number | null;
  /** The loop's idle counter in the latest quick sample taken while the stall lasted; null when unknown. */
  quickIdle: number | null;
  /**
   * How long the loop still idled after `sinceMs`, as a quick sample measured (0 until one did): its last sign
   * of life can precede the block by up to a staleness (the sentinel vouches for an idle loop only so often),
   * and an age counted from it would say the block had lasted that much longer.
   */
  idleBeforeMs: number;
  quickPending: boolean;
  /** The pauses wait for the quick sample to say the block is past the threshold. */
  captureDeferred: boolean;
  quickAttempts: number;
  /** Monitor-clock ms at which the busy time should have passed the threshold: sample again then. */
  nextQuickAt: number | null;
  /** The provisional event, once written; the final event repeats its startedAt. */
  provisional: BlockEvent | null;
  /** The early provisional report was found a repeat of one in the de-duplication window. */
  earlySkipped: boolean;
  over: boolean;
  ended: Promise<void>;
  end: () => void;
}

interface PendingFinish {
  stall: RingStall;
  watched: LiveStall;
  /** Monitor-clock ms after which the wrapper's report is no longer waited for. */
  reportDeadline: number;
  captureDeadline: number;
  counted: boolean;
}

export class StallWatcher {
  readonly stats = new StallStats();
  readonly stacks = new StackTable();
  readonly #deps: WatcherDeps;
  readonly #config: WatcherConfig;
  readonly #limiter: ReportLimiter;
  readonly #pollMs: number;
  /**
   * A beat older than this means the main thread is blocked: the beat is overdue by half a threshold
   * (so an idle beat a little late on a busy host is not taken for a block), and never less than the
   * threshold.
   */
  readonly staleMs: number;
  /** Age of a stall at which it is published as ongoing even without a stack or API (0: never). */
  readonly #ongoingDueMs: number;
  #capturer: Capturer | null;
  #mode: MonitorSnapshot['mode'];
  #live: LiveStall | null = null;
  #lastWatchedBeat: number | null = null;
  #capturerPending = false;
  /** Monitor-clock ms of the first poll: a stall that began before it was never watched (a worker slow to start). */
  #firstStepAt: number | null = null;
  #ringRead = 0;
  readonly #pending: PendingFinish[] = [];
  /** Sequence of the newest report already given to a stall nobody watched (a report explains one stall). */
  #unseenReportTaken = 0;
  #stopping = false;
  /** The longest block logged so far, ms. */
  #longestReportedMs = 0;
  /**
   * The start-up grace is over, for good: after 24.8 days the Int32 monitor clock wraps, and for the
   * 24.8 days after that its times would compare as before the grace.
   */
  #graceOver: boolean;

  constructor(deps: WatcherDeps) {
    this.#deps = deps;
    const config = deps.config;
    this.#config = config;
    this.#capturer = deps.capturer;
    this.#mode = deps.capturer === null ? 'lag-only' : 'full';
    // On the monitor clock: a wall clock stepped back (NTP) must not hold reports back until it catches up.
    this.#limiter = new ReportLimiter({ perMinute: config.reportsPerMinute, dedupeWindowMs: config.dedupeWindowMs, now: deps.now() });
    this.#pollMs = Math.max(1, Math.min(10, config.heartbeatIntervalMs));
    this.staleMs = Math.max(config.thresholdMs, config.heartbeatIntervalMs + Math.floor(config.thresholdMs / 2));
    this.#ongoingDueMs = config.ongoingReportMs === 0 ? 0 : Math.max(config.ongoingReportMs, config.thresholdMs + config.heartbeatIntervalMs);
    this.#graceOver = config.startupGraceMs <= 0;
  }

  get mode(): MonitorSnapshot['mode'] {
    return this.#mode;
  }

  /** A stack capturer is being connected: until it arrives, a stackless block was not watched, not lag-only. */
  awaitCapturer(): void {
    this.#capturerPending = true;
  }

  /** The stack capturer arrived (it connects asynchronously) or was lost or refused (null). */
  setCapturer(capturer: Capturer | null): void {
    this.#capturer = capturer;
    this.#capturerPending = false;
    // An inspector opened before the capturer connected (a slow start on a loaded machine) already owns the main thread.
    this.#setMode(capturer === null || this.#deps.slots.inspectorActive ? 'lag-only' : 'full');
  }

  /**
   * One poll. Returns how long until the next one is needed, ms, and whether nothing is going on (the
   * shell may then sleep until woken instead).
   */
  step(): { delayMs: number; idle: boolean } {
    const { slots, now } = this.#deps;
    this.#firstStepAt ??= now();
    // The inspector was opened (the main thread wakes us when it sees it): said at once, not at the next capture.
    if (this.#mode === 'full' && slots.inspectorActive) this.#setMode('lag-only');
    const beat = slots.beat();
    const live = this.#live;
    if (live !== null && beat !== live.startBeat && !live.over) this.#endLive(live);
    this.#drainRing();
    // Ended without a ring entry: the main thread measured a gap under the threshold after all.
    if (this.#live?.over === true) this.#live = null;
    const life = slots.lastSignOfLife();
    const at = now();
    const gap = (at - life) | 0;
    if (this.#live === null && gap > this.staleMs && beat !== this.#lastWatchedBeat && !this.#stopping) this.#live = this.#watch(beat, life);
    const watched = this.#live;
    if (watched !== null) {
      this.#noteInFlight(watched);
      this.#noteOtherCall(watched);
      if (!watched.detailed && !this.#inGrace(at)) this.#startDetail(watched);
      if (watched.nextQuickAt !== null && ((at - watched.nextQuickAt) | 0) >= 0) this.#takeQuickSample(watched);
      // Past the threshold, or the quick sample failed or cannot measure: the pauses start.
      if (watched.captureDeferred && !watched.quickPending && (watched.quick === null || watched.quickBusyMs === null || this.#pastThreshold(watched, (at - watched.sinceMs) | 0))) {
        this.#startCapture(watched);
      }
      this.#publishOngoing(watched, at);
    }
    const waiting = this.#finishPending(at);
    if (watched !== null) return { delayMs: this.#pollMs, idle: false };
    if (waiting !== null) return { delayMs: waiting, idle: false };
    return { delayMs: Math.max(1, Math.min(this.staleMs, this.staleMs - gap + 1)), idle: true };
  }

  /** How long the main loop has been frozen right now (0 while it runs), ms. */
  stalledMs(): number {
    const live = this.#live;
    if (live === null || live.over || this.#deps.slots.beat() !== live.startBeat) return 0;
    return ageOf(live, this.#deps.now());
  }

  /** The stall in progress (counted or not yet), for checkpoints; null while the loop runs. */
  ongoing(): OngoingStall | null {
    const stalledMs = this.stalledMs();
    if (stalledMs === 0) return null;
    const live = this.#live!;
    const noStack = this.#whyUnnamedSoFar(live);
    return { ...spanFields(spanOf(live)), durationMs: stalledMs, ...(noStack === null ? {} : { noStack }) };
  }

  /** The provisional event of the stall still running, for a control client that connects during it. */
  provisional(): BlockEvent | null {
    const live = this.#live;
    if (live === null || live.provisional === null || this.stalledMs() === 0) return null;
    return live.provisional;
  }

  /** Finishes what it can before the process goes: stalls pending, and one whose end the beat never showed. */
  stop(): void {
    this.#stopping = true;
    this.#drainRing();
    this.#closeCutStall();
  }

  /** Whether block events are still waiting for a capture or a wrapper's report. */
  get finishing(): boolean {
    return this.#pending.length > 0;
  }

  /** Writes every pending block event now, with what it has (the exit cannot wait). */
  flush(): void {
    for (const pending of this.#pending.splice(0)) this.#finishNow(pending);
  }

  #setMode(mode: MonitorSnapshot['mode']): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.#deps.output.mode(mode);
  }

  #inGrace(at: number): boolean {
    if (this.#graceOver) return false;
    if (((at - this.#config.startupGraceMs) | 0) < 0) return true;
    this.#graceOver = true;
    return false;
  }

  /**
   * A start-up stall is one that began and ended within the grace (module loading) and was not long
   * enough to be published as ongoing: the grace never hides a block still running when it ends.
   */
  #isStartup(stall: RingStall): boolean {
    if (!this.#inGrace(stall.endBeat)) return false;
    return this.#ongoingDueMs === 0 || stall.durationMs < this.#ongoingDueMs;
  }

  #endLive(live: LiveStall): void {
    live.over = true;
    live.end();
  }

  #watch(startBeat: number, sinceMs: number): LiveStall {
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const live: LiveStall = {
      startBeat,
      sinceMs,
      startedAt: Math.round(this.#epochAt(sinceMs)),
      detailed: false,
      inFlight: null,
      reportSequence: null,
      reportMarkedAt: null,
      otherCallSeen: false,
      reportToken: false,
      capture: null,
      captured: undefined,
      progress: null,
      quick: null,
      quickAnsweredAt: null,
      quickBusyMs: null,
      quickIdle: null,
      idleBeforeMs: 0,
      quickPending: false,
      captureDeferred: false,
      quickAttempts: 0,
      nextQuickAt: null,
      provisional: null,
      earlySkipped: false,
      over: false,
      ended,
      end,
    };
    this.#lastWatchedBeat = startBeat;
    return live;
  }

  /** Takes a report token and starts sampling the stack, once the stall is past the start-up grace. */
  #startDetail(live: LiveStall): void {
    live.detailed = true;
    live.reportToken = this.#limiter.take(this.#deps.now());
    if (!live.reportToken || !this.#captureAllowed()) return;
    // A native call in flight would answer a quick sample only once it returned; its wrapper names it sooner.
    if (this.#capturer?.quickSample !== undefined && live.inFlight === null) {
      // The pauses wait until the block is past the threshold: enabling the debugger costs the main thread
      // tens of ms, which must not turn a short task into a stall.
      live.captureDeferred = true;
      this.#takeQuickSample(live);
    } else {
      this.#startCapture(live);
    }
  }

  /** Starts sampling the stack with pauses, for the final event's samples. */
  #startCapture(live: LiveStall): void {
    live.captureDeferred = false;
    const capturer = this.#capturer;
    if (capturer === null || live.capture !== null || !this.#captureAllowed()) return;
    const progress = emptyCapture();
    live.progress = progress;
    live.capture = capturer.capture(this.#probeFor(live), this.#config.thresholdMs, this.#config.maxSamples, progress).catch(() => null);
    void live.capture.then((result) => {
      live.captured = result;
      this.#deps.output.wake();
    });
  }

  /** Whether a stall is past the threshold: measured by a quick sample, or older than any idle wait before it explains. */
  #pastThreshold(live: LiveStall, ageMs: number): boolean {
    // Measured: that answers it, until the samples run out (a block busy a little, idle a little).
    if (live.quick !== null && !live.quick.late && live.quickBusyMs !== null) {
      if (live.quickBusyMs > this.#config.thresholdMs) return true;
      if (live.quickAttempts < MAX_QUICK_SAMPLES || live.quickPending) return false;
    }
    return ageMs > this.#config.thresholdMs + (this.#deps.slots.onDemand ? this.staleMs : this.#config.heartbeatIntervalMs);
  }

  /**
   * Takes a quick sample; with the idle counter it carries, it also tells how long the loop has been busy
   * so far. A stall found before it was busy a threshold (the idle wait before it is in its age) is sampled
   * again when it would be.
   */
  #takeQuickSample(live: LiveStall): void {
    const capturer = this.#capturer;
    if (capturer?.quickSample === undefined || live.quickPending || live.quickAttempts >= MAX_QUICK_SAMPLES) return;
    live.quickPending = true;
    live.quickAttempts++;
    live.nextQuickAt = null;
    const askedAt = this.#deps.now();
    void capturer.quickSample().then((taken: QuickSample | null) => {
      live.quickPending = false;
      const { slots, now, events, output } = this.#deps;
      if (taken === null) return;
      // An answer that came after the beat moved may have been taken in whatever ran next (a built-in such
      // as JSON.parse answers only when it returns): kept, as late unless its takenAt says otherwise (the
      // final event decides, knowing the end beat), for a block nothing else could name.
      const takenAt = taken.takenAt ?? null;
      const delayMs = takenAt === null ? null : Math.max(0, (takenAt - askedAt) | 0);
      if (live.over || slots.beat() !== live.startBeat) {
        if (live.quick === null) live.quick = { stack: events.parseStackText(taken.stack), late: true, context: taken.probe.context, requestsInFlight: taken.probe.requestsInFlight, takenAt, delayMs };
        output.wake();
        return;
      }
      const at = now();
      live.quick = { stack: events.parseStackText(taken.stack), late: false, context: taken.probe.context, requestsInFlight: taken.probe.requestsInFlight, takenAt, delayMs };
      live.quickAnsweredAt = at;
      live.quickBusyMs = taken.probe.idle === null ? null : slots.busySinceBeat(live.startBeat, at, taken.probe.idle);
      live.quickIdle = taken.probe.idle;
      const busy = live.quickBusyMs;
      if (busy !== null) live.idleBeforeMs = Math.max(0, ((at - live.sinceMs) | 0) - busy);
      if (busy !== null && busy <= this.#config.thresholdMs) live.nextQuickAt = (at + this.#config.thresholdMs - busy + 1) | 0;
      output.wake();
    });
  }

  #captureAllowed(): boolean {
    const capturer = this.#capturer;
    if (capturer === null || capturer.busy) return false;
    const slots = this.#deps.slots;
    if (slots.inspectorActive) {
      // A debugger owns the main thread (ours would show in it): lag, stalls and the API in flight only.
      this.#setMode('lag-only');
      return false;
    }
    // The host's own session, for now: no pause while it is on, but the mode stays (it comes back).
    return !slots.hostDebuggerEnabled;
  }

  #probeFor(live: LiveStall): StallProbe {
    const { slots, now } = this.#deps;
    return {
      now,
      beat: () => slots.beat(),
      readInFlight: () => this.#readInFlight(),
      pauseAllowed: () => !slots.inspectorActive && !slots.hostDebuggerEnabled,
      ended: live.ended,
      stillStalledAfter: (ms) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => resolve(!live.over), ms);
          void live.ended.then(() => {
            clearTimeout(timer);
            resolve(false);
          });
        }),
    };
  }

  #readInFlight(): InFlightCall | null {
    try {
      return this.#deps.inFlight?.current() ?? null;
    } catch {
      return null;
    }
  }

  /**
   * Reads the wrapped call in flight and asks its wrapper to report its context and stack when it returns;
   * with no call in flight, asks the same of a reported section running (until a call begins: it names more).
   */
  #noteInFlight(live: LiveStall): void {
    if (live.inFlight !== null || this.#deps.inFlight === null) return;
    live.inFlight = this.#readInFlight();
    if (live.inFlight === null && live.reportSequence !== null) return;
    try {
      const sequence = this.#deps.inFlight.markStallSeen();
      if (sequence !== null && sequence !== live.reportSequence) {
        live.reportSequence = sequence;
        live.reportMarkedAt = this.#deps.now();
      }
    } catch {
      // Keeps what it had.
    }
  }

  #noteOtherCall(live: LiveStall): void {
    if (live.otherCallSeen || live.reportSequence === null || this.#deps.inFlight === null) return;
    let sequence: number | null;
    try {
      sequence = this.#deps.inFlight.callInFlight();
    } catch {
      return;
    }
    if (sequence !== null && sequence !== live.reportSequence) live.otherCallSeen = true;
  }

  /**
   * Publishes the stall still running, from here since the main thread is frozen (and may never run
   * again): as soon as it has a stack or a named API, or, whatever it has, once it is older than the
   * ongoing threshold (always, start-up, rate limits and repeats notwithstanding). Counts are untouched:
   * they come from the ring when it ends, and the main thread then pushes it whatever its busy time.
   */
  #publishOngoing(live: LiveStall, at: number): void {
    if (live.provisional !== null || live.over) return;
    const ageMs = ageOf(live, at);
    const due = this.#ongoingDueMs > 0 && ageMs >= this.#ongoingDueMs;
    const progress = samplesDuring(live.progress ?? emptyCapture(), live.quickIdle);
    // Early only for a block surely past the threshold, so it is counted when it ends: the quick sample
    // measured its busy time, or it has lasted longer than any idle wait before it can explain.
    const named = progress.samples.length > 0 || (live.quick !== null && !live.quick.late && live.quick.stack.length > 0) || live.inFlight !== null;
    const early = live.detailed && live.reportToken && named && !live.earlySkipped && this.#pastThreshold(live, (at - live.sinceMs) | 0);
    if (!due && !early) return;
    const event = this.#deps.events.ongoing(spanOf(live), ageMs, live.inFlight, progress, live.quick);
    if (!due && event.signature !== undefined && event.stack.length > 0 && !this.#limiter.firstInWindow(event.signature, this.#deps.now())) {
      live.earlySkipped = true;
      return;
    }
    if (event.stack.length === 0 && event.inFlight === null) {
      const noStack = this.#whyUnnamedSoFar(live);
      if (noStack !== null) event.noStack = noStack;
    }
    live.reportToken = true;
    live.provisional = event;
    this.#deps.slots.markPublished(live.startBeat);
    this.#deps.output.emit(event);
  }

  #drainRing(): void {
    const drained = this.#deps.slots.drainStalls(this.#ringRead);
    this.#ringRead = drained.read;
    if (drained.lost > 0) {
      this.stats.recordUnmeasured(drained.lost);
      this.#deps.output.stall({ kind: 'stall', durationMs: 0, startup: false, block: null, reported: null, counted: null, unmeasured: drained.lost });
    }
    for (const stall of drained.stalls) {
      // Never watched from here on: the main thread pushes a stall before it stores the beat that ends it,
      // so a poll in between still sees the stale beat of a stall already over.
      this.#lastWatchedBeat = stall.startBeat;
      const startup = this.#isStartup(stall);
      this.stats.record(stall.durationMs, startup);
      let watched: LiveStall | null = null;
      const live = this.#live;
      if (live !== null && live.startBeat === stall.startBeat) {
        watched = live;
        this.#live = null;
        if (!live.over) this.#endLive(live);
      }
      if (startup) {
        this.#deps.output.stall({ kind: 'stall', durationMs: stall.durationMs, startup: true, block: null, reported: null, counted: null, unmeasured: 0 });
      } else if (watched !== null && (watched.capture !== null || watched.reportSequence !== null || watched.quickPending)) {
        this.#wait(stall, watched, true);
      } else {
        this.#finish(stall, watched, null, null);
      }
    }
  }

  #wait(stall: RingStall, watched: LiveStall, counted: boolean): void {
    const at = this.#deps.now();
    this.#pending.push({ stall, watched, reportDeadline: (at + REPORT_WAIT_MS) | 0, captureDeadline: (at + CAPTURE_WAIT_MS) | 0, counted });
  }

  /** Finishes the pending stalls whose capture and report are in; returns ms until the next look, or null. */
  #finishPending(at: number): number | null {
    let next: number | null = null;
    for (let i = 0; i < this.#pending.length; ) {
      const pending = this.#pending[i]!;
      const { watched } = pending;
      const captureDone = ((watched.capture === null || watched.captured !== undefined) && !watched.quickPending) || ((at - pending.captureDeadline) | 0) >= 0;
      const report = captureDone ? this.#wrapperReport(watched) : null;
      const reportDone = report !== null || watched.reportSequence === null || ((at - pending.reportDeadline) | 0) >= 0;
      if (captureDone && reportDone) {
        this.#pending.splice(i, 1);
        this.#finish(pending.stall, watched, this.#captureOf(watched), report, pending.counted);
        continue;
      }
      // A capture that settles wakes the shell; a report is polled for.
      const wait = captureDone ? REPORT_POLL_MS : Math.max(1, (pending.captureDeadline - at) | 0);
      next = next === null ? wait : Math.min(next, wait);
      i++;
    }
    return next;
  }

  #finishNow(pending: PendingFinish): void {
    const report = this.#wrapperReport(pending.watched);
    this.#finish(pending.stall, pending.watched, this.#captureOf(pending.watched), report, pending.counted);
  }

  /** The capture's result, or the samples it took so far when it has not let go. */
  #captureOf(watched: LiveStall): CaptureResult | null {
    if (watched.captured !== undefined) return watched.captured;
    const progress = watched.progress;
    return progress !== null && progress.samples.length > 0 ? progress : null;
  }

  #wrapperReport(watched: LiveStall): WrapperReport | null {
    const source = this.#deps.inFlight;
    const sequence = watched.reportSequence;
    if (source === null || sequence === null) return null;
    let json: string | null;
    try {
      json = source.report(sequence);
    } catch {
      json = null;
    }
    return json === null ? null : this.#deps.events.parseWrapperReport(json, this.#captureOf(watched)?.scripts);
  }

  /**
   * What names a stall: the report of the call or section the worker marked while it watched, unless the
   * worker came late to it. On a loaded machine it can be scheduled hundreds of ms after the stall began and
   * mark only its tail (an MCP handler's execSync returned, and the response's send was running): a call it
   * never saw that took half the stall or more reported itself unseen, and it is the block. A section or
   * JSON.stringify is not timed, so its report cannot claim half. A marked call that took under half the
   * stall leaves the most of it to code before or after it: when a sample landed in the longer part and it
   * is not of the call's own code, that sample names the stall (`report` null).
   */
  #naming(stall: RingStall, seen: WrapperReport | null, watched: LiveStall | null, during: CaptureResult | null): BlockNaming {
    if (seen !== null && seen.durationMs !== null && seen.durationMs * 2 >= stall.durationMs) return { report: seen, samples: during };
    const unseen = this.#unseenReport(stall);
    if (unseen !== null) return { report: unseen, samples: during };
    const markedAt = watched?.reportMarkedAt ?? null;
    if (seen === null || seen.durationMs === null || watched === null || markedAt === null) return { report: seen, samples: during };
    // The stall's time before and after the call, from the call's end and duration (epoch ms, both threads' Date.now).
    const callMs = seen.durationMs;
    const stallEnd = this.#epochAt(stall.endBeat);
    const afterMs = stallEnd - seen.endedAt;
    const beforeMs = stall.durationMs - callMs - afterMs;
    if (beforeMs > callMs && beforeMs >= afterMs) {
      // A 300 ms loop, then a 100 ms readFileSync: the stall's first sample was taken in the loop.
      const before = this.#sampledBeforeMarked(watched, markedAt, during);
      if (before !== null && !ofTheCall(before, seen.stack, watched.otherCallSeen)) return { report: null, samples: during };
    } else if (afterMs > callMs && afterMs > beforeMs) {
      // A 200 ms execSync, then a 300 ms loop: a pause landed in the loop.
      const after = this.#sampledAfterCall(stall, watched, markedAt, seen.stack, during);
      if (after !== null) return { report: null, samples: after };
    }
    return { report: seen, samples: during };
  }

  /**
   * The stack the final event would show (the first pause's, else the quick sample's) if it was taken before
   * this worker marked the call: one clock, the worker's (the main thread stays paused until the pause's
   * resumedAt, and a quick answer taken after the call would arrive after the worker marked it, while it ran).
   */
  #sampledBeforeMarked(watched: LiveStall, markedAt: number, during: CaptureResult | null): StackFrame[] | null {
    const first = during?.samples[0];
    if (first !== undefined) {
      return first.pausedBeat === watched.startBeat && ((markedAt - first.resumedAt) | 0) > 0 ? this.#deps.events.resolve(first.frames, during!.scripts) : null;
    }
    const quick = watched.quick;
    if (quick === null || quick.late || quick.stack.length === 0 || watched.quickAnsweredAt === null) return null;
    return ((markedAt - watched.quickAnsweredAt) | 0) > 0 ? quick.stack : null;
  }

  /**
   * The stall's samples with the last pause after the marked call first, when that pause is of other code
   * than the call's; else null. Not the first pause after the mark: it landed as the call returned, possibly
   * still in its own JavaScript. Nor one let go within the late slack of the stall's end, which the event
   * would have to call late.
   */
  #sampledAfterCall(stall: RingStall, watched: LiveStall, markedAt: number, callStack: readonly StackFrame[], during: CaptureResult | null): CaptureResult | null {
    if (during === null) return null;
    const after = during.samples.filter((sample) => sample.pausedBeat === watched.startBeat && ((sample.resumedAt - markedAt) | 0) > 0);
    const named = after.slice(1).filter((sample) => ((stall.endBeat - sample.resumedAt) | 0) >= LATE_SLACK_MS).at(-1);
    if (named === undefined || ofTheCall(this.#deps.events.resolve(named.frames, during.scripts), callStack, watched.otherCallSeen)) return null;
    return { ...during, samples: [named, ...during.samples.filter((sample) => sample !== named)] };
  }

  /** Epoch ms of a monitor-clock instant. */
  #epochAt(monitorMs: number): number {
    return this.#deps.epochNow() - ((this.#deps.now() - monitorMs) | 0);
  }

  /**
   * The wrapper's report for a stall the worker did not watch live (it was scheduled too late, or had not
   * started yet): wrappers report every call that took a threshold or more.
   */
  #unseenReport(stall: RingStall, scripts?: ReadonlyMap<string, ScriptInfo>): WrapperReport | null {
    const source = this.#deps.inFlight;
    if (source === null) return null;
    let latest: { sequence: number; json: string } | null;
    try {
      latest = source.unseenReport();
    } catch {
      return null;
    }
    if (latest === null || latest.sequence === this.#unseenReportTaken) return null;
    const report = this.#deps.events.parseWrapperReport(latest.json, scripts);
    if (report === null) return null;
    const stallEnd = this.#epochAt(stall.endBeat);
    if (!reportExplains(report, stallEnd - stall.durationMs, stallEnd, stall.durationMs)) return null;
    this.#unseenReportTaken = latest.sequence;
    return report;
  }

  /**
   * Writes a stall's final block event and hands it to the main thread. `counted` false: a stall the ring
   * never got (cut short by exit); its event closes a provisional one but it stays out of every figure.
   */
  #finish(stall: RingStall, watched: LiveStall | null, result: CaptureResult | null, seenReport: WrapperReport | null, counted = true): void {
    const { now, events, output } = this.#deps;
    const { report, samples: during } = this.#naming(stall, seenReport, watched, result === null || watched === null ? result : samplesDuring(result, watched.quickIdle));
    // The live record names the call; for a call whose size is known only once it returned (JSON.stringify's
    // output), the wrapper's report of that same call carries the hint the record could not. A stall named
    // otherwise (by a call that reported itself unseen, or a sample) was not the call the record showed.
    const live = report !== seenReport ? null : (watched?.inFlight ?? null);
    const inFlight = live !== null && live.hint === null && report?.inFlight?.api === live.api ? report.inFlight : (live ?? report?.inFlight ?? null);
    const provisional = watched?.provisional ?? null;
    // The block ended at the end beat and lasted durationMs (the idle wait before it is not part of it).
    // After a provisional event, its startedAt: consumers pair the two by it.
    const blockStartedAt = Math.round(this.#epochAt(stall.endBeat) - stall.durationMs);
    const startedAt = provisional?.startedAt ?? blockStartedAt;
    const event = events.final(stall, { startedAt, blockStartedAt: Math.max(startedAt, blockStartedAt) }, inFlight, during !== null && during.samples.length === 0 ? null : during, report, watched?.quick ?? null);
    const at = now();
    let reported = watched !== null && watched.detailed ? watched.reportToken : this.#limiter.take(at);
    // A stall whose provisional event was written must get its final one, or it would look never-ended.
    if (provisional === null && reported && event.signature !== undefined && event.stack.length > 0 && !this.#limiter.firstInWindow(event.signature, at)) reported = false;
    if (provisional !== null) reported = true;
    // A block clearly longer than every one logged so far (by a threshold, or a tenth) is always logged,
    // repeat or budget notwithstanding, so a reader never misses the worst: rare by its nature, and the
    // margin keeps a run of equal blocks (a few ms apart by jitter) from all being logged.
    const margin = Math.max(this.#config.thresholdMs, this.#longestReportedMs / 10);
    if (counted && event.durationMs > this.#longestReportedMs + margin) reported = true;
    if (reported && counted && event.durationMs > this.#longestReportedMs) this.#longestReportedMs = event.durationMs;
    if (!counted) {
      output.emit(event);
      return;
    }
    // The reason a stackless block has no stack travels with it (the log, 'block' listeners) and with the worst list.
    if (event.stack.length === 0 && event.inFlight === null) event.noStack = this.#whyNoStack(stall, watched);
    const block = event.signature === undefined ? null : { ...event, signature: event.signature };
    if (block !== null) this.stacks.add(block);
    this.stats.noteWorst({
      startedAt: event.startedAt,
      durationMs: event.durationMs,
      ...(event.signature === undefined ? {} : { signature: event.signature }),
      logged: reported,
      ...(event.noStack === undefined ? {} : { noStack: event.noStack }),
    });
    if (reported) output.emit(event);
    output.stall({ kind: 'stall', durationMs: stall.durationMs, startup: false, block, reported: reported ? event : null, counted: event, unmeasured: 0 });
  }

  /** Why no stack can be sampled now (lag-only, a debugger's, no capturer yet); null when one can. */
  #whyNoCapture(): NoStackReason | null {
    const slots = this.#deps.slots;
    if (slots.inspectorActive || (this.#capturer === null && !this.#capturerPending)) return 'lag-only';
    if (slots.hostDebuggerEnabled) return 'debugger';
    if (this.#capturer === null) return 'not-watched';
    return null;
  }

  #whyNoStack(stall: RingStall, watched: LiveStall | null): NoStackReason {
    const cannot = this.#whyNoCapture();
    if (cannot !== null) return cannot;
    // Began before the first poll, and that poll did not find it still running: nobody was looking.
    if (watched === null && (this.#firstStepAt === null || ((stall.endBeat - stall.durationMs - this.#firstStepAt) | 0) < 0)) return 'not-watched';
    if (watched === null) return 'ended-unseen';
    if (!watched.detailed) return 'start-up';
    if (!watched.reportToken) return 'rate-limited';
    return 'not-caught';
  }

  /**
   * Why the stall still running has neither a stack nor a sync API so far, for a checkpoint or a provisional
   * event that may be the last word on it (the process can die in it); null when something names it.
   */
  #whyUnnamedSoFar(live: LiveStall): NoStackReason | null {
    if (live.inFlight !== null || (live.progress?.samples.length ?? 0) > 0) return null;
    if (live.quick !== null && !live.quick.late && live.quick.stack.length > 0) return null;
    const cannot = this.#whyNoCapture();
    if (cannot !== null) return cannot;
    if (!live.detailed) return 'start-up';
    if (!live.reportToken) return 'rate-limited';
    return 'not-caught';
  }

  /**
   * At stop or exit, a stall whose provisional event was written but whose end the heartbeat never saw
   * (the main thread is running our stop or exit handler, so it is over, but the exit's final beat did not
   * reach the ring): its final event closes the provisional one, not counted.
   */
  #closeCutStall(): void {
    const cut = this.#live;
    if (cut === null || cut.provisional === null || this.#deps.slots.beat() !== cut.startBeat) return;
    this.#live = null;
    this.#endLive(cut);
    const endBeat = this.#deps.now();
    this.#wait({ startBeat: cut.startBeat, durationMs: ageOf(cut, endBeat), endBeat }, cut, false);
  }
}
