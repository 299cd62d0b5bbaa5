import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

const fixtures = join(repoRoot, 'test/fixtures/cli/report');
const eventLog = join(fixtures, 'events.ndjson');
const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-report-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function report(args: string[]) {
  return run([cliBin, 'report', ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeoutMs: 30_000 });
}

describe('agent-lag report in the terminal', () => {
  it('summarises lag, stalls, worst blocks with stack and sync API, routes and sync call sites', async () => {
    const { code, stdout, stderr } = await report([eventLog]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/p50 0\.9 ms {2}p90 151 ms {2}p99 212 ms {2}max 1\.1 s/);
    expect(stdout).toMatch(/69 stalls over 50 ms, 13 s blocked in total, worst 1\.1 s {2}\(\+1 during start-up, not counted\)/);
    // The histogram: one bar per duration bucket, with its count.
    expect(stdout).toMatch(/100–250 ms █+ 64/);
    expect(stdout).toMatch(/1–2\.5 s ▏ 1/);
    // The worst block names the sync API in flight, the route and the application frames.
    expect(stdout).toMatch(/1\. +1\.1 s {2}child_process\.execSync "sleep 0\.15 && echo 'all checks passed'" {2}during POST \/agent\/run request\.id=r-11-2 {2}7 requests in flight/);
    expect(stdout).toContain('at shell (/home/dev/agent-service/sync-tools.js:16:18)');
    expect(stdout).not.toContain('node:child_process');
    expect(stdout).toMatch(/\/agent\/run +70 +69 +13 s +1\.1 s +5\.2 s/);
    expect(stdout).toMatch(/fs\.readFileSync {2}\/home\/dev\/agent-service\/sync-tools\.js:10:16 +70 +311 ms +61 ms/);
  });

  it('prints the same figures as JSON with --json', async () => {
    const { code, stdout } = await report([eventLog, '--json']);
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as {
      stalls: { count: number; startupCount: number; detailed: number };
      histogram: { label: string; count: number }[];
      lagSeries: unknown[];
      stackGroups: { signature: string; count: number }[];
      routes: { route: string }[];
    };
    expect(model.stalls).toMatchObject({ count: 69, startupCount: 1, detailed: 69 });
    expect(model.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(69);
    expect(model.lagSeries).toHaveLength(20);
    expect(model.stackGroups.map((g) => [g.signature, g.count])).toEqual([['shell-exec', 65], ['read-file', 4]]);
    expect(model.routes.map((r) => r.route)).toEqual(['/agent/run', '/healthz']);
  });

  it('writes the HTML report where --html says and tells on stderr', async () => {
    const out = join(scratch, 'report.html');
    const { code, stderr } = await report([eventLog, '--html', out]);
    expect(code).toBe(0);
    expect(stderr.trim()).toBe(`agent-lag: wrote the HTML report to ${out}`);
    const html = readFileSync(out, 'utf8');
    // Self-contained: no script, no external resource of any kind.
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    // The worst block's row ends with the requests it held up.
    expect(html).toMatch(/<td class="text">POST \/agent\/run request\.id=r-11-2<\/td><td>7<\/td><\/tr>/);
  });
});

describe('agent-lag report on a log the monitor recorded', () => {
  // Recorded from examples/agent-service (sync tools) under autocannon load, 1 s lag windows.
  const recorded = join(fixtures, 'recorded-agent-service.ndjson');

  it('names the planted execSync line, counts every stall and says how many were logged in detail', async () => {
    const { code, stdout } = await report([recorded]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/11 stalls over 50 ms, 5\.4 s blocked in total, worst 829 ms/);
    expect(stdout).toContain('7 of them logged in detail');
    expect(stdout).toMatch(/child_process\.execSync "sleep 0\.15 && echo 'all checks passed'"/);
    expect(stdout).toMatch(/at shell \(\S*examples\/agent-service\/sync-tools\.js:16:18\)/);
    expect(stdout).toMatch(/child_process\.execSync {2}\S*examples\/agent-service\/sync-tools\.js:16:18/);
  });
});

describe('agent-lag report on bad input', () => {
  it.each([
    ['a missing file', join(fixtures, 'missing.ndjson'), /^agent-lag: no such file: .*missing\.ndjson$/],
    ['an empty file', join(fixtures, 'empty.ndjson'), /^agent-lag: .*empty\.ndjson is empty: no agent-lag events to report$/],
    ['blank lines only', join(fixtures, 'blank-lines.ndjson'), /is empty: no agent-lag events/],
    ['a corrupt line', join(fixtures, 'corrupt.ndjson'), /^agent-lag: .*corrupt\.ndjson:3: not valid JSON/],
    ['JSON that is not an event', join(fixtures, 'not-events.ndjson'), /not-events\.ndjson:1: not an agent-lag event/],
    ['a block without a duration', join(fixtures, 'no-duration.ndjson'), /no-duration\.ndjson:1: a block event without a numeric "durationMs"/],
    ['a directory', fixtures, /is a directory, not an event log$/],
  ])('%s → one line, exit 2', async (_name, file, expected) => {
    const { code, stdout, stderr } = await report([file, '--html', join(scratch, 'never.html')]);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(expected);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('agent-lag report on blocks reported while still running ("ongoing")', () => {
  // Hand-written: the process was killed while wedged, so there is no summary line.
  const frame = (functionName: string, line: number) => ({ functionName, url: 'file:///home/dev/agent-service/tools.js', line, column: 3 });
  const lines = [
    { type: 'lag', at: 1_732_370_000_000, windowMs: 10_000, lag: { minMs: 0, maxMs: 7200, meanMs: 40, stddevMs: 300, p50Ms: 0.5, p90Ms: 1, p99Ms: 300, samples: 400, source: 'perf_hooks' }, utilization: 0.4, threadPool: null },
    // (a) a block reported as ongoing at 5 s, then ended at 7.2 s: the same block, counted once.
    { type: 'block', startedAt: 1_732_370_004_000, durationMs: 5001, stack: [frame('renderHugeTranscript', 42)], inFlight: null, context: { run: 'r-18' }, late: false, signature: 'render', ongoing: true },
    { type: 'block', startedAt: 1_732_370_001_000, durationMs: 300, stack: [frame('hashPasswordSynchronously', 10)], inFlight: null, context: null, late: false, signature: 'hash' },
    { type: 'block', startedAt: 1_732_370_004_000, durationMs: 7200, stack: [frame('renderHugeTranscript', 42)], inFlight: null, context: { run: 'r-18' }, late: false, signature: 'render' },
    // (b) reported as ongoing, never ended: the process was killed while blocked.
    { type: 'block', startedAt: 1_732_370_020_000, durationMs: 5002, stack: [frame('spinForeverInAToolHandler', 77)], inFlight: null, context: { run: 'r-19' }, late: false, signature: 'spin', ongoing: true },
  ];
  let log: string;
  beforeAll(() => {
    log = join(scratch, 'ongoing.ndjson');
    writeFileSync(log, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  });

  it('counts a provisional + final pair once and shows the lone provisional as a block that never ended', async () => {
    const { code, stdout, stderr } = await report([log]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Two ended blocks (7.2 s and 0.3 s), not three: the provisional 5 s event is the same block as the 7.2 s one.
    expect(stdout).toMatch(/ 2 stalls, 7\.5 s blocked in total, worst 7\.2 s/);
    expect(stdout).toMatch(/\+1 block never ended \(reported still running after 5\.0 s, no end in the log: the process was killed or died while blocked/);
    expect(stdout).toMatch(/Blocks that never ended\n +1\. +≥ 5\.0 s {2}NEVER ENDED {2}during run=r-19\n +at spinForeverInAToolHandler \(\/home\/dev\/agent-service\/tools\.js:77:3\)/);
    const worst = stdout.slice(stdout.indexOf('Worst blocks'), stdout.indexOf('Blocking stacks'));
    expect(worst.match(/renderHugeTranscript/g)).toHaveLength(1);
    expect(worst).toMatch(/1\. +7\.2 s {2}during run=r-18/);
    expect(worst).not.toContain('5.0 s');
    expect(worst).not.toContain('spinForeverInAToolHandler');
    expect(stdout).toMatch(/renderHugeTranscript \(\/home\/dev\/agent-service\/tools\.js:42:3\) +1 +7\.2 s +7\.2 s/);
  });

  it('gives the same split in --json and marks it in the HTML report', async () => {
    const { code, stdout } = await report([log, '--json']);
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as {
      stalls: { count: number; totalMs: number; maxMs: number; detailed: number; neverEnded: number };
      histogram: { count: number }[];
      worstBlocks: { startedAt: number; durationMs: number; ongoing: boolean }[];
      neverEnded: { startedAt: number; durationMs: number; ongoing: boolean; stack: { functionName: string }[] }[];
      stackGroups: { signature: string; count: number; totalMs: number }[];
    };
    expect(model.stalls).toEqual({ count: 2, startupCount: 0, totalMs: 7500, maxMs: 7200, detailed: 2, neverEnded: 1 });
    expect(model.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(2);
    expect(model.worstBlocks.map((b) => [b.durationMs, b.ongoing])).toEqual([[7200, false], [300, false]]);
    expect(model.neverEnded).toHaveLength(1);
    expect(model.neverEnded[0]).toMatchObject({ startedAt: 1_732_370_020_000, durationMs: 5002, ongoing: true });
    expect(model.neverEnded[0]?.stack[0]?.functionName).toBe('spinForeverInAToolHandler');
    expect(model.stackGroups.map((g) => [g.signature, g.count, g.totalMs])).toEqual([['render', 1, 7200], ['hash', 1, 300]]);

    const out = join(scratch, 'ongoing.html');
    expect((await report([log, '--html', out])).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<div class="card bad"><span class="dim">never ended<\/span><b>1<\/b><\/div>/);
    expect(html).toContain('<h2>Blocks that never ended</h2>');
    const table = /<table class="never-ended">.*?<\/table>/s.exec(html)?.[0] ?? '';
    expect(table).toContain('≥ 5.0 s, never ended');
    expect(table).toContain('spinForeverInAToolHandler');
    expect(table).not.toContain('renderHugeTranscript');
    const worst = /<table class="worst">.*?<\/table>/s.exec(html)?.[0] ?? '';
    expect(worst.match(/<tr>/g)).toHaveLength(3); // the header and the two ended blocks
    expect(worst).not.toContain('spinForeverInAToolHandler');
  });
});
