import { describe, expect, it } from 'vitest';
import type { LagEvent, SlaEvent, StackFrame } from '../src/types.js';
import { UnreadEvents } from '../src/watchdog/unread-events.js';
import { createWorld, FakeCapturer, rawFrame } from './watchdog-fakes.js';

/*
 * The watchdog on a loaded machine, driven in one thread with the fakes of watchdog-core.test.ts: its
 * thread waits for a CPU while the main thread goes on, so answers reach it late and polls land at
 * awkward moments. What a user reads must not depend on how soon the watchdog ran.
 *
 * Threshold 100 ms, a beat every 100 ms (a beat older than 150 ms is stale), no start-up grace.
 */

const QUICK_STACK = ['Error', '    at <anonymous>:1:157', '    at hashPassword (/app/tools.js:12:5)', '    at handleLogin (/app/server.js:40:3)'].join('\n');
const HASH_STACK: StackFrame[] = [
  { functionName: 'hashPassword', url: 'file:///app/tools.js', line: 12, column: 5 },
  { functionName: 'handleLogin', url: 'file:///app/server.js', line: 40, column: 3 },
];

/** The quick samples of `capturer` carry the main thread's clock as they were taken: `sampleClock.at`. */
function stampQuickSamples(capturer: FakeCapturer): { at: number } {
  const sampleClock = { at: 0 };
  const ask = capturer.quickSample!;
  capturer.quickSample = async () => {
    const sample = await ask();
    return sample === null ? null : { ...sample, takenAt: sampleClock.at };
  };
  return sampleClock;
}

/**
 * A world whose quick samples carry the main thread's clock, 200 ms into a task that began right after a beat:
 * the watchdog has found the stall and asked for a quick sample (at `clock.now()`).
 */
function stallFound() {
  const world = createWorld();
  const capturer = world.capturer!;
  const sampleClock = stampQuickSamples(capturer);
  world.main.idleBeats(100, 100);
  const lastBeat = world.main.lastBeatAt;
  world.main.work(200);
  world.watcher.step();
  return { ...world, capturer, sampleClock, lastBeat };
}

/** Lets the watchdog take in what the fakes answered (a quick sample's promise), then polls once. */
async function watcherSteps(world: { watcher: { step(): unknown } }): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  world.watcher.step();
}

describe('a quick sample whose answer reaches the watchdog after the block ended', () => {
  it('taken while the block ran: its stack is the block’s, not late', async () => {
    const world = stallFound();
    const { clock, main, capturer, sampleClock, events, lastBeat } = world;
    expect(capturer.quickPending).toBe(1);
    // The main thread answers at once, inside the block; the watchdog thread gets a CPU only 150 ms later,
    // when the block has ended and the beat moved.
    sampleClock.at = clock.now();
    main.work(150);
    main.beat();
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await watcherSteps(world);
    expect(events).toEqual([
      { type: 'block', startedAt: clock.epochAt(lastBeat), durationMs: 350, stack: HASH_STACK, inFlight: null, context: null, late: false, signature: expect.any(String) as string },
    ]);
  });

  it('taken as the block ended (a built-in that answers only when it returns): the code right after it, said so', async () => {
    const world = stallFound();
    const { clock, main, capturer, sampleClock, events } = world;
    main.work(150);
    // Answered in the code right after the call, 2 ms before the beat that ends the stall.
    sampleClock.at = clock.now() - 2;
    main.beat();
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await watcherSteps(world);
    // Asked 148 ms before it was taken: the main thread was in the call all that while.
    expect(events).toEqual([expect.objectContaining({ durationMs: 350, stack: HASH_STACK, late: false, stackDelayMs: 148 })]);
  });

  it('without the main thread’s clock (an older capturer): late, as before', async () => {
    const world = createWorld();
    const { main, watcher, events } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    main.work(200);
    watcher.step();
    main.work(150);
    main.beat();
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await new Promise((resolve) => setImmediate(resolve));
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ durationMs: 350, stack: HASH_STACK, late: true })]);
  });
});

describe('a quick sample the main thread answered only as a native call returned', () => {
  // A native call no wrapper names (node:sqlite's query, a hash of a large buffer) lets no interrupt in: the
  // sample is taken where JavaScript resumes after it, and so is every pause after it.
  it('says how long it waited, so the stack reads as the code right after the blocking call', async () => {
    const world = stallFound();
    const { clock, main, capturer, sampleClock, events } = world;
    // Asked now; the call goes on 250 ms more, then JavaScript runs (the sample) and the task goes on 20 ms.
    main.work(250);
    sampleClock.at = clock.now();
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await watcherSteps(world);
    main.work(20);
    capturer.last.finish();
    main.beat();
    await watcherSteps(world);
    const final = { type: 'block', startedAt: clock.epochAt(world.lastBeat), durationMs: 470, stack: HASH_STACK, inFlight: null, context: null, late: false, stackDelayMs: 250 };
    expect(events).toEqual([
      expect.objectContaining({ ...final, durationMs: 450, ongoing: true }),
      expect.objectContaining(final),
    ]);
    expect(events[1]).not.toHaveProperty('ongoing');
  });

  it('followed by JavaScript that blocked longer than the wait: the pauses’ stack, the block’s main part', async () => {
    const world = stallFound();
    const { clock, main, capturer, sampleClock, events } = world;
    main.work(150);
    sampleClock.at = clock.now();
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await watcherSteps(world);
    // A loop of 600 ms after the call: the pause lands in it.
    main.work(50);
    capturer.last.pause([rawFrame('summarise', '11', 30, 2)]);
    main.work(550);
    capturer.last.finish();
    main.beat();
    await watcherSteps(world);
    expect(events.at(-1)).toMatchObject({ durationMs: 950, stack: [{ functionName: 'summarise', url: 'file:///app/tools.js', line: 31, column: 3 }], late: false });
    expect(events.at(-1)).not.toHaveProperty('stackDelayMs');
  });

  it('taken after the stall had ended (in the next task): late, whatever the wait', async () => {
    const world = stallFound();
    const { clock, main, capturer, sampleClock, events } = world;
    main.work(150);
    main.beat();
    sampleClock.at = clock.now() + 5;
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await watcherSteps(world);
    expect(events).toEqual([expect.objectContaining({ durationMs: 350, stack: HASH_STACK, late: true })]);
    expect(events[0]).not.toHaveProperty('stackDelayMs');
  });

  it('answered at once, as JavaScript does: no delay to tell', async () => {
    const world = stallFound();
    const { clock, main, capturer, sampleClock, events } = world;
    sampleClock.at = clock.now() + 3;
    main.work(250);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await watcherSteps(world);
    capturer.last.finish();
    main.beat();
    await watcherSteps(world);
    expect(events.at(-1)).toMatchObject({ durationMs: 450, stack: HASH_STACK, late: false });
    expect(events.every((event) => !('stackDelayMs' in event))).toBe(true);
  });
});

describe('a poll between the main thread pushing a stall and storing the beat that ends it', () => {
  it('finishes that stall from the ring and does not start watching it: no quick sample, no stall shown as running', () => {
    const world = createWorld();
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    const lastBeat = main.lastBeatAt;
    // A 300 ms block the watchdog did not see live (its thread waited for a CPU throughout).
    main.work(300);
    // BeatRecorder.beat() pushes the stall, then stores the beat: the watchdog polls in between.
    main.slots.pushStall(lastBeat, 300, clock.now());
    watcher.step();
    expect(watcher.stalledMs()).toBe(0);
    expect(watcher.ongoing()).toBeNull();
    main.slots.storeBeat(clock.now(), main.idleMs);
    expect(capturer.quickPending).toBe(0);
    expect(events).toEqual([expect.objectContaining({ durationMs: 300, stack: [], late: false })]);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 300, unmeasured: 0 })]);
    watcher.step();
    expect(capturer.quickPending).toBe(0);
    expect(watcher.stats.count).toBe(1);
  });
});

describe('an inspector opened while the watchdog was still starting', () => {
  it('keeps the mode lag-only when the capturer connects after it (a slow start on a loaded machine)', () => {
    const world = createWorld({ capturer: null });
    world.main.slots.setDebuggerActive();
    world.watcher.setCapturer(new FakeCapturer());
    expect(world.watcher.mode).toBe('lag-only');
    expect(world.modes).toEqual([]);
  });

  it('says lag-only at the next poll once the main thread saw the inspector, without waiting for a block to capture', () => {
    const world = createWorld();
    expect(world.watcher.mode).toBe('full');
    world.main.idleBeats(100, 100);
    world.main.slots.setDebuggerActive();
    world.watcher.step();
    expect(world.watcher.mode).toBe('lag-only');
    expect(world.modes).toEqual(['lag-only']);
  });
});

describe('a process that ends before its watchdog started (a short-lived one on a loaded machine)', () => {
  it('leaves every stall in the ring for the main thread to count: unreadStalls()', () => {
    const { main } = createWorld();
    main.idleBeats(200, 100);
    const firstStart = main.lastBeatAt;
    main.work(300);
    main.beat();
    main.idleBeats(200, 100);
    const secondStart = main.lastBeatAt;
    main.work(150);
    // The exit's final beat: it ends the second block.
    main.beat();
    expect(main.slots.exitBeforeWorkerHolds()).toBe(true);
    expect(main.slots.unreadStalls()).toEqual({
      stalls: [
        { startBeat: firstStart, durationMs: 300, endBeat: firstStart + 300 },
        { startBeat: secondStart, durationMs: 150, endBeat: secondStart + 150 },
      ],
      lost: 0,
    });
  });
});

describe('lag and SLA lines posted to a watchdog that has not started', () => {
  const lag = (at: number): LagEvent => ({ type: 'lag', at, windowMs: 1000, lag: { minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, samples: 0, source: 'perf_hooks' }, utilization: 0, threadPool: null });
  const sla = (at: number): SlaEvent => ({ type: 'sla', at, kind: 'run', ageMs: 250, slaMs: 200, startedAt: at - 250, context: { 'gen_ai.agent.name': 'triage' } });

  it('are all the main thread has to write when the process exits before the watchdog holds', () => {
    const { main } = createWorld();
    const unread = new UnreadEvents(() => main.slots.workerHolds());
    const posted = [lag(1000), sla(1100), lag(2000)];
    for (const event of posted) unread.posted(event);
    expect(main.slots.exitBeforeWorkerHolds()).toBe(true);
    expect(unread.take()).toEqual({ events: posted, dropped: 0 });
    expect(unread.take()).toEqual({ events: [], dropped: 0 });
  });

  it('are not kept once the watchdog holds: it reads them from its port before the exit', () => {
    const { main, watchdogSlots } = createWorld();
    const unread = new UnreadEvents(() => main.slots.workerHolds());
    unread.posted(sla(1000));
    expect(watchdogSlots.startHolding()).toBe(true);
    unread.posted(sla(1100));
    expect(main.slots.exitBeforeWorkerHolds()).toBe(false);
    expect(unread.take()).toEqual({ events: [], dropped: 0 });
  });

  it('are kept up to a bound, the rest counted', () => {
    const { main } = createWorld();
    const unread = new UnreadEvents(() => main.slots.workerHolds());
    for (let i = 0; i < 1005; i++) unread.posted(lag(i));
    const { events, dropped } = unread.take();
    expect([events.length, events[0]?.at, events.at(-1)?.at, dropped]).toEqual([1000, 0, 999, 5]);
  });
});
