/**
 * The in-flight SLA (`inFlightSlaMs`): an agent run or HTTP request still in flight past that age is
 * reported once (an `sla` event) and counted per kind. Off the request path: a timer walks the in-flight
 * list from its oldest record and stops at the first one younger than the limit, so a check costs the
 * records past the SLA plus one; a WeakSet remembers which were reported.
 */
import { RunRecord } from '../agents/run-record.js';
import type { SlaSection } from '../exporters/snapshot-sections.js';
import type { MonitorContext, SlaEvent } from '../types.js';
import type { InFlightRecord } from './in-flight.js';

export interface InFlightSlaOptions {
  slaMs: number;
  /** The oldest record of the in-flight list (each record's `next` is the one started after it). */
  oldest: () => InFlightRecord | null;
  report: (event: SlaEvent) => void;
  /** The breach counts moved. */
  changed: () => void;
}

/** How often the list is checked: a quarter of the SLA (its events are late by at most that), 25 ms to 1 s. */
function checkPeriodMs(slaMs: number): number {
  return Math.min(1000, Math.max(25, Math.floor(slaMs / 4)));
}

export class InFlightSla {
  readonly #options: InFlightSlaOptions;
  readonly #reported = new WeakSet<InFlightRecord>();
  readonly #breaches = { run: 0, request: 0 };
  readonly #timer: NodeJS.Timeout;

  constructor(options: InFlightSlaOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.check(Date.now()), checkPeriodMs(options.slaMs));
    // The host's process must be able to exit with runs still open.
    this.#timer.unref();
  }

  /** Reports every record in flight for `slaMs` or more at `now` (epoch ms) that was not reported yet. */
  check(now: number): void {
    const { slaMs, oldest, report, changed } = this.#options;
    const limit = now - slaMs;
    let moved = false;
    // The list is in start order: the first record younger than the limit ends the walk.
    for (let record = oldest(); record !== null && record.startedAt <= limit; record = record.next) {
      // A tool call inside an agent run is part of that run, which is older: the run is the one reported.
      if (this.#reported.has(record) || record.isFinished() || (record instanceof RunRecord && record.nested)) continue;
      this.#reported.add(record);
      const kind = record instanceof RunRecord ? 'run' : 'request';
      this.#breaches[kind]++;
      moved = true;
      try {
        report({ type: 'sla', at: now, kind, ageMs: now - record.startedAt, slaMs, startedAt: record.startedAt, context: contextOf(record) });
      } catch {
        // A report that failed is still counted; the check goes on.
      }
    }
    if (moved) changed();
  }

  section(): SlaSection {
    return { slaMs: this.#options.slaMs, breaches: { ...this.#breaches } };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

function contextOf(record: InFlightRecord): MonitorContext | null {
  try {
    return record.toContext();
  } catch {
    return null;
  }
}
