import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import hdr from 'hdr-histogram-js';
import { afterAll, describe, expect, it } from 'vitest';
import { LagSeries, LAG_POINTS } from '../src/report/aggregate.js';
import { readLines, type Line } from '../src/report/line-reader.js';
import { logFigures } from '../src/report/log-figures.js';
import { buildReport } from '../src/report/model.js';
import { RunReport } from '../src/run/run-report.js';
import { formatSummary } from '../src/shared/format.js';
import { readEventLog } from '../src/report/read-log.js';
import { renderTerminal } from '../src/report/terminal.js';

const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-log-reader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(scratch, `log-${files++}.ndjson`);
  writeFileSync(path, text);
  return path;
}

async function lines(path: string, max?: number): Promise<Line[]> {
  const seen: Line[] = [];
  await readLines(path, (line) => seen.push(line), max);
  return seen;
}

const T0 = 1_767_225_600_000;

function histogram(values: number[]): string {
  const h = hdr.build();
  for (const v of values) h.recordValue(v);
  return hdr.encodeIntoCompressedBase64(h);
}

function snapshot(type: 'summary' | 'checkpoint', pid: number, at: number, durations: number[], extra: Record<string, unknown> = {}) {
  const totalMs = durations.reduce((a, b) => a + b, 0);
  return {
    type,
    pid,
    at,
    thresholdMs: 100,
    mode: 'full',
    lag: { minMs: 0, maxMs: 1, meanMs: 0.5, p50Ms: 0.4, p90Ms: 0.8, p99Ms: 1, samples: 10, source: 'perf_hooks' },
    utilization: 0.1,
    stalls: { count: durations.length, startupCount: 0, totalMs, maxMs: Math.max(0, ...durations), p50Ms: 0, p99Ms: 0, histogram: histogram(durations) },
    topStacks: [],
    syncCalls: [],
    sections: {},
    ...(type === 'checkpoint' ? { ongoing: null } : {}),
    ...extra,
  };
}

const block = (pid: number, startedAt: number, durationMs: number, extra: Record<string, unknown> = {}) => ({
  type: 'block',
  pid,
  startedAt,
  durationMs,
  stack: [{ functionName: 'work', url: 'file:///app/work.js', line: 3, column: 1 }],
  inFlight: null,
  context: null,
  late: false,
  signature: `s-${durationMs}`,
  ...extra,
});

const ndjson = (events: unknown[], end = '\n') => events.map((e) => JSON.stringify(e)).join('\n') + end;

describe('readLines', () => {
  it('splits on newlines across chunks and flags a last line without one', async () => {
    const long = 'x'.repeat(3 * 1024 * 1024);
    const seen = await lines(file(`a\n${long}\n\nlast`));
    expect(seen.map((l) => [l.number, l.text.length, l.oversize, l.unterminated])).toEqual([
      [1, 1, false, false],
      [2, long.length, false, false],
      [3, 0, false, false],
      [4, 4, false, true],
    ]);
  });

  it('drops a line past the cap without buffering it, and goes on after it', async () => {
    const seen = await lines(file(`${'y'.repeat(5000)}\nok\n${'z'.repeat(5000)}`), 1000);
    expect(seen.map((l) => [l.text, l.oversize, l.unterminated])).toEqual([
      ['', true, false],
      ['ok', false, false],
      ['', true, true],
    ]);
  });
});

describe('readEventLog and the figures', () => {
  it('adds up three processes, the killed one from its checkpoint plus the blocks after it and the one that never ended', async () => {
    const events = [
      block(1, T0, 300),
      block(2, T0 + 10, 200),
      block(3, T0 + 20, 150),
      snapshot('checkpoint', 3, T0 + 1000, [150, 400]),
      block(1, T0 + 2000, 300),
      snapshot('summary', 1, T0 + 3000, [300, 300, 900]),
      snapshot('summary', 2, T0 + 3000, [200]),
      block(3, T0 + 3000, 250),
      block(3, T0 + 4000, 500, { ongoing: true }),
    ];
    const log = await readEventLog(file(ndjson(events)));
    const figures = logFigures(log);
    expect(figures.processes.map((p) => [p.pid, p.figuresFrom, p.stalls.count])).toEqual([
      [1, 'summary', 3],
      [2, 'summary', 1],
      [3, 'checkpoint', 4],
    ]);
    expect(figures.stalls.count).toBe(8);
    expect(figures.stalls.maxMs).toBe(900);
    // The 900 ms stall of pid 1 has no block event: it is still the worst listed, with why.
    expect(figures.worstBlocks[0]).toMatchObject({ pid: 1, durationMs: 900, startedAt: null });
    expect(figures.worstBlocks[0]?.noStack).toMatch(/no block event/);
    // pid 3 died in a block: counted at its latest known age.
    expect(figures.neverEnded.map((b) => [b.pid, b.durationMs])).toEqual([[3, 500]]);
    const model = buildReport(log);
    expect(model.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(8);
    expect(model.stalls).toMatchObject({ count: 8, detailed: 6, withoutStack: 2 });
  });

  it("gives a process's utilisation over its life: its snapshot's since start, else its lag windows weighted by length", async () => {
    const lag = (pid: number, at: number, windowMs: number, utilization: number) => ({ type: 'lag', pid, at, windowMs, lag: { minMs: 0, maxMs: 1, meanMs: 0.5, p50Ms: 0.4, p90Ms: 0.8, p99Ms: 1 }, utilization });
    const events = [
      lag(1, T0 + 1000, 1000, 0.9),
      lag(2, T0 + 1000, 1000, 0.9),
      lag(2, T0 + 4000, 3000, 0.1),
      // pid 1's last second was idle: its summary's latest window says 0, its life 0.45.
      snapshot('summary', 1, T0 + 2000, [], { utilization: 0, utilizationSinceStart: 0.45 }),
      // An older monitor's summary, without the figure: pid 2's windows, (0.9 × 1 s + 0.1 × 3 s) / 4 s.
      snapshot('summary', 2, T0 + 4000, []),
    ];
    const figures = logFigures(await readEventLog(file(ndjson(events))));
    expect(figures.processes.map((p) => [p.pid, p.utilization])).toEqual([
      [1, 0.45],
      [2, 0.3],
    ]);
  });

  it("counts a stack's blocks over every process, and says in how many run's summary line counts them", async () => {
    // The same tool blocks in two processes (pid 1 twice, pid 2 once), pid 3 elsewhere.
    const events = [
      block(1, T0, 300, { signature: 'tool' }),
      block(2, T0 + 100, 250, { signature: 'tool' }),
      block(1, T0 + 1000, 200, { signature: 'tool' }),
      block(3, T0 + 1000, 150, { signature: 'other', stack: [{ functionName: 'other', url: 'file:///app/other.js', line: 1, column: 1 }] }),
      snapshot('summary', 1, T0 + 2000, [300, 200]),
      snapshot('summary', 2, T0 + 2000, [250]),
      snapshot('summary', 3, T0 + 2000, [150]),
      snapshot('summary', 4, T0 + 2000, []),
    ];
    const figures = logFigures(await readEventLog(file(ndjson(events))));
    expect(figures.stackGroups.map((g) => [g.signature, g.count, g.totalMs, g.processes])).toEqual([
      ['tool', 3, 750, 2],
      ['other', 1, 150, 1],
    ]);
    const lines = formatSummary({ figures, title: 'node app.js' }, new Chalk({ level: 0 }));
    // Said once, at the worst block of that stack; the pid is that block's own.
    expect(lines.filter((line) => line.includes('with this stack'))).toEqual(['    1. 300 ms  ×3 with this stack in 2 processes, total 750 ms  pid 1']);
    // report's per-process lines, in words: one stall, none.
    const report = renderTerminal(buildReport(await readEventLog(file(ndjson(events)))));
    expect(report.split('\n').filter((line) => /^ {2}pid \d:/.test(line))).toEqual([
      '  pid 1: 2 stalls, worst 300 ms  (from its summary)',
      '  pid 2: 1 stall, worst 250 ms  (from its summary)',
      '  pid 3: 1 stall, worst 150 ms  (from its summary)',
      '  pid 4: 0 stalls  (from its summary)',
    ]);
  });

  it("takes a process's end from the `gone` line agent-lag run wrote: a block it was killed in lasts until then", async () => {
    const events = [
      snapshot('checkpoint', 1, T0 + 1000, []),
      block(1, T0 + 1500, 300, { ongoing: true }),
      { type: 'gone', pid: 1, at: T0 + 2400 },
      // A pid the log does not otherwise name: no process of its own.
      { type: 'gone', pid: 99, at: T0 + 2400 },
    ];
    const figures = logFigures(await readEventLog(file(ndjson(events))));
    expect(figures.processes.map((p) => [p.pid, p.endAt, p.checkpointAgeMs])).toEqual([[1, T0 + 2400, 1400]]);
    expect(figures.neverEnded.map((b) => [b.durationMs, b.ageFrom])).toEqual([[900, 'exit']]);
    // What run itself knows first, when it gives it.
    const fromRun = logFigures(await readEventLog(file(ndjson(events))), { goneAt: new Map([[1, T0 + 2000]]) });
    expect(fromRun.neverEnded.map((b) => b.durationMs)).toEqual([500]);
    // A log of gone lines only holds no monitor's event.
    await expect(readEventLog(file(ndjson([{ type: 'gone', pid: 1, at: T0 }])))).rejects.toThrow(/has no block, lag, sla, checkpoint or summary events/);
  });

  it('has run write a `gone` line only for a process that left no summary, once its summary could have been read', () => {
    const path = file('');
    const report = new RunReport(path);
    report.add(snapshot('summary', 1, T0 + 1000, []));
    report.add(snapshot('checkpoint', 2, T0 + 1000, []));
    for (const pid of [1, 2]) report.gone.watch(pid);
    const found = [1, 2].filter((pid) => report.gone.markGone(pid, T0 + 2000));
    // A second sighting is no news.
    expect(report.gone.markGone(2, T0 + 3000)).toBe(false);
    report.noteGone(found);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify({ type: 'gone', pid: 2, at: T0 + 2000 })}\n`);
  });

  it('names the unlogged worst stall from `stalls.worst` with its stack when its signature was logged', async () => {
    const worst = [
      { startedAt: T0 + 5000, durationMs: 800, signature: 's-300', logged: false },
      { startedAt: T0, durationMs: 300, signature: 's-300', logged: true },
    ];
    const events = [block(1, T0, 300), snapshot('summary', 1, T0 + 9000, [300, 800], {}), block(1, T0 + 9500, 120, { startup: true })];
    (events[1] as { stalls: Record<string, unknown> }).stalls['worst'] = worst;
    const model = buildReport(await readEventLog(file(ndjson(events))));
    expect(model.worstBlocks.map((b) => [b.durationMs, b.startedAt, b.stack[0]?.functionName ?? null])).toEqual([
      [800, T0 + 5000, 'work'],
      [300, T0, 'work'],
    ]);
    expect(model.worstBlocks[0]?.noStack).toMatch(/a repeat of a stack logged earlier/);
    expect(model.stalls).toMatchObject({ count: 2, detailed: 1, detailedMs: 300, withoutStack: 1, withoutStackMs: 800 });
  });

  it('skips corrupt lines with one warning and notes a log cut mid-line', async () => {
    const warnings: string[] = [];
    const text = `${ndjson([block(1, T0, 300)])}not json\n{"no":"type"}\n${JSON.stringify(block(1, T0 + 1000, 200))}\n{"type":"blo`;
    const log = await readEventLog(file(text), { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/^skipped 2 lines that are not agent-lag events \(first: .*:2: not valid JSON/)]);
    const model = buildReport(log);
    expect(model.stalls.count).toBe(2);
    expect(model.skippedLines).toBe(2);
    expect(model.notes).toContain('the log ends mid-line (its writer was cut off): the incomplete last line was skipped');
  });

  it('skips a line over 8 MiB in the middle of a log of two processes, and counts every stall around it', async () => {
    const warnings: string[] = [];
    const endless = `{"type":"block","pid":1,"junk":"${'j'.repeat(9 * 1024 * 1024)}"}\n`;
    const text =
      ndjson([block(1, T0, 300), block(2, T0 + 100, 500)]) +
      endless +
      ndjson([block(1, T0 + 2000, 250), snapshot('summary', 1, T0 + 3000, [300, 250]), snapshot('summary', 2, T0 + 3000, [500])]);
    const log = await readEventLog(file(text), { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/^skipped 1 line that is not an agent-lag event \(first: .*:3: a line longer than 8 MiB, not an agent-lag event\)$/)]);
    const model = buildReport(log);
    expect(model.skippedLines).toBe(1);
    expect(model.stalls).toMatchObject({ count: 3, totalMs: 1050, maxMs: 500 });
    expect(model.processes.map((p) => [p.pid, p.stalls.count])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(model.worstBlocks[0]).toMatchObject({ pid: 2, durationMs: 500 });
  });

  it('refuses a file with no event at all, naming its first bad line', async () => {
    await expect(readEventLog(file('nope\nstill nope\n'))).rejects.toThrow(/:1: not valid JSON/);
    await expect(readEventLog(file('\n\n'))).rejects.toThrow(/is empty/);
  });
});

describe('LagSeries', () => {
  it('keeps every window while there are few, and at most LAG_POINTS with the spikes kept', () => {
    const few = new LagSeries();
    const lag = (at: number, maxMs: number) => ({ pid: 1, at, windowMs: 1000, lag: { minMs: 0, maxMs, meanMs: 1, p50Ms: 1, p90Ms: 2, p99Ms: maxMs / 2, samples: 10 }, utilization: 0.5 });
    few.add(lag(T0, 5));
    expect(few.points()).toHaveLength(1);
    const many = new LagSeries();
    for (let i = 0; i < 100_000; i++) many.add(lag(T0 + i * 1000, i === 77_777 ? 9000 : 5));
    const points = many.points();
    expect(points.length).toBeLessThanOrEqual(LAG_POINTS);
    expect(points.length).toBeGreaterThan(LAG_POINTS / 4);
    expect(points.reduce((sum, p) => sum + p.windows, 0)).toBe(100_000);
    expect(points.reduce((most, p) => Math.max(most, p.maxMs), 0)).toBe(9000);
  });
});
