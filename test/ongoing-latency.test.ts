import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockEndOf } from '../packages/runtime-monitor/src/events/block-span.js';
import type { BlockEvent } from '../packages/runtime-monitor/src/types.js';
import { cliBin, repoRoot } from './helpers/paths.js';

/*
 * A JavaScript block is shown while it runs: `watch --json` and the log get it as ongoing, with its
 * stack, about a threshold after it began. Five 600 ms blocks at thresholdMs 100 with the beat timer:
 * each published within a bound a loaded 2-core machine keeps (the watchdog thread may be scheduled late
 * there), the median well under it. On an idle machine the median is about threshold + 50 ms; under two
 * busy loops plus builds it was 192 ms, so the test holds the loaded bound, not the idle figure.
 */

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'agent-lag-latency-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

it('publishes a 600 ms JavaScript block as ongoing, with its stack, within a loaded machine bound of its start', async () => {
  const log = join(scratch, 'events.ndjson');
  const watching = join(scratch, 'watching');
  const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
  const app = spawn(process.execPath, ['--import', register, join(repoRoot, 'test/fixtures/edges/five-js-blocks.mjs'), watching], {
    env: { ...process.env, AGENT_LAG_REPORT: log, AGENT_LAG_THRESHOLD_MS: '100', AGENT_LAG_HEARTBEAT: 'timer', AGENT_LAG_STARTUP_GRACE_MS: '0', XDG_RUNTIME_DIR: scratch },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let appOut = '';
  app.stdout.setEncoding('utf8').on('data', (chunk: string) => (appOut += chunk));
  const appExited = new Promise((resolve) => app.on('close', resolve));
  let watch: ReturnType<typeof spawn> | null = null;
  try {
    const deadline = Date.now() + 30_000;
    while (!/^ready \d+$/m.test(appOut) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const pid = /^ready (\d+)$/m.exec(appOut)![1]!;
    watch = spawn(process.execPath, [cliBin, 'watch', '--json', '--duration', '30', pid], { env: { ...process.env, XDG_RUNTIME_DIR: scratch }, stdio: ['ignore', 'pipe', 'pipe'] });
    let watchOut = '';
    let watchErr = '';
    watch.stdout!.setEncoding('utf8').on('data', (chunk: string) => (watchOut += chunk));
    watch.stderr!.setEncoding('utf8').on('data', (chunk: string) => (watchErr += chunk));
    while (!watchOut.includes('"hello"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(watchOut, `watch never said hello: ${watchErr}`).toContain('"hello"');
    await writeFile(watching, '');
    await appExited;

    const starts = [...appOut.matchAll(/^block (\d) (\d+)$/gm)].map((m) => ({ n: Number(m[1]), at: Number(m[2]) }));
    expect(starts).toHaveLength(5);
    const names = ['firstJsBlock', 'secondJsBlock', 'thirdJsBlock', 'fourthJsBlock', 'fifthJsBlock'];
    const streamed = watchOut
      .split('\n')
      .filter((line) => line.includes('"ongoing":true'))
      .map((line) => JSON.parse(line) as BlockEvent & { event?: BlockEvent });
    const logged = (await readFile(log, 'utf8'))
      .split('\n')
      .filter((line) => line.includes('"ongoing":true'))
      .map((line) => JSON.parse(line) as BlockEvent);
    const delays: number[] = [];
    for (const { n, at } of starts) {
      const inLog = logged.find((block) => block.stack.some((frame) => frame.functionName === names[n]));
      expect(inLog, `block ${names[n]} not published as ongoing: ${JSON.stringify(logged)}`).toBeDefined();
      // The watcher got the same event, with its stack.
      expect(streamed.some((line) => JSON.stringify(line).includes(`"startedAt":${inLog!.startedAt}`) && JSON.stringify(line).includes(names[n]!))).toBe(true);
      // Published when the block had lasted durationMs, by the monitor's clock.
      const delay = blockEndOf(inLog!) - at;
      delays.push(delay);
      expect(delay).toBeLessThan(450);
    }
    expect(median(delays), JSON.stringify(delays)).toBeLessThanOrEqual(300);
  } finally {
    app.kill('SIGKILL');
    watch?.kill('SIGKILL');
  }
}, 90_000);
