import { afterAll, describe, expect, it } from 'vitest';
import { blocksOf, runFixture, tempDir } from './monitor-helpers.js';

/*
 * The monitor runs inside other people's services: its own main-thread work must never be what it
 * reports. A real process under sustained load with short stalls (and frequent snapshots, short lag
 * windows, 1 ms lag resolution: every main-thread computation the monitor has gets data and runs) —
 * no reported block may have the histogram library or the monitor on top of its stack.
 */

const temp = tempDir();
afterAll(() => temp.remove());

describe('the monitor under sustained load', () => {
  it('never reports a block of its own making', async () => {
    // At least 4 s of load, and on until 8 blocks came with a stack (fewer are caught live on a loaded machine).
    const result = await runFixture('load.mjs', { durationMs: 4000, minStacks: 8 }, temp.dir);
    expect(result.code, result.stderr).toBe(0);
    const blocks = blocksOf(result.events);
    const withStacks = blocks.filter((block) => block.stack.length > 0);
    // The injected stalls are seen and captured: the test would pass vacuously otherwise.
    expect(withStacks.length).toBeGreaterThan(5);
    for (const block of blocks) {
      const top = block.stack[0];
      if (top === undefined) continue;
      const where = `${top.functionName} ${top.url}`;
      expect(where, JSON.stringify(block.stack.slice(0, 3))).not.toMatch(/hdr-histogram-js|runtime-monitor\/(dist|src)\//);
      for (const frame of block.stack) expect(frame.url, JSON.stringify(block.stack.slice(0, 5))).not.toMatch(/hdr-histogram-js/);
    }
    expect(withStacks.some((block) => block.stack.some((frame) => frame.functionName === 'injectedStall'))).toBe(true);
  }, 60_000);
});
