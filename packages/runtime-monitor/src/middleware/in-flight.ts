/**
 * What the in-flight table holds: HTTP requests (RequestRecord) and agent runs (RunRecord) alike, in one
 * list, so counts, oldest ages and the stall time charged to work waiting across a block cover both.
 */
import { LiveContext } from '../context/index.js';

/**
 * One piece of work in flight, and the monitor context of the code it runs (it is its own async-context
 * store, so entering it costs this one object).
 *
 * Fields are declared and assigned in the constructor rather than as class fields: a class field is
 * defined through a define IC per object, measurably slower per request.
 */
export abstract class InFlightRecord extends LiveContext {
  /** Epoch ms. */
  declare readonly startedAt: number;
  /** The table's list of records in flight, oldest first (see RequestTracker); both null once ended. */
  declare previous: InFlightRecord | null;
  declare next: InFlightRecord | null;

  constructor() {
    super();
    this.startedAt = Date.now();
    this.previous = null;
    this.next = null;
  }

  /** Whether the work is over (a request answered or abandoned, a run returned) though maybe not yet unlinked. */
  abstract isFinished(): boolean;
}
