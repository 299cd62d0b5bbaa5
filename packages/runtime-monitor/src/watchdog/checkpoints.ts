/*
 * When the watchdog writes a checkpoint (the figures so far) into the event log: at most once a second,
 * and only while there is news (a stall counted, the lag's worst moved) or a stall in progress, so a
 * process that dies without its summary leaves figures exact to within a second of its end, and a
 * healthy idle service writes none.
 */

export const CHECKPOINT_INTERVAL_MS = 1000;

export class CheckpointSchedule {
  #changed = false;
  #lastAt = Number.NEGATIVE_INFINITY;
  /** startedAt of the stall the last checkpoint carried. */
  #lastStall: number | null = null;

  /** The figures moved since the last checkpoint. */
  changed(): void {
    this.#changed = true;
  }

  /**
   * Whether to write one now (epoch ms), given the stall in progress (its startedAt) or null: at once for
   * a stall the last checkpoint did not carry, so a process killed in its first second still ages it.
   */
  due(at: number, stalledSince: number | null): boolean {
    if (stalledSince !== null && stalledSince !== this.#lastStall) return true;
    return (this.#changed || stalledSince !== null) && at - this.#lastAt >= CHECKPOINT_INTERVAL_MS;
  }

  written(at: number, stalledSince: number | null): void {
    this.#changed = false;
    this.#lastAt = at;
    this.#lastStall = stalledSince;
  }

  /** Ms until a checkpoint with news is due, or null when there is none. */
  delay(at: number): number | null {
    if (!this.#changed) return null;
    return Math.max(0, Math.ceil(this.#lastAt + CHECKPOINT_INTERVAL_MS - at));
  }
}
