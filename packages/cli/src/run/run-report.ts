import { logFigures, type LogFigures } from '../report/log-figures.js';
import type { EventLog } from '../report/log-types.js';
import { LogAggregator } from '../report/aggregate.js';
import { emptyLog, readLiveEvent } from '../report/read-log.js';
import { redactRecord } from '../report/redact.js';
import type { BlockEvent } from '../shared/monitor-types.js';
import type { SlaRecord } from '../shared/sla.js';
import { GoneWatch } from './gone-watch.js';
import { appendGoneLine } from './report-file.js';

/** What the live view should print for a block line. */
export interface LiveBlock {
  block: BlockEvent;
  /** The final event of a block already shown as ongoing. */
  endedAfterOngoing: boolean;
}

/** A run or request the monitor saw in flight past its SLA: printed as it comes, once (the monitor writes one per run or request). */
export interface LiveSla {
  sla: SlaRecord;
}

/**
 * What `agent-lag run` learnt from the event log, fed one line at a time: the lines, read the way
 * `report` reads them, so that the summary at the end and `report` on the same log agree.
 */
export class RunReport {
  readonly log: EventLog;
  /** When each process that wrote to the log went away. */
  readonly gone = new GoneWatch();
  readonly #path: string;
  /** Per block (pid and startedAt), the duration of the last ongoing line printed. */
  readonly #shownOngoing = new Map<string, number>();

  constructor(path: string) {
    // Folded as it comes, like `report` reads a log: memory stays bounded however long the command runs.
    this.log = { ...emptyLog(path), aggregate: new LogAggregator(path) };
    this.#path = path;
  }

  /**
   * Writes a `gone` line into the log for each of `pids` (found gone) that left no summary: a process that
   * wrote its summary ended in its own words; the others' end is ours to note. Call it once the log was read
   * to its end after they were found gone, when every line they wrote is in: else a summary written just
   * before the exit, not yet read, would be taken for none.
   */
  noteGone(pids: readonly number[]): void {
    for (const pid of pids) {
      const at = this.gone.goneAt.get(pid);
      if (at !== undefined && this.log.aggregate?.processes.get(pid)?.summary == null) appendGoneLine(this.#path, pid, at);
    }
  }

  /**
   * Records a line; returns a block or SLA breach to print as it happens, or null. A block may have
   * several ongoing lines (its age growing): the first is printed, then one each time its age has doubled.
   */
  add(event: Record<string, unknown>): LiveBlock | LiveSla | null {
    const read = readLiveEvent(event);
    if (!read) return null;
    this.log.aggregate?.add(read);
    if (read.record.pid !== null) this.gone.watch(read.record.pid);
    // Read (and redacted) by readLiveEvent: only the event's own fields.
    if (read.type === 'sla') return { sla: read.record };
    if (read.type !== 'block') return null;
    // Redacted here too: a log written by an older monitor may hold a secret.
    const block = redactRecord(event) as unknown as BlockEvent;
    const key = `${read.record.pid ?? '?'}:${read.record.startedAt}`;
    const shown = this.#shownOngoing.get(key);
    if (read.record.ongoing) {
      if (shown !== undefined && read.record.durationMs < 2 * shown) return null;
      this.#shownOngoing.set(key, read.record.durationMs);
      return { block, endedAfterOngoing: false };
    }
    this.#shownOngoing.delete(key);
    return { block, endedAfterOngoing: shown !== undefined };
  }

  /** Whether any monitor spoke at all (the command may not be Node, or may not start). */
  get heardFromMonitor(): boolean {
    return (this.log.aggregate?.events ?? 0) > 0;
  }

  /**
   * Per-process and merged figures. `childExitedAt`: when the command exited, the end of lines without a
   * pid (older monitors; then the command is most likely the monitored process itself).
   */
  figures(childExitedAt?: number): LogFigures {
    return logFigures(this.log, { goneAt: this.gone.goneAt, ...(childExitedAt === undefined ? {} : { unknownGoneAt: childExitedAt }) });
  }
}
