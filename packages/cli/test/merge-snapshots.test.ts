import { Chalk } from 'chalk';
import hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import type { MonitorSnapshot, StallFigures, StackSummary, WorstStall } from '../src/shared/monitor-types.js';
import { mergeStalls, mergeTopStacks, mergeWorst, WORST_MERGED } from '../src/watch/merge-snapshots.js';
import { renderScreen } from '../src/watch/screen.js';
import { WatchState } from '../src/watch/watch-state.js';

const T0 = 1_767_225_600_000;

/** A stall histogram as the monitor encodes it: two significant digits, so values land in buckets. */
function histogram(values: readonly number[]): string {
  const h = hdr.build({ numberOfSignificantValueDigits: 2, useWebAssembly: false });
  for (const value of values) h.recordValue(value);
  return hdr.encodeIntoCompressedBase64(h);
}

/** One process's stall figures for these durations, with its own percentiles taken as the monitor does. */
function stalls(durations: readonly number[], worst?: WorstStall[]): StallFigures {
  const maxMs = Math.max(0, ...durations);
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return {
    count: durations.length,
    startupCount: 0,
    totalMs: durations.reduce((a, b) => a + b, 0),
    maxMs,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    histogram: histogram(durations),
    ...(worst ? { worst } : {}),
  };
}

const worstOf = (durations: readonly number[], from: number): WorstStall[] =>
  durations
    .map((durationMs, i) => ({ startedAt: from + i * 1000, durationMs, logged: true, signature: `sig-${durationMs}` }))
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, 5);

describe('mergeStalls', () => {
  it('adds the counters and takes the percentiles from the merged histograms', () => {
    const a = stalls([120, 130, 140, 150]);
    const b = stalls([900, 910, 920, 930, 940, 950]);
    const merged = mergeStalls([
      { pid: 1, stalls: a },
      { pid: 2, stalls: b },
    ]);
    expect(merged).toMatchObject({ count: 10, startupCount: 0, totalMs: 540 + 5550, maxMs: 950, exact: true });
    // Of ten stalls the 5th is 900 ms: the p50 of the whole, not the larger of the two p50s (920) nor a mean.
    expect(merged.p50Ms).toBeGreaterThanOrEqual(900);
    expect(merged.p50Ms).toBeLessThan(910);
    expect(merged.p99Ms).toBe(950);
  });

  it('never puts a percentile above the exact max: the histogram bucket of 1234 ms reads 1239', () => {
    // The bucket top is what hdr returns for every percentile of three 1234 ms stalls.
    const decoded = hdr.decodeFromCompressedBase64(histogram([1234, 1234, 1234]));
    expect(decoded.getValueAtPercentile(50)).toBeGreaterThan(1234);

    const merged = mergeStalls([
      { pid: 1, stalls: stalls([1234]) },
      { pid: 2, stalls: stalls([1234, 1234]) },
    ]);
    expect(merged).toMatchObject({ count: 3, maxMs: 1234, p50Ms: 1234, p99Ms: 1234, exact: true });
  });

  it('keeps p50 ≤ p99 ≤ max and no percentile below the smallest stall, whatever the inputs say', () => {
    const cases: number[][][] = [
      [[101], [5000]],
      [[150, 150, 150], [151]],
      [[2047, 2049], [4095, 4097], [8191]],
      [[100, 100, 100, 100, 100, 100, 100, 100, 100, 100_000]],
      [[333], [], [334]],
    ];
    for (const lists of cases) {
      const merged = mergeStalls(lists.map((durations, pid) => ({ pid, stalls: stalls(durations) })));
      const all = lists.flat();
      const min = Math.min(...all);
      const max = Math.max(...all);
      expect(merged.maxMs, JSON.stringify(lists)).toBe(max);
      expect(merged.p50Ms, JSON.stringify(lists)).toBeLessThanOrEqual(merged.p99Ms);
      expect(merged.p99Ms, JSON.stringify(lists)).toBeLessThanOrEqual(max);
      // hdr's lowest bucket holding the smallest stall: at most 1% below it (two significant digits).
      expect(merged.p50Ms, JSON.stringify(lists)).toBeGreaterThanOrEqual(min * 0.99);
    }
  });

  it('orders the percentiles a process reported out of order (an older monitor), clamped to its max', () => {
    const odd: StallFigures = { ...stalls([200, 300]), p50Ms: 320, p99Ms: 250 };
    const merged = mergeStalls([{ pid: 1, stalls: odd }]);
    expect(merged).toMatchObject({ maxMs: 300, p50Ms: 300, p99Ms: 300 });
  });

  it('with a histogram it cannot decode, falls back to the worst process figures (not exact), still clamped', () => {
    const merged = mergeStalls([
      { pid: 1, stalls: { ...stalls([400]), histogram: 'not base64 hdr' } },
      { pid: 2, stalls: stalls([150, 160]) },
    ]);
    expect(merged).toMatchObject({ count: 3, maxMs: 400, p50Ms: 400, p99Ms: 400, exact: false });
  });

  it('of processes with no stall, says zero everywhere', () => {
    const merged = mergeStalls([
      { pid: 1, stalls: stalls([]) },
      { pid: 2, stalls: stalls([]) },
    ]);
    expect(merged).toEqual({ count: 0, startupCount: 0, totalMs: 0, maxMs: 0, p50Ms: 0, p99Ms: 0, worst: [], exact: true });
  });

  it('lists the worst stalls of all processes, longest first, each with its pid', () => {
    const merged = mergeStalls([
      { pid: 101, stalls: stalls([150, 800, 210, 300, 120, 130], worstOf([150, 800, 210, 300, 120, 130], T0)) },
      { pid: 202, stalls: stalls([640, 700, 110], worstOf([640, 700, 110], T0 + 500)) },
      // An older monitor without `worst`: its stalls are counted, it adds nothing to the list.
      { pid: 303, stalls: stalls([5000]) },
    ]);
    expect(merged.worst).toEqual([
      { pid: 101, startedAt: T0 + 1000, durationMs: 800, logged: true, signature: 'sig-800' },
      { pid: 202, startedAt: T0 + 1500, durationMs: 700, logged: true, signature: 'sig-700' },
      { pid: 202, startedAt: T0 + 500, durationMs: 640, logged: true, signature: 'sig-640' },
      { pid: 101, startedAt: T0 + 3000, durationMs: 300, logged: true, signature: 'sig-300' },
      { pid: 101, startedAt: T0 + 2000, durationMs: 210, logged: true, signature: 'sig-210' },
    ]);
    expect(merged.worst).toHaveLength(WORST_MERGED);
    expect(merged.count).toBe(10);
    expect(merged.maxMs).toBe(5000);
  });

  it('keeps why a worst stall has no stack, and of equal durations lists the earlier first', () => {
    const worst = mergeWorst([
      { pid: 7, stalls: stalls([500], [{ startedAt: T0 + 9, durationMs: 500, logged: false, noStack: 'rate-limited' }]) },
      { pid: 8, stalls: stalls([500], [{ startedAt: T0 + 3, durationMs: 500, logged: false, noStack: 'not-caught' }]) },
    ]);
    expect(worst).toEqual([
      { pid: 8, startedAt: T0 + 3, durationMs: 500, logged: false, noStack: 'not-caught' },
      { pid: 7, startedAt: T0 + 9, durationMs: 500, logged: false, noStack: 'rate-limited' },
    ]);
  });
});

describe('mergeTopStacks', () => {
  const frame = { functionName: 'work', url: 'file:///app/work.js', line: 3, column: 1 };
  const entry = (signature: string, count: number, totalMs: number, maxMs: number, extra: Partial<StackSummary> = {}): StackSummary => ({
    signature,
    count,
    totalMs,
    maxMs,
    stack: [frame],
    inFlight: null,
    context: null,
    ...extra,
  });

  it('adds stacks of one signature across processes, worst total first, the first known API and context kept', () => {
    const merged = mergeTopStacks([
      [entry('a', 2, 300, 200), entry('b', 1, 900, 900, { inFlight: { api: 'fs.readFileSync', hint: '/etc/x' } })],
      [entry('a', 3, 700, 400, { context: { route: '/a' } }), entry('b', 1, 100, 100, { inFlight: { api: 'zlib.gzipSync', hint: null } })],
    ]);
    expect(merged).toEqual([
      entry('a', 5, 1000, 400, { context: { route: '/a' } }),
      entry('b', 2, 1000, 900, { inFlight: { api: 'fs.readFileSync', hint: '/etc/x' } }),
    ]);
  });
});

describe('the watch screen of several processes', () => {
  function snapshot(pid: number, figures: StallFigures): MonitorSnapshot {
    const lag = { minMs: 0, maxMs: 1, meanMs: 0.5, stddevMs: 0.1, p50Ms: 0.4, p90Ms: 0.8, p99Ms: 1, samples: 10, source: 'perf_hooks' as const };
    return { pid, at: T0 + 10_000, uptimeMs: 10_000, thresholdMs: 100, mode: 'full', heartbeat: 'timer', lag, utilization: 0.1, utilizationSinceStart: 0.1, stalls: figures, threadPool: null, topStacks: [], syncCalls: [], sections: {} };
  }

  it('lists the worst stalls of all of them, longest first, with pid and why one has no stack', () => {
    const state = new WatchState();
    const first = snapshot(101, stalls([150, 800], [
      { startedAt: T0 + 1000, durationMs: 800, logged: false, noStack: 'rate-limited' },
      { startedAt: T0, durationMs: 150, logged: true, signature: 's' },
    ]));
    const second = snapshot(202, stalls([640], [{ startedAt: T0 + 500, durationMs: 640, logged: true, signature: 't' }]));
    for (const s of [first, second]) {
      state.addProcess({ type: 'hello', pid: s.pid, version: '0.1.0', thresholdMs: 100, mode: 'full' }, `/tmp/${s.pid}.sock`);
      state.setSnapshot(s.pid, s);
    }
    const lines = renderScreen(state, { columns: 200, rows: 60 }, new Chalk({ level: 0 }), T0 + 10_000);
    // p50 from the merged histograms: the 640 ms stall's bucket (640-643 at two significant digits).
    expect(lines).toContainEqual(expect.stringMatching(/^stalls > 100 ms {2}3 {2}p50 64\d ms {2}p99 800 ms {2}max 800 ms {2}total 1\.59 s {2}\(merged across 2 processes\)$/));
    expect(lines).toContain('worst stalls  800 ms pid 101 (no stack: rate-limited, the budget for detailed reports was spent), 640 ms pid 202, 150 ms pid 101');
  });

  it('says why a latest block has no stack, as the monitor gave it (a block still running: so far)', () => {
    const state = new WatchState();
    state.addProcess({ type: 'hello', pid: 101, version: '0.1.0', thresholdMs: 100, mode: 'full' }, '/tmp/101.sock');
    state.setSnapshot(101, snapshot(101, stalls([], [])));
    const block = { type: 'block' as const, startedAt: T0 + 1000, durationMs: 5000, stack: [], inFlight: null, context: null, late: false };
    state.addBlock(101, { ...block, ongoing: true, noStack: 'not-caught' }, T0 + 6000);
    state.addBlock(101, { ...block, startedAt: T0, durationMs: 600, noStack: 'start-up' }, T0 + 6000);
    const lines = renderScreen(state, { columns: 200, rows: 60 }, new Chalk({ level: 0 }), T0 + 6000);
    expect(lines).toContain('              (no stack sampled yet: a native call no wrapper names, or the first sample had not landed)');
    expect(lines).toContain('              (no stack: it began in the start-up grace, when stacks are not sampled)');
  });

  it('says when a latest block’s stack was taken only once native code returned', () => {
    const state = new WatchState();
    state.addProcess({ type: 'hello', pid: 101, version: '0.1.0', thresholdMs: 100, mode: 'full' }, '/tmp/101.sock');
    state.setSnapshot(101, snapshot(101, stalls([], [])));
    const stack = [{ functionName: 'countRuns', url: 'file:///app/store.js', line: 12, column: 5 }];
    state.addBlock(101, { type: 'block', startedAt: T0 + 1000, durationMs: 420, stack, inFlight: null, context: null, late: false, stackDelayMs: 310 }, T0 + 2000);
    const lines = renderScreen(state, { columns: 200, rows: 60 }, new Chalk({ level: 0 }), T0 + 2000);
    const at = lines.indexOf('  00:00:01    420 ms');
    expect(lines.slice(at, at + 3)).toEqual([
      '  00:00:01    420 ms',
      '              (the stack waited 310 ms for native code to return (a call no wrapper names, or garbage collection): the block is in what ran just before the line shown)',
      '              at countRuns (/app/store.js:12:5)',
    ]);
  });
});
