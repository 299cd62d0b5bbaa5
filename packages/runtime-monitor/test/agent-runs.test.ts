import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockEvent, MonitorEvent } from '../src/types.js';
import { byName, parsePrometheus, type ParsedFamily } from './metrics-helpers.js';
import { blocksOf, tempDir } from './monitor-helpers.js';

// A real process holds agent runs open (trackRun) while its tool blocks in execSync; the test scrapes the
// metrics endpoint the watchdog worker serves, as Prometheus would, then releases the runs.

const FIXTURE = fileURLToPath(new URL('./fixtures/agents-core/runs.mjs', import.meta.url));

interface Held {
  child: ChildProcessWithoutNullStreams;
  port: number;
  blockWindow: { start: number; end: number };
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  report: string;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function holdRuns(config: Record<string, unknown>): Promise<Held> {
  const dir = tempDir();
  const report = join(dir.dir, 'events.ndjson');
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, AGENT_LAG_TEST: JSON.stringify(config), AGENT_LAG_TEST_REPORT: report, XDG_RUNTIME_DIR: dir.dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    child.kill('SIGKILL');
    dir.remove();
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!stdout.includes('\n')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the fixture did not get ready: ${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { port, blockWindow } = JSON.parse(stdout.split('\n')[0] ?? '') as { port: number; blockWindow: Held['blockWindow'] };
  return { child, port, blockWindow, exited, stdout: () => stdout, stderr: () => stderr, report };
}

async function scrape(port: number): Promise<Map<string, ParsedFamily>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return byName(parsePrometheus(await response.text()));
}

function value(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string>): number | undefined {
  const series = families.get(name)?.metrics.find((metric) => Object.entries(labels).every(([key, label]) => metric.labels?.[key] === label));
  return series?.value === undefined ? undefined : Number(series.value);
}

/** Scrapes until `check` passes (the main thread publishes its sections to the worker periodically), or fails with its last error. */
async function scrapeUntil(port: number, check: (families: Map<string, ParsedFamily>) => void): Promise<Map<string, ParsedFamily>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const families = await scrape(port);
    try {
      check(families);
      return families;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function eventsOf(report: string): MonitorEvent[] {
  return readFileSync(report, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as MonitorEvent);
}

async function release(held: Held): Promise<BlockEvent[]> {
  held.child.stdin.end('go\n');
  expect(await held.exited, held.stderr()).toBe(0);
  expect(held.stdout()).toContain('{"done":true}');
  return blocksOf(eventsOf(held.report));
}

describe('agent runs (trackRun) as jobs in the in-flight table', () => {
  it('exports runs in flight and the oldest run age while a run is held open, and per-tool figures after its tool blocked', async () => {
    const held = await holdRuns({ tenants: ['acme'] });
    const families = await scrapeUntil(held.port, (families) => {
      expect(value(families, 'agent_lag_tool_calls_total', { gen_ai_tool_name: 'search' })).toBe(1);
      expect(value(families, 'agent_lag_tool_blocks_total', { gen_ai_tool_name: 'summarize_repo' })).toBe(1);
    });
    const scrapedAt = Date.now();
    expect(value(families, 'agent_lag_runs_in_flight', { gen_ai_agent_name: 'triage', tenant: 'acme' })).toBe(1);
    // The run started before the block and has been open for the 1.3 s the fixture waited after it, at least.
    const age = value(families, 'agent_lag_oldest_run_age_seconds', { gen_ai_agent_name: 'triage', tenant: 'acme' }) ?? 0;
    expect(age).toBeGreaterThan((held.blockWindow.end - held.blockWindow.start) / 1000 + 1.3);
    expect(age).toBeLessThan((scrapedAt - held.blockWindow.start) / 1000 + 1);
    expect(value(families, 'agent_lag_tool_calls_total', { gen_ai_tool_name: 'summarize_repo' })).toBe(1);
    expect(value(families, 'agent_lag_tool_calls_in_flight', { gen_ai_tool_name: 'summarize_repo' })).toBe(0);
    expect(value(families, 'agent_lag_tool_calls_in_flight', { gen_ai_tool_name: 'search' })).toBe(0);
    // The tool that blocked waited for no one; the tool call in flight across the block waited through it.
    expect(value(families, 'agent_lag_tool_waited_seconds_total', { gen_ai_tool_name: 'summarize_repo' })).toBe(0);
    const blockedSeconds = value(families, 'agent_lag_tool_blocked_seconds_total', { gen_ai_tool_name: 'summarize_repo' }) ?? 0;
    const worstSeconds = value(families, 'agent_lag_tool_worst_block_seconds', { gen_ai_tool_name: 'summarize_repo' });
    const waitedSeconds = value(families, 'agent_lag_tool_waited_seconds_total', { gen_ai_tool_name: 'search' }) ?? 0;
    expect(value(families, 'agent_lag_tool_blocks_total', { gen_ai_tool_name: 'search' })).toBe(0);

    const blocks = await release(held);
    // The block the tool caused, named by its context: the tool call inside the agent run keeps the run's fields.
    const toolBlocks = blocks.filter((block) => block.context?.['gen_ai.tool.name'] === 'summarize_repo');
    expect(toolBlocks).toHaveLength(1);
    const [block] = toolBlocks as [BlockEvent];
    expect(block.context).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'summarize_repo',
      'gen_ai.tool.call.id': 'call-summarize',
      'gen_ai.agent.name': 'triage',
      'agent_lag.sdk': 'test',
      'agent_lag.run.id': 'run-0',
      'agent_lag.tenant': 'acme',
    });
    expect(block.stack.map((frame) => frame.functionName)).toContain('summarizeRepo');
    // The figures are that block's, to the millisecond.
    expect(blockedSeconds).toBe(block.durationMs / 1000);
    expect(worstSeconds).toBe(block.durationMs / 1000);
    // At least that block (another stall of a loaded machine while `search` waited would add to it).
    expect(waitedSeconds).toBeGreaterThanOrEqual(Math.min(block.durationMs, held.blockWindow.end - held.blockWindow.start) / 1000 - 0.05);
  }, 60_000);

  it('keeps exporting the run in flight, its age growing, while the main thread is frozen', async () => {
    const held = await holdRuns({ tenants: ['acme'] });
    const oldestAge = (families: Map<string, ParsedFamily>): number | undefined =>
      value(families, 'agent_lag_oldest_run_age_seconds', { gen_ai_agent_name: 'triage', tenant: 'acme' });
    const before = oldestAge(await scrapeUntil(held.port, (families) => expect(oldestAge(families)).toBeGreaterThan(0)));
    held.child.stdin.write('wedge\n');
    // The main thread spins for 3 s once it has said so; the worker answers the scrape meanwhile.
    const deadline = Date.now() + 20_000;
    while (!held.stdout().includes('{"wedging":true}') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const scrapeStart = Date.now();
    const frozen = await scrape(held.port);
    const scrapeEnd = Date.now();
    expect(value(frozen, 'agent_lag_runs_in_flight', { gen_ai_agent_name: 'triage', tenant: 'acme' })).toBe(1);
    expect(oldestAge(frozen)).toBeGreaterThan((before ?? 0) + 1);
    const blocks = await release(held);
    // The scrape was answered inside the wedge.
    const wedge = blocks.find((block) => block.stack.some((frame) => frame.functionName === 'wedgeMainThread'));
    expect(wedge?.durationMs).toBeGreaterThanOrEqual(2900);
    expect(wedge?.startedAt).toBeLessThanOrEqual(scrapeStart);
    expect((wedge?.startedAt ?? 0) + (wedge?.durationMs ?? 0)).toBeGreaterThanOrEqual(scrapeEnd);
  }, 60_000);

  it('counts runs in flight per tenant, and tenants past the cap under `other`', async () => {
    const held = await holdRuns({ tenants: ['acme', 'beta', 'gamma', 'delta'], maxTenants: 2 });
    const families = await scrapeUntil(held.port, (families) => {
      expect(value(families, 'agent_lag_runs_in_flight', { gen_ai_agent_name: 'triage', tenant: 'other' })).toBe(2);
    });
    expect(value(families, 'agent_lag_runs_in_flight', { gen_ai_agent_name: 'triage', tenant: 'acme' })).toBe(1);
    expect(value(families, 'agent_lag_runs_in_flight', { gen_ai_agent_name: 'triage', tenant: 'beta' })).toBe(1);
    expect(families.get('agent_lag_runs_in_flight')?.metrics.map((metric) => metric.labels?.tenant).sort()).toEqual(['acme', 'beta', 'other']);
    for (const tenant of ['acme', 'beta', 'other']) {
      expect(value(families, 'agent_lag_oldest_run_age_seconds', { gen_ai_agent_name: 'triage', tenant })).toBeGreaterThan(1.3);
    }
    const blocks = await release(held);
    // The block's context keeps the run's own tenant; only the metric labels are capped.
    expect(blocks.filter((block) => block.context?.['gen_ai.tool.name'] === 'summarize_repo').map((block) => block.context?.['agent_lag.tenant'])).toEqual(['acme']);
  }, 60_000);
});
