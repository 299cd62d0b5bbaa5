import { afterAll, describe, expect, it } from 'vitest';
import { blockEndOf, blockStartOf } from '../src/events/block-span.js';
import { ReportLimiter } from '../src/events/report-limiter.js';
import { StackTable } from '../src/events/stack-table.js';
import { StallStats } from '../src/events/stall-stats.js';
import type { MonitorEvent } from '../src/types.js';
import { BEATS, beatsConfig, blocksOf, runFixture, tempDir, type FixtureOutput } from './monitor-helpers.js';

/** What repeat.mjs prints for a saturated run (see its comment). */
interface SaturatedOutput extends FixtureOutput {
  longSteps: number;
  saturation: { start: number; end: number };
  blockSpan: { start: number; end: number };
  stalls: { startedAt: number; durationMs: number }[];
}

const temp = tempDir();
afterAll(() => temp.remove());

describe.each(BEATS)('with %s beats', (beats) => {
  const { heartbeat, heartbeatOption } = beatsConfig(beats);

  it('counts N injected blocks exactly while reports are rate-limited and de-duplicated', async () => {
    const count = 8;
    const result = await runFixture(
      'repeat.mjs',
      // The socket on (in the temp dir): the fixture waits for it, so the first block is watched live and named.
      // Each block outlasts the threshold by 300 ms: the window in which a watchdog that a loaded 2-core machine
      // schedules late can still take a sample while the block runs (at 120 ms, a stress run once got none).
      { count, blockMs: 500, gapMs: 60, heartbeat, options: { thresholdMs: 200, reportsPerMinute: 3, heartbeat: heartbeatOption } },
      temp.dir,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.output!.snapshot.heartbeat).toBe(beats);
    const stalls = result.output!.snapshot.stalls;
    // A loaded machine may add a stray stall of its own; the injected ones are never lost.
    expect(stalls.count).toBeGreaterThanOrEqual(count);
    expect(stalls.count).toBeLessThanOrEqual(count + 1);
    const reported = blocksOf(result.events);
    // Same function every time: one detailed report, the rest only counted.
    const named = reported.filter((block) => block.stack.some((frame) => frame.functionName === 'blockRepeatedly'));
    // A failure says what was reported instead (each block's duration, top frame, lateness and no-stack reason).
    const seen = JSON.stringify(
      reported.map((block) => ({
        durationMs: block.durationMs,
        top: block.stack[0]?.functionName ?? null,
        late: block.late,
        noStack: block.noStack ?? null,
        signature: block.signature ?? null,
        frames: block.stack.slice(0, 4).map((frame) => `${frame.functionName}@${frame.url.split('/').pop()}:${frame.line}:${frame.column}`),
      })),
    );
    expect(named, seen).toHaveLength(1);
    expect(reported.length, seen).toBeLessThanOrEqual(3);
    const top = result.output!.snapshot.topStacks.find((entry) => entry.stack.some((frame) => frame.functionName === 'blockRepeatedly'));
    expect(top?.count).toBeGreaterThanOrEqual(1);
    // The summary written at exit carries the same exact count.
    const summary = result.events.find((event): event is Extract<MonitorEvent, { type: 'summary' }> => event.type === 'summary');
    expect(summary?.stalls.count).toBeGreaterThanOrEqual(count);
  }, 60_000);

  it('counts no stalls while short tasks keep the loop busy (a saturated loop is not a blocked one), and still counts a real block among them', async () => {
    const options = { thresholdMs: 100, socket: false, heartbeat: heartbeatOption };
    const quiet = await runFixture('repeat.mjs', { saturateMs: 2000, heartbeat, options }, temp.dir);
    expect(quiet.code, quiet.stderr).toBe(0);
    const saturated = quiet.output as SaturatedOutput;
    const during = saturated.stalls.filter((stall) => stall.startedAt < saturated.saturation.end && stall.startedAt + stall.durationMs > saturated.saturation.start);
    // Before the busy beat, every 100 ms gap of a saturated loop read as a stall (about 20 here). Now a stall
    // needs a step of the loop longer than a threshold less the busy beat, which only the machine makes (the
    // main thread waiting for a CPU mid-task: a real stall; none on an idle machine). The onset of saturation
    // may still make one borderline gap.
    expect(during.length, JSON.stringify({ longSteps: saturated.longSteps, during })).toBeLessThanOrEqual(saturated.longSteps + 1);

    const blocked = await runFixture('repeat.mjs', { saturateMs: 2000, blockWhileSaturatedMs: 400, heartbeat, options }, temp.dir);
    expect(blocked.code, blocked.stderr).toBe(0);
    const block = blocksOf(blocked.events).find((event) => event.stack.some((frame) => frame.functionName === 'blockWhileSaturated'));
    expect(block).toBeDefined();
    expect(block!.durationMs).toBeGreaterThanOrEqual(400 * 0.85);
    // Under saturation the block's gap holds at most the steps before and after it and a busy beat (25 ms):
    // the steps' span, as the fixture measured it (short on an idle machine, stretched on a loaded one).
    const { blockSpan } = blocked.output as SaturatedOutput;
    expect(block!.durationMs, JSON.stringify({ block, blockSpan })).toBeLessThanOrEqual(blockSpan.end - blockSpan.start + 25 + 5);
    expect(blockEndOf(block!)).toBeGreaterThan(blockSpan.start);
    expect(blockStartOf(block!)).toBeLessThan(blockSpan.end);
  }, 60_000);
});

describe('start-up', () => {
  it('counts start-up stalls apart and does not report them', async () => {
    const result = await runFixture('repeat.mjs', { count: 2, blockMs: 300, gapMs: 60, settleMs: 0, options: { thresholdMs: 200, startupGraceMs: 60_000, socket: false } }, temp.dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.output!.snapshot.stalls.startupCount).toBeGreaterThanOrEqual(2);
    expect(result.output!.snapshot.stalls.count).toBe(0);
    expect(blocksOf(result.events)).toHaveLength(0);
  }, 60_000);
});

describe('bounded memory over 10,000 blocks', () => {
  it('keeps a fixed number of stack signatures however many distinct stacks block', () => {
    const table = new StackTable();
    for (let i = 0; i < 10_000; i++) {
      table.add({
        type: 'block',
        startedAt: i,
        durationMs: 10 + (i % 50),
        stack: [{ functionName: `f${i}`, url: 'file:///app.js', line: i, column: 1 }],
        inFlight: null,
        context: null,
        late: false,
        signature: `sig${i}`,
      });
    }
    expect(table.size).toBeLessThanOrEqual(100);
    expect(table.top(10)).toHaveLength(10);
  });

  it('keeps exact counts in a fixed-size histogram', () => {
    const stats = new StallStats();
    for (let i = 0; i < 10_000; i++) stats.record(5 + (i % 1000), false);
    stats.record(10 * 3_600_000, false);
    const figures = stats.figures();
    expect(figures.count).toBe(10_001);
    expect(figures.p50Ms).toBeGreaterThan(400);
    expect(figures.p50Ms).toBeLessThan(600);
    expect(figures.maxMs).toBe(36_000_000);
  });

  it('never reports a stall percentile above the longest stall (the histogram rounds up to 1%)', () => {
    const stats = new StallStats();
    stats.record(800, false);
    stats.record(300, false);
    const figures = stats.figures();
    // hdr-histogram-js alone says p99 803 ms (the top of 800's bucket) next to a max of 800.
    expect(figures).toMatchObject({ count: 2, maxMs: 800, p99Ms: 800 });
    expect(figures.p50Ms).toBeGreaterThanOrEqual(300);
    expect(figures.p50Ms).toBeLessThanOrEqual(800);

    const one = new StallStats();
    one.record(300.4, false);
    expect(one.figures()).toMatchObject({ maxMs: 300.4, p50Ms: 300.4, p99Ms: 300.4 });
  });

  it('forgets old signatures in the de-duplication table', () => {
    const limiter = new ReportLimiter({ perMinute: 1_000_000, dedupeWindowMs: 60_000, now: 0 });
    for (let i = 0; i < 10_000; i++) expect(limiter.firstInWindow(`sig${i}`, i)).toBe(true);
    // sig0 was evicted long ago (the table holds 1,000): it may be reported again.
    expect(limiter.firstInWindow('sig0', 10_001)).toBe(true);
    expect(limiter.firstInWindow('sig9999', 10_002)).toBe(false);
  });

  it('stays within bounded heap in a real process after 2,000 short blocks', async () => {
    const result = await runFixture(
      'repeat.mjs',
      { count: 2000, blockMs: 4, gapMs: 1, tailMs: 300, options: { thresholdMs: 2, heartbeatIntervalMs: 1, reportsPerMinute: 5, socket: false } },
      temp.dir,
      { timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const snapshot = result.output!.snapshot;
    expect(snapshot.stalls.count).toBeGreaterThanOrEqual(1000);
    expect(snapshot.topStacks.length).toBeLessThanOrEqual(10);
    // Reports are rate-limited: the log does not grow with the number of blocks.
    expect(blocksOf(result.events).length).toBeLessThanOrEqual(10);
  }, 60_000);
});
