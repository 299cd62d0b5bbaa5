import { describe, expect, it } from 'vitest';
import { ReportLimiter } from '../src/events/report-limiter.js';
import { BlockEventBuilder } from '../src/watchdog/block-events.js';
import { StallWatcher } from '../src/watchdog/stall-watcher.js';
import type { BlockEvent, StackFrame } from '../src/types.js';
import { createWorld, settle, TEST_CONFIG, type World } from './watchdog-fakes.js';

/*
 * The report limiter's budget (reportsPerMinute) and repeat window (dedupeWindowMs) run on the monitor
 * clock: an Int32 of ms that wraps after 24.8 days, and never steps. The watchdog once fed it the wall
 * clock, and a wall clock stepped back an hour (NTP) then held back every repeat, and every report once
 * the budget was spent, until it caught up: an hour without a report.
 */

const INT32_MAX = 2 ** 31 - 1;
/** The Int32 the monitor clock reads `ms` after `startMs` (wrapped as the shared state stores it). */
const monitorMs = (startMs: number, ms: number): number => (startMs + ms) | 0;

describe('the report limiter on the monitor clock', () => {
  it('refills its budget on time across the Int32 wrap', () => {
    // Two reports a minute: one comes back every 30 s. The clock wraps 10 s in.
    const start = INT32_MAX - 10_000;
    const limiter = new ReportLimiter({ perMinute: 2, dedupeWindowMs: 60_000, now: start });
    expect(limiter.take(monitorMs(start, 0))).toBe(true);
    expect(limiter.take(monitorMs(start, 0))).toBe(true);
    expect(limiter.take(monitorMs(start, 1000))).toBe(false);
    expect(monitorMs(start, 29_999)).toBeLessThan(0);
    expect(limiter.take(monitorMs(start, 29_999))).toBe(false);
    expect(limiter.take(monitorMs(start, 30_000))).toBe(true);
    expect(limiter.take(monitorMs(start, 30_001))).toBe(false);
    expect(limiter.take(monitorMs(start, 60_000))).toBe(true);
  });

  it('reports a repeat again once its window has passed across the Int32 wrap, not before', () => {
    const start = INT32_MAX - 10_000;
    const limiter = new ReportLimiter({ perMinute: 30, dedupeWindowMs: 60_000, now: start });
    expect(limiter.firstInWindow('hashPassword', monitorMs(start, 0))).toBe(true);
    expect(limiter.firstInWindow('hashPassword', monitorMs(start, 20_000))).toBe(false);
    expect(limiter.firstInWindow('hashPassword', monitorMs(start, 59_999))).toBe(false);
    expect(limiter.firstInWindow('hashPassword', monitorMs(start, 60_000))).toBe(true);
    // Reported at 60 s: the next window runs from there.
    expect(limiter.firstInWindow('hashPassword', monitorMs(start, 119_999))).toBe(false);
    expect(limiter.firstInWindow('hashPassword', monitorMs(start, 120_000))).toBe(true);
  });

  it('counts a quiet spell of 30 days (the Int32 difference negative) as 30 days, not as none', () => {
    const limiter = new ReportLimiter({ perMinute: 1, dedupeWindowMs: 86_400_000, now: 0 });
    expect(limiter.take(0)).toBe(true);
    expect(limiter.firstInWindow('hashPassword', 0)).toBe(true);
    expect(limiter.take(1000)).toBe(false);
    const thirtyDays = monitorMs(0, 30 * 86_400_000);
    expect(thirtyDays).toBeLessThan(0);
    expect(limiter.take(thirtyDays)).toBe(true);
    expect(limiter.firstInWindow('hashPassword', thirtyDays)).toBe(true);
  });

  it('takes a reading a moment before the last call for no time at all', () => {
    // A caller that read the clock, then let another call go first with a later reading.
    const limiter = new ReportLimiter({ perMinute: 1, dedupeWindowMs: 60_000, now: 5000 });
    expect(limiter.take(5000)).toBe(true);
    expect(limiter.firstInWindow('hashPassword', 5001)).toBe(true);
    expect(limiter.take(5000)).toBe(false);
    expect(limiter.firstInWindow('hashPassword', 5000)).toBe(false);
    // Time still counts from the latest reading: the token is back a minute after the first take.
    expect(limiter.take(64_999)).toBe(false);
    expect(limiter.take(65_000)).toBe(true);
  });

  it('lets reports through at once when a caller on the wall clock sees it stepped back an hour', () => {
    // The main thread's own limiter when the monitor runs without its worker is fed Date.now().
    const wall = 1_800_000_000_000;
    const limiter = new ReportLimiter({ perMinute: 1, dedupeWindowMs: 60_000, now: wall });
    expect(limiter.take(wall)).toBe(true);
    expect(limiter.firstInWindow('hashPassword', wall)).toBe(true);
    const stepped = wall - 3_600_000 + 1000;
    expect(limiter.take(stepped)).toBe(true);
    expect(limiter.firstInWindow('hashPassword', stepped)).toBe(true);
    // From there on it counts from the stepped clock, as before.
    expect(limiter.take(stepped + 1000)).toBe(false);
    expect(limiter.firstInWindow('hashPassword', stepped + 1000)).toBe(false);
    expect(limiter.take(stepped + 60_000)).toBe(true);
  });
});

/** `new Error().stack` as the quick sample reads it on the main thread, blocked in hashPassword. */
const QUICK_STACK = ['Error', '    at <anonymous>:1:157', '    at hashPassword (/app/tools.js:12:5)', '    at handleLogin (/app/server.js:40:3)'].join('\n');
const HASH_STACK: StackFrame[] = [
  { functionName: 'hashPassword', url: 'file:///app/tools.js', line: 12, column: 5 },
  { functionName: 'handleLogin', url: 'file:///app/server.js', line: 40, column: 3 },
];

/**
 * The world of watchdog-fakes.ts (the main thread's beats, a fake inspector, a fake monotonic clock)
 * watched by a StallWatcher whose wall clock (epochNow) the test can step, as NTP or a VM restored from a
 * snapshot steps Date.now() in the worker (the world's own watcher, on the unstepped clock, is never polled).
 * Its block events are in `events`; it has seen 100 ms of idle beats.
 */
function watchedWithSteppableWallClock(options: { config?: Partial<typeof TEST_CONFIG>; capturer?: null } = {}): {
  world: World;
  watcher: StallWatcher;
  events: BlockEvent[];
  stepWallClock: (ms: number) => void;
} {
  const world = createWorld(options);
  let wallStepMs = 0;
  const events: BlockEvent[] = [];
  const watcher = new StallWatcher({
    slots: world.watchdogSlots,
    now: world.clock.now,
    epochNow: () => world.clock.epochNow() + wallStepMs,
    config: { ...TEST_CONFIG, ...options.config },
    capturer: world.capturer,
    inFlight: null,
    events: new BlockEventBuilder('file:///monitor/'),
    output: { emit: (event) => events.push(event), stall: () => undefined, mode: () => undefined, wake: () => undefined },
  });
  world.main.idleBeats(100, 100);
  watcher.step();
  return { world, watcher, events, stepWallClock: (ms) => (wallStepMs += ms) };
}

/**
 * A 200 ms block, 20 ms after an idle beat, polled every 10 ms. With the fake inspector: in hashPassword
 * (the quick sample names it, the block is published as ongoing, then finished with its capture).
 */
async function block(world: World, watcher: StallWatcher): Promise<void> {
  const { main, capturer } = world;
  main.idle(20);
  for (let left = 160; left > 0; left -= 10) {
    main.work(10);
    watcher.step();
  }
  if (capturer !== null && capturer.quickPending > 0) {
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
  }
  main.work(40);
  main.beat();
  if (capturer !== null && capturer.captures.some((capture) => !capture.settled)) capturer.last.finish();
  await settle();
  watcher.step();
}

/** A minute and a second of idle beats, one every 100 ms, the watchdog polled after each. */
function idleForAMinute(world: World, watcher: StallWatcher): void {
  for (let i = 0; i < 610; i++) {
    world.main.idle(100);
    world.main.beat();
    watcher.step();
  }
}

const STEP_BACK_MS = -3_600_000;

describe('the watchdog with its wall clock stepped back an hour', () => {
  it('reports the same block again a minute later, as it would have without the step', async () => {
    const { world, watcher, events, stepWallClock } = watchedWithSteppableWallClock();
    await block(world, watcher);
    expect(events.map((event) => [event.ongoing === true, event.stack])).toEqual([
      [true, HASH_STACK],
      [false, HASH_STACK],
    ]);

    stepWallClock(STEP_BACK_MS);
    idleForAMinute(world, watcher);
    const beatBefore = world.main.lastBeatAt;
    await block(world, watcher);
    // Published as ongoing, then finished; startedAt on the stepped wall clock, as the step made it.
    const startedAt = world.clock.epochAt(beatBefore) + STEP_BACK_MS;
    expect(events.slice(2)).toEqual([
      expect.objectContaining({ startedAt, ongoing: true, stack: HASH_STACK }),
      expect.objectContaining({ startedAt, durationMs: 200, stack: HASH_STACK }),
    ]);
  });

  it('gets its report budget back a minute later, as it would have without the step', async () => {
    // One report a minute; no inspector, so no stack and no repeat window: only the budget decides.
    const { world, watcher, events, stepWallClock } = watchedWithSteppableWallClock({ capturer: null, config: { reportsPerMinute: 1 } });
    await block(world, watcher);
    await block(world, watcher);
    // The second came within the minute: over budget, counted but not reported.
    expect(events.map((event) => [event.durationMs, event.noStack])).toEqual([[200, 'lag-only']]);

    stepWallClock(STEP_BACK_MS);
    idleForAMinute(world, watcher);
    const beatBefore = world.main.lastBeatAt;
    await block(world, watcher);
    // Lag only, the block starts where its busy time does, 20 ms after the beat; on the stepped wall clock.
    const startedAt = world.clock.epochAt(beatBefore + 20) + STEP_BACK_MS;
    expect(events.slice(1)).toEqual([expect.objectContaining({ startedAt, durationMs: 200, noStack: 'lag-only' })]);
  });
});
