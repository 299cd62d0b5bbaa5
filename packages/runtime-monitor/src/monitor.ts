import { createRequire } from 'node:module';
import * as perfHooks from 'node:perf_hooks';
import { isMainThread, Worker } from 'node:worker_threads';
import { watchHostDebugger, type HostDebuggerWatch } from './capture/host-debugger.js';
import { installContextAccessor } from './context/index.js';
import { controlSocketPath } from './control/socket-path.js';
import { blockEndOf } from './events/block-span.js';
import { EventLog } from './events/event-log.js';
import { ReportLimiter } from './events/report-limiter.js';
import { StackTable } from './events/stack-table.js';
import { StallCounts } from './events/stall-counts.js';
import type { StallStats } from './events/stall-stats.js';
import { startHeartbeat, type Heartbeat } from './heartbeat/index.js';
import { monitorClock } from './heartbeat/clock.js';
import { createSharedState, MainThreadSlots, periodicBeatMs, type RingStall } from './heartbeat/shared-state.js';
import { publishEventLoopTime } from './exporters/event-loop-time.js';
import { createInFlightBuffer, installSyncWrappers, type SyncWrappers } from './inflight/index.js';
import { parseUnwrapped, stringifyUnwrapped } from './inflight/unwrapped-json.js';
import { createLagSampler, type LagSampler } from './lag/lag-sampler.js';
import { createUtilizationMeter, createUtilizationSinceStart } from './lag/utilization.js';
import { startThreadPoolProbe, type ThreadPoolProbe } from './threadpool/index.js';
import { perfHooksLagAvailable, resolveOptions, type MonitorOptions, type ResolvedOptions } from './options.js';
import type { BlockEvent, LagEvent, MonitorEvent, MonitorSnapshot, SlaEvent, ThreadPoolFigures } from './types.js';
import { redactEvent } from './redact/index.js';
import { describeError, warnOnce } from './warnings.js';
import type { FromWorker, MainThreadState, ToWorker, WatchdogData } from './watchdog/messages.js';
import { UnreadEvents } from './watchdog/unread-events.js';

export interface MonitorEvents {
  block: BlockEvent;
  /**
   * Every block counted after start-up, reported or not: those whose detailed report was de-duplicated
   * or rate-limited come with whatever was captured (an empty stack and null context when nothing was).
   * For per-route or per-tenant accounting; `block` is the one to log or alert on.
   */
  stall: BlockEvent;
  lag: LagEvent;
}

export interface MonitorHandle {
  /** `full` while stacks are captured; `lag-only` after a fallback (see the warning it printed). */
  readonly mode: MonitorSnapshot['mode'];
  /** The control socket's path, or null when it is off. */
  readonly socketPath: string | null;
  /** The `inFlightSlaMs` option (0 when off): the in-flight table checks its runs and requests against it. */
  readonly inFlightSlaMs: number;
  /** Writes an SLA event (from the in-flight table) to the event log and the control socket, redacted. */
  reportSlaBreach(event: SlaEvent): void;
  snapshot(): MonitorSnapshot;
  /** Reported blocks (after de-duplication and rate limits), every counted block, and lag windows. Listener errors are contained. */
  on<K extends keyof MonitorEvents>(event: K, listener: (event: MonitorEvents[K]) => void): MonitorHandle;
  off<K extends keyof MonitorEvents>(event: K, listener: (event: MonitorEvents[K]) => void): MonitorHandle;
  /**
   * Adds `snapshot().sections[name]`, computed by `provider` on the main thread periodically and on each
   * snapshot(); the latest value is forwarded to the worker, which serves it while the loop is frozen.
   * `figuresVersion`, when given, returns a number that changes whenever the section's cumulative figures
   * do (a counter bumped by their owner): the worker then gets the new value, and writes it in a
   * checkpoint, within a second, rather than at the next lag window.
   */
  publishSection(name: string, provider: () => unknown, figuresVersion?: () => number): void;
  /**
   * Where the `metricsEndpoint` listens once the worker has bound it (the real port when `port: 0` was
   * asked for); null when no endpoint was configured or it could not be opened.
   */
  metricsEndpoint(): Promise<{ host: string; port: number } | null>;
  /** Releases everything (worker, timers, socket, wrappers) and writes the summary. Idempotent. */
  stop(): Promise<void>;
}

/** The most an exiting process waits for the worker's summary and inspector disconnect. */
const EXIT_WAIT_MS = 1000;
const STOP_WAIT_MS = 2000;

const require = createRequire(import.meta.url);
const version = (require('../package.json') as { version: string }).version;

let running: Monitor | null = null;

/** The running monitor (e.g. the one the preload started), or null. */
export function getMonitor(): MonitorHandle | null {
  return running;
}

/**
 * Starts watching the main thread's event loop. Throws a TypeError naming the option when options are
 * invalid; every runtime problem after that degrades to lag-only mode with one warning.
 */
export function startMonitor(options: MonitorOptions = {}): MonitorHandle {
  if (!isMainThread) throw new Error('agent-lag: startMonitor watches the main thread; call it there, not in a worker');
  const resolved = resolveOptions(options, perfHooksLagAvailable(perfHooks));
  if (running !== null) {
    warnOnce('AGENT_LAG_ALREADY_RUNNING', 'a monitor is already running in this process; startMonitor returned it (its options stay)');
    return running;
  }
  running = new Monitor(resolved);
  return running;
}

function inspectorUrl(): string | undefined {
  try {
    return (require('node:inspector') as typeof import('node:inspector')).url();
  } catch {
    return undefined;
  }
}

class Monitor implements MonitorHandle {
  readonly #options: ResolvedOptions;
  readonly #clockBaseMs = perfHooks.performance.timeOrigin + perfHooks.performance.now();
  readonly #stateBuffer = createSharedState();
  readonly #slots = new MainThreadSlots(this.#stateBuffer);
  readonly #unreadEvents = new UnreadEvents(() => this.#slots.workerHolds());
  /** Exact counts; the distribution arrives from the worker, which owns the (costly) hdr histogram. */
  readonly #stats = new StallCounts();
  readonly #stacks = new StackTable();
  readonly #listeners: { [K in keyof MonitorEvents]: Set<(event: MonitorEvents[K]) => void> } = { block: new Set(), stall: new Set(), lag: new Set() };
  readonly #sections = new Map<string, () => unknown>();
  readonly #sectionValues = new Map<string, unknown>();
  readonly #sectionVersions = new Map<string, () => number>();
  /** The sum of the sections' figure versions in the last state sent to the worker. */
  #sentSectionFigures = 0;
  /** The sequence of the last stall message handled: the tracker's sections count every stall up to it. */
  #stallsHeard = 0;
  readonly #lag: LagSampler;
  readonly #heartbeat: Heartbeat;
  readonly #tickUtilization = createUtilizationMeter();
  readonly #windowUtilization = createUtilizationMeter();
  readonly #utilizationSinceStart = createUtilizationSinceStart();
  readonly #onExit = (): void => this.#exit();
  #utilization = 0;
  /** A stall ended since the main thread last sent its figures to the worker. */
  #stalledSincePublish = false;
  #lastWindowAt = Date.now();
  #lastPublishAt = Date.now();
  #lastProbeAt = Date.now();
  readonly #publishIntervalMs: number;
  #mode: MonitorSnapshot['mode'];
  #worker: Worker | null = null;
  #workerStopped: (() => void) | null = null;
  #wrappers: SyncWrappers | null = null;
  #hostDebugger: HostDebuggerWatch | null = null;
  #threadPool: ThreadPoolProbe | null = null;
  /** Set only in the no-worker fallback, where the main thread counts and logs by itself. */
  #fallback: { log: EventLog | null; limiter: ReportLimiter; stats: StallStats | null; early: [durationMs: number, startup: boolean][] } | null = null;
  #stopped = false;
  #endpointAddress: { host: string; port: number } | null | undefined;
  readonly #endpointWaiters: ((address: { host: string; port: number } | null) => void)[] = [];
  readonly socketPath: string | null;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#publishIntervalMs = periodicBeatMs(options.lagWindowMs);
    installContextAccessor();
    this.#lag = createLagSampler(options.lagSource, options.lagResolutionMs);
    const lag = this.#lag;
    this.#heartbeat = startHeartbeat({
      slots: this.#slots,
      intervalMs: options.heartbeatIntervalMs,
      thresholdMs: options.thresholdMs,
      now: monitorClock(this.#clockBaseMs),
      ...(options.lagSource === 'timer-drift' ? { onDrift: (lateMs: number) => lag.recordDrift(lateMs) } : {}),
      onBeat: (busyMs, gapMs) => this.#onBeat(busyMs, gapMs),
      periodicMs: this.#publishIntervalMs,
      allowOnDemand: options.heartbeat === 'auto',
      onModeChange: (onDemand) => {
        if (onDemand) return;
        lag.resume();
        lag.realign();
      },
    });

    let captureStacks = options.captureStacks;
    let lagOnlyReason: string | null = null;
    if (captureStacks && inspectorUrl() !== undefined) {
      captureStacks = false;
      this.#slots.setDebuggerActive();
      lagOnlyReason = 'the inspector is open (--inspect or a debugger)';
    } else if (captureStacks && (process as { permission?: unknown }).permission !== undefined) {
      // Measured on Node 20: under the permission model a worker's connectToMainThread() aborts the
      // whole process (a native assertion) instead of throwing, so it is never attempted.
      captureStacks = false;
      lagOnlyReason = 'the permission model is on and refuses the inspector';
    }
    this.#mode = captureStacks ? 'full' : 'lag-only';
    if (captureStacks) this.#watchHostDebugger();

    let inFlight: SharedArrayBuffer | null = null;
    if (options.syncWrappers) {
      try {
        inFlight = createInFlightBuffer();
        const graceEnd = Date.now() + options.startupGraceMs;
        this.#wrappers = installSyncWrappers({
          buffer: inFlight,
          slowCallMs: options.slowSyncCallMs,
          isAfterStartup: () => Date.now() >= graceEnd,
          reportCallsOverMs: options.thresholdMs,
          redact: options.redact,
        });
      } catch (error) {
        inFlight = null;
        warnOnce('AGENT_LAG_SYNC_WRAPPERS', `sync API wrappers not installed (${(error as Error).message})`);
      }
    }

    this.socketPath = options.socket ? controlSocketPath() : null;
    this.#startWorker({
      state: this.#stateBuffer,
      inFlight,
      options,
      clockBaseMs: this.#clockBaseMs,
      captureStacks,
      socketPath: this.socketPath,
      version,
      ownUrlPrefix: new URL('./', import.meta.url).href,
    });

    if (lagOnlyReason !== null && this.#fallback === null) {
      warnOnce('AGENT_LAG_LAG_ONLY', `${lagOnlyReason}: stacks are not captured, lag and stalls still are`);
    }
    if (options.threadPoolProbeMs > 0) this.#startThreadPoolProbe(options.threadPoolProbeMs);
    if (options.metricsEndpoint !== null) {
      // The worker cannot read the main thread's loop time; without it the endpoint lacks nodejs_eventloop_time.
      publishEventLoopTime(this);
    } else {
      this.#endpointAddress = null;
    }
    process.on('exit', this.#onExit);
  }

  get mode(): MonitorSnapshot['mode'] {
    return this.#mode;
  }

  get inFlightSlaMs(): number {
    return this.#options.inFlightSlaMs;
  }

  reportSlaBreach(event: SlaEvent): void {
    if (this.#stopped) return;
    const fallback = this.#fallback;
    if (fallback !== null) fallback.log?.write(redactEvent({ ...event, pid: process.pid }, this.#options.redact));
    else this.#sendEvent({ kind: 'event', event });
  }

  snapshot(): MonitorSnapshot {
    return {
      pid: process.pid,
      at: Date.now(),
      uptimeMs: Math.round(this.#heartbeat.now()),
      thresholdMs: this.#options.thresholdMs,
      mode: this.#mode,
      heartbeat: this.#heartbeat.onDemand ? 'on-demand' : 'timer',
      lag: this.#lag.total(),
      utilization: this.#utilization,
      utilizationSinceStart: this.#utilizationSinceStart(),
      stalls: this.#stallFigures(),
      threadPool: this.#threadPoolFigures(),
      topStacks: this.#stacks.top(),
      syncCalls: this.#syncCalls(),
      sections: this.#refreshSections(),
    };
  }

  on<K extends keyof MonitorEvents>(event: K, listener: (event: MonitorEvents[K]) => void): MonitorHandle {
    this.#listenerSet(event).add(listener);
    return this;
  }

  off<K extends keyof MonitorEvents>(event: K, listener: (event: MonitorEvents[K]) => void): MonitorHandle {
    this.#listenerSet(event).delete(listener);
    return this;
  }

  publishSection(name: string, provider: () => unknown, figuresVersion?: () => number): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('agent-lag: publishSection needs a section name');
    if (typeof provider !== 'function') throw new TypeError(`agent-lag: publishSection(${JSON.stringify(name)}) needs a provider function`);
    if (figuresVersion !== undefined && typeof figuresVersion !== 'function') throw new TypeError(`agent-lag: publishSection(${JSON.stringify(name)})'s figuresVersion must be a function`);
    this.#sections.set(name, provider);
    if (figuresVersion === undefined) this.#sectionVersions.delete(name);
    else this.#sectionVersions.set(name, figuresVersion);
  }

  metricsEndpoint(): Promise<{ host: string; port: number } | null> {
    if (this.#endpointAddress !== undefined || this.#worker === null) return Promise.resolve(this.#endpointAddress ?? null);
    // Ref'd until the worker answers (milliseconds): awaiting this at top level must not find an empty loop.
    this.#worker.ref();
    return new Promise((resolve) => this.#endpointWaiters.push(resolve));
  }

  #settleEndpoint(address: { host: string; port: number } | null): void {
    this.#endpointAddress = address;
    if (this.#endpointWaiters.length > 0 && !this.#stopped) this.#worker?.unref();
    for (const waiter of this.#endpointWaiters.splice(0)) waiter(address);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#finalBeat();
    this.#shutdownMainThread();
    const worker = this.#worker;
    if (worker !== null) {
      // Ref'd while stopping: `await monitor.stop()` as a script's last statement must not find an empty
      // loop (Node exits with code 13, "unsettled top-level await"). Bounded by STOP_WAIT_MS.
      worker.ref();
      let timer: NodeJS.Timeout | undefined;
      const stopped = new Promise<void>((resolve) => {
        this.#workerStopped = resolve;
        worker.once('exit', () => resolve());
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }).finally(() => clearTimeout(timer));
      this.#send({ kind: 'state', state: this.#mainThreadState() });
      this.#send({ kind: 'stop' });
      await stopped;
      this.#worker = null;
      await worker.terminate().catch(() => undefined);
    } else {
      this.#writeFallbackSummary();
    }
  }

  #listenerSet<K extends keyof MonitorEvents>(event: K): Set<(event: MonitorEvents[K]) => void> {
    const set = this.#listeners[event] as Set<(event: MonitorEvents[K]) => void> | undefined;
    if (set === undefined) throw new TypeError(`agent-lag: unknown event ${JSON.stringify(event)} (use 'block', 'stall' or 'lag')`);
    return set;
  }

  #emit<K extends keyof MonitorEvents>(name: K, event: MonitorEvents[K]): void {
    for (const listener of this.#listeners[name] as Set<(event: MonitorEvents[K]) => void>) {
      try {
        listener(event);
      } catch (error) {
        warnOnce('AGENT_LAG_LISTENER', `a '${name}' listener threw (${(error as Error).message ?? String(error)}); the monitor carries on`);
      }
    }
  }

  #startWorker(data: WatchdogData): void {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./watchdog/worker.js', import.meta.url), {
        workerData: data,
        // The host's flags (--inspect, --import of this very preload) are not for the watchdog.
        execArgv: [],
        env: {},
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
        name: 'agent-lag watchdog',
      });
    } catch (error) {
      this.#fallBack(`the watchdog thread could not start (${describeError(error)})`);
      return;
    }
    worker.on('message', (message: FromWorker) => this.#onWorkerMessage(message));
    worker.on('error', (error) => this.#fallBack(`the watchdog thread failed (${describeError(error)})`));
    worker.on('exit', () => {
      if (!this.#stopped) this.#fallBack('the watchdog thread exited');
    });
    // After the listeners: attaching a 'message' listener refs the worker's port again.
    worker.unref();
    this.#worker = worker;
  }

  #onWorkerMessage(message: FromWorker): void {
    switch (message.kind) {
      case 'ready':
        // The main thread may already have switched to lag-only (an inspector opened while the worker started).
        this.#mode = this.#slots.inspectorActive ? 'lag-only' : message.mode;
        // So what the worker serves (endpoint, socket) has the main thread's figures from the start.
        this.#send({ kind: 'state', state: this.#mainThreadState() });
        break;
      case 'mode':
        this.#mode = message.mode;
        break;
      case 'warning':
        warnOnce(message.code, message.message);
        break;
      case 'stall':
        if (message.unmeasured > 0) this.#stats.recordUnmeasured(message.unmeasured);
        else this.#stats.record(message.durationMs, message.startup);
        if (message.block !== null) this.#stacks.add(message.block);
        if (message.reported !== null) this.#emit('block', message.reported);
        if (message.counted !== null) this.#emit('stall', message.counted);
        this.#stallsHeard = message.sequence;
        break;
      case 'metricsEndpoint':
        this.#settleEndpoint(message.address);
        break;
      case 'stallDistribution':
        this.#stats.setDistribution(message.distribution);
        break;
      case 'stopped':
        this.#workerStopped?.();
        break;
    }
  }

  /** Lag-only without a worker: the heartbeat's own gap measurement counts stalls on the main thread. */
  #fallBack(reason: string): void {
    if (this.#stopped || this.#fallback !== null) return;
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null) void worker.terminate().catch(() => undefined);
    this.#mode = 'lag-only';
    if (this.#endpointAddress === undefined) this.#settleEndpoint(null);
    warnOnce('AGENT_LAG_LAG_ONLY', `${reason}: counting stalls from the main thread, without stacks or a control socket`);
    const path = this.#options.reportPath;
    this.#fallback = {
      log: path === null ? null : new EventLog(path, (error) => warnOnce('AGENT_LAG_REPORT', `cannot write the event log ${path}: ${error.message}`)),
      // On the monitor clock, as the watchdog's: a wall clock stepped back would hold the budget's refill.
      limiter: new ReportLimiter({ perMinute: this.#options.reportsPerMinute, dedupeWindowMs: this.#options.dedupeWindowMs, now: this.#heartbeat.now() }),
      // No worker to keep the histogram: it lives here, read only by snapshot() (cached between stalls),
      // loaded now (hdr-histogram-js costs the main thread 45 ms to load: not at every start-up).
      stats: null,
      early: [],
    };
    const fallback = this.#fallback;
    import('./events/stall-stats.js')
      .then(({ StallStats }) => {
        const stats = new StallStats();
        for (const [durationMs, startup] of fallback.early.splice(0)) stats.record(durationMs, startup);
        fallback.stats = stats;
      })
      .catch((error: unknown) => warnOnce('AGENT_LAG_STALL_HISTOGRAM', `stall percentiles unavailable (${describeError(error)})`));
    this.#heartbeat.setOnStall((startBeat, durationMs) => this.#recordLocalStall(startBeat, durationMs));
    // No sentinel is left to vouch for an idle loop or to poke.
    this.#heartbeat.useTimer();
  }

  #recordLocalStall(startBeat: number, durationMs: number): void {
    const startup = startBeat < this.#options.startupGraceMs && this.#heartbeat.now() < this.#options.startupGraceMs + durationMs + 1000;
    this.#stats.record(durationMs, startup);
    const fallback = this.#fallback;
    if (fallback?.stats) fallback.stats.record(durationMs, startup);
    else if (fallback && fallback.early.length < 10_000) fallback.early.push([durationMs, startup]);
    if (startup) return;
    const event: BlockEvent = {
      type: 'block',
      startedAt: Math.round(Date.now() - durationMs),
      durationMs,
      stack: [],
      inFlight: null,
      context: null,
      late: false,
    };
    this.#emit('stall', event);
    const logged = fallback !== null && fallback.limiter.take(this.#heartbeat.now());
    this.#stats.noteWorst({ startedAt: event.startedAt, durationMs, logged, noStack: 'lag-only' });
    if (!logged) return;
    fallback.log?.write(redactEvent(event, this.#options.redact));
    this.#emit('block', event);
  }

  /** A line for the log, posted to the watchdog, which writes it; kept until the watchdog holds (UnreadEvents). */
  #sendEvent(message: { kind: 'event'; event: SlaEvent } | { kind: 'lag'; event: LagEvent }): void {
    this.#unreadEvents.posted(message.event);
    this.#send(message);
  }

  #send(message: ToWorker): void {
    try {
      this.#worker?.postMessage(message);
    } catch (error) {
      warnOnce('AGENT_LAG_PUBLISH', `could not forward monitor state to the watchdog (${describeError(error)})`);
    }
  }

  /**
   * Publishing rides on a heartbeat (no wake-up of its own). After it, on a beat that ended no stall,
   * the lag histogram's timer is restarted in step with the heartbeat's (the sampler does so at most once
   * a minute): the two drift apart by a millisecond or two over time, and each then wakes an idle process
   * separately.
   *
   * With on-demand beats there is no beat timer to align with, and the lag timer would be the one
   * wake-up left in an idle process: it sleeps from a beat that found the loop idle since the one
   * before (under 2% busy) until a beat that found it at work. A block that began while it slept is
   * recorded as the one late sample the timer would have taken. With either kind of beat the sampler
   * hears of every stall: a reset of its timer (each read of its figures) can hide one from the timer.
   */
  #onBeat(busyMs: number, gapMs: number): void {
    const onDemand = this.#heartbeat.onDemand;
    if (busyMs > this.#options.thresholdMs) {
      this.#lag.recordBlock(busyMs);
      this.#stalledSincePublish = true;
    }
    if (onDemand) {
      const idle = busyMs * 50 < gapMs;
      if (idle !== this.#lag.paused) {
        if (idle) this.#lag.pause();
        else this.#lag.resume();
      }
    }
    const at = Date.now();
    if (at - this.#lastPublishAt < this.#publishIntervalMs - this.#options.heartbeatIntervalMs / 2) return;
    this.#lastPublishAt = at;
    this.#publish();
    if (!onDemand && busyMs < this.#options.thresholdMs / 2) this.#lag.realign();
  }

  #publish(): void {
    try {
      this.#utilization = this.#tickUtilization();
      if (this.#mode === 'full' && !this.#slots.inspectorActive && inspectorUrl() !== undefined) {
        // Someone opened the inspector after start (SIGUSR1, inspector.open()): hands off the main thread.
        this.#slots.setDebuggerActive();
        this.#mode = 'lag-only';
        warnOnce('AGENT_LAG_LAG_ONLY', 'the inspector was opened (a debugger may attach): stacks are no longer captured, lag and stalls still are');
      }
      const at = Date.now();
      const windowDue = at - this.#lastWindowAt >= this.#options.lagWindowMs;
      // After a stall the worker's checkpoint wants the lag it left, within a second.
      // So do the sections' figures (a tool's block heard, a run ended): a killed process's last checkpoint has them.
      const sectionsMoved = this.#sectionFigures() !== this.#sentSectionFigures;
      if (windowDue || this.#stalledSincePublish || this.#slots.stateWanted || sectionsMoved) this.#send({ kind: 'state', state: this.#mainThreadState() });
      this.#stalledSincePublish = false;
      const probeMs = this.#options.threadPoolProbeMs;
      if (probeMs >= this.#publishIntervalMs && at - this.#lastProbeAt >= probeMs - 50) {
        this.#lastProbeAt = at;
        this.#threadPool?.probe();
      }
      if (windowDue) {
        const event: LagEvent = {
          type: 'lag',
          at,
          windowMs: at - this.#lastWindowAt,
          lag: this.#lag.window(),
          utilization: this.#windowUtilization(),
          threadPool: this.#threadPoolFigures(),
        };
        this.#lastWindowAt = at;
        if (this.#fallback !== null) this.#fallback.log?.write(redactEvent(event, this.#options.redact));
        else this.#sendEvent({ kind: 'lag', event });
        this.#emit('lag', event);
      }
    } catch (error) {
      warnOnce('AGENT_LAG_PUBLISH', `periodic update failed (${describeError(error)})`);
    }
  }

  #mainThreadState(): MainThreadState {
    this.#sentSectionFigures = this.#sectionFigures();
    return {
      lag: this.#lag.total(),
      utilization: this.#utilization,
      utilizationSinceStart: this.#utilizationSinceStart(),
      threadPool: this.#threadPoolFigures(),
      syncCalls: this.#syncCalls(),
      sections: this.#refreshSections(),
      uptimeMs: Math.round(this.#heartbeat.now()),
      stallsHeard: this.#stallsHeard,
      sectionFigures: this.#sentSectionFigures,
    };
  }

  /** The sum of the sections' figure versions: it moves when any of them does. */
  #sectionFigures(): number {
    let sum = 0;
    for (const version of this.#sectionVersions.values()) {
      try {
        const value = version();
        if (typeof value === 'number' && Number.isFinite(value)) sum += value;
      } catch {
        // A section whose version cannot be read just does not hurry its checkpoint.
      }
    }
    return sum;
  }

  /** Runs the providers; values are kept as JSON data so they can cross to the worker. */
  #refreshSections(): Record<string, unknown> {
    for (const [name, provider] of this.#sections) {
      try {
        const value = provider();
        this.#sectionValues.set(name, value === undefined ? null : (parseUnwrapped(stringifyUnwrapped(value)) as unknown));
      } catch (error) {
        warnOnce(`AGENT_LAG_SECTION`, `section provider ${JSON.stringify(name)} threw (${describeError(error)}); its last value is kept`);
      }
    }
    return Object.fromEntries(this.#sectionValues);
  }

  #stallFigures(): MonitorSnapshot['stalls'] {
    const fallback = this.#fallback;
    return fallback?.stats ? { ...this.#stats.figures(), ...fallback.stats.distribution(), worst: this.#stats.worst.slice() } : this.#stats.figures();
  }

  #threadPoolFigures(): ThreadPoolFigures | null {
    try {
      return this.#threadPool?.figures() ?? null;
    } catch {
      return null;
    }
  }

  #syncCalls(): MonitorSnapshot['syncCalls'] {
    try {
      return this.#wrappers?.syncCalls() ?? [];
    } catch {
      return [];
    }
  }

  #startThreadPoolProbe(intervalMs: number): void {
    try {
      // At the publish period or slower, probes ride on the publish timer (one wake-up a second, not two).
      this.#threadPool = startThreadPoolProbe({ intervalMs, timer: intervalMs < this.#publishIntervalMs });
    } catch (error) {
      warnOnce('AGENT_LAG_THREADPOOL', `thread-pool probe not started (${describeError(error)})`);
    }
  }

  #shutdownMainThread(): void {
    this.#stopped = true;
    this.#hostDebugger?.stop();
    this.#hostDebugger = null;
    if (this.#endpointAddress === undefined) this.#settleEndpoint(null);
    if (running === this) running = null;
    process.off('exit', this.#onExit);
    this.#heartbeat.stop();
    this.#threadPool?.stop();
    try {
      this.#wrappers?.uninstall();
    } catch (error) {
      // Nothing here may stop the rest of the shutdown (the lag timer, the worker's exit handshake).
      warnOnce('AGENT_LAG_SYNC_WRAPPERS', `sync API wrappers not removed (${describeError(error)})`);
    }
    this.#lag.stop();
  }

  /** The host's own inspector session is the host's: while its debugger is on, the worker takes no pause. */
  #watchHostDebugger(): void {
    const slots = this.#slots;
    const watch = watchHostDebugger((enabled) => {
      slots.setHostDebugger(enabled);
      if (enabled) warnOnce('AGENT_LAG_HOST_DEBUGGER', 'an inspector session in this process enabled the debugger: stacks are not captured while it is enabled; lag, stalls and sync-API attribution still are');
    });
    if (!watch.watching) {
      warnOnce('AGENT_LAG_HOST_DEBUGGER', `cannot tell whether the app enables its own debugger (${watch.reason ?? 'unknown'}): if it does, it will see the monitor's pauses`);
      return;
    }
    this.#hostDebugger = watch;
  }

  /** Measures the loop's busy time up to now, so a block right before stop or exit is counted like any other. */
  #finalBeat(): void {
    const busyMs = this.#heartbeat.beatNow();
    if (busyMs > this.#options.thresholdMs) {
      this.#lag.recordBlock(busyMs);
    }
  }

  /**
   * The summary of a process that ended before its watchdog started: the counts the main thread has, and
   * every stall in the ring (the exit's final beat pushed the last one; the ring's reader never came), each
   * as a block without a stack. A short-lived process on a loaded machine can end before its worker polls once.
   */
  #writeSummaryWithoutWorker(): void {
    const path = this.#options.reportPath;
    const { stalls, lost } = this.#slots.unreadStalls();
    if (lost > 0) this.#stats.recordUnmeasured(lost);
    const graceMs = this.#options.startupGraceMs;
    const inGrace = (stall: RingStall): boolean => ((stall.endBeat - graceMs) | 0) < 0;
    const blocks: BlockEvent[] = [];
    for (const stall of stalls) {
      this.#stats.record(stall.durationMs, inGrace(stall));
      if (inGrace(stall)) continue;
      const startedAt = Math.round(this.#clockBaseMs + stall.endBeat - stall.durationMs);
      // Never watched: the watchdog was still loading. Said so, in the block and among the worst stalls.
      blocks.push({ type: 'block', startedAt, durationMs: stall.durationMs, stack: [], inFlight: null, context: null, late: false, noStack: 'not-watched' });
      this.#stats.noteWorst({ startedAt, durationMs: stall.durationMs, logged: path !== null, noStack: 'not-watched' });
    }
    if (path === null) return;
    // The lag windows and SLA breaches the watchdog never read, with the blocks, in the order they ended.
    const { events, dropped } = this.#unreadEvents.take();
    if (dropped > 0) warnOnce('AGENT_LAG_UNREAD_EVENTS', `${dropped} lag and SLA events of a process that ended before its watchdog started are not in the log (more than it keeps)`);
    const lines: (BlockEvent | LagEvent | SlaEvent)[] = [...blocks, ...events];
    const endedAt = (line: BlockEvent | LagEvent | SlaEvent): number => (line.type === 'block' ? blockEndOf(line) : line.at);
    lines.sort((a, b) => endedAt(a) - endedAt(b));
    const log = new EventLog(path, (error) => warnOnce('AGENT_LAG_REPORT', `cannot write the event log ${path}: ${error.message}`));
    for (const line of lines) log.write(redactEvent({ ...line, pid: process.pid }, this.#options.redact));
    log.write(redactEvent({ type: 'summary', ...this.snapshot() }, this.#options.redact));
    log.close();
  }

  #writeFallbackSummary(): void {
    const log = this.#fallback?.log;
    if (log === undefined || log === null) return;
    const summary: MonitorEvent = { type: 'summary', ...this.snapshot() };
    log.write(redactEvent(summary, this.#options.redact));
    log.close();
  }

  /** process 'exit': synchronous. The worker writes its summary and drops the inspector session first. */
  #exit(): void {
    if (this.#stopped) return;
    let state: MainThreadState | null = null;
    try {
      this.#finalBeat();
      state = this.#mainThreadState();
    } catch {
      // An exit handler must never throw: the host's exit code is not ours to change.
    }
    this.#shutdownMainThread();
    if (this.#worker === null) {
      this.#writeFallbackSummary();
      return;
    }
    if (this.#slots.exitBeforeWorkerHolds()) {
      // A short-lived process: the watchdog is still loading and now never starts; the summary is ours.
      this.#writeSummaryWithoutWorker();
      return;
    }
    if (state !== null) this.#send({ kind: 'state', state });
    this.#send({ kind: 'exit' });
    try {
      this.#slots.waitForExitDone(EXIT_WAIT_MS);
    } catch {
      // Atomics.wait refused on this thread: the summary may be missing, the exit goes on.
    }
  }
}
