import { parentPort, Worker, workerData } from 'node:worker_threads';
import { StackCapturer } from '../capture/stack-capturer.js';
import { abandonStartingControlServers, startControlServer, type ControlServer, type HelloMessage } from '../control/control-server.js';
import { EventLog } from '../events/event-log.js';
import { monitorClock } from '../heartbeat/clock.js';
import { periodicBeatMs, waitAsync, WatchdogSlots } from '../heartbeat/shared-state.js';
import { callInFlight, markStallSeen, readInFlight, readReport, readUnseenReport } from '../inflight/index.js';
import { redactEvent } from '../redact/index.js';
import { emptyLagFigures } from '../lag/lag-figures.js';
import type { HttpEndpoint } from '../exporters/http-endpoint.js';
import type { BlockEvent, CheckpointEvent, LagEvent, MonitorEvent, MonitorSnapshot, SlaEvent } from '../types.js';
import { describeError } from '../warnings.js';
import { BlockEventBuilder } from './block-events.js';
import { CheckpointSchedule } from './checkpoints.js';
import type { FromWorker, MainThreadState, ToWorker, WatchdogData } from './messages.js';
import type { SentinelData } from './sentinel.js';
import { StallWatcher, type InFlightSource } from './stall-watcher.js';
import { UnheardStalls } from './unheard-stalls.js';

/*
 * The watchdog thread: a shell around StallWatcher (the stall state machine) that gives it a clock, the
 * inspector, the sync wrappers' buffer and somewhere to write, and wakes it. Everything that must work
 * while the main thread is frozen lives here: the event log, the control socket, the metrics endpoint.
 */

/** Stall distributions sent to the main thread at most this often (coalesced: encoding costs ms). */
const DISTRIBUTION_DELAY_MS = 200;

const data = workerData as WatchdogData;
const port = parentPort;
const { options } = data;
const slots = new WatchdogSlots(data.state);
const now = monitorClock(data.clockBaseMs);
const checkpoints = new CheckpointSchedule();
/** Stalls posted to the main thread that the sections of its last state do not count yet. */
const unheard = new UnheardStalls();

let mainState: MainThreadState = {
  lag: emptyLagFigures(options.lagSource),
  utilization: 0,
  utilizationSinceStart: 0,
  threadPool: null,
  syncCalls: [],
  sections: {},
  uptimeMs: 0,
  stallsHeard: 0,
  sectionFigures: 0,
};
let capturer: StackCapturer | null = null;
let control: ControlServer | null = null;
let metrics: HttpEndpoint | null = null;
let log: EventLog | null = null;
let pollTimer: NodeJS.Timeout | null = null;
/** The alarm-clock thread; while it runs, an idle watchdog sleeps on its wake slot instead of a timer. */
let sentinel: Worker | null = null;
/** Counts the sleeps on the wake slot, so a wake meant for an abandoned sleep polls nothing. */
let sleepGeneration = 0;
let distributionTimer: NodeJS.Timeout | null = null;
let checkpointTimer: NodeJS.Timeout | null = null;
let stopping = false;
let controlClients = 0;

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

/** Block, lag and SLA lines carry the pid: several processes may append to one log. */
function emit(event: BlockEvent | LagEvent | SlaEvent): void {
  // Secrets out right before anything leaves: the log, the control socket.
  publish(redactEvent({ ...event, pid: process.pid }, options.redact));
}

/** A line to every reader of the event stream: the log, the control socket's clients, the endpoint's /events. */
function publish(line: MonitorEvent): void {
  log?.write(line);
  control?.broadcast(line);
  metrics?.broadcast(line);
}

const inFlight: InFlightSource | null =
  data.inFlight === null
    ? null
    : {
        current: () => readInFlight(data.inFlight!),
        callInFlight: () => callInFlight(data.inFlight!),
        markStallSeen: () => markStallSeen(data.inFlight!),
        report: (sequence) => readReport(data.inFlight!, sequence),
        unseenReport: () => readUnseenReport(data.inFlight!),
      };

const watcher = new StallWatcher({
  slots,
  now,
  epochNow: Date.now,
  config: options,
  capturer: null,
  inFlight,
  events: new BlockEventBuilder(data.ownUrlPrefix),
  output: {
    emit,
    stall(message) {
      // 'block' and 'stall' listeners on the main thread often log what they get.
      const redacted = redactEvent(message, options.redact);
      post({ ...redacted, sequence: unheard.posted(redacted.counted) });
      scheduleDistribution();
      checkpoints.changed();
    },
    mode(mode) {
      post({ kind: 'mode', mode });
    },
    wake: () => wakeSoon(),
  },
});

function snapshot(): MonitorSnapshot {
  // Redacted: the summary, checkpoints, control-socket snapshots and /metrics labels all come from here.
  return redactEvent({
    pid: process.pid,
    at: Date.now(),
    uptimeMs: Math.max(0, now()),
    thresholdMs: options.thresholdMs,
    mode: watcher.mode,
    heartbeat: slots.onDemand ? 'on-demand' : 'timer',
    lag: mainState.lag,
    utilization: mainState.utilization,
    utilizationSinceStart: mainState.utilizationSinceStart,
    stalls: watcher.stats.figures(),
    threadPool: mainState.threadPool,
    topStacks: watcher.stacks.top(),
    syncCalls: mainState.syncCalls,
    sections: unheard.charge(mainState.sections),
  }, options.redact);
}

/** Writes a checkpoint when one is due; otherwise makes sure one will be when the figures changed. */
function checkpoint(): void {
  if (stopping || log === null) return;
  const ongoing = watcher.ongoing();
  const at = Date.now();
  if (checkpoints.due(at, ongoing?.startedAt ?? null)) {
    checkpoints.written(at, ongoing?.startedAt ?? null);
    const event: CheckpointEvent = { type: 'checkpoint', ...snapshot(), ongoing };
    log.write(event);
  }
  const delay = checkpoints.delay(at);
  if (delay !== null && checkpointTimer === null) {
    checkpointTimer = setTimeout(() => {
      checkpointTimer = null;
      checkpoint();
    }, delay);
  }
}

function poll(): void {
  pollTimer = null;
  if (stopping) return;
  const wakeSeen = slots.wakeValue();
  const next = watcher.step();
  checkpoint();
  if (next.idle && sentinel !== null) sleepUntilWoken(wakeSeen);
  else pollTimer = setTimeout(poll, next.delayMs);
}

/** Polls at the next turn of this thread's loop, whatever it was waiting for. */
function wakeSoon(): void {
  if (stopping) return;
  sleepGeneration++;
  if (pollTimer !== null) clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, 0);
}

/**
 * Sleeps without a timer until the sentinel (the beat turned stale) or the main thread (a stall was
 * pushed) bumps the wake slot past `seen`, read before the poll that decided to sleep: a wake that came
 * in between is not missed. Sockets, messages and the metrics endpoint still wake the event loop as usual.
 */
function sleepUntilWoken(seen: number): void {
  const generation = ++sleepGeneration;
  const waiting = slots.sleepUntilWoken(seen);
  const wake = (): void => {
    if (generation === sleepGeneration && pollTimer === null && !stopping) poll();
  };
  if (waiting?.async === true) void waiting.value.then(wake);
  else pollTimer = setTimeout(poll, 0);
}

/**
 * Starts the sentinel. Without one (Atomics.waitAsync missing, or the thread refused), the watchdog polls
 * with its own timer, one wake-up per heartbeat period.
 */
function startSentinel(): void {
  if (waitAsync === undefined) return;
  let thread: Worker;
  try {
    thread = new Worker(new URL('./sentinel.js', import.meta.url), {
      workerData: {
        state: data.state,
        staleMs: watcher.staleMs,
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
    slots.endOnDemandBeats();
    // Back to timer polling; a sleep on the wake slot would now wait for nobody.
    wakeSoon();
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
  slots.stopSentinel();
  void thread?.terminate().catch(() => undefined);
}

/** The main thread's snapshot() takes percentiles and the encoded histogram from here, never computing them itself. */
function scheduleDistribution(): void {
  if (distributionTimer !== null || stopping) return;
  distributionTimer = setTimeout(() => {
    distributionTimer = null;
    post({ kind: 'stallDistribution', distribution: watcher.stats.distribution() });
  }, DISTRIBUTION_DELAY_MS);
}

/**
 * The control socket's hello. While a stall whose provisional event was written still lasts, it carries
 * that event as `ongoing`: a client connecting to a wedged process (the usual moment to run `watch`)
 * learns of the block it would otherwise have missed.
 */
function hello(): HelloMessage {
  const message: HelloMessage = { type: 'hello', pid: process.pid, version: data.version, thresholdMs: options.thresholdMs, mode: watcher.mode };
  const provisional = watcher.provisional();
  if (provisional !== null) message.ongoing = redactEvent({ ...provisional, pid: process.pid }, options.redact);
  return message;
}

/**
 * Writes what is still pending, then the summary. Nothing waits: the main thread is parked in its exit
 * handler, so a capture still running is cut off (closing the session fails its outstanding inspector
 * calls) and its block is written with the samples it already has, and the wrapper's report of a call
 * that returned is already in the buffer.
 */
function shutdown(): void {
  if (stopping) return;
  watcher.stop();
  stopping = true;
  if (pollTimer !== null) clearTimeout(pollTimer);
  if (checkpointTimer !== null) clearTimeout(checkpointTimer);
  if (distributionTimer !== null) clearTimeout(distributionTimer);
  stopSentinel();
  capturer?.close();
  watcher.flush();
  publish({ type: 'summary', ...snapshot() });
  log?.close();
  control?.closeSync();
  // A socket still being bound (an exit in the first moments) is undone too: no file, no directory left.
  abandonStartingControlServers();
}

port?.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'state':
      if (message.state.lag.maxMs !== mainState.lag.maxMs || message.state.sectionFigures !== mainState.sectionFigures) checkpoints.changed();
      mainState = message.state;
      unheard.heard(message.state.stallsHeard);
      checkpoint();
      break;
    case 'lag':
    case 'event':
      if (!stopping) emit(message.event);
      break;
    case 'stop':
      shutdown();
      void (metrics?.close() ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => {
          post({ kind: 'stopped' });
          port.close();
        });
      break;
    case 'exit':
      try {
        shutdown();
      } finally {
        // The main thread waits for this: the inspector session must be gone before it exits.
        slots.signalExitDone();
      }
      break;
  }
});

async function start(): Promise<void> {
  // The main thread exited before we got here: it wrote the summary, and nothing may hold its exit now.
  if (!slots.startHolding()) {
    stopping = true;
    return;
  }
  if (options.reportPath !== null) {
    log = new EventLog(options.reportPath, (error) => warn('AGENT_LAG_REPORT', `cannot write the event log ${options.reportPath}: ${error.message}`));
  }
  startSentinel();
  pollTimer = setTimeout(poll, 1);
  if (data.captureStacks) {
    watcher.awaitCapturer();
    try {
      capturer = await StackCapturer.connect(data.clockBaseMs);
      if (!stopping) watcher.setCapturer(capturer);
    } catch (error) {
      watcher.setCapturer(null);
      warn('AGENT_LAG_LAG_ONLY', `stack capture unavailable (${describeError(error)}); reporting lag and stalls without stacks`);
    }
  }
  if (stopping) {
    capturer?.close();
    return;
  }
  post({ kind: 'ready', mode: watcher.mode });
  if (data.socketPath !== null) {
    try {
      control = await startControlServer({
        path: data.socketPath,
        hello,
        snapshot,
        onClients: (count) => {
          controlClients = count;
          slots.setStateWanted(controlClients > 0 || metrics !== null);
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
      slots.setStateWanted(true);
      post({ kind: 'metricsEndpoint', address: { host: endpoint.host, port: endpoint.port } });
    } catch (error) {
      post({ kind: 'metricsEndpoint', address: null });
      warn('AGENT_LAG_METRICS', `metrics endpoint unavailable on ${options.metricsEndpoint.host}:${options.metricsEndpoint.port} (${describeError(error)})`);
    }
  }
}

async function startMetricsEndpoint(
  endpoint: NonNullable<WatchdogData['options']['metricsEndpoint']>,
  getSnapshot: () => MonitorSnapshot,
): Promise<HttpEndpoint> {
  // Loaded only when an endpoint is asked for: the HTTP server code stays out of other workers (the type import above is erased).
  const module = await import('../exporters/http-endpoint.js');
  return module.startHttpEndpoint({ ...endpoint, getSnapshot, getStalledMs: () => watcher.stalledMs(), getHello: hello });
}

start().catch((error: unknown) => warn('AGENT_LAG_WORKER', `watchdog start failed (${describeError(error)})`));
