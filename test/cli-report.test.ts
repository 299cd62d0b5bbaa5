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
    expect(stdout).toMatch(/p50 0\.9 ms {2}p90 151 ms {2}p99 212 ms {2}max 1\.06 s/);
    expect(stdout).toMatch(/69 stalls over 50 ms, 12\.9 s blocked in total, worst 1\.06 s {2}\(\+1 during start-up, not counted\)/);
    // The histogram: one bar per duration bucket, with its count.
    expect(stdout).toMatch(/100–250 ms █+ 64/);
    expect(stdout).toMatch(/1–2\.5 s ▏ 1/);
    // The worst block names the sync API in flight, the route and the application frames.
    expect(stdout).toMatch(/1\. +1\.06 s {2}child_process\.execSync "sleep 0\.15 && echo 'all checks passed'" {2}during POST \/agent\/run request\.id=r-11-2 {2}7 requests in flight/);
    // Its stack as the HTML report folds it: a lone frame of Node's stays (folding it would take a line
    // just as long), then the application's frames.
    expect(stdout).toContain(
      [
        '       at execSync (node:child_process:957:15)',
        '       at shell (/home/dev/agent-service/sync-tools.js:16:18)',
        '       at runAgent (/home/dev/agent-service/agent.js:28:57)',
        '  2.  210 ms',
      ].join('\n'),
    );
    expect(stdout).toMatch(/\/agent\/run +70 +69 +12\.9 s +1\.06 s +5\.23 s/);
    expect(stdout).toMatch(/fs\.readFileSync {2}\/home\/dev\/agent-service\/sync-tools\.js:10:16 +70 +311 ms +61\.3 ms/);
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

  it('names the planted execSync line, counts every stall, lists the worst first and explains the totals', async () => {
    const { code, stdout } = await report([recorded]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/11 stalls over 50 ms, 5\.38 s blocked in total, worst 829 ms/);
    // 7 block events account for 2.5 s; the other 4 stalls (2.8 s) only the counters know.
    expect(stdout).toMatch(/\n {2}7 detailed \(2\.54 s\), 4 without a stack \(2\.84 s\)/);
    // The worst stall is the first of the worst blocks (was: 570 ms, the 829 ms one missing).
    expect(stdout).toMatch(/Worst blocks\n {2}1\. +829 ms/);
    // The histogram counts every stall, not only the 7 detailed ones.
    const histogram = stdout.slice(stdout.indexOf('without a stack'), stdout.indexOf('Worst blocks'));
    expect([...histogram.matchAll(/ (\d+)\n/g)].reduce((sum, m) => sum + Number(m[1]), 0)).toBe(11);
    expect(stdout).toMatch(/child_process\.execSync "sleep 0\.15 && echo 'all checks passed'"/);
    expect(stdout).toMatch(/at shell \(\S*examples\/agent-service\/sync-tools\.js:16:18\)/);
    expect(stdout).toMatch(/child_process\.execSync {2}\S*examples\/agent-service\/sync-tools\.js:16:18/);
    // Its 30 fast readFileSync calls: counted, their site never located, in run's words.
    expect(stdout).toMatch(/fs\.readFileSync {2}\(site not located: no slow call\) +30 /);
  });
});

describe('agent-lag report on bad input', () => {
  it.each([
    ['a missing file', join(fixtures, 'missing.ndjson'), /^agent-lag: no such file: .*missing\.ndjson$/],
    ['an empty file', join(fixtures, 'empty.ndjson'), /^agent-lag: .*empty\.ndjson is empty: no agent-lag events to report$/],
    ['blank lines only', join(fixtures, 'blank-lines.ndjson'), /is empty: no agent-lag events/],
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

describe('agent-lag report on a log with lines that are not events', () => {
  it('counts and skips a corrupt line with one warning, and reports the rest', async () => {
    const { code, stdout, stderr } = await report([join(fixtures, 'corrupt.ndjson')]);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(/^agent-lag: skipped 1 line that is not an agent-lag event \(first: .*corrupt\.ndjson:3: not valid JSON/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/69 stalls over 50 ms, 12\.9 s blocked in total, worst 1\.06 s/);
  });

  it('accepts a log that ends mid-line (its writer killed) and says so', async () => {
    const whole = readFileSync(eventLog, 'utf8');
    const cut = join(scratch, 'cut.ndjson');
    // Everything up to the summary, then half of it: the figures come from the block events.
    const summaryAt = whole.lastIndexOf('{"type":"summary"');
    writeFileSync(cut, whole.slice(0, summaryAt + 200));
    const { code, stdout, stderr } = await report([cut]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('the log ends mid-line (its writer was cut off): the incomplete last line was skipped');
    // No summary left: the figures come from the block events, every one counted.
    expect(stdout).toContain('ended without a summary or checkpoint (killed?): figures from the blocks it logged');
    expect(stdout).toMatch(/\n {2}\d+ stalls, /);
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

  it('counts a provisional + final pair once and the lone provisional as a block that never ended, in the stalls', async () => {
    const { code, stdout, stderr } = await report([log]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Three blocks: 7.2 s and 0.3 s that ended (the provisional 5 s event is the same block as the 7.2 s
    // one), and the 5 s one that never did. No summary or checkpoint: the figures are the blocks'.
    expect(stdout).toMatch(/ 3 stalls, 12\.5 s blocked in total, worst 7\.2 s/);
    expect(stdout).toContain('ended without a summary or checkpoint (killed?): figures from the blocks it logged');
    expect(stdout).toMatch(/1 of them never ended \(still running after 5 s, no end in the log: the process was killed or died while blocked\)/);
    expect(stdout).toMatch(/Blocks that never ended\n +1\. +≥ 5 s {2}NEVER ENDED {2}during run=r-19\n +at spinForeverInAToolHandler \(\/home\/dev\/agent-service\/tools\.js:77:3\)/);
    const worst = stdout.slice(stdout.indexOf('Worst blocks'), stdout.indexOf('Blocking stacks'));
    expect(worst.match(/renderHugeTranscript/g)).toHaveLength(1);
    expect(worst).toMatch(/1\. +7\.2 s {2}during run=r-18/);
    expect(worst).not.toContain('5 s');
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
    expect(model.stalls).toEqual({ count: 3, startupCount: 0, totalMs: 12_502, maxMs: 7200, p50Ms: 5002, p99Ms: 7200, detailed: 3, detailedMs: 12_502, withoutStack: 0, withoutStackMs: 0, neverEnded: 1 });
    expect(model.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(3);
    expect(model.worstBlocks.map((b) => [b.durationMs, b.ongoing])).toEqual([[7200, false], [300, false]]);
    expect(model.neverEnded).toHaveLength(1);
    expect(model.neverEnded[0]).toMatchObject({ startedAt: 1_732_370_020_000, durationMs: 5002, ongoing: true, ageFrom: 'ongoing event' });
    expect(model.neverEnded[0]?.stack[0]?.functionName).toBe('spinForeverInAToolHandler');
    expect(model.stackGroups.map((g) => [g.signature, g.count, g.totalMs])).toEqual([['render', 1, 7200], ['spin', 1, 5002], ['hash', 1, 300]]);

    const out = join(scratch, 'ongoing.html');
    expect((await report([log, '--html', out])).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<div class="card bad"><span class="dim">never ended<\/span><b>1<\/b><\/div>/);
    expect(html).toContain('<h2>Blocks that never ended</h2>');
    const table = /<table class="never-ended">.*?<\/table>/s.exec(html)?.[0] ?? '';
    expect(table).toContain('≥ 5 s, never ended');
    expect(table).toContain('spinForeverInAToolHandler');
    expect(table).not.toContain('renderHugeTranscript');
    const worst = /<table class="worst">.*?<\/table>/s.exec(html)?.[0] ?? '';
    expect(worst.match(/<tr>/g)).toHaveLength(3); // the header and the two ended blocks
    expect(worst).not.toContain('spinForeverInAToolHandler');
  });
});

describe('agent-lag report on a block that began after an idle wait and never ended', () => {
  // Hand-written, as the watchdog writes it: the stall's startedAt is the loop's last sign of life; the
  // loop idled 120 ms more before the block began (blockStartedAt), and its ongoing event, 150 ms into the
  // block, was written at 270 ms. A checkpoint written at 200 ms, before the watchdog had measured that
  // idle wait, counts the stall from startedAt: 200 ms, of which the block was 80 ms.
  const startedAt = 1_767_225_700_000;
  const lines = [
    { type: 'checkpoint', at: startedAt + 200, lag: null, utilization: 1, stalls: { count: 0, startupCount: 0, totalMs: 0, maxMs: 0, histogram: [], worst: [] }, stacks: [], syncCalls: [], sections: {}, ongoing: { startedAt, durationMs: 200 } },
    { type: 'block', pid: 303, startedAt, blockStartedAt: startedAt + 120, durationMs: 150, stack: [{ functionName: 'parseHugeToolResult', url: 'file:///srv/agent/tools.js', line: 12, column: 5 }], inFlight: null, context: null, late: false, signature: 'parse', ongoing: true },
  ];
  let log: string;
  beforeAll(() => {
    log = join(scratch, 'idle-before.ndjson');
    writeFileSync(log, `${lines.map((line) => JSON.stringify({ pid: 303, ...line })).join('\n')}\n`);
  });

  it('ages it from the block\'s own start, by whichever line saw it running latest', async () => {
    const { code, stdout, stderr } = await report([log, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as { neverEnded: { startedAt: number; blockStartedAt: number; durationMs: number; ageFrom: string }[]; to: number | null };
    expect(model.neverEnded).toEqual([expect.objectContaining({ startedAt, blockStartedAt: startedAt + 120, durationMs: 150, ageFrom: 'ongoing event' })]);
  });
});

describe('agent-lag report on a log two processes wrote, one killed without its summary', () => {
  // Hand-written (test/fixtures/cli/report/two-processes.ndjson): pid 101 blocks 300 ms, then 420 ms (first
  // reported as ongoing), and writes its summary. pid 202 blocks 250 ms, then wedges in spinInAToolHandler
  // (two ongoing lines, 150 ms and 1.15 s; checkpoints that saw it 400 ms and 1.4 s in) and is killed:
  // its last checkpoint, 0.4 s before its last line, is its figures, and the wedge a block that never ended.
  const twoProcesses = join(fixtures, 'two-processes.ndjson');

  it('adds up both processes, the block that never ended included, in --json', async () => {
    const { code, stdout, stderr } = await report([twoProcesses, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as {
      pid: number | null;
      stalls: Record<string, number>;
      notes: string[];
      processes: { pid: number; figuresFrom: string; checkpointAgeMs: number | null; stalls: Record<string, number>; neverEnded: number }[];
      worstBlocks: { pid: number; durationMs: number }[];
      neverEnded: { pid: number; startedAt: number; durationMs: number; ageFrom: string; stack: { functionName: string }[] }[];
      stackGroups: { signature: string; count: number; totalMs: number; maxMs: number }[];
      histogram: { count: number }[];
    };
    expect(model.pid).toBeNull();
    // 101: its summary (2 stalls, 720 ms). 202: its checkpoint (1 stall, 250 ms) + the 1.4 s that never ended.
    expect(model.stalls).toEqual({ count: 4, startupCount: 0, totalMs: 2370, maxMs: 1400, p50Ms: 300, p99Ms: 1400, detailed: 4, detailedMs: 2370, withoutStack: 0, withoutStackMs: 0, neverEnded: 1 });
    expect(model.processes.map((p) => [p.pid, p.figuresFrom, p.checkpointAgeMs, p.stalls.count, p.stalls.totalMs, p.stalls.maxMs, p.neverEnded])).toEqual([
      [101, 'summary', null, 2, 720, 420, 0],
      [202, 'checkpoint', 400, 2, 1650, 1400, 1],
    ]);
    expect(model.notes).toEqual(['pid 202 ended without a summary (killed?): figures from its last checkpoint, 400 ms before its end']);
    // The 420 ms block once, as its final event; the 1.4 s one never ended, at its checkpoint's age.
    expect(model.worstBlocks.map((b) => [b.pid, b.durationMs])).toEqual([[101, 420], [101, 300], [202, 250]]);
    expect(model.neverEnded).toHaveLength(1);
    expect(model.neverEnded[0]).toMatchObject({ pid: 202, startedAt: 1_767_225_602_600, durationMs: 1400, ageFrom: 'checkpoint' });
    expect(model.neverEnded[0]?.stack[0]?.functionName).toBe('spinInAToolHandler');
    expect(model.stackGroups.map((g) => [g.signature, g.count, g.totalMs, g.maxMs])).toEqual([['spin', 1, 1400, 1400], ['hash', 2, 720, 420], ['render', 1, 250, 250]]);
    expect(model.histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(4);
  });

  it('says so in the terminal, with both processes\' lag and stalls', async () => {
    const { code, stdout } = await report([twoProcesses]);
    expect(code).toBe(0);
    expect(stdout).toContain('(2 processes, 4.5 s of events, threshold 100 ms)');
    expect(stdout).toContain('pid 202 ended without a summary (killed?): figures from its last checkpoint, 400 ms before its end');
    expect(stdout).toMatch(/pid 101 {2}p50 0\.6 ms {2}p90 2 ms {2}p99 301 ms {2}max 420 ms {2}ELU 20% {2}\(from summary\)/);
    expect(stdout).toMatch(/pid 202 {2}p50 0\.4 ms {2}p90 1 ms {2}p99 250 ms {2}max 1\.4 s {2}ELU 45% {2}\(from checkpoint\)/);
    expect(stdout).toMatch(/ 4 stalls over 100 ms, 2\.37 s blocked in total, worst 1\.4 s\n/);
    expect(stdout).toMatch(/1 of them never ended \(still running after 1\.4 s/);
    expect(stdout).toContain('pid 101: 2 stalls, worst 420 ms  (from its summary)');
    expect(stdout).toContain('pid 202: 2 stalls, 1 never ended, worst 1.4 s  (from its checkpoint)');
    expect(stdout).toMatch(/Blocks that never ended\n +1\. +≥ 1\.4 s {2}NEVER ENDED {2}during run=r-8\n +at spinInAToolHandler/);
    expect(stdout).toMatch(/hashPasswordSynchronously \(\/home\/dev\/agent-service\/tools\.js:10:3\) +2 +720 ms +420 ms/);
  });

  it('lists the processes in the HTML report', async () => {
    const out = join(scratch, 'two-processes.html');
    expect((await report([twoProcesses, '--html', out])).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('pid 202 ended without a summary (killed?): figures from its last checkpoint, 400 ms before its end');
    const table = /<table class="processes">.*?<\/table>/s.exec(html)?.[0] ?? '';
    expect(table).toContain('<tr><td>101</td><td>2</td><td>0</td><td>720 ms</td><td>420 ms</td>');
    expect(table).toContain('<tr><td>202</td><td>2</td><td>1</td><td>1.65 s</td><td>1.4 s</td>');
    expect(table).toContain('last checkpoint, 400 ms before its end');
    expect(html).toMatch(/<div class="card bad"><span class="dim">stalls<\/span><b>4<\/b><\/div>/);
  });
});

describe('agent-lag report on a log of older monitors (no pid on block lines), two processes', () => {
  const at = 1_767_225_600_000;
  const stalls = { count: 1, startupCount: 0, totalMs: 300, maxMs: 300, p50Ms: 300, p99Ms: 300, histogram: '' };
  const summary = (pid: number) => ({ type: 'summary', pid, at: at + 2000, uptimeMs: 2000, thresholdMs: 100, mode: 'full', lag: null, utilization: 0, stalls, topStacks: [], syncCalls: [], sections: {} });
  const block = (startedAt: number) => ({ type: 'block', startedAt, durationMs: 300, stack: [], inFlight: null, context: null, late: false });

  it('counts the blocks once, in the summaries of the processes that wrote them', async () => {
    const log = join(scratch, 'old-two-processes.ndjson');
    writeFileSync(log, `${[block(at + 100), block(at + 900), summary(1), summary(2)].map((line) => JSON.stringify(line)).join('\n')}\n`);
    const { code, stdout } = await report([log]);
    expect(code).toBe(0);
    expect(stdout).toContain('(2 processes, ');
    expect(stdout).toMatch(/ 2 stalls over 100 ms, 600 ms blocked in total, worst 300 ms\n/);
    expect(stdout).not.toContain('ended without a summary');
  });
});

describe('agent-lag report on the log of an agent tool that blocked (trackRun, #17)', () => {
  // Recorded here: a real process under `agent-lag run` runs trackRun({ operation: 'execute_tool',
  // toolName: 'summarize_repo', agentName: 'triage' }) around a 400 ms busy loop.
  const log = join(scratch, 'agent-tool.ndjson');
  let durationMs = 0;

  beforeAll(async () => {
    const recorded = await run([cliBin, 'run', '--report', log, '--', process.execPath, join(repoRoot, 'test/fixtures/cli-agents/tool-block.mjs'), 'once'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', AGENT_LAG_STARTUP_GRACE_MS: '50' },
      timeoutMs: 60_000,
    });
    expect(recorded.code, recorded.stderr).toBe(0);
    // The block this test caused, by its context (its final event; it may first be logged as ongoing).
    const block = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((e) => e['type'] === 'block' && e['ongoing'] !== true && (e['context'] as Record<string, unknown> | null)?.['gen_ai.tool.name'] === 'summarize_repo');
    durationMs = block?.['durationMs'] as number;
    expect(durationMs).toBeGreaterThanOrEqual(400);
  }, 90_000);

  it("prints the tool's row and the agent's runs in the terminal", async () => {
    const { code, stdout } = await report([log]);
    expect(code).toBe(0);
    const ms = `${Math.round(durationMs)} ms`;
    // One call, one block, its time the block's; waited: other stalls the call sat through (none, unless
    // a loaded machine stalled during its 20 ms sleep).
    expect(stdout).toMatch(new RegExp(`\\nTools\\n {2}tool {12}calls  blocks  blocked   worst +waited\\n {2}summarize_repo {6}1 {7}1 {3}${ms}  ${ms} +[\\d.]+ m?s\\n`));
    expect(stdout).toContain(
      [
        "Agent runs in flight  (at each process's last summary or checkpoint)",
        '  agent   tenant  runs in flight  oldest',
        '  triage  –                    0       –',
      ].join('\n'),
    );
  });

  it('gives the same figures in --json and in the HTML report', async () => {
    const { code, stdout } = await report([log, '--json']);
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as { agents: { tools: Record<string, unknown>[]; agents: Record<string, unknown>[] } };
    expect(model.agents.tools).toEqual([
      { tool: 'summarize_repo', calls: 1, blocks: 1, blockedMs: durationMs, worstBlockMs: durationMs, waitedMs: expect.any(Number) as number, inFlight: 0 },
    ]);
    expect(model.agents.agents).toEqual([{ agent: 'triage', tenant: '', inFlight: 0, oldestInFlightStartedAt: null, oldestAgeMs: null }]);

    const out = join(scratch, 'agent-tool.html');
    expect((await report([log, '--html', out])).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const ms = `${Math.round(durationMs)} ms`;
    expect(html).toMatch(
      new RegExp(`<h2>Tools</h2>\\n<table class="tools">.*<tbody><tr><td><code>summarize_repo</code></td><td>1</td><td>1</td><td>${ms}</td><td>${ms}</td><td>[\\d.]+ m?s</td></tr></tbody></table>`),
    );
    expect(html).toContain('<tbody><tr><td><code>triage</code></td><td class="text">–</td><td>0</td><td>–</td></tr></tbody>');
  });
});
