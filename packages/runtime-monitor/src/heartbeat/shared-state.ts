/*
 * The one SharedArrayBuffer between the main thread and the watchdog worker. Times are "monitor clock"
 * ms: ms since the monitor started, on the main thread's monotonic clock, stored as Int32 and compared
 * with wrap-around arithmetic ((a - b) | 0), so 24 days of uptime are no problem.
 *
 * Every stall the main thread sees is also pushed into a ring, so the worker counts each one exactly
 * even when it was scheduled too late to watch the stall live.
 */

/** Monitor-clock ms of the main thread's latest heartbeat. */
export const BEAT = 0;
/** 1 once a debugger or --inspect port is active: the worker must not pause the main thread. */
export const DEBUGGER_ACTIVE = 1;
/** Set by the worker when it has written its summary and let go of the inspector on exit. */
export const EXIT_DONE = 2;
/** Count of stalls ever pushed into the ring (the write position). */
export const RING_WRITTEN = 3;
/**
 * Bumped (and notified) to wake the watchdog, which sleeps on it with Atomics.waitAsync when nothing is
 * going on: by the sentinel when the beat turns stale, by the main thread when it pushed a stall.
 */
export const WATCHDOG_WAKE = 4;
/** The sentinel sleeps on this slot (never written: a timed wait); set SENTINEL_STOP and notify it to end it. */
export const SENTINEL_SLEEP = 5;
export const SENTINEL_STOP = 6;
/**
 * 1 while the worker has someone to serve the main thread's figures to (a control client, the metrics
 * endpoint): only then does the main thread post them every second, waking the worker. Otherwise they
 * travel with the lag windows, at stop and at exit.
 */
export const STATE_WANTED = 7;
/**
 * On-demand beats (see the heartbeat): set by the main thread when it could do without its beat timer
 * (it can be woken through POKE), then by the sentinel once it can tell from outside that the main thread
 * sits idle in its event loop. While ON_DEMAND is 1 the main thread beats only when poked and the sentinel
 * vouches for an idle loop in ALIVE.
 */
export const ON_DEMAND_ALLOWED = 8;
export const ON_DEMAND = 9;
/** Monitor-clock ms at which the sentinel last saw the main thread idle in its event loop's poll. */
export const ALIVE = 10;
/** Bumped (and notified) by the sentinel to make the main thread beat; the main thread waits on it. */
export const POKE = 11;
/** The POKE value the main thread's latest beat answered: a poke is outstanding while the two differ. */
export const POKE_ANSWERED = 12;
const RING_START = 13;
/** Entries kept; the worker drains the ring every poll, long before 256 stalls can pile up. */
export const RING_SIZE = 256;
/** Int32 slots per ring entry: start beat, duration, end beat. */
const ENTRY = 3;
const SLOTS = RING_START + RING_SIZE * ENTRY;

/**
 * How often the main thread refreshes what the worker serves (lag, utilisation, sections), ms; with
 * on-demand beats, the period of its one timer.
 */
export function periodicBeatMs(lagWindowMs: number): number {
  return Math.min(1000, lagWindowMs);
}

export function createSharedState(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/**
 * Main thread: records a stall. `startBeat` is the last beat before it (the key the worker watched it
 * by), `endBeat` the beat that ended it, `durationMs` the loop's busy time in between (at most the gap).
 */
export function pushStall(state: Int32Array, startBeat: number, durationMs: number, endBeat: number): void {
  const written = Atomics.load(state, RING_WRITTEN);
  const slot = RING_START + ((written >>> 0) % RING_SIZE) * ENTRY;
  Atomics.store(state, slot, startBeat);
  Atomics.store(state, slot + 1, durationMs);
  Atomics.store(state, slot + 2, endBeat);
  Atomics.store(state, RING_WRITTEN, (written + 1) | 0);
  wakeWatchdog(state);
}

/**
 * Monitor-clock ms of the latest sign that the main thread was not blocked: its beat or, with on-demand
 * beats, the sentinel's sight of it idle. A block began after this.
 */
export function lastSignOfLife(state: Int32Array): number {
  const beat = Atomics.load(state, BEAT);
  if (Atomics.load(state, ON_DEMAND) === 0) return beat;
  return laterOf(Atomics.load(state, ALIVE), beat);
}

/** The later of two monitor-clock times, in its wrap-around arithmetic. */
export function laterOf(a: number, b: number): number {
  return ((a - b) | 0) > 0 ? a : b;
}

/** Makes the main thread beat (or re-read ON_DEMAND) as soon as its loop turns. */
export function pokeMainThread(state: Int32Array): void {
  Atomics.add(state, POKE, 1);
  Atomics.notify(state, POKE);
}

/** Back to the main thread's beat timer (the sentinel cannot vouch for an idle loop any more). */
export function endOnDemandBeats(state: Int32Array): void {
  if (Atomics.exchange(state, ON_DEMAND, 0) === 1) pokeMainThread(state);
}

/** Wakes the watchdog if it sleeps on WATCHDOG_WAKE (no waiter: no syscall). */
export function wakeWatchdog(state: Int32Array): void {
  Atomics.add(state, WATCHDOG_WAKE, 1);
  Atomics.notify(state, WATCHDOG_WAKE);
}

export interface RingStall {
  startBeat: number;
  durationMs: number;
  endBeat: number;
}

/**
 * Worker: the stalls pushed since `read` (a count of entries already taken). Entries overwritten before
 * they were read are returned as `lost` so they are still counted.
 */
export function drainStalls(state: Int32Array, read: number): { stalls: RingStall[]; read: number; lost: number } {
  const written = Atomics.load(state, RING_WRITTEN);
  let pending = (written - read) | 0;
  let lost = 0;
  if (pending > RING_SIZE) {
    lost = pending - RING_SIZE;
    pending = RING_SIZE;
  }
  const stalls: RingStall[] = [];
  for (let i = pending; i > 0; i--) {
    const index = (written - i) >>> 0;
    const slot = RING_START + (index % RING_SIZE) * ENTRY;
    stalls.push({ startBeat: Atomics.load(state, slot), durationMs: Atomics.load(state, slot + 1), endBeat: Atomics.load(state, slot + 2) });
  }
  return { stalls, read: written, lost };
}
