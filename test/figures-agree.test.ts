import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MonitorEvent, MonitorSnapshot, SummaryEvent } from '../packages/runtime-monitor/src/types.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * One process, three 400 ms blocks: the stall count is the same number in every place a user reads it —
 * /metrics, `agent-lag watch --json`, `agent-lag run`'s summary and the event log's summary.
 */

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'agent-lag-figures-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

it('counts the same stalls in /metrics, watch, run and the log', async () => {
  const log = join(scratch, 'events.ndjson');
  const done = join(scratch, 'done');
  const child = spawn(
    process.execPath,
    [cliBin, 'run', '--report', log, '--threshold-ms', '200', '--startup-grace-ms', '0', '--', process.execPath, join(repoRoot, 'test/fixtures/edges/three-blocks-then-wait.mjs'), done],
    { env: { ...process.env, NO_COLOR: '1', AGENT_LAG_METRICS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const deadline = Date.now() + 60_000;
    let match: RegExpExecArray | null = null;
    while ((match = /^blocked (\d+) (\d+)$/m.exec(stdout)) === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(match, stderr).not.toBeNull();
    const [, pid, port] = match!;

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const fromMetrics = Number(/^agent_lag_stalls_total (\d+)/m.exec(metrics)?.[1]);

    const watched = await run([cliBin, 'watch', '--json', '--duration', '2', pid!], { env: process.env });
    const snapshots = watched.stdout
      .split('\n')
      .filter((line) => line.includes('"snapshot"'))
      .map((line) => JSON.parse(line) as { snapshot?: MonitorSnapshot } & Partial<MonitorSnapshot>);
    const last = snapshots.at(-1);
    const fromWatch = last?.snapshot?.stalls.count ?? last?.stalls?.count;

    await writeFile(done, '');
    expect(await exited, stderr).toBe(0);
    const fromRun = Number(/stalls > 200 ms\s+(\d+)/.exec(stderr)?.[1]);
    const events = (await readFile(log, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as MonitorEvent);
    const summary = events.find((event): event is SummaryEvent => event.type === 'summary');

    expect(fromMetrics).toBeGreaterThanOrEqual(3);
    expect({ watch: fromWatch, run: fromRun, log: summary?.stalls.count }, `${watched.stdout}\n${stderr}`).toEqual({ watch: fromMetrics, run: fromMetrics, log: fromMetrics });
  } finally {
    child.kill('SIGKILL');
  }
}, 90_000);
