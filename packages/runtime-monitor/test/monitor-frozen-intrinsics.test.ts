import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MonitorEvent, MonitorSnapshot } from '../src/types.js';
import { run } from '../../../test/helpers/spawn.js';
import { fixture, tempDir } from './monitor-helpers.js';

/*
 * `node --frozen-intrinsics` with the preload: the host must run and exit exactly as without it. Node
 * runs `-r` preloads before it freezes the intrinsics and `--import` ones after, so both are tried.
 * hdr-histogram-js's entry point used to kill the host here (its WebAssembly loader assigns Object.hasOwn).
 */

const temp = tempDir();
afterAll(() => temp.remove());

const readEvents = (path: string): MonitorEvent[] => {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as MonitorEvent);
  } catch {
    return [];
  }
};

/** What the host writes to stderr on its own, whatever the monitor does: Node's warning about the flag. */
const nodeNoise = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((line) => !/ExperimentalWarning: Frozen intristics|--trace-warnings/.test(line))
    .join('\n')
    .trim();

describe.each([
  ['an ES-module app, --import', '--import', 'frozen-app.mjs'],
  ['a CommonJS app, -r', '-r', 'frozen-app.cjs'],
])('under --frozen-intrinsics: %s', (_name, flag, app) => {
  it('runs and exits as without the monitor (exit code, stdout), and the monitor writes its summary', async () => {
    const report = join(temp.dir, `${app}.ndjson`);
    const env = { ...process.env, XDG_RUNTIME_DIR: temp.dir, AGENT_LAG_SOCKET: 'off', AGENT_LAG_STARTUP_GRACE_MS: '0' };
    const options = { cwd: fixture(''), timeoutMs: 30_000 };
    const without = await run(['--frozen-intrinsics', fixture(app)], { ...options, env });
    const withMonitor = await run(['--frozen-intrinsics', flag, '@agent-lag/runtime-monitor/register', fixture(app)], {
      ...options,
      env: { ...env, AGENT_LAG_REPORT: report },
    });

    expect(without.code, without.stderr).toBe(3);
    // The built-ins are frozen (Node 22 and 24 leave Atomics out; Node 20 freezes it too).
    expect(without.stdout).toMatch(/^frozen true (true|false)$/m);
    expect({ code: withMonitor.code, signal: withMonitor.signal }, withMonitor.stderr).toEqual({ code: without.code, signal: without.signal });
    expect(withMonitor.stdout).toBe(without.stdout);
    // No crash trace, no "Waiting for the debugger to disconnect...": only the monitor's own one-line warnings.
    expect(nodeNoise(withMonitor.stderr).split('\n').filter((line) => line !== '' && !line.includes('AGENT_LAG_')), withMonitor.stderr).toEqual([]);

    // The worker runs without the host's flags, so the monitor still works: the summary counts the app's block.
    const summary = readEvents(report).find((event): event is MonitorSnapshot & { type: 'summary' } => event.type === 'summary');
    expect(summary, withMonitor.stderr).toBeDefined();
    expect(summary?.stalls.count).toBeGreaterThanOrEqual(1);
    expect(summary?.stalls.maxMs).toBeGreaterThanOrEqual(250);
  }, 60_000);
});
