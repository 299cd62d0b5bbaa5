import type { MonitorClock } from '../heartbeat/clock.js';
import { laterOf, type SentinelSlots } from '../heartbeat/shared-state.js';
import type { MainLoopProbe } from './main-loop-probe.js';

/*
 * The sentinel's decisions, one check per step(): whether the main thread's beat turned stale (wake the
 * watchdog), and, where a probe of the main thread's system call is available, whether its loop sits idle
 * (vouch for it, so the main thread needs no beat timer) or works (poke it to beat). The thread shell
 * (sentinel.ts) sleeps for what step() returns; tests drive it with a fake clock and probe.
 */

export interface SentinelConfig {
  /** A beat older than this is a stall (the watchdog's staleness). */
  staleMs: number;
  /** The heartbeat period: how often the main thread is checked with on-demand beats. */
  checkMs: number;
  thresholdMs: number;
  /** Period of the main thread's one timer with on-demand beats. */
  periodicMs: number;
}

/** Times the event loop's poll is seen, with the beats going, before beats turn on-demand. */
const SIGHTINGS_TO_TRUST = 3;

export class SentinelLoop {
  readonly #slots: SentinelSlots;
  readonly #now: MonitorClock;
  #probe: MainLoopProbe | null;
  /** One ms past the watchdog's own staleness: the two threads' clocks agree only to within a millisecond. */
  readonly #alarmMs: number;
  readonly #staleMs: number;
  readonly #checkMs: number;
  /**
   * With on-demand beats, how often an idle loop is checked: once per staleness. A block that starts
   * right after a check is found at the next and confirmed (its poke unanswered) half a threshold later.
   * While the loop works, it is checked every heartbeat period.
   */
  readonly #idleCheckMs: number;
  readonly #confirmMs: number;
  /**
   * Time on (or waiting for) a CPU the main thread may take between two checks after a beat and still
   * count as having idled: the beat and the periodic work after it cost some. What slips through unpoked
   * adds to the busy time of the next beat's gap, so over the periodic beat's period it must stay well
   * under a threshold.
   */
  readonly #idleBusyNanos: number;
  /** The event loop's own poll ("number fd buffer"), the outermost one seen while the loop turned. */
  #loopPoll: string | null = null;
  #loopPollBuffer = -1n;
  #sightings = 0;
  /** The main thread's schedstat at the last check, and whether it sat idle in the loop's poll then. */
  #lastRuns = '';
  #lastIdle = false;
  /** Monitor-clock ms of the latest poke. */
  #pokedAt = 0;
  /** The main thread's beat at the last check. */
  #lastBeat = 0;

  constructor(slots: SentinelSlots, now: MonitorClock, probe: MainLoopProbe | null, config: SentinelConfig) {
    this.#slots = slots;
    this.#now = now;
    this.#probe = slots.onDemandAllowed ? probe : null;
    if (this.#probe === null) probe?.close();
    this.#alarmMs = config.staleMs + 1;
    this.#staleMs = config.staleMs;
    this.#checkMs = config.checkMs;
    this.#idleCheckMs = config.staleMs;
    this.#confirmMs = Math.max(1, Math.floor(config.thresholdMs / 2));
    this.#idleBusyNanos = Math.min(1e6, (config.thresholdMs * config.checkMs * 1e6) / (4 * config.periodicMs));
  }

  /** Whether on-demand beats are still possible (a probe that failed ends them for good). */
  get probing(): boolean {
    return this.#probe !== null;
  }

  /** One check; returns how long to sleep before the next, ms. */
  step(): number {
    const active = this.#slots.onDemand ? this.#probe : null;
    if (active !== null) {
      try {
        return this.#checkMainThread(active);
      } catch {
        this.#giveUpOnDemand();
        return 1;
      }
    }
    const gap = (this.#now() - this.#slots.beat()) | 0;
    try {
      if (this.#probe !== null && this.#slots.onDemandAllowed) this.#learnLoopPoll(this.#probe, gap);
    } catch {
      this.#giveUpOnDemand();
    }
    if (gap > this.#alarmMs) {
      // Again every staleness while the stall lasts: harmless (the watchdog is awake), and it never misses one.
      this.#slots.wakeWatchdog();
      return this.#staleMs;
    }
    return this.#alarmMs - gap + 1;
  }

  close(): void {
    this.#probe?.close();
    this.#probe = null;
  }

  #giveUpOnDemand(): void {
    this.close();
    this.#slots.endOnDemandBeats();
  }

  /** Whether the thread sits in the event loop's poll; a poll further out than the one known is the loop's. */
  #inLoopPoll(active: MainLoopProbe): boolean {
    const reading = active.syscall();
    if (reading.poll !== null && reading.pollBuffer > this.#loopPollBuffer) {
      this.#loopPoll = reading.poll;
      this.#loopPollBuffer = reading.pollBuffer;
      this.#sightings = 0;
    }
    return reading.poll !== null && reading.poll === this.#loopPoll;
  }

  /** With the beat timer: learns the loop's poll from checks that find it in one soon after a beat. */
  #learnLoopPoll(active: MainLoopProbe, gap: number): void {
    // A beat within the period means the loop turned; a nested loop (a sync call) would stop the beats.
    if (gap > this.#checkMs || !this.#inLoopPoll(active) || ++this.#sightings < SIGHTINGS_TO_TRUST) return;
    this.#lastRuns = active.runs();
    this.#lastIdle = true;
    this.#lastBeat = this.#slots.beat();
    this.#pokedAt = this.#now();
    this.#slots.startOnDemand(this.#pokedAt);
  }

  /** With on-demand beats: one check of the main thread; returns how long to sleep. */
  #checkMainThread(active: MainLoopProbe): number {
    const slots = this.#slots;
    const at = this.#now();
    const runs = active.runs();
    const beat = slots.beat();
    let idle = this.#lastIdle;
    let worked = false;
    // Not run since the last check: still in the same system call, idle or not.
    if (runs !== this.#lastRuns) {
      idle = this.#inLoopPoll(active);
      // It ran: at work now, or it woke without beating (what it did is in no beat yet, and may have
      // slept in a system call, which no CPU figure shows), or it did more after its beat than a beat costs.
      worked = !idle || beat === this.#lastBeat || active.busyNanos(runs) - active.busyNanos(this.#lastRuns) > this.#idleBusyNanos;
      this.#lastRuns = runs;
      this.#lastIdle = idle;
    }
    this.#lastBeat = beat;
    if (idle) slots.storeAlive(at);
    let outstanding = slots.pokeOutstanding;
    if (worked && !outstanding) {
      slots.poke();
      this.#pokedAt = at;
      outstanding = true;
    }
    if (!outstanding) return idle ? this.#idleCheckMs : this.#checkMs;
    // Stale once the poke has gone unanswered for half a threshold (no task that short is watched) and
    // nothing has been heard of the loop for the watchdog's staleness.
    const due = laterOf((this.#pokedAt + this.#confirmMs) | 0, (slots.lastSignOfLife() + this.#alarmMs) | 0);
    if (((at - due) | 0) >= 0) {
      slots.wakeWatchdog();
      return this.#checkMs;
    }
    return Math.max(1, Math.min(this.#checkMs, (due - at) | 0));
  }
}
