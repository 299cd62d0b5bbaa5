import { afterAll, describe, expect, it } from 'vitest';
import { BEATS, blockLinesOf, blocksDuring, runFixture, tempDir, type FixtureOutput } from './monitor-helpers.js';

/*
 * On-demand beats: where /proc shows the main thread's system call (Linux on x64 and arm64), the
 * sentinel vouches for an idle event loop and the main thread beats only while its loop works. Real
 * processes, the built package; wake-ups are counted from the main thread's voluntary context switches.
 */

const temp = tempDir();
afterAll(() => temp.remove());

const onDemandHere = (BEATS as readonly string[]).includes('on-demand');

interface IdleOutput extends FixtureOutput {
  heartbeat: string;
  wakeUps: number;
  health: { status: string; stalledMs: number } | null;
}

async function idle(config: Record<string, unknown>): Promise<IdleOutput & { events: Awaited<ReturnType<typeof runFixture>>['events'] }> {
  const result = await runFixture('idle.mjs', config, temp.dir);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/agent-lag/);
  return { ...(result.output as IdleOutput), events: result.events };
}

describe.runIf(onDemandHere)('an idle monitored process', () => {
  it('wakes its main thread a few times a second (periodic work, thread-pool probe), not once per heartbeat', async () => {
    const onDemand = await idle({ idleMs: 3000 });
    expect(onDemand.heartbeat).toBe('on-demand');
    // 3 s: three periodic beats and three probe callbacks, a poke now and then after them, and V8's own
    // tasks (code installed by the background compiler). Measured here: 6 to 14 on an idle machine, 26 once
    // under `npm run test:stress` (its threads starved of CPU: more pokes). Either way fewer than the 30
    // beats of one per heartbeat (3 s at the default 100 ms threshold), which is the claim.
    expect(onDemand.wakeUps).toBeLessThan(30);

    const timer = await idle({ idleMs: 3000, options: { heartbeat: 'timer' } });
    expect(timer.heartbeat).toBe('timer');
    // The beat timer: ten wake-ups a second at the default 100 ms threshold. Measured here: 30 to 43.
    expect(timer.wakeUps).toBeGreaterThanOrEqual(25);
    expect(onDemand.wakeUps).toBeLessThan(timer.wakeUps);
  }, 60_000);

  it('still counts and watches a block that starts from idle in a nested event loop (execSync)', async () => {
    const output = await idle({ idleMs: 500, execMs: 1200, options: { syncWrappers: true, ongoingReportMs: 500 } });
    expect(output.heartbeat).toBe('on-demand');
    const window = output.windows[0]!;
    const blocks = blocksDuring(blockLinesOf(output.events), window);
    // execSync waits in an epoll of its own: taken for the idle loop, it would get no provisional event,
    // which only a block watched live gets.
    const ongoing = blocks.find((block) => block.ongoing === true);
    expect(ongoing, JSON.stringify(blocks)).toBeDefined();
    expect(ongoing!.inFlight?.api).toBe('child_process.execSync');
    const final = blocks.find((block) => block.ongoing !== true)!;
    expect(final.durationMs).toBeGreaterThanOrEqual((window.end - window.start) * 0.85);
    expect(final.durationMs).toBeLessThanOrEqual((window.end - window.start) * 1.2 + 250);
    expect(output.snapshot.stalls.count).toBe(1);
  }, 60_000);

  it('is healthy on /healthz after idling, though its main thread has not beaten for a while', async () => {
    const output = await idle({ idleMs: 1500, health: true, options: { metricsEndpoint: { port: 0 } } });
    expect(output.heartbeat).toBe('on-demand');
    expect(output.health).toMatchObject({ status: 'ok', stalledMs: 0 });
  }, 60_000);

  it('samples lag while idle as zero and keeps a block that began idle as one late sample', async () => {
    const output = await idle({ idleMs: 500, execMs: 600 });
    const lag = output.snapshot.lag;
    // At least one sample per 100 ms of the run, though the lag timer slept through most of it.
    expect(lag.samples).toBeGreaterThanOrEqual(20);
    expect(lag.p50Ms).toBeLessThan(5);
    expect(lag.maxMs).toBeGreaterThanOrEqual(600 * 0.85);
  }, 60_000);
});
