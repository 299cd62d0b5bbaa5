/*
 * The one SharedArrayBuffer between the main thread, the watchdog worker and the sentinel. Times are
 * "monitor clock" ms: ms since the monitor started, on the main thread's monotonic clock, stored as Int32
 * and compared with wrap-around arithmetic ((a - b) | 0), so 24 days of uptime are no problem.
 *
 * No other file knows a slot: each thread gets the view of its role (MainThreadSlots, WatchdogSlots,
 * SentinelSlots), which offers only what that thread may read or write. Every stall the main thread
 * sees is also pushed into a ring, so the worker counts each one exactly even when it was scheduled too
 * late to watch the stall live.
 */

/** Monitor-clock ms of the main thread's latest heartbeat. */
const BEAT = 0;
/** 1 while a debugger or --inspect port is active: the worker must not pause the main thread. */
const DEBUGGER_ACTIVE = 1;
/** Set by the worker when it has written its summary and let go of the inspector on exit. */
const EXIT_DONE = 2;
/** Count of stalls ever pushed into the ring (the write position). */
const RING_WRITTEN = 3;
/**
 * Bumped (and notified) to wake the watchdog, which sleeps on it with Atomics.waitAsync when nothing is
 * going on: by the sentinel when the beat turns stale, by the main thread when it pushed a stall.
 */
const WATCHDOG_WAKE = 4;
/** The sentinel sleeps on this slot (never written: a timed wait); set SENTINEL_STOP and notify it to end it. */
const SENTINEL_SLEEP = 5;
const SENTINEL_STOP = 6;
/**
 * 1 while the worker has someone to serve the main thread's figures to (a control client, the metrics
 * endpoint): only then does the main thread post them every second, waking the worker. Otherwise they
 * travel when they change (a stall, a lag window), at stop and at exit.
 */
const STATE_WANTED = 7;
/**
 * On-demand beats (see the heartbeat): set by the main thread when it could do without its beat timer
 * (it can be woken through POKE), then by the sentinel once it can tell from outside that the main thread
 * sits idle in its event loop. While ON_DEMAND is 1 the main thread beats only when poked and the sentinel
 * vouches for an idle loop in ALIVE.
 */
const ON_DEMAND_ALLOWED = 8;
const ON_DEMAND = 9;
/** Monitor-clock ms at which the sentinel last saw the main thread idle in its event loop's poll. */
const ALIVE = 10;
/** Bumped (and notified) by the sentinel to make the main thread beat; the main thread waits on it. */
const POKE = 11;
/** The POKE value the main thread's latest beat answered: a poke is outstanding while the two differ. */
const POKE_ANSWERED = 12;
/** 1 while the host's own inspector session has its debugger enabled (a second reason not to pause). */
const HOST_DEBUGGER = 13;
/**
 * The beat before the stall the watchdog has published as ongoing: its end is pushed into the ring even
 * if the loop's busy time came out at or under the threshold (the idle wait before it was longer than it
 * looked), so a block the world was told of always gets its final event and its count.
 */
const PUBLISHED_BEAT = 14;
/**
 * The loop's idle counter (ms, Int32) at the latest beat: with the idle counter read during a stall (the
 * quick sample reads it on the main thread), the watchdog knows the loop's busy time so far exactly, and
 * so whether a block is already past the threshold while it runs.
 */
const BEAT_IDLE = 15;
/**
 * Who holds the process's exit: 1 once the worker has started holding something (the inspector session,
 * the log, the socket), -1 once the main thread exited before that. Whoever sets it first decides: a
 * short-lived process does not wait for a watchdog still loading its modules.
 */
const EXIT_HOLDS = 16;
const RING_START = 17;
/** Entries kept; the worker drains the ring every poll, long before 256 stalls can pile up. */
export const RING_SIZE = 256;
/** Int32 slots per ring entry: start beat, duration, end beat. */
const ENTRY = 3;
const SLOTS = RING_START + RING_SIZE * ENTRY;

/** `Atomics.waitAsync`, which @types/node 20 does not declare; undefined where the runtime lacks it. */
export type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
export const waitAsync: WaitAsync | undefined = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * How often the main thread refreshes what the worker serves (lag, utilisation, sections), ms; with
 * on-demand beats, the period of its one timer.
 */
export function periodicBeatMs(lagWindowMs: number): number {
  return Math.min(1000, lagWindowMs);
}

export function createSharedState(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
  // No stall published yet (0 is the first beat's time).
  new Int32Array(buffer)[PUBLISHED_BEAT] = -1;
  return buffer;
}

/** The later of two monitor-clock times, in its wrap-around arithmetic. */
export function laterOf(a: number, b: number): number {
  return ((a - b) | 0) > 0 ? a : b;
}

export interface RingStall {
  startBeat: number;
  durationMs: number;
  endBeat: number;
}

/** What every role may read, and the two signals all of them send. */
class SharedSlots {
  protected readonly state: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.state = new Int32Array(buffer);
  }

  /** The main thread's latest heartbeat. */
  beat(): number {
    return Atomics.load(this.state, BEAT);
  }

  get onDemand(): boolean {
    return Atomics.load(this.state, ON_DEMAND) === 1;
  }

  /** A debugger or the inspector port owns the main thread (for good). */
  get inspectorActive(): boolean {
    return Atomics.load(this.state, DEBUGGER_ACTIVE) !== 0;
  }

  /** The host's own inspector session has its debugger enabled (for now): it would see our pauses. */
  get hostDebuggerEnabled(): boolean {
    return Atomics.load(this.state, HOST_DEBUGGER) !== 0;
  }

  /**
   * Monitor-clock ms of the latest sign that the main thread was not blocked: its beat or, with on-demand
   * beats, the sentinel's sight of it idle. A block began after this.
   */
  lastSignOfLife(): number {
    const beat = Atomics.load(this.state, BEAT);
    // Right after on-demand beats end, the beat may be seconds old until the main thread answers the poke
    // that told it: the sentinel's sight of it idle still counts until then, or an idle loop looks blocked.
    if (Atomics.load(this.state, ON_DEMAND) === 0 && Atomics.load(this.state, POKE) === Atomics.load(this.state, POKE_ANSWERED)) return beat;
    return laterOf(Atomics.load(this.state, ALIVE), beat);
  }

  /** Makes the main thread beat (or re-read ON_DEMAND) as soon as its loop turns. */
  poke(): void {
    Atomics.add(this.state, POKE, 1);
    Atomics.notify(this.state, POKE);
  }

  /**
   * The stalls pushed since `read` (a count of entries already taken). Entries overwritten before they
   * were read are returned as `lost` so they are still counted.
   */
  drainStalls(read: number): { stalls: RingStall[]; read: number; lost: number } {
    const state = this.state;
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

  /** Back to the main thread's beat timer (the sentinel cannot vouch for an idle loop any more). */
  endOnDemandBeats(): void {
    if (Atomics.exchange(this.state, ON_DEMAND, 0) === 1) this.poke();
  }

  /** Wakes the watchdog if it sleeps on WATCHDOG_WAKE (no waiter: no syscall). */
  wakeWatchdog(): void {
    Atomics.add(this.state, WATCHDOG_WAKE, 1);
    Atomics.notify(this.state, WATCHDOG_WAKE);
  }
}

/** The main thread's view: it beats, pushes stalls, answers pokes and waits for the worker at exit. */
export class MainThreadSlots extends SharedSlots {
  /** A beat at `at`, with the loop's idle counter then (ms). */
  storeBeat(at: number, idleMs: number): void {
    Atomics.store(this.state, BEAT_IDLE, Math.floor(idleMs) | 0);
    Atomics.store(this.state, BEAT, at);
  }

  /**
   * Records a stall. `startBeat` is the last beat before it (the key the worker watched it by), `endBeat`
   * the beat that ended it, `durationMs` the loop's busy time in between (at most the gap).
   */
  pushStall(startBeat: number, durationMs: number, endBeat: number): void {
    const state = this.state;
    const written = Atomics.load(state, RING_WRITTEN);
    const slot = RING_START + ((written >>> 0) % RING_SIZE) * ENTRY;
    Atomics.store(state, slot, startBeat);
    Atomics.store(state, slot + 1, durationMs);
    Atomics.store(state, slot + 2, endBeat);
    Atomics.store(state, RING_WRITTEN, (written + 1) | 0);
    this.wakeWatchdog();
  }

  /** Whether the watchdog published the stall that began after `startBeat` as ongoing. */
  published(startBeat: number): boolean {
    return Atomics.load(this.state, PUBLISHED_BEAT) === startBeat;
  }

  /** A debugger or the inspector port owns the main thread from now on; the watchdog is woken to say so. */
  setDebuggerActive(): void {
    Atomics.store(this.state, DEBUGGER_ACTIVE, 1);
    this.wakeWatchdog();
  }

  setHostDebugger(enabled: boolean): void {
    Atomics.store(this.state, HOST_DEBUGGER, enabled ? 1 : 0);
  }

  get stateWanted(): boolean {
    return Atomics.load(this.state, STATE_WANTED) !== 0;
  }

  allowOnDemand(allowed: boolean): void {
    Atomics.store(this.state, ON_DEMAND_ALLOWED, allowed ? 1 : 0);
  }

  get onDemandAllowed(): boolean {
    return Atomics.load(this.state, ON_DEMAND_ALLOWED) === 1;
  }

  /** For good: no sentinel is left to vouch for an idle loop. */
  useTimer(): void {
    Atomics.store(this.state, ON_DEMAND_ALLOWED, 0);
    Atomics.store(this.state, ON_DEMAND, 0);
  }

  pokeValue(): number {
    return Atomics.load(this.state, POKE);
  }

  answerPoke(poke: number): void {
    Atomics.store(this.state, POKE_ANSWERED, poke);
  }

  /** Resolves once POKE moves past `seen` (or right away); undefined where Atomics.waitAsync is missing. */
  waitForPoke(seen: number): ReturnType<WaitAsync> | undefined {
    return waitAsync?.(this.state, POKE, seen);
  }

  /** Releases a pending waitForPoke (at stop). */
  releasePokeWait(): void {
    Atomics.notify(this.state, POKE);
  }

  /** Whether the watchdog has taken hold of the exit: it will read every message posted to it before the exit's. */
  workerHolds(): boolean {
    return Atomics.load(this.state, EXIT_HOLDS) === 1;
  }

  /**
   * At exit: true when the worker has not started holding anything yet, and now never will (the main
   * thread then writes the summary itself and exits without waiting).
   */
  exitBeforeWorkerHolds(): boolean {
    return Atomics.compareExchange(this.state, EXIT_HOLDS, 0, -1) === 0;
  }

  /**
   * Every stall in the ring, for a process that ends before its watchdog started (exitBeforeWorkerHolds
   * returned true): nobody has read them, and nobody will. On a loaded machine the worker can take over a
   * second to start, and a short-lived process's blocks are all here.
   */
  unreadStalls(): { stalls: RingStall[]; lost: number } {
    const { stalls, lost } = this.drainStalls(0);
    return { stalls, lost };
  }

  /** Blocks this thread until the worker has written its summary and let go of the inspector, bounded. */
  waitForExitDone(timeoutMs: number): void {
    Atomics.wait(this.state, EXIT_DONE, 0, timeoutMs);
  }
}

/** The watchdog worker's view: it drains the ring (drainStalls), sleeps until woken, and ends the sentinel. */
export class WatchdogSlots extends SharedSlots {
  /**
   * The loop's busy ms since beat `startBeat`, from its idle counter read on the main thread at `at`
   * (monitor clock); null once the beat moved.
   */
  busySinceBeat(startBeat: number, at: number, idleMs: number): number | null {
    const idleAtBeat = Atomics.load(this.state, BEAT_IDLE);
    if (Atomics.load(this.state, BEAT) !== startBeat) return null;
    return ((at - startBeat) | 0) - (((Math.floor(idleMs) | 0) - idleAtBeat) | 0);
  }

  /** The stall that began after `startBeat` was published as ongoing (see PUBLISHED_BEAT). */
  markPublished(startBeat: number): void {
    Atomics.store(this.state, PUBLISHED_BEAT, startBeat);
  }

  setStateWanted(wanted: boolean): void {
    Atomics.store(this.state, STATE_WANTED, wanted ? 1 : 0);
  }

  wakeValue(): number {
    return Atomics.load(this.state, WATCHDOG_WAKE);
  }

  /** Resolves once WATCHDOG_WAKE moves past `seen`; undefined where Atomics.waitAsync is missing. */
  sleepUntilWoken(seen: number): ReturnType<WaitAsync> | undefined {
    return waitAsync?.(this.state, WATCHDOG_WAKE, seen);
  }

  stopSentinel(): void {
    this.endOnDemandBeats();
    Atomics.store(this.state, SENTINEL_STOP, 1);
    Atomics.notify(this.state, SENTINEL_SLEEP);
  }

  /** Before holding anything: false when the main thread has already exited without waiting for us. */
  startHolding(): boolean {
    return Atomics.compareExchange(this.state, EXIT_HOLDS, 0, 1) === 0;
  }

  signalExitDone(): void {
    Atomics.store(this.state, EXIT_DONE, 1);
    Atomics.notify(this.state, EXIT_DONE);
  }
}

/** The sentinel's view: it sleeps, vouches for an idle loop, pokes and wakes the watchdog. */
export class SentinelSlots extends SharedSlots {
  get stopped(): boolean {
    return Atomics.load(this.state, SENTINEL_STOP) !== 0;
  }

  /** Sleeps `ms` unless stopped sooner. */
  sleep(ms: number): void {
    Atomics.wait(this.state, SENTINEL_SLEEP, 0, ms);
  }

  get onDemandAllowed(): boolean {
    return Atomics.load(this.state, ON_DEMAND_ALLOWED) === 1;
  }

  /** On-demand beats from now on: the main thread is told by a poke. */
  startOnDemand(aliveAt: number): void {
    Atomics.store(this.state, ALIVE, aliveAt);
    Atomics.store(this.state, ON_DEMAND, 1);
    this.poke();
  }

  storeAlive(at: number): void {
    Atomics.store(this.state, ALIVE, at);
  }

  get pokeOutstanding(): boolean {
    return Atomics.load(this.state, POKE) !== Atomics.load(this.state, POKE_ANSWERED);
  }
}
