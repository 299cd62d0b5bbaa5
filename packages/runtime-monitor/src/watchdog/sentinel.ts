import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
import {
  ALIVE,
  BEAT,
  endOnDemandBeats,
  lastSignOfLife,
  laterOf,
  ON_DEMAND,
  ON_DEMAND_ALLOWED,
  POKE,
  POKE_ANSWERED,
  pokeMainThread,
  SENTINEL_SLEEP,
  SENTINEL_STOP,
  wakeWatchdog,
} from '../heartbeat/shared-state.js';
import { openMainLoopProbe, type MainLoopProbe } from './main-loop-probe.js';

/*
 * The watchdog's alarm clock: a thread that does nothing but sleep in Atomics.wait until the main
 * thread's beat would turn stale, and wake the watchdog when it does. A futex wait costs a fraction of an
 * event-loop timer's wake-up (measured on the 2-vCPU VM: 0.08 ms against 0.25 ms of CPU each), and the
 * watchdog, which needs its event loop for sockets and the inspector, then sleeps without any timer
 * while the process is idle. It never returns to its own event loop; the watchdog ends it with
 * SENTINEL_STOP or terminate().
 *
 * Where /proc shows the main thread's system call (Linux), it also spares the main thread its beat
 * timer: once it has learnt which poll is the event loop's, it checks every heartbeat period whether
 * the main thread sits in it. If so, it vouches for the loop (ALIVE); if it finds the loop at work, it
 * pokes the main thread to beat, so beats still come a period apart while the loop works, and a block
 * (the poke unanswered) turns stale exactly as a missing beat does.
 */

export interface SentinelData {
  state: SharedArrayBuffer;
  /** A beat older than this is a stall (the watchdog's staleness). */
  staleMs: number;
  /** Epoch ms (fractional) at which the monitor clock reads 0. */
  clockBaseMs: number;
  /** The heartbeat period: how often the main thread is checked with on-demand beats. */
  checkMs: number;
  thresholdMs: number;
  /** Period of the main thread's one timer with on-demand beats. */
  periodicMs: number;
}

const { state: buffer, staleMs, clockBaseMs, checkMs, thresholdMs, periodicMs } = workerData as SentinelData;
const state = new Int32Array(buffer);
const clockOffsetMs = performance.timeOrigin - clockBaseMs;
const now = (): number => (performance.now() + clockOffsetMs) | 0;

// One ms past the watchdog's own staleness: the two threads' clocks agree only to within a millisecond.
const alarmMs = staleMs + 1;
/**
 * With on-demand beats, how often an idle loop is checked: once per staleness. A block that starts
 * right after a check is found at the next and confirmed (its poke unanswered) half a threshold later:
 * watched within 2 × threshold of its start at the default heartbeat, against 1.5 × with the beat
 * timer. While the loop works, it is checked every heartbeat period.
 */
const idleCheckMs = staleMs;
const confirmMs = Math.max(1, Math.floor(thresholdMs / 2));
/** Times the event loop's poll is seen, with the beats going, before beats turn on-demand. */
const SIGHTINGS_TO_TRUST = 3;
/**
 * Time on (or waiting for) a CPU the main thread may take between two checks after a beat and still
 * count as having idled: the beat and the periodic work after it cost some. What slips through unpoked
 * adds to the busy time of the next beat's gap, so over the periodic beat's period it must stay well
 * under a threshold.
 */
const idleBusyNanos = Math.min(1e6, (thresholdMs * checkMs * 1e6) / (4 * periodicMs));

let probe: MainLoopProbe | null = Atomics.load(state, ON_DEMAND_ALLOWED) === 1 ? openMainLoopProbe() : null;
/** The event loop's own poll ("number fd buffer"), the outermost one seen while the loop turned. */
let loopPoll: string | null = null;
let loopPollBuffer = -1n;
let sightings = 0;
/** The main thread's schedstat at the last check, and whether it sat idle in the loop's poll then. */
let lastRuns = '';
let lastIdle = false;
/** Monitor-clock ms of the latest poke. */
let pokedAt = 0;
/** The main thread's beat at the last check. */
let lastBeat = 0;

function giveUpOnDemand(): void {
  probe?.close();
  probe = null;
  endOnDemandBeats(state);
}

/** Whether the thread sits in the event loop's poll; a poll further out than the one known is the loop's. */
function inLoopPoll(active: MainLoopProbe): boolean {
  const reading = active.syscall();
  if (reading.poll !== null && reading.pollBuffer > loopPollBuffer) {
    loopPoll = reading.poll;
    loopPollBuffer = reading.pollBuffer;
    sightings = 0;
  }
  return reading.poll !== null && reading.poll === loopPoll;
}

/** With the beat timer: learns the loop's poll from checks that find it in one soon after a beat. */
function learnLoopPoll(active: MainLoopProbe, gap: number): void {
  // A beat within the period means the loop turned; a nested loop (a sync call) would stop the beats.
  if (gap > checkMs || !inLoopPoll(active) || ++sightings < SIGHTINGS_TO_TRUST) return;
  lastRuns = active.runs();
  lastIdle = true;
  lastBeat = Atomics.load(state, BEAT);
  pokedAt = now();
  Atomics.store(state, ALIVE, pokedAt);
  Atomics.store(state, ON_DEMAND, 1);
  pokeMainThread(state);
}

/** With on-demand beats: one check of the main thread; returns how long to sleep. */
function checkMainThread(active: MainLoopProbe): number {
  const at = now();
  const runs = active.runs();
  const beat = Atomics.load(state, BEAT);
  let idle = lastIdle;
  let worked = false;
  // Not run since the last check: still in the same system call, idle or not.
  if (runs !== lastRuns) {
    idle = inLoopPoll(active);
    // It ran: at work now, or it woke without beating (what it did is in no beat yet, and may have
    // slept in a system call, which no CPU figure shows), or it did more after its beat than a beat costs.
    worked = !idle || beat === lastBeat || active.busyNanos(runs) - active.busyNanos(lastRuns) > idleBusyNanos;
    lastRuns = runs;
    lastIdle = idle;
  }
  lastBeat = beat;
  if (idle) Atomics.store(state, ALIVE, at);
  let outstanding = Atomics.load(state, POKE) !== Atomics.load(state, POKE_ANSWERED);
  if (worked && !outstanding) {
    pokeMainThread(state);
    pokedAt = at;
    outstanding = true;
  }
  if (!outstanding) return idle ? idleCheckMs : checkMs;
  // Stale once the poke has gone unanswered for half a threshold (no task that short is watched) and
  // nothing has been heard of the loop for the watchdog's staleness.
  const due = laterOf((pokedAt + confirmMs) | 0, (lastSignOfLife(state) + alarmMs) | 0);
  if (((at - due) | 0) >= 0) {
    wakeWatchdog(state);
    return checkMs;
  }
  return Math.max(1, Math.min(checkMs, (due - at) | 0));
}

while (Atomics.load(state, SENTINEL_STOP) === 0) {
  let sleepMs: number;
  const active = Atomics.load(state, ON_DEMAND) === 1 ? probe : null;
  if (active !== null) {
    try {
      sleepMs = checkMainThread(active);
    } catch {
      giveUpOnDemand();
      sleepMs = 1;
    }
  } else {
    const gap = (now() - Atomics.load(state, BEAT)) | 0;
    try {
      if (probe !== null && Atomics.load(state, ON_DEMAND_ALLOWED) === 1) learnLoopPoll(probe, gap);
    } catch {
      giveUpOnDemand();
    }
    if (gap > alarmMs) {
      // Again every staleness while the stall lasts: harmless (the watchdog is awake), and it never misses one.
      wakeWatchdog(state);
      sleepMs = staleMs;
    } else {
      sleepMs = alarmMs - gap + 1;
    }
  }
  Atomics.wait(state, SENTINEL_SLEEP, 0, sleepMs);
}
