import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockEvent, MonitorEvent } from '../src/types.js';
import { run } from '../../../test/helpers/spawn.js';
import { fixture, tempDir } from './monitor-helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

const readEvents = (path: string): MonitorEvent[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as MonitorEvent);

/** Whether the log at `path` holds a provisional event: a block seen while it still lasts. */
const ongoingBlockIn = (path: string): boolean => existsSync(path) && readFileSync(path, 'utf8').includes('"ongoing":true');

const baseEnv = (report: string): NodeJS.ProcessEnv => ({
  ...process.env,
  AGENT_LAG_REPORT: report,
  AGENT_LAG_THRESHOLD_MS: '100',
  AGENT_LAG_STARTUP_GRACE_MS: '0',
  AGENT_LAG_SOCKET: 'off',
  XDG_RUNTIME_DIR: temp.dir,
});

describe('the preload', () => {
  it('watches a CommonJS app with -r, configured from AGENT_LAG_* variables', async () => {
    const report = join(temp.dir, 'cjs.ndjson');
    const result = await run(['-r', '@agent-lag/runtime-monitor/register', fixture('preloaded-app.cjs')], { env: baseEnv(report), cwd: fixture('') });
    expect(result.code, result.stderr).toBe(0);
    const events = readEvents(report);
    const blocks = events.filter((event): event is BlockEvent => event.type === 'block');
    expect(blocks.some((block) => block.stack.some((frame) => frame.functionName === 'blockInPreloadedApp'))).toBe(true);
    const summary = events.find((event) => event.type === 'summary');
    expect(summary).toMatchObject({ type: 'summary', thresholdMs: 100, mode: 'full' });
  }, 30_000);

  it('watches an ES-module app with --import and names the sync API in flight (wrappers on by default)', async () => {
    const report = join(temp.dir, 'esm.ndjson');
    const fifo = join(temp.dir, 'preload.fifo');
    execFileSync('mkfifo', [fifo]);
    // The app reads the FIFO 300 ms after it starts and is blocked until something writes to it. The write comes
    // once the log shows that block in progress, whenever that is on this machine: a slow start-up (seconds on a
    // loaded one) must not let the read end before the monitor could see it.
    let writer: ReturnType<typeof spawn> | undefined;
    const released = new Promise<void>((resolve) => {
      const deadline = Date.now() + 20_000;
      const poll = (): void => {
        if (ongoingBlockIn(report) || Date.now() > deadline) {
          writer = spawn('/bin/sh', ['-c', 'echo done > "$0"', fifo], { stdio: 'ignore' });
          resolve();
        } else setTimeout(poll, 50);
      };
      poll();
    });
    try {
      const result = await run(['--import', '@agent-lag/runtime-monitor/register', fixture('preloaded-app.mjs')], {
        env: { ...baseEnv(report), AGENT_LAG_TEST_FIFO: fifo },
        cwd: fixture(''),
      });
      await released;
      expect(result.code, result.stderr).toBe(0);
      const blocks = readEvents(report).filter((event): event is BlockEvent => event.type === 'block' && event.ongoing !== true);
      const read = blocks.find((block) => block.inFlight?.api === 'fs.readFileSync');
      expect(read?.inFlight?.hint, JSON.stringify(blocks)).toBe(fifo);
      expect(read?.durationMs).toBeGreaterThanOrEqual(100);
    } finally {
      writer?.kill();
    }
  }, 30_000);

  it('reports a bad variable once and runs with the default', async () => {
    const report = join(temp.dir, 'bad.ndjson');
    const result = await run(['-r', '@agent-lag/runtime-monitor/register', fixture('preloaded-app.cjs')], {
      env: { ...baseEnv(report), AGENT_LAG_THRESHOLD_MS: 'soon' },
      cwd: fixture(''),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/AGENT_LAG_ENV.*AGENT_LAG_THRESHOLD_MS="soon"/);
    expect(readEvents(report).some((event) => event.type === 'summary')).toBe(true);
  }, 30_000);

  it('does nothing with AGENT_LAG_DISABLE=1', async () => {
    const report = join(temp.dir, 'off.ndjson');
    const result = await run(['-r', '@agent-lag/runtime-monitor/register', fixture('preloaded-app.cjs')], {
      env: { ...baseEnv(report), AGENT_LAG_DISABLE: '1' },
      cwd: fixture(''),
    });
    expect(result.code).toBe(0);
    expect(() => readFileSync(report)).toThrow();
  }, 30_000);
});
