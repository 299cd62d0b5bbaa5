import type { CaptureProgress, CaptureResult, QuickSample, StallProbe } from '../src/capture/stack-capturer.js';
import type { RawFrame, ScriptInfo } from '../src/capture/frames.js';
import type { MonitorClock } from '../src/heartbeat/clock.js';
import { BeatRecorder } from '../src/heartbeat/index.js';
import { createSharedState, MainThreadSlots, SentinelSlots, WatchdogSlots } from '../src/heartbeat/shared-state.js';
import type { InFlightCall, MonitorContext, MonitorSnapshot } from '../src/types.js';
import { BlockEventBuilder } from '../src/watchdog/block-events.js';
import type { MainLoopProbe, MainThreadReading } from '../src/watchdog/main-loop-probe.js';
import type { StallMessage } from '../src/watchdog/messages.js';
import { SentinelLoop } from '../src/watchdog/sentinel-loop.js';
import { StallWatcher, type Capturer, type InFlightSource, type WatcherConfig } from '../src/watchdog/stall-watcher.js';
import type { BlockEvent } from '../src/types.js';

/*
 * The three threads of the monitor played in one: one SharedArrayBuffer, a fake clock every role reads,
 * a main thread that idles, works and beats (BeatRecorder, the heartbeat's real decision), a sentinel with
 * a fake /proc probe (SentinelLoop) and a watchdog (StallWatcher) with a fake inspector and sync-wrapper
 * buffer. Nothing here runs by itself: a test says what each thread does, and when.
 */

/** Epoch ms at which the fake monitor clock reads 0. */
export const EPOCH_AT_ZERO = 1_800_000_000_000;

/** The monitor clock, frozen until a test moves it. `ms` never wraps; what the threads read does (Int32). */
export class FakeClock {
  ms: number;

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  readonly now: MonitorClock = () => this.ms | 0;
  readonly epochNow = (): number => EPOCH_AT_ZERO + this.ms;

  /** The epoch ms of monitor-clock time `ms` (unwrapped): what a startedAt should read. */
  epochAt(ms: number): number {
    return EPOCH_AT_ZERO + ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The main thread: its loop idles or works while the clock moves, and it beats as the heartbeat would. */
export class FakeMainThread {
  readonly slots: MainThreadSlots;
  readonly recorder: BeatRecorder;
  /** libuv's cumulative idle time, ms. */
  idleMs = 0;
  /** Unwrapped clock ms of the latest beat. */
  lastBeatAt: number;
  /** Beats on demand (it followed ON_DEMAND when it last answered a poke). */
  onDemand = false;
  readonly #clock: FakeClock;
  #answered = 0;

  constructor(buffer: SharedArrayBuffer, clock: FakeClock, thresholdMs: number) {
    this.#clock = clock;
    this.slots = new MainThreadSlots(buffer);
    this.recorder = new BeatRecorder(this.slots, clock.now, () => this.idleMs, thresholdMs);
    this.lastBeatAt = clock.ms;
  }

  /** The loop sits in its poll for `ms`. */
  idle(ms: number): void {
    this.#clock.advance(ms);
    this.idleMs += ms;
  }

  /** The loop runs a task for `ms` (the clock moves, the idle counter does not). */
  work(ms: number): void {
    this.#clock.advance(ms);
  }

  /** A beat (the timer's or a poke's); returns the busy ms it measured. */
  beat(): number {
    this.lastBeatAt = this.#clock.ms;
    return this.recorder.beat();
  }

  /** Idle beats every `intervalMs` for `totalMs`, as the beat timer does while nothing happens. */
  idleBeats(totalMs: number, intervalMs: number): void {
    for (let left = totalMs; left > 0; left -= intervalMs) {
      this.idle(Math.min(intervalMs, left));
      this.beat();
    }
  }

  /** A poke was sent that this thread has not answered. */
  get poked(): boolean {
    return this.slots.pokeValue() !== this.#answered;
  }

  /** What startHeartbeat's poke handler does: follow ON_DEMAND, beat, answer. */
  answerPoke(): number {
    const poke = this.slots.pokeValue();
    this.onDemand = this.slots.onDemand && this.slots.onDemandAllowed;
    const busy = this.beat();
    this.slots.answerPoke(poke);
    this.#answered = poke;
    return busy;
  }
}

/** Script table of the fake application, as Debugger.scriptParsed would have filled it. */
export const SCRIPTS: ReadonlyMap<string, ScriptInfo> = new Map([
  ['11', { url: 'file:///app/tools.js', sourceMapUrl: '' }],
  ['12', { url: 'file:///app/server.js', sourceMapUrl: '' }],
  ['3', { url: 'node:child_process', sourceMapUrl: '' }],
  ['4', { url: 'node:internal/timers', sourceMapUrl: '' }],
  ['5', { url: 'node:internal/perf/performance', sourceMapUrl: '' }],
  // The monitor's own code (the world's BlockEventBuilder is given this prefix).
  ['6', { url: 'file:///monitor/heartbeat/index.js', sourceMapUrl: '' }],
]);

/** A raw frame of the fake app (0-based line and column, as the inspector gives them). */
export function rawFrame(functionName: string, scriptId: string, line: number, column: number): RawFrame {
  return { functionName, scriptId, line, column };
}

/** One capture with pauses, as the inspector capture would run it: the test lands each pause. */
export class FakeCapture {
  readonly probe: StallProbe;
  readonly progress: CaptureProgress;
  settled = false;
  readonly #resolve: (result: CaptureResult | null) => void;

  constructor(probe: StallProbe, progress: CaptureProgress, resolve: (result: CaptureResult | null) => void) {
    this.probe = probe;
    this.progress = progress;
    this.#resolve = resolve;
  }

  /**
   * A pause lands on `frames`: copied as StackCapturer copies them (the beat and the call in flight then, and
   * the loop's idle counter its probe read: null, a runtime without one).
   */
  pause(frames: RawFrame[], context: MonitorContext | null = null, requestsInFlight: number | null = null, idle: number | null = null): void {
    const { progress, probe } = this;
    if (progress.samples.length === 0) {
      for (const [id, info] of SCRIPTS) progress.scripts.set(id, info);
      progress.context = context;
      progress.requestsInFlight = requestsInFlight;
    }
    progress.samples.push({ frames, pausedBeat: probe.beat(), inFlightAtPause: probe.readInFlight(), resumedAt: probe.now(), idle });
  }

  /** Debugger.disable: the capture lets go with what it took (null when nothing). */
  finish(): void {
    this.settled = true;
    this.#resolve(this.progress.samples.length === 0 ? null : this.progress);
  }
}

/**
 * The inspector, faked: captures and quick samples wait for the test to answer them. It never calls the
 * probe's stillStalledAfter (a real timer): the test lands each further pause itself.
 */
export class FakeCapturer implements Capturer {
  readonly captures: FakeCapture[] = [];
  readonly #quick: ((sample: QuickSample | null) => void)[] = [];
  quickSample?: () => Promise<QuickSample | null>;

  constructor(options: { quickSamples?: boolean } = {}) {
    if (options.quickSamples !== false) {
      this.quickSample = () => new Promise((resolve) => this.#quick.push(resolve));
    }
  }

  get busy(): boolean {
    return this.captures.some((capture) => !capture.settled);
  }

  capture(probe: StallProbe, _intervalMs: number, _maxSamples: number, progress: CaptureProgress): Promise<CaptureResult | null> {
    return new Promise((resolve) => this.captures.push(new FakeCapture(probe, progress, resolve)));
  }

  /** Quick samples asked for and not answered yet. */
  get quickPending(): number {
    return this.#quick.length;
  }

  /**
   * Answers the oldest quick sample: `new Error().stack` as V8 prints it on the main thread, and the loop's
   * idle counter read there (null: a runtime without it).
   */
  answerQuick(stack: string, idle: number | null, context: MonitorContext | null = null): void {
    const resolve = this.#quick.shift();
    if (resolve === undefined) throw new Error('no quick sample was asked for');
    resolve({ stack, probe: { idle, context, requestsInFlight: null } });
  }

  /** The capture started last. */
  get last(): FakeCapture {
    const capture = this.captures.at(-1);
    if (capture === undefined) throw new Error('no capture was started');
    return capture;
  }
}

/** The sync wrappers' shared record, faked: the test begins and ends the wrapped call. */
export class FakeInFlight implements InFlightSource {
  #call: InFlightCall | null = null;
  #sequence = 0;
  #section: number | null = null;
  #stallSeen: number | null = null;
  readonly #reports = new Map<number, string>();
  unseen: { sequence: number; json: string } | null = null;

  /** A wrapped call begins on the main thread. */
  begin(api: string, hint: string | null): void {
    this.#sequence += 2;
    this.#call = { api, hint };
  }

  /** It returns; if the watchdog saw a stall during it, its wrapper writes `report` (the JSON it hands over). */
  end(report: object): void {
    if (this.#stallSeen === this.#sequence) this.#reports.set(this.#sequence, JSON.stringify(report));
    this.#call = null;
  }

  /** It returns after a threshold or more, the watchdog never having marked it: its wrapper reports it unseen. */
  endUnseen(report: object): void {
    this.unseen = { sequence: this.#sequence, json: JSON.stringify(report) };
    this.#call = null;
  }

  /** A reported section begins on the main thread (no API: an MCP transport's send). */
  beginSection(): void {
    this.#sequence += 2;
    this.#section = -this.#sequence;
  }

  /** It returns; if the watchdog saw a stall during it (and no call inside it), it writes `report`. */
  endSection(report: object): void {
    if (this.#section !== null && this.#stallSeen === this.#section) this.#reports.set(this.#section, JSON.stringify(report));
    this.#section = null;
  }

  current(): InFlightCall | null {
    return this.#call;
  }

  callInFlight(): number | null {
    return this.#call === null ? null : this.#sequence;
  }

  markStallSeen(): number | null {
    const sequence = this.#call !== null ? this.#sequence : this.#section;
    if (sequence === null) return null;
    this.#stallSeen = sequence;
    return sequence;
  }

  report(sequence: number): string | null {
    return this.#reports.get(sequence) ?? null;
  }

  unseenReport(): { sequence: number; json: string } | null {
    return this.unseen;
  }
}

/** /proc/self/task/<pid>/{schedstat,syscall}, faked: the test says where the main thread sits. */
export class FakeProbe implements MainLoopProbe {
  /** epoll_wait(fd 5, events buffer high on the stack): the event loop's own poll. */
  static readonly LOOP_POLL = { poll: '232 5 0x7ffd2000', pollBuffer: 0x7ffd2000n };
  /** A nested loop's poll (execSync's), deeper on the stack. */
  static readonly NESTED_POLL = { poll: '232 17 0x7ffd1000', pollBuffer: 0x7ffd1000n };

  #cpuNs = 5_000_000;
  #runCount = 1;
  reading: MainThreadReading = FakeProbe.LOOP_POLL;
  failing = false;
  closed = false;

  runs(): string {
    if (this.failing) throw new Error('EACCES: /proc/self/task/1/schedstat');
    return `${this.#cpuNs} 0 ${this.#runCount}\n`;
  }

  busyNanos(runs: string): number {
    const [cpu, wait] = runs.split(' ', 2);
    return Number(cpu) + Number(wait);
  }

  syscall(): MainThreadReading {
    if (this.failing) throw new Error('EACCES: /proc/self/task/1/syscall');
    return this.reading;
  }

  close(): void {
    this.closed = true;
  }

  /** The main thread was scheduled and used `cpuMs` of CPU, then sat in `reading` (null: on a CPU now). */
  ran(cpuMs: number, reading: MainThreadReading | null): void {
    this.#cpuNs += Math.round(cpuMs * 1e6);
    this.#runCount++;
    this.reading = reading ?? { poll: null, pollBuffer: 0n };
  }
}

export const TEST_CONFIG: WatcherConfig = {
  thresholdMs: 100,
  heartbeatIntervalMs: 100,
  startupGraceMs: 0,
  ongoingReportMs: 5000,
  maxSamples: 10,
  reportsPerMinute: 30,
  dedupeWindowMs: 60_000,
};

export interface World {
  clock: FakeClock;
  buffer: SharedArrayBuffer;
  main: FakeMainThread;
  watchdogSlots: WatchdogSlots;
  watcher: StallWatcher;
  capturer: FakeCapturer | null;
  inFlight: FakeInFlight | null;
  /** Block events the watchdog wrote (log and socket), in order. */
  events: BlockEvent[];
  /** Stalls the watchdog counted and handed to the main thread, in order. */
  stalls: StallMessage[];
  modes: MonitorSnapshot['mode'][];
  /** A sentinel on the same buffer (no probe unless given one). */
  startSentinel: (probe?: MainLoopProbe | null) => SentinelLoop;
}

/** One monitor: the buffer, the main thread's first beat at the clock's start, and a watchdog over them. */
export function createWorld(
  options: { startMs?: number; config?: Partial<WatcherConfig>; capturer?: FakeCapturer | null; inFlight?: FakeInFlight | null; onDemandAllowed?: boolean } = {},
): World {
  const config = { ...TEST_CONFIG, ...options.config };
  const clock = new FakeClock(options.startMs ?? 0);
  const buffer = createSharedState();
  const main = new FakeMainThread(buffer, clock, config.thresholdMs);
  // As startHeartbeat does where the sentinel may take over (Linux /proc, the idle counter, waitAsync).
  if (options.onDemandAllowed === true) main.slots.allowOnDemand(true);
  const watchdogSlots = new WatchdogSlots(buffer);
  const capturer = options.capturer === undefined ? new FakeCapturer() : options.capturer;
  const inFlight = options.inFlight ?? null;
  const events: BlockEvent[] = [];
  const stalls: StallMessage[] = [];
  const modes: MonitorSnapshot['mode'][] = [];
  const watcher = new StallWatcher({
    slots: watchdogSlots,
    now: clock.now,
    epochNow: clock.epochNow,
    config,
    capturer,
    inFlight,
    events: new BlockEventBuilder('file:///monitor/'),
    output: {
      emit: (event) => events.push(event),
      stall: (message) => stalls.push(message),
      mode: (mode) => modes.push(mode),
      wake: () => undefined,
    },
  });
  return {
    clock,
    buffer,
    main,
    watchdogSlots,
    watcher,
    capturer,
    inFlight,
    events,
    stalls,
    modes,
    startSentinel: (probe = null) =>
      new SentinelLoop(new SentinelSlots(buffer), clock.now, probe, {
        staleMs: watcher.staleMs,
        checkMs: config.heartbeatIntervalMs,
        thresholdMs: config.thresholdMs,
        periodicMs: 1000,
      }),
  };
}

/** Lets the promises the watchdog chained on a fake answer run (no timer involved). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
