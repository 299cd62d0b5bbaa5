/**
 * Where a block lies in time. A stall published while still running keeps its last sign of life as
 * `startedAt` (the key that pairs its events), which can precede the block by an idle wait: reading
 * `startedAt + durationMs` as its end would put the end that much early.
 */

/** Epoch ms at which the block itself began. */
export function blockStartOf(block: { startedAt: number; blockStartedAt?: number | undefined }): number {
  return block.blockStartedAt ?? block.startedAt;
}

/** Epoch ms at which the block ended, or, for a provisional event or a checkpoint's stall, was last measured. */
export function blockEndOf(block: { startedAt: number; blockStartedAt?: number | undefined; durationMs: number }): number {
  return blockStartOf(block) + block.durationMs;
}
