import type { LagEvent, SlaEvent } from '../types.js';

/** More than a process that exits before its watchdog started can produce: lag windows and SLA breaches of its first seconds. */
const MAX_UNREAD_EVENTS = 1000;

/**
 * The events the main thread posts to the watchdog (lag windows, SLA breaches) while the watchdog has not
 * yet taken hold of the exit. The watchdog writes them to the log as it reads its port; a process that
 * exits before the watchdog thread started (a short-lived one on a loaded machine) leaves them unread,
 * and the main thread, writing the summary itself, writes them too. Once the watchdog holds, it reads
 * every message in order before the exit's, and nothing more is kept.
 */
export class UnreadEvents {
  readonly #watchdogHolds: () => boolean;
  #events: (LagEvent | SlaEvent)[] | null = [];
  #dropped = 0;

  constructor(watchdogHolds: () => boolean) {
    this.#watchdogHolds = watchdogHolds;
  }

  /** Called as `event` is posted to the watchdog. */
  posted(event: LagEvent | SlaEvent): void {
    const events = this.#events;
    if (events === null) return;
    if (this.#watchdogHolds()) this.#events = null;
    else if (events.length < MAX_UNREAD_EVENTS) events.push(event);
    else this.#dropped++;
  }

  /**
   * Every event posted, in order, for an exit the watchdog never held (MainThreadSlots.exitBeforeWorkerHolds
   * returned true), and how many did not fit; nothing after that.
   */
  take(): { events: (LagEvent | SlaEvent)[]; dropped: number } {
    const taken = { events: this.#events ?? [], dropped: this.#dropped };
    this.#events = null;
    this.#dropped = 0;
    return taken;
  }
}
