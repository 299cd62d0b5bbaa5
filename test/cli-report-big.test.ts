import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * `report` on a big log written by three processes (the last killed): bounded memory, every block event
 * counted, the processes' counters added up, the worst stall listed although no block event stands for
 * it. The suite's log is ~60 MB (~65,000 events); `node bench/report/run.js` runs the same at 300 MB
 * (its figures are in packages/cli/README.md).
 */

const generator = join(repoRoot, 'bench/report/generate-log.js');
const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-big-report-'));
const log = join(scratch, 'big.ndjson');
const TIME = '/usr/bin/time';

interface Expected {
  processes: { pid: number; stalls: number; blockEvents: number; neverEnded?: number }[];
  stalls: number;
  blockEvents: number;
  worstMs: number;
  events: number;
  bytes: number;
}
let expected: Expected;

beforeAll(async () => {
  const generated = await run([generator, '--out', log, '--mb', '60', '--processes', '3'], { timeoutMs: 120_000 });
  expect(generated.code, generated.stderr).toBe(0);
  expected = JSON.parse(generated.stdout) as Expected;
}, 150_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `report`, under /usr/bin/time when there is one, for the peak RSS (KiB) of the process. */
async function measuredReport(args: string[]) {
  const env = { ...process.env, NO_COLOR: '1' };
  const timed = existsSync(TIME);
  const result = timed
    ? await run(['-f', 'agent-lag-max-rss-kb=%M', process.execPath, cliBin, 'report', ...args], { command: TIME, cwd: repoRoot, env, timeoutMs: 120_000 })
    : await run([cliBin, 'report', ...args], { cwd: repoRoot, env, timeoutMs: 120_000 });
  const rss = /agent-lag-max-rss-kb=(\d+)/.exec(result.stderr);
  return { ...result, stderr: result.stderr.replace(/agent-lag-max-rss-kb=\d+\n?/, ''), maxRssKb: rss ? Number(rss[1]) : null };
}

describe('agent-lag report on a big log of three processes', () => {
  it('reads it in bounded memory and counts every stall and every block event', async () => {
    expect(expected.bytes).toBeGreaterThan(55 * 1024 * 1024);
    const started = Date.now();
    const { code, stdout, stderr, maxRssKb } = await measuredReport([log, '--json']);
    const seconds = (Date.now() - started) / 1000;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The old reader held every line and every event: ~2.3× the file's size (683 MB for 300 MB).
    if (maxRssKb !== null) expect(maxRssKb / 1024).toBeLessThan(250);
    expect(seconds).toBeLessThan(60);
    const model = JSON.parse(stdout) as {
      stalls: { count: number; maxMs: number; detailed: number; withoutStack: number; neverEnded: number };
      processes: { pid: number; figuresFrom: string; stalls: { count: number } }[];
      histogram: { count: number }[];
      worstBlocks: { durationMs: number; noStack: string | null }[];
      lagSeries: unknown[];
    };
    // The counters, added up over the three processes (the killed one: checkpoint + blocks after it + the one that never ended).
    expect(model.stalls.count).toBe(expected.stalls);
    expect(model.processes.map((p) => [p.pid, p.stalls.count])).toEqual(expected.processes.map((p) => [p.pid, p.stalls]));
    expect(model.processes.map((p) => p.figuresFrom)).toEqual(['summary', 'summary', 'checkpoint']);
    // Every block event counted as detailed; the rest of the stalls have no stack.
    expect(model.stalls.detailed).toBe(expected.blockEvents);
    expect(model.stalls.withoutStack).toBe(expected.stalls - expected.blockEvents);
    expect(model.stalls.neverEnded).toBe(1);
    // The histogram counts every stall, from the merged counters.
    expect(model.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(expected.stalls);
    // The worst stall was never logged as a block: listed first anyway, with why it has no stack.
    expect(model.stalls.maxMs).toBe(expected.worstMs);
    expect(model.worstBlocks[0]).toMatchObject({ durationMs: expected.worstMs });
    expect(model.worstBlocks[0]?.noStack).toMatch(/rate-limited/);
    // The chart gets a downsampled series, not one point per window.
    expect(model.lagSeries.length).toBeGreaterThan(10);
    expect(model.lagSeries.length).toBeLessThanOrEqual(400);
  }, 150_000);

  it('prints the totals explained in the terminal', async () => {
    const { code, stdout } = await measuredReport([log]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${expected.stalls} stalls over 100 ms`);
    expect(stdout).toMatch(new RegExp(`\\n {2}${expected.blockEvents} detailed \\([^)]+\\), ${expected.stalls - expected.blockEvents} without a stack \\(`));
    expect(stdout).toMatch(/Worst blocks\n {2}1\. +7 s\n +\(no stack: rate-limited, the budget for detailed reports was spent\)\n/);
  }, 150_000);
});
