import { afterAll, describe, expect, it } from 'vitest';
import { blocksCausedDuring, blocksOf, runFixture, tempDir, type BlockWindow } from './monitor-helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

describe("the monitor's own JSON, with the sync wrappers on", () => {
  it('never marks JSON.stringify in flight: a block inside a section value is named by its stack, with no API', async () => {
    const result = await runFixture('section-tojson.mjs', { blockMs: 600, options: { thresholdMs: 100, syncWrappers: true } }, temp.dir);
    expect(result.code, result.stderr).toBe(0);
    const window = (result.output as unknown as { windows: BlockWindow[] }).windows[0]!;
    const [block] = blocksCausedDuring(blocksOf(result.events), window, 100);
    expect(block, JSON.stringify(result.events)).toBeDefined();
    expect(block!.stack.map((frame) => frame.functionName)).toContain('serialiseSlowlyInAProvider');
    expect(block!.inFlight).toBeNull();
  }, 60_000);
});
