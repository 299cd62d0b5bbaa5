/*
 * A block that lasts past the monitor's ongoingReportMs gets two events: a provisional one while it is
 * still running (`"ongoing": true`) and the final one when it ends, both with the same `startedAt`. A
 * provisional event left without its final one is a block that never ended: the process was killed, or
 * died, while blocked.
 */

export interface PairableBlock {
  startedAt: number;
  ongoing?: boolean;
}

export interface PairedBlocks<T> {
  /** Final events, in log order: each block once, whether or not it was also reported as ongoing. */
  ended: T[];
  /** Provisional events with no final event of the same `startedAt`, in log order. */
  neverEnded: T[];
}

/** Splits a log's block events into ended blocks and blocks that never ended; each block counted once. */
export function pairOngoing<T extends PairableBlock>(blocks: readonly T[]): PairedBlocks<T> {
  const ended = blocks.filter((block) => block.ongoing !== true);
  // A multiset: two processes sharing a log could, rarely, start a block in the same millisecond.
  const finals = new Map<number, number>();
  for (const block of ended) finals.set(block.startedAt, (finals.get(block.startedAt) ?? 0) + 1);
  const neverEnded: T[] = [];
  for (const block of blocks) {
    if (block.ongoing !== true) continue;
    const left = finals.get(block.startedAt) ?? 0;
    if (left > 0) finals.set(block.startedAt, left - 1);
    else neverEnded.push(block);
  }
  return { ended, neverEnded };
}
