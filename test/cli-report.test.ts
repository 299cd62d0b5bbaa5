import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(stdout).toMatch(/1\. +1\.1 s {2}child_process\.execSync "sleep 0\.15 && echo 'all checks passed'" {2}during POST \/agent\/run/);
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
