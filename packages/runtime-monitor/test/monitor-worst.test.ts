import { afterAll, expect, it } from 'vitest';
import type { BlockEvent, SummaryEvent } from '../src/types.js';
import { StallCounts } from '../src/events/stall-counts.js';
import { runFixture, tempDir } from './monitor-helpers.js';

/*
 * The worst blocks are the worst: the counters keep the longest stalls, logged in detail or not, so a
 * reader lists the real worst even when its block was a repeat of an earlier stack and not logged.
 */

const temp = tempDir();
afterAll(() => temp.remove());

it('keeps the five longest stalls, longest first, whatever order they came in', () => {
  const counts = new StallCounts();
  for (const [i, durationMs] of [120, 900, 300, 150, 700, 101, 450, 2000].entries()) counts.noteWorst({ startedAt: i, durationMs, logged: true });
  expect(counts.figures().worst?.map((stall) => stall.durationMs)).toEqual([2000, 900, 700, 450, 300]);
});

it('keeps the longest block as the worst, and logs it although its stack is a repeat', async () => {
  const result = await runFixture('repeat-worst.mjs', {}, temp.dir);
  expect(result.code, result.stderr).toBe(0);
  const blocks = result.events.filter((event): event is BlockEvent => event.type === 'block' && event.ongoing !== true && event.stack.some((frame) => frame.functionName === 'sameStackEveryTime'));
  const summary = result.events.find((event): event is SummaryEvent => event.type === 'summary')!;
  const worst = summary.stalls.worst!;
  // The 2.5 s block: the longest, and logged although its stack repeats the first block's (it is longer
  // than every block logged before it by more than a threshold).
  expect(worst[0]!.durationMs, JSON.stringify(worst)).toBeGreaterThanOrEqual(2500 * 0.95);
  expect(worst[0]!.durationMs).toBe(summary.stalls.maxMs);
  expect(worst[0]!.logged).toBe(true);
  const block = blocks.find((candidate) => candidate.startedAt === worst[0]!.startedAt);
  expect(block, JSON.stringify({ worst, blocks })).toBeDefined();
  expect(worst[0]!.signature).toBe(block!.signature);
  expect(block!.durationMs).toBe(worst[0]!.durationMs);
  expect(worst.map((stall) => stall.durationMs)).toEqual([...worst.map((stall) => stall.durationMs)].sort((a, b) => b - a));
}, 60_000);
