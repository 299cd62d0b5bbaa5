import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockEvent } from '../src/types.js';
import { BEATS, beatsConfig, blocksDuring, blocksOf, runFixture, tempDir, type FixtureOutput } from './monitor-helpers.js';

/*
 * Issue 13: a host with an inspector Session of its own and the debugger enabled receives every pause the
 * watchdog takes (9-10 Debugger.paused per 1 s block, measured). A real process under the monitor enables
 * its own debugger, blocks (busy loop, execSync), disables it and blocks again: while its debugger is on
 * it must see no pause, and its blocks are still counted, timed and named by the sync wrappers; once it is
 * off, stacks are captured again.
 */

interface HostOutput extends FixtureOutput {
  host: { pausedWhileEnabled: number; resumedWhileEnabled: number; pausedAfterDisable: number };
  /** How far the wall clock moved against the monotonic one during the run, ms. */
  wallClockStepMs: number;
}

/** A block in a failure message: when, how long, and what named it. */
const summary = (block: BlockEvent): object => ({
  startedAt: block.startedAt,
  durationMs: block.durationMs,
  stack: block.stack.slice(0, 3).map((frame) => frame.functionName),
  inFlight: block.inFlight?.api ?? null,
  context: block.context,
  ...(block.noStack === undefined ? {} : { noStack: block.noStack }),
});

const temp = tempDir();
afterAll(() => temp.remove());

// Both inspector APIs; the promises one with the beat timer, the callback one with on-demand beats where
// the platform has them.
const RUNS = [
  { api: 'callback', beats: BEATS[0] },
  { api: 'promises', beats: 'timer' },
] as const;

describe.each(RUNS)('a host debugging itself through the $api API ($beats beats)', ({ api, beats }) => {
  let output: HostOutput;
  let blocks: BlockEvent[];
  let stderr = '';

  beforeAll(async () => {
    const { heartbeat, heartbeatOption } = beatsConfig(beats);
    const options = { thresholdMs: 100, syncWrappers: true, heartbeat: heartbeatOption };
    const result = await runFixture('host-debugger.mjs', { api, heartbeat, options }, temp.dir);
    stderr = result.stderr;
    expect(result.code, result.stderr).toBe(0);
    expect(result.output, result.stdout).not.toBeNull();
    output = result.output as HostOutput;
    // Final events only: a provisional one would pair with the same stall.
    blocks = blocksOf(result.events).filter((block) => block.ongoing !== true);
  }, 90_000);

  const blockOf = (kind: string): BlockEvent => {
    const window = output.windows.find((candidate) => candidate.kind === kind)!;
    const found = blocksDuring(blocks, window);
    // Every window and final block, and whether the wall clock (the blocks' startedAt) was stepped.
    const got = `${kind}: ${JSON.stringify(found.map(summary))}\nwindows: ${JSON.stringify(output.windows)}\nevery final block: ${JSON.stringify(blocks.map(summary))}\nthe wall clock moved ${output.wallClockStepMs} ms against the monotonic one during the run`;
    expect(found, `blocks during ${got}`).toHaveLength(1);
    const block = found[0]!;
    const measured = window.end - window.start;
    expect(measured, `${kind} lasted only ${measured} ms`).toBeGreaterThanOrEqual(500);
    // Heartbeat to heartbeat, plus the inspector's work after a native call on a loaded machine.
    expect(block.durationMs, got).toBeGreaterThanOrEqual(measured * 0.85);
    expect(block.durationMs, got).toBeLessThanOrEqual(measured * 1.2 + 250);
    return block;
  };

  it('never pauses the host while its debugger is enabled', () => {
    expect(output.host.pausedWhileEnabled).toBe(0);
    expect(output.host.resumedWhileEnabled).toBe(0);
  });

  it('still counts and times a busy-loop block while the host debugs, without a stack', () => {
    const block = blockOf('busy-while-enabled');
    // A stack could only come from a pause.
    expect(block.stack).toEqual([]);
    expect(block.inFlight).toBeNull();
  });

  it('still names the sync API (and its context) of an execSync block while the host debugs', () => {
    const block = blockOf('execSync-while-enabled');
    expect(block.inFlight?.api).toBe('child_process.execSync');
    expect(block.inFlight?.hint).toMatch(/^sleep /);
    // The wrapper hands over the caller's stack and context itself when the call returns: no pause needed.
    expect(block.context).toEqual({ kind: 'execSync-while-enabled' });
  });

  it('captures stacks again once the host disabled its debugger', () => {
    const block = blockOf('busy-after-disable');
    expect(block.stack.map((frame) => frame.functionName), JSON.stringify(block)).toContain('blockAfterHostDebugged');
    expect(block.context).toEqual({ kind: 'busy-after-disable' });
    // Its debugger is off: the host hears nothing of this pause.
    expect(output.host.pausedAfterDisable).toBe(0);
  });

  it('counts every block and keeps capturing (not lag-only)', () => {
    expect(output.snapshot.stalls.count).toBeGreaterThanOrEqual(3);
    expect(output.snapshot.mode).toBe('full');
  });

  it('says once that stacks are not captured while the host debugs', () => {
    expect(stderr.match(/AGENT_LAG_HOST_DEBUGGER/g) ?? []).toHaveLength(1);
  });

  it(`ran with ${beats} beats`, () => {
    expect(output.snapshot.heartbeat).toBe(beats);
  });
});
