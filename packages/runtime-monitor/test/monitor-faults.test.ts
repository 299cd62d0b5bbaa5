import { afterAll, describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../src/types.js';
import { run } from '../../../test/helpers/spawn.js';
import { fixture, runFixture, tempDir } from './monitor-helpers.js';

/*
 * Real faults, no mocks: an inspector port opened by the user, the permission model refusing the
 * worker or the inspector, a throwing listener. The host keeps its behaviour and exit code; the monitor
 * prints one AGENT_LAG_LAG_ONLY warning and keeps counting stalls.
 */

const temp = tempDir();
afterAll(() => temp.remove());

const major = Number(process.versions.node.split('.')[0]);
const permission = major >= 22 ? '--permission' : '--experimental-permission';
const blocks = { count: 3, blockMs: 320, gapMs: 60, options: { thresholdMs: 200, socket: false } };
const lagOnlyWarnings = (stderr: string): number => stderr.split('\n').filter((line) => line.includes('AGENT_LAG_LAG_ONLY')).length;

describe('faults degrade to lag-only with one warning', () => {
  it('an app started with --inspect keeps its debugger port and exits normally', async () => {
    const result = await runFixture('repeat.mjs', { ...blocks, exitCode: 4 }, temp.dir, { execArgv: ['--inspect=127.0.0.1:0'] });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/Debugger listening on ws:\/\/127\.0\.0\.1/);
    expect(lagOnlyWarnings(result.stderr)).toBe(1);
    expect(result.output!.snapshot.mode).toBe('lag-only');
    expect(result.output!.snapshot.stalls.count).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('a debugger port opened after start stops stack capture', async () => {
    const result = await runFixture('repeat.mjs', { ...blocks, settleMs: 100, openInspector: true, tailMs: 1500 }, temp.dir);
    expect(result.code, result.stderr).toBe(0);
    expect(lagOnlyWarnings(result.stderr)).toBe(1);
    expect(result.output!.snapshot.mode).toBe('lag-only');
    expect(result.output!.snapshot.stalls.count).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('a refused worker (permission model) leaves main-thread stall counting', async () => {
    const result = await runFixture('repeat.mjs', { ...blocks, exitCode: 5 }, temp.dir, {
      execArgv: [permission, '--allow-fs-read=*', '--allow-fs-write=*'],
    });
    expect(result.code, result.stderr).toBe(5);
    expect(lagOnlyWarnings(result.stderr)).toBe(1);
    expect(result.stderr).toMatch(/watchdog thread could not start/);
    expect(result.output!.snapshot.mode).toBe('lag-only');
    expect(result.output!.snapshot.stalls.count).toBeGreaterThanOrEqual(3);
    const summary = result.events.find((event) => event.type === 'summary');
    expect(summary).toBeDefined();
  }, 60_000);

  // Under the permission model connectToMainThread() aborts the process on Node 20 (native assertion):
  // the monitor must never try it, and still count from the worker.
  it('a refused inspector (permission model with workers allowed) keeps the worker counting', async () => {
    const result = await runFixture('repeat.mjs', blocks, temp.dir, {
      execArgv: [permission, '--allow-fs-read=*', '--allow-fs-write=*', '--allow-worker'],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(lagOnlyWarnings(result.stderr)).toBe(1);
    expect(result.stderr).toMatch(/permission model is on and refuses the inspector/);
    expect(result.output!.snapshot.stalls.count).toBeGreaterThanOrEqual(3);
    const reported = result.events.filter((event): event is Extract<MonitorEvent, { type: 'block' }> => event.type === 'block');
    expect(reported.length).toBeGreaterThanOrEqual(1);
    expect(reported.every((block) => block.stack.length === 0)).toBe(true);
  }, 60_000);

  it('a throwing block listener costs one warning, not the app', async () => {
    const result = await runFixture('repeat.mjs', { ...blocks, throwingListener: true, exitCode: 3 }, temp.dir);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr.split('\n').filter((line) => line.includes('AGENT_LAG_LISTENER'))).toHaveLength(1);
    const output = result.output as unknown as { heard: number };
    expect(output.heard).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('never keeps the process alive', () => {
  it('a script that only starts the monitor exits on its own with its exit code and a summary', async () => {
    const report = `${temp.dir}/short.ndjson`;
    const result = await run([fixture('short.mjs')], {
      env: { ...process.env, AGENT_LAG_TEST_REPORT: report, AGENT_LAG_TEST_EXIT_CODE: '7', XDG_RUNTIME_DIR: temp.dir },
      timeoutMs: 20_000,
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(7);
    expect(result.stderr).not.toMatch(/Waiting for the debugger/);
    expect(result.stderr).not.toMatch(/agent-lag/);
  }, 30_000);
});
