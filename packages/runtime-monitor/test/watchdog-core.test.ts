import { describe, expect, it } from 'vitest';
import { RING_SIZE } from '../src/heartbeat/shared-state.js';
import type { SentinelLoop } from '../src/watchdog/sentinel-loop.js';
import type { StackFrame } from '../src/types.js';
import { createWorld, FakeCapturer, FakeInFlight, FakeProbe, rawFrame, settle, type World } from './watchdog-fakes.js';

/*
 * The watchdog protocol, driven in one thread: the main thread's beats (BeatRecorder), the sentinel's
 * checks (SentinelLoop) and the watchdog's polls (StallWatcher) over one shared buffer, with a fake clock,
 * idle counter, /proc probe, inspector and sync-wrapper record (watchdog-fakes.ts). Each test says what
 * each thread does and when, and checks what a user would see: the block events, the stalls counted.
 *
 * Unless a test says otherwise: threshold 100 ms, a beat every 100 ms, so a beat older than 150 ms is
 * stale (the watchdog's staleness, staleMs); no start-up grace; ongoing events due at 5 s.
 */

/** `new Error().stack` as the quick sample reads it on the main thread, blocked in hashPassword. */
const QUICK_STACK = ['Error', '    at <anonymous>:1:157', '    at hashPassword (/app/tools.js:12:5)', '    at handleLogin (/app/server.js:40:3)'].join('\n');
/** The same place as a pause copies it (0-based lines and columns). */
const PAUSED_FRAMES = [rawFrame('hashPassword', '11', 11, 4), rawFrame('handleLogin', '12', 39, 2)];
/** What the user reads for either. */
const HASH_STACK: StackFrame[] = [
  { functionName: 'hashPassword', url: 'file:///app/tools.js', line: 12, column: 5 },
  { functionName: 'handleLogin', url: 'file:///app/server.js', line: 40, column: 3 },
];

/** A wrapper's report of runGit's execSync: the caller's stack as captured, and as the user reads it. */
const RUN_GIT_REPORTED = ['Error', '    at runGit (/app/tools.js:30:10)', '    at handleTool (/app/server.js:55:7)'].join('\n');
const RUN_GIT_STACK: StackFrame[] = [
  { functionName: 'runGit', url: 'file:///app/tools.js', line: 30, column: 10 },
  { functionName: 'handleTool', url: 'file:///app/server.js', line: 55, column: 7 },
];
/** runGit's execSync, as the wrappers' record names it while it runs. */
const RUN_GIT_CALL = { api: 'child_process.execSync', hint: 'git status --porcelain' };
/** A pause that lands in execSync's own JavaScript as it returns to runGit. */
const IN_EXEC_SYNC_FRAMES = [rawFrame('execSync', '3', 860, 14), rawFrame('runGit', '11', 29, 9)];

/** Polls the watchdog every `pollMs` while the main thread works for `ms` (as the shell does while it watches). */
function workWhileWatched(world: World, ms: number, pollMs = 10): void {
  for (let left = ms; left > 0; left -= pollMs) {
    world.main.work(Math.min(pollMs, left));
    world.watcher.step();
  }
}

/** The world of the tests with the sync wrappers' record: 100 ms of idle beats, then 20 ms of idle wait. */
function worldWithInFlight(): World & { inFlight: FakeInFlight; capturer: FakeCapturer } {
  const inFlight = new FakeInFlight();
  const world = createWorld({ inFlight });
  world.main.idleBeats(100, 100);
  world.main.idle(20);
  return { ...world, inFlight, capturer: world.capturer! };
}

describe('a lone block', () => {
  it('is published as ongoing while it runs, then finished with its measured busy time and counted once', async () => {
    const world = createWorld();
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    const lastBeat = main.lastBeatAt;
    main.idle(20);

    // The task starts 20 ms after the beat. For 150 ms the watchdog sees nothing it could tell from an idle wait.
    main.work(30);
    expect(watcher.step().idle).toBe(true);
    main.work(110);
    expect(watcher.step().idle).toBe(false);
    expect(watcher.stalledMs()).toBe(160);
    // A checkpoint now counts the stall from the beat: nothing yet tells the idle wait from the block, nor
    // names it (were it the process's last word, a native call or a sample not landed yet).
    expect(watcher.ongoing()).toEqual({ startedAt: clock.epochAt(lastBeat), durationMs: 160, noStack: 'not-caught' });
    // Found: a quick sample is asked for; no pause yet (the debugger costs the main thread tens of ms).
    expect(capturer.quickPending).toBe(1);
    expect(capturer.captures).toEqual([]);
    expect(events).toEqual([]);

    // The quick sample names the function and, with the idle counter, measures 140 ms of busy time so far.
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    // Its age is the busy time measured, not the 160 ms since the beat: the 20 ms idle wait before the task is no block.
    expect(watcher.stalledMs()).toBe(140);
    expect(watcher.ongoing()).toEqual({ startedAt: clock.epochAt(lastBeat), blockStartedAt: clock.epochAt(lastBeat + 20), durationMs: 140 });
    // startedAt, the beat, pairs it with its final event; the block itself began 20 ms later.
    const ongoing = {
      type: 'block',
      startedAt: clock.epochAt(lastBeat),
      blockStartedAt: clock.epochAt(lastBeat + 20),
      durationMs: 140,
      stack: HASH_STACK,
      inFlight: null,
      context: null,
      late: false,
      signature: expect.any(String) as string,
      ongoing: true,
    };
    expect(events).toEqual([ongoing]);
    // Past the threshold: now the pauses start, for the final event.
    expect(capturer.captures).toHaveLength(1);
    main.work(5);
    capturer.last.pause(PAUSED_FRAMES, { route: '/login' }, 3);

    // The task ends after 240 ms; the next beat measures exactly that, and pushes it into the ring.
    main.work(95);
    expect(main.beat()).toBe(240);
    capturer.last.finish();
    await settle();
    watcher.step();

    const final = {
      type: 'block',
      startedAt: clock.epochAt(lastBeat),
      blockStartedAt: clock.epochAt(lastBeat + 20),
      durationMs: 240,
      stack: HASH_STACK,
      inFlight: null,
      context: { route: '/login' },
      requestsInFlight: 3,
      late: false,
      signature: events[0]!.signature,
    };
    expect(events).toEqual([ongoing, final]);
    expect(stalls).toEqual([{ kind: 'stall', durationMs: 240, startup: false, block: final, reported: final, counted: final, unmeasured: 0 }]);

    // Nothing more: the loop idles, and the stall stays counted once.
    main.idleBeats(1000, 100);
    for (let i = 0; i < 5; i++) watcher.step();
    expect(events).toHaveLength(2);
    expect(stalls).toHaveLength(1);
    expect(watcher.stats.figures()).toMatchObject({ count: 1, startupCount: 0, totalMs: 240, maxMs: 240 });
    expect(watcher.stacks.top()).toMatchObject([{ count: 1, stack: HASH_STACK }]);
  });

  it('that the watchdog never saw live is still counted from the ring, with a final event', () => {
    const { main, watcher, events, stalls } = createWorld();
    main.idleBeats(100, 100);
    main.work(300);
    main.beat();
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ durationMs: 300, stack: [], late: false })]);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 300, startup: false, unmeasured: 0 })]);
    expect(watcher.stats.count).toBe(1);
  });
});

describe('a block published as ongoing whose busy time came out at or under the threshold', () => {
  it('is not published on its age while a quick sample measured it under the threshold', async () => {
    const { main, watcher, events, stalls, capturer } = createWorld();
    // The beat timer fires 50 ms late (a busy host): 150 ms of idle wait, then a 100 ms task.
    main.idle(150);
    main.work(10);
    watcher.step();
    capturer!.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    // At 210 ms it is older than any idle wait between beats would explain, but measured at 10 ms busy.
    main.work(50);
    watcher.step();
    expect(events).toEqual([]);
    // It ends at 250 ms with 100 ms busy, not over the threshold: no event, no stall.
    main.work(40);
    expect(main.beat()).toBe(100);
    watcher.step();
    expect(events).toEqual([]);
    expect(stalls).toEqual([]);
  });

  it('is still pushed, counted and finished when published on its age alone: no provisional event is left dangling', async () => {
    const world = createWorld();
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idle(150);
    main.work(10);
    watcher.step();
    expect(capturer.quickPending).toBe(1);
    // No idle counter on this runtime: the quick sample names the block but cannot measure it.
    capturer.answerQuick(QUICK_STACK, null);
    await settle();
    watcher.step();
    expect(events).toEqual([]);

    // At 210 ms the block is older than any idle wait between beats would explain: published.
    main.work(50);
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(0), durationMs: 210, stack: HASH_STACK, ongoing: true })]);

    // It ends at 250 ms: 100 ms busy, not over the threshold. Published, so pushed anyway (PUBLISHED_BEAT).
    main.work(40);
    expect(main.beat()).toBe(100);
    capturer.last.finish();
    await settle();
    watcher.step();
    // Its startedAt pairs it with the provisional event; the block itself began 100 ms before its end.
    const final = { type: 'block', startedAt: clock.epochAt(0), blockStartedAt: clock.epochAt(150), durationMs: 100, stack: HASH_STACK, inFlight: null, context: null, late: false, signature: events[0]!.signature };
    expect(events).toEqual([expect.objectContaining({ ongoing: true }), final]);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 100, startup: false, reported: final, counted: final })]);
    expect(watcher.stats.figures()).toMatchObject({ count: 1, totalMs: 100, maxMs: 100 });
  });

  it('an unpublished gap of the same shape is no stall at all', () => {
    const { main, watcher, events, stalls } = createWorld();
    main.idle(150);
    main.work(10);
    watcher.step();
    main.work(90);
    expect(main.beat()).toBe(100);
    watcher.step();
    expect(events).toEqual([]);
    expect(stalls).toEqual([]);
    expect(watcher.stalledMs()).toBe(0);
  });
});

describe('the start-up grace', () => {
  const config = { startupGraceMs: 1000, ongoingReportMs: 500 };

  it('counts a short stall inside the grace as a start-up stall, with no event and no sampling', () => {
    const world = createWorld({ config });
    const { main, watcher, events, stalls } = world;
    main.idleBeats(100, 100);
    workWhileWatched(world, 300);
    expect(watcher.stalledMs()).toBe(300);
    expect(world.capturer!.quickPending).toBe(0);
    expect(world.capturer!.captures).toEqual([]);
    main.beat();
    watcher.step();
    expect(events).toEqual([]);
    expect(stalls).toEqual([{ kind: 'stall', durationMs: 300, startup: true, block: null, reported: null, counted: null, unmeasured: 0 }]);
    expect(watcher.stats.figures()).toMatchObject({ count: 0, startupCount: 1 });
  });

  it('details and reports a stall still running when the grace ends', async () => {
    const world = createWorld({ config });
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idleBeats(800, 100);
    workWhileWatched(world, 190);
    // Watched since 960 ms, in the grace: not sampled.
    expect(watcher.stalledMs()).toBe(190);
    expect(capturer.quickPending).toBe(0);
    workWhileWatched(world, 10);
    // 1000 ms: the grace is over, the block still runs.
    expect(capturer.quickPending).toBe(1);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(800), durationMs: 200, stack: HASH_STACK, ongoing: true })]);
    main.work(100);
    main.beat();
    capturer.last.finish();
    await settle();
    watcher.step();
    expect(events[1]).toMatchObject({ startedAt: clock.epochAt(800), durationMs: 300, stack: HASH_STACK });
    expect(events[1]).not.toHaveProperty('ongoing');
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 300, startup: false, reported: events[1] })]);
    expect(watcher.stats.figures()).toMatchObject({ count: 1, startupCount: 0 });
  });

  it('reports a stall inside the grace that outlasts the ongoing threshold', () => {
    const world = createWorld({ config });
    const { clock, main, watcher, events, stalls } = world;
    main.idleBeats(100, 100);
    workWhileWatched(world, 500);
    // 500 ms old at 600 ms, still in the grace: published all the same, with what it has (nothing sampled).
    // It says why it has no stack, as a checkpoint's stall in progress does: the grace kept it from being sampled.
    expect(events).toEqual([{ type: 'block', startedAt: clock.epochAt(100), durationMs: 500, stack: [], inFlight: null, context: null, late: false, ongoing: true, noStack: 'start-up' }]);
    expect(watcher.ongoing()).toEqual({ startedAt: clock.epochAt(100), durationMs: 500, noStack: 'start-up' });
    workWhileWatched(world, 100);
    main.beat();
    watcher.step();
    // The final event says the same, as the worst list does.
    expect(events[1]).toEqual({ type: 'block', startedAt: clock.epochAt(100), durationMs: 600, stack: [], inFlight: null, context: null, late: false, noStack: 'start-up' });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 600, startup: false, reported: events[1] })]);
    expect(watcher.stats.figures()).toMatchObject({ count: 1, startupCount: 0 });
  });
});

describe('a native call in flight', () => {
  it('is published with its API and no stack, and finished with the stack its wrapper reports', async () => {
    const world = worldWithInFlight();
    const { clock, main, watcher, events, stalls, inFlight, capturer } = world;
    inFlight.begin(RUN_GIT_CALL.api, RUN_GIT_CALL.hint);

    main.work(140);
    watcher.step();
    // A quick sample would be answered only once the call returned: the pauses are asked for at once
    // (they land when it returns), and the wrapper is asked to report.
    expect(capturer.quickPending).toBe(0);
    expect(capturer.captures).toHaveLength(1);
    // 160 ms since the beat could still be an idle wait and a short call: not yet.
    expect(events).toEqual([]);

    // Older than any idle wait explains: published while the call still runs, named by the API alone.
    workWhileWatched(world, 50);
    expect(events).toEqual([
      { type: 'block', startedAt: clock.epochAt(100), durationMs: 210, stack: [], inFlight: RUN_GIT_CALL, context: null, late: false, signature: expect.any(String) as string, ongoing: true },
    ]);

    // The call returns at 400 ms: its wrapper hands over the caller's stack and context, then the pause
    // lands late, in Node's JavaScript wrapper, and the beat ends the stall.
    main.work(90);
    inFlight.end({
      context: { tool: 'git' },
      requests: 2,
      stack: RUN_GIT_REPORTED,
      api: RUN_GIT_CALL.api,
      hint: RUN_GIT_CALL.hint,
      endedAt: clock.epochNow(),
      durationMs: 280,
    });
    capturer.last.pause(IN_EXEC_SYNC_FRAMES);
    main.work(5);
    expect(main.beat()).toBe(285);
    capturer.last.finish();
    await settle();
    watcher.step();

    const final = {
      type: 'block',
      startedAt: clock.epochAt(100),
      // The call began after 20 ms of idle wait: the block, 285 ms busy, ended at 405 ms.
      blockStartedAt: clock.epochAt(120),
      durationMs: 285,
      stack: RUN_GIT_STACK,
      inFlight: RUN_GIT_CALL,
      context: { tool: 'git' },
      requestsInFlight: 2,
      late: false,
      signature: expect.any(String) as string,
    };
    expect(events[1]).toEqual(final);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 285, startup: false, reported: events[1] })]);
  });
});

describe('a reported section (an MCP transport sending a response)', () => {
  it('that blocks in native code, where no sample lands in time, is finished with the context and stack the section reports', async () => {
    const world = worldWithInFlight();
    const { clock, main, watcher, events, stalls, inFlight, capturer } = world;
    inFlight.beginSection();

    // Found while the section writes a response in native code: no API in flight, so a quick sample is asked
    // for (answered only once JavaScript runs again), and the section is asked to report as it returns.
    main.work(160);
    watcher.step();
    expect(capturer.quickPending).toBe(1);
    main.work(340);
    const context = { 'gen_ai.tool.name': 'export_transcript', 'agent_lag.phase': 'serialize_response' };
    inFlight.endSection({ context, requests: 1, stack: ['Error', '    at sendResult (/app/node_modules/sdk/protocol.js:844:50)'].join('\n'), api: null, hint: null, endedAt: clock.epochNow(), durationMs: null });
    // The task ends; the quick sample is answered after it, in the next one (the loop idled between).
    main.work(2);
    expect(main.beat()).toBe(502);
    main.idle(5);
    capturer.answerQuick('Error\n    at processTimers (node:internal/timers:512:7)', main.idleMs);
    await settle();
    watcher.step();
    await settle();
    watcher.step();

    // Nothing named it while it ran: no provisional event. The section's report, not the late sample, names it.
    expect(events).toEqual([{
      type: 'block',
      startedAt: clock.epochAt(120),
      durationMs: 502,
      stack: [{ functionName: 'sendResult', url: 'file:///app/node_modules/sdk/protocol.js', line: 844, column: 50 }],
      inFlight: null,
      context,
      requestsInFlight: 1,
      late: false,
      signature: expect.any(String) as string,
    }]);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 502, startup: false })]);
  });
});

describe('a watchdog scheduled too late to see the call that blocked', () => {
  it('names the stall by that call, which reported itself unseen, not by the section it found running at the end', async () => {
    const world = worldWithInFlight();
    const { clock, main, watcher, events, stalls, inFlight, capturer } = world;
    const execSync = { api: 'child_process.execSync', hint: 'cat config.json' };

    // An MCP prompt handler blocks 400 ms in execSync; the watchdog thread gets no CPU meanwhile (a loaded
    // machine), so nothing marks the call and its wrapper reports it unseen as it returns.
    inFlight.begin(execSync.api, execSync.hint);
    main.work(400);
    const promptContext = { 'gen_ai.prompt.name': 'review_code', 'gen_ai.operation.name': 'prompts/get' };
    inFlight.endUnseen({
      context: promptContext,
      requests: 1,
      stack: ['Error', '    at readConfig (/app/prompts.js:12:5)', '    at reviewCode (/app/prompts.js:30:3)'].join('\n'),
      api: execSync.api,
      hint: execSync.hint,
      endedAt: clock.epochNow(),
      durationMs: 400,
    });

    // The response's send runs in the same task; that is what the watchdog finds when it gets to run.
    inFlight.beginSection();
    main.work(10);
    watcher.step();
    main.work(10);
    inFlight.endSection({
      context: { ...promptContext, 'agent_lag.phase': 'serialize_response' },
      requests: 1,
      stack: ['Error', '    at sendResult (/app/node_modules/sdk/protocol.js:844:50)'].join('\n'),
      api: null,
      hint: null,
      endedAt: clock.epochNow(),
      durationMs: null,
    });
    main.work(2);
    expect(main.beat()).toBe(422);
    main.idle(5);
    capturer.answerQuick('Error\n    at processTimers (node:internal/timers:512:7)', main.idleMs);
    await settle();
    watcher.step();
    await settle();
    watcher.step();

    expect(events).toEqual([
      {
        type: 'block',
        startedAt: clock.epochAt(120),
        durationMs: 422,
        stack: [
          { functionName: 'readConfig', url: 'file:///app/prompts.js', line: 12, column: 5 },
          { functionName: 'reviewCode', url: 'file:///app/prompts.js', line: 30, column: 3 },
        ],
        inFlight: execSync,
        context: promptContext,
        requestsInFlight: 1,
        late: false,
        signature: expect.any(String) as string,
      },
    ]);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 422, startup: false })]);
  });
});

/** hashPassword's loop, found after 160 ms, sampled quickly, then paused in (context /login, one request). */
async function hashPasswordFoundAndPaused(world: ReturnType<typeof worldWithInFlight>): Promise<void> {
  const { main, watcher, capturer } = world;
  main.work(160);
  watcher.step();
  capturer.answerQuick(QUICK_STACK, main.idleMs, { route: '/login' });
  await settle();
  watcher.step();
  capturer.last.pause(PAUSED_FRAMES, { route: '/login' }, 1, main.idleMs);
}

/** The main thread works 2 ms more and beats `busyMs` into the stall; the capture lets go and the watchdog finishes it. */
async function endStallAt(world: ReturnType<typeof worldWithInFlight>, busyMs: number): Promise<void> {
  world.main.work(2);
  expect(world.main.beat()).toBe(busyMs);
  world.capturer.last.finish();
  await settle();
  world.watcher.step();
}

describe('a block of JavaScript that ends in a shorter native call', () => {
  it('is named by the stack sampled in the JavaScript, not by the call the watchdog marked at its tail', async () => {
    const world = worldWithInFlight();
    const { clock, events, stalls, inFlight } = world;
    const readFileSync = { api: 'fs.readFileSync', hint: '/app/data/users.json' };

    // hashPassword loops for 300 ms: found, sampled quickly, then paused in the loop.
    await hashPasswordFoundAndPaused(world);
    workWhileWatched(world, 140);

    // Then, in the same task, a 100 ms readFileSync: the watchdog marks it, and it reports as it returns.
    inFlight.begin(readFileSync.api, readFileSync.hint);
    workWhileWatched(world, 100);
    inFlight.end({
      context: { route: '/login' },
      requests: 1,
      stack: ['Error', '    at loadUsers (/app/users.js:8:3)', '    at handleLogin (/app/server.js:41:3)'].join('\n'),
      api: readFileSync.api,
      hint: readFileSync.hint,
      endedAt: clock.epochNow(),
      durationMs: 100,
    });
    await endStallAt(world, 402);

    // Published while the loop ran, by the quick sample; finished by what 300 of the 402 ms were, the loop,
    // and with no API (the read was a quarter of the block).
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ startedAt: clock.epochAt(100), stack: HASH_STACK, inFlight: null, ongoing: true });
    expect(events[1]).toEqual({
      type: 'block',
      startedAt: clock.epochAt(100),
      blockStartedAt: clock.epochAt(120),
      durationMs: 402,
      stack: HASH_STACK,
      inFlight: null,
      context: { route: '/login' },
      requestsInFlight: 1,
      late: false,
      signature: expect.any(String) as string,
    });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 402, startup: false, reported: events[1] })]);
  });

  it('is named by the call when the JavaScript sampled before it was the shorter part of the block', async () => {
    const world = worldWithInFlight();
    const { clock, main, events, inFlight, capturer } = world;

    // 160 ms of hashPassword, sampled; then runGit's execSync calls: 150 ms (marked), then 250 ms more.
    await hashPasswordFoundAndPaused(world);
    inFlight.begin(RUN_GIT_CALL.api, RUN_GIT_CALL.hint);
    workWhileWatched(world, 150);
    inFlight.end({
      context: { route: '/login' },
      requests: 1,
      stack: RUN_GIT_REPORTED,
      api: RUN_GIT_CALL.api,
      hint: RUN_GIT_CALL.hint,
      endedAt: clock.epochNow(),
      durationMs: 150,
    });
    capturer.last.pause(IN_EXEC_SYNC_FRAMES, { route: '/login' }, 1, main.idleMs);
    inFlight.begin(RUN_GIT_CALL.api, RUN_GIT_CALL.hint);
    workWhileWatched(world, 250);
    inFlight.end({});
    await endStallAt(world, 562);

    // The calls took 400 of the 562 ms: the marked one's report names the block, not the earlier sample.
    expect(events.at(-1)).toMatchObject({
      durationMs: 562,
      stack: RUN_GIT_STACK,
      inFlight: RUN_GIT_CALL,
    });
  });
});

/** After 100 ms of idle beats and 20 ms of idle wait: runGit's 200 ms execSync, found and marked while it ran, just returned. */
function worldAfterMarkedExecSync(): ReturnType<typeof worldWithInFlight> {
  const world = worldWithInFlight();
  const { clock, main, watcher, inFlight } = world;
  inFlight.begin(RUN_GIT_CALL.api, RUN_GIT_CALL.hint);
  main.work(160);
  watcher.step();
  workWhileWatched(world, 40);
  inFlight.end({ context: { tool: 'git' }, requests: 1, stack: RUN_GIT_REPORTED, api: RUN_GIT_CALL.api, hint: RUN_GIT_CALL.hint, endedAt: clock.epochNow(), durationMs: 200 });
  return world;
}

/** The 502 ms stall that began with runGit's execSync, named by that call's report. */
const NAMED_BY_RUN_GIT_CALL = { durationMs: 502, stack: RUN_GIT_STACK, inFlight: RUN_GIT_CALL, context: { tool: 'git' } };
/** A pause in runGit itself, at line 34 (its execSync is at line 30), in the performance.now() its loop calls. */
const INLINE_LOOP_FRAMES = [rawFrame('now', '5', 136, 5), rawFrame('runGit', '11', 33, 4), rawFrame('handleTool', '12', 54, 6)];
const INLINE_LOOP_STACK: StackFrame[] = [
  { functionName: 'now', url: 'node:internal/perf/performance', line: 137, column: 6 },
  { functionName: 'runGit', url: 'file:///app/tools.js', line: 34, column: 5 },
  { functionName: 'handleTool', url: 'file:///app/server.js', line: 55, column: 7 },
];

describe('a native call followed by a longer block of JavaScript', () => {
  it('is named by a pause in the JavaScript, not by the call the watchdog marked first', async () => {
    const world = worldAfterMarkedExecSync();
    const { clock, events, stalls, capturer } = world;
    capturer.last.pause(IN_EXEC_SYNC_FRAMES, { tool: 'git' }, 1);

    // Then 300 ms of hashPassword in the same task, paused in twice, and once more as it ends.
    workWhileWatched(world, 100);
    capturer.last.pause(PAUSED_FRAMES);
    workWhileWatched(world, 100);
    capturer.last.pause(PAUSED_FRAMES);
    workWhileWatched(world, 95);
    capturer.last.pause(PAUSED_FRAMES);
    workWhileWatched(world, 5);
    await endStallAt(world, 502);

    // Published while the call ran, by its API; finished by the loop, 300 of the 502 ms, with no API, and
    // by a pause well inside the block (the one let go 7 ms before its end would have to be called late).
    expect(events[0]).toMatchObject({ startedAt: clock.epochAt(100), stack: [], inFlight: RUN_GIT_CALL, ongoing: true });
    expect(events.at(-1)).toEqual({
      type: 'block',
      startedAt: clock.epochAt(100),
      blockStartedAt: clock.epochAt(120),
      durationMs: 502,
      stack: HASH_STACK,
      samples: [
        [
          { functionName: 'execSync', url: 'node:child_process', line: 861, column: 15 },
          { functionName: 'runGit', url: 'file:///app/tools.js', line: 30, column: 10 },
        ],
        HASH_STACK,
        HASH_STACK,
      ],
      inFlight: null,
      context: { tool: 'git' },
      requestsInFlight: 1,
      late: false,
      signature: expect.any(String) as string,
    });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 502, startup: false, reported: events.at(-1) })]);
  });

  it.each([
    ["in execSync's own JavaScript", [rawFrame('execSync', '3', 860, 14), rawFrame('runGit', '11', 29, 9), rawFrame('handleTool', '12', 54, 6)]],
    ['in runGit itself, on the line of its loop (a loop of calls written inline)', INLINE_LOOP_FRAMES],
  ])('is still named by the call when the pauses between more such calls land %s', async (_where, frames) => {
    const world = worldAfterMarkedExecSync();
    const { events, inFlight, capturer } = world;

    // Twice more, 150 ms each, the worker seeing each call in flight.
    for (let call = 0; call < 2; call++) {
      capturer.last.pause(frames, { tool: 'git' }, 1);
      inFlight.begin(RUN_GIT_CALL.api, RUN_GIT_CALL.hint);
      workWhileWatched(world, 150);
      inFlight.end({});
    }
    await endStallAt(world, 502);

    expect(events.at(-1)).toMatchObject(NAMED_BY_RUN_GIT_CALL);
  });

  it('is named by a pause in the caller itself, on another line than the call: a loop written inline after it', async () => {
    const world = worldAfterMarkedExecSync();
    const { events, capturer } = world;
    capturer.last.pause(IN_EXEC_SYNC_FRAMES, { tool: 'git' }, 1);

    // runGit goes on for 300 ms in a loop of its own, at line 34, calling nothing.
    for (let pause = 0; pause < 3; pause++) {
      workWhileWatched(world, 100);
      capturer.last.pause(INLINE_LOOP_FRAMES, { tool: 'git' }, 1);
    }
    await endStallAt(world, 502);

    expect(events.at(-1)).toMatchObject({ durationMs: 502, stack: INLINE_LOOP_STACK, inFlight: null, context: { tool: 'git' } });
  });
});

/** A world whose sentinel learnt the loop's poll and turned on-demand beats on; the main thread follows. */
function onDemandWorld(): World & { probe: FakeProbe; sentinel: SentinelLoop } {
  const world = createWorld({ onDemandAllowed: true });
  const probe = new FakeProbe();
  const sentinel = world.startSentinel(probe);
  for (let i = 0; i < 3; i++) {
    world.main.idle(100);
    world.main.beat();
    probe.ran(0.05, FakeProbe.LOOP_POLL);
    sentinel.step();
  }
  world.main.idle(1);
  world.main.answerPoke();
  probe.ran(0.05, FakeProbe.LOOP_POLL);
  return { ...world, probe, sentinel };
}

/** On-demand beats and an idle loop for `ms`: the sentinel checks it once per staleness and vouches for it. */
function idleVouched(world: ReturnType<typeof onDemandWorld>, ms: number): void {
  for (let left = ms; left > 0; left -= 150) {
    world.main.idle(Math.min(150, left));
    world.sentinel.step();
    expect(world.main.poked).toBe(false);
  }
}

describe('the sentinel', () => {
  it('with the beat timer, wakes the watchdog once the beat is stale, and again every staleness while it stays so', () => {
    const { main, watcher, watchdogSlots, startSentinel } = createWorld();
    const sentinel = startSentinel();
    main.idleBeats(100, 100);
    // It sleeps until one ms past the watchdog's staleness (the threads' clocks agree to a ms).
    expect(sentinel.step()).toBe(152);
    main.work(152);
    expect(sentinel.step()).toBe(150);
    expect(watchdogSlots.wakeValue()).toBe(1);
    watcher.step();
    expect(watcher.stalledMs()).toBe(152);
    main.work(150);
    sentinel.step();
    expect(watchdogSlots.wakeValue()).toBe(2);
    // The beat that ends the stall pushes it into the ring, and wakes the watchdog itself.
    main.beat();
    expect(watchdogSlots.wakeValue()).toBe(3);
    expect(sentinel.step()).toBe(152);
    expect(watchdogSlots.wakeValue()).toBe(3);
  });

  it('learns the loop poll from three sightings soon after a beat, then turns on-demand beats on with a poke', () => {
    const { main, watchdogSlots, startSentinel } = createWorld({ onDemandAllowed: true });
    const probe = new FakeProbe();
    const sentinel = startSentinel(probe);
    for (let i = 0; i < 2; i++) {
      main.idle(100);
      main.beat();
      sentinel.step();
    }
    // A poll seen while the beat is overdue may be a nested loop's (execSync's): no sighting.
    main.work(150);
    probe.ran(150, FakeProbe.NESTED_POLL);
    sentinel.step();
    expect(watchdogSlots.onDemand).toBe(false);
    main.beat();
    probe.ran(0.05, FakeProbe.LOOP_POLL);
    expect(main.poked).toBe(false);
    sentinel.step();

    expect(watchdogSlots.onDemand).toBe(true);
    expect(main.poked).toBe(true);
    main.answerPoke();
    expect(main.onDemand).toBe(true);
    expect(main.poked).toBe(false);
    expect(sentinel.probing).toBe(true);
  });

  it('with on-demand beats, vouches for an idle loop and pokes a working one', () => {
    const world = onDemandWorld();
    const { clock, main, probe, sentinel, watcher, watchdogSlots, events } = world;
    const beatBefore = main.lastBeatAt;
    // Idle: checked once per staleness, vouched for in ALIVE; no beat, no stall, however old the beat.
    for (let i = 0; i < 10; i++) {
      main.idle(150);
      expect(sentinel.step()).toBe(150);
      expect(watchdogSlots.lastSignOfLife()).toBe(clock.now());
      expect(watcher.step().idle).toBe(true);
    }
    expect(main.lastBeatAt).toBe(beatBefore);
    expect(main.poked).toBe(false);

    // At work: poked, it beats as soon as its task is done.
    main.work(20);
    probe.ran(20, null);
    sentinel.step();
    expect(main.poked).toBe(true);
    main.work(10);
    expect(main.answerPoke()).toBe(30);
    probe.ran(10.05, FakeProbe.LOOP_POLL);
    // The next check cannot tell those 10 ms of CPU came before the beat: one more poke, answered at once.
    main.idle(100);
    sentinel.step();
    expect(main.poked).toBe(true);
    main.idle(1);
    expect(main.answerPoke()).toBe(0);
    probe.ran(0.05, FakeProbe.LOOP_POLL);
    main.idle(100);
    expect(sentinel.step()).toBe(150);
    expect(main.poked).toBe(false);
    expect(watcher.step().idle).toBe(true);
    expect(events).toEqual([]);
  });

  it('with on-demand beats, finds a block by its unanswered poke and wakes the watchdog, which counts it', async () => {
    const world = onDemandWorld();
    const { clock, main, probe, sentinel, watcher, watchdogSlots, events, stalls } = world;
    const capturer = world.capturer!;
    idleVouched(world, 600);
    const aliveAt = clock.ms;
    const wakes = watchdogSlots.wakeValue();

    // A task starts 10 ms after the last check; the next check finds the loop at work and pokes it.
    main.idle(10);
    main.work(140);
    probe.ran(140, null);
    expect(sentinel.step()).toBe(50);
    expect(main.poked).toBe(true);
    // Unanswered for half a threshold: stale, the watchdog is woken.
    main.work(50);
    probe.ran(50, null);
    sentinel.step();
    expect(watchdogSlots.wakeValue()).toBe(wakes + 1);

    watcher.step();
    expect(watcher.stalledMs()).toBe(200);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    // 190 ms and counting: the 10 ms the loop still idled after the sentinel vouched for it are not in it.
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(aliveAt), durationMs: 190, stack: HASH_STACK, ongoing: true })]);

    // The task ends and the poke is answered: the beat measures its busy time, though the beat before was long ago.
    main.work(100);
    expect(main.answerPoke()).toBe(290);
    capturer.last.finish();
    await settle();
    watcher.step();
    expect(events[1]).toMatchObject({ startedAt: clock.epochAt(aliveAt), durationMs: 290, stack: HASH_STACK });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 290, startup: false })]);
  });

  it('with on-demand beats, keeps a pause that landed after the block (the loop idled, the poke still unanswered) out of its events', async () => {
    const world = onDemandWorld();
    const { clock, main, probe, sentinel, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    idleVouched(world, 600);
    const aliveAt = clock.ms;
    main.idle(10);
    main.work(140);
    probe.ran(140, null);
    sentinel.step();
    main.work(50);
    probe.ran(50, null);
    sentinel.step();
    watcher.step();
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    // Its age leaves out the 10 ms the quick sample measured the loop idle after its last sign of life.
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(aliveAt), blockStartedAt: clock.epochAt(aliveAt + 10), durationMs: 190, stack: HASH_STACK, ongoing: true })]);

    // The task ends 20 ms later; the loop waits 5 ms, then runs a timer, where the pause lands: the beat has
    // not moved (the poke is answered only in the loop's poll), but the idle counter has.
    main.work(20);
    main.idle(5);
    main.work(3);
    capturer.last.pause([rawFrame('processTimers', '12', 504, 4)], { route: '/other' }, null, main.idleMs);
    const busyMs = main.answerPoke();
    capturer.last.finish();
    await settle();
    watcher.step();
    // Its final event names what the quick sample saw during the block, not the timer: taken in time, not late.
    expect(events[1]).toEqual({
      type: 'block',
      startedAt: clock.epochAt(aliveAt),
      blockStartedAt: clock.epochNow() - busyMs,
      durationMs: busyMs,
      stack: HASH_STACK,
      inFlight: null,
      context: null,
      late: false,
      signature: events[0]!.signature,
    });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: busyMs, startup: false })]);
  });

  it('ends on-demand beats for good when the probe fails mid-run, tells the main thread, and goes on with the beat timer', async () => {
    const world = onDemandWorld();
    const { main, probe, sentinel, watcher, watchdogSlots, events, stalls } = world;
    idleVouched(world, 1200);
    probe.failing = true;
    main.idle(150);
    expect(sentinel.step()).toBe(1);
    expect(sentinel.probing).toBe(false);
    expect(probe.closed).toBe(true);
    expect(watchdogSlots.onDemand).toBe(false);
    expect(main.poked).toBe(true);

    // The sentinel, on the beat alone now, wakes the watchdog: nothing has vouched for the loop for a
    // staleness (the failed check could not). The main thread answers the poke a moment later, and the
    // quick sample lands in its idle loop: no block, nothing counted.
    main.idle(1);
    sentinel.step();
    watcher.step();
    main.answerPoke();
    expect(main.onDemand).toBe(false);
    world.capturer!.answerQuick('Error\n    at <anonymous>:1:157', main.idleMs);
    await settle();
    watcher.step();
    expect(watcher.stalledMs()).toBe(0);

    // The beat timer from now on: an idle loop beats, a block is found by its stale beat.
    main.idleBeats(300, 100);
    const lastBeat = main.lastBeatAt;
    expect(sentinel.step()).toBe(152);
    main.work(152);
    sentinel.step();
    watcher.step();
    expect(watcher.stalledMs()).toBe(152);
    world.capturer!.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    main.work(48);
    main.beat();
    watcher.step();
    // Its final event is the only one the whole run wrote.
    expect(events).toEqual([expect.objectContaining({ startedAt: world.clock.epochAt(lastBeat), durationMs: 200, stack: HASH_STACK, late: false })]);
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 200, startup: false })]);
  });
});

describe('the sentinel dying', () => {
  it.each(['endOnDemandBeats', 'stopSentinel'] as const)('(%s) puts the main thread back on timer beats, without a phantom block, and stalls are still found', async (how) => {
    const world = onDemandWorld();
    const { clock, main, watcher, watchdogSlots, events, stalls } = world;
    const capturer = world.capturer!;
    // Idle for longer than the ongoing threshold, vouched for by the sentinel.
    idleVouched(world, 6000);
    main.idle(20);
    watchdogSlots[how]();
    expect(watchdogSlots.onDemand).toBe(false);
    expect(main.poked).toBe(true);

    // The worker polls at once; the main thread has not answered yet (its beat is 6 s old). No block.
    watcher.step();
    expect(watcher.stalledMs()).toBe(0);
    expect(events).toEqual([]);
    main.idle(1);
    main.answerPoke();
    expect(main.onDemand).toBe(false);
    watcher.step();
    expect(stalls).toEqual([]);
    // From now on the beat alone says the main thread is alive.
    expect(watchdogSlots.lastSignOfLife()).toBe(clock.now());

    // Timer beats; a block is found from them alone.
    main.idleBeats(500, 100);
    const lastBeat = main.lastBeatAt;
    workWhileWatched(world, 160);
    expect(watcher.stalledMs()).toBe(160);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(lastBeat), stack: HASH_STACK, ongoing: true })]);
    main.work(90);
    expect(main.beat()).toBe(250);
    capturer.last.finish();
    await settle();
    watcher.step();
    expect(events[1]).toMatchObject({ startedAt: clock.epochAt(lastBeat), durationMs: 250, stack: HASH_STACK });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 250, startup: false })]);
  });
});

describe('the monitor clock wrapping around (24.8 days of uptime)', () => {
  it('measures beats and stalls across the wrap, and counts stalls after it as stalls, not start-up ones', async () => {
    // A start-up grace is configured: it must stay over once over.
    const world = createWorld({ startMs: 2 ** 31 - 250, config: { startupGraceMs: 1000 } });
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idleBeats(200, 100);
    expect(main.recorder.lastGap).toBe(100);

    // A block that starts 30 ms before the Int32 clock wraps and ends 270 ms after.
    const lastBeat = main.lastBeatAt;
    main.idle(20);
    workWhileWatched(world, 160);
    expect(clock.now()).toBeLessThan(0);
    expect(watcher.stalledMs()).toBe(180);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(lastBeat), durationMs: 160, ongoing: true })]);
    main.work(140);
    expect(main.beat()).toBe(300);
    capturer.last.finish();
    await settle();
    watcher.step();
    expect(events[1]).toMatchObject({ startedAt: clock.epochAt(lastBeat), durationMs: 300, stack: HASH_STACK });

    // Idle beats across the next minute: each measures 100 ms of gap and no busy time.
    for (let i = 0; i < 600; i++) {
      main.idle(100);
      expect(main.beat()).toBe(0);
      expect(main.recorder.lastGap).toBe(100);
    }
    watcher.step();

    // A block a minute after the wrap: sampled, reported and counted like any other.
    const beatAfter = main.lastBeatAt;
    workWhileWatched(world, 160);
    expect(capturer.quickPending).toBe(1);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    main.work(40);
    main.beat();
    capturer.last.finish();
    await settle();
    watcher.step();
    expect(events.slice(2)).toEqual([
      expect.objectContaining({ startedAt: clock.epochAt(beatAfter), durationMs: 160, ongoing: true }),
      expect.objectContaining({ startedAt: clock.epochAt(beatAfter), durationMs: 200, stack: HASH_STACK }),
    ]);
    expect(stalls.map((stall) => [stall.durationMs, stall.startup])).toEqual([
      [300, false],
      [200, false],
    ]);
    expect(watcher.stats.figures()).toMatchObject({ count: 2, startupCount: 0, totalMs: 500, maxMs: 300 });
  });
});

describe('the ring overflowing', () => {
  it('counts the stalls it lost as unmeasured: the count misses none', () => {
    const { main, watcher, stalls } = createWorld({ capturer: null });
    // More stalls than the ring holds, before the watchdog gets to run once.
    for (let i = 0; i < RING_SIZE + 5; i++) {
      main.idle(10);
      main.work(150);
      main.beat();
    }
    watcher.step();
    expect(stalls[0]).toEqual({ kind: 'stall', durationMs: 0, startup: false, block: null, reported: null, counted: null, unmeasured: 5 });
    const measured = stalls.slice(1);
    expect(measured).toHaveLength(RING_SIZE);
    expect(measured.every((stall) => stall.durationMs === 150 && stall.counted !== null)).toBe(true);
    expect(watcher.stats.figures()).toMatchObject({ count: RING_SIZE + 5, totalMs: RING_SIZE * 150, maxMs: 150 });
  });
});

describe('at exit', () => {
  it('flush() writes a pending block whose capture never settled with the samples taken so far', async () => {
    const world = createWorld();
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    workWhileWatched(world, 160);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    capturer.last.pause([rawFrame('deriveKey', '11', 70, 2), ...PAUSED_FRAMES], { route: '/login' });
    main.work(40);
    main.beat();
    watcher.step();
    // The capture has not let go (its last pause is still coming): the final event waits for it.
    expect(watcher.finishing).toBe(true);
    expect(events).toHaveLength(1);

    watcher.flush();
    expect(watcher.finishing).toBe(false);
    expect(events[1]).toEqual({
      type: 'block',
      startedAt: clock.epochAt(100),
      durationMs: 200,
      stack: [{ functionName: 'deriveKey', url: 'file:///app/tools.js', line: 71, column: 3 }, ...HASH_STACK],
      inFlight: null,
      context: { route: '/login' },
      late: false,
      signature: expect.any(String) as string,
    });
    expect(stalls).toEqual([expect.objectContaining({ durationMs: 200, reported: events[1] })]);
  });

  it('stop() closes a provisional stall whose end the beat never showed: a final event, not counted', async () => {
    const world = createWorld();
    const { clock, main, watcher, events, stalls } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    workWhileWatched(world, 160);
    capturer.answerQuick(QUICK_STACK, main.idleMs);
    await settle();
    watcher.step();
    expect(events).toEqual([expect.objectContaining({ ongoing: true })]);
    // The main thread runs the exit handler; its final beat never reaches the ring.
    main.work(140);
    watcher.stop();
    watcher.flush();

    expect(events[1]).toEqual({
      type: 'block',
      startedAt: clock.epochAt(100),
      durationMs: 300,
      stack: HASH_STACK,
      inFlight: null,
      context: null,
      late: false,
      signature: events[0]!.signature,
    });
    expect(stalls).toEqual([]);
    expect(watcher.stats.count).toBe(0);
    // Stopping, it watches nothing new.
    main.work(500);
    watcher.step();
    expect(watcher.stalledMs()).toBe(0);
  });
});

describe('a capturer without quick samples', () => {
  it('starts the pauses as soon as it finds a block and publishes the first pause', () => {
    const world = createWorld({ capturer: new FakeCapturer({ quickSamples: false }) });
    const { clock, main, events } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    workWhileWatched(world, 160);
    expect(capturer.captures).toHaveLength(1);
    capturer.last.pause(PAUSED_FRAMES);
    // Named, but 170 ms could still be an idle wait and a short task.
    workWhileWatched(world, 10);
    expect(events).toEqual([]);
    workWhileWatched(world, 40);
    expect(events).toEqual([expect.objectContaining({ startedAt: clock.epochAt(100), durationMs: 210, stack: HASH_STACK, ongoing: true })]);
  });
});

describe('why a block has no stack (noStack)', () => {
  /** The main thread's 300 ms task, ended by a beat; returns the counted block the watchdog handed on. */
  function blockOf(world: World): NonNullable<World['stalls'][number]['counted']> {
    const counted = world.stalls.map((stall) => stall.counted).filter((event) => event !== null);
    expect(counted).toHaveLength(1);
    return counted[0]!;
  }

  it('says not-watched for a block that began before the watchdog first polled (a worker slow to start)', () => {
    const world = createWorld();
    const { main, watcher, events } = world;
    main.idleBeats(100, 100);
    main.work(300);
    expect(main.beat()).toBe(300);
    // The watchdog's first poll, after the block: it finds it only in the ring.
    watcher.step();
    const block = blockOf(world);
    expect(block).toMatchObject({ durationMs: 300, stack: [], inFlight: null, noStack: 'not-watched' });
    expect(events).toEqual([block]);
    expect(watcher.stats.figures().worst).toEqual([{ startedAt: block.startedAt, durationMs: 300, logged: true, noStack: 'not-watched' }]);
  });

  it('says not-watched while the stack capturer is still connecting, lag-only when none is coming', () => {
    for (const [connecting, reason] of [
      [true, 'not-watched'],
      [false, 'lag-only'],
    ] as const) {
      const world = createWorld({ capturer: null });
      if (connecting) world.watcher.awaitCapturer();
      world.main.idleBeats(100, 100);
      world.watcher.step();
      workWhileWatched(world, 300);
      world.main.beat();
      world.watcher.step();
      expect(blockOf(world)).toMatchObject({ durationMs: 300, stack: [], noStack: reason });
    }
  });

  it("says not-caught for a block whose one pause landed after it, in the monitor's heartbeat: not Node's timers as its stack", async () => {
    const world = createWorld({ capturer: new FakeCapturer({ quickSamples: false }) });
    const { main, watcher, events } = world;
    const capturer = world.capturer!;
    main.idleBeats(100, 100);
    // Found at 160 ms, in native code where no pause lands; it returns at 170 ms and the pause lands in the
    // heartbeat's beat, before it stores the beat that ends the block.
    workWhileWatched(world, 170);
    capturer.last.pause([rawFrame('now', '5', 136, 5), rawFrame('beat', '6', 90, 4), rawFrame('listOnTimeout', '4', 584, 16)], { route: '/next' }, 3);
    main.beat();
    capturer.last.finish();
    await settle();
    watcher.step();
    expect(blockOf(world)).toMatchObject({ durationMs: 170, stack: [], inFlight: null, context: null, late: false, noStack: 'not-caught' });
    expect(events.at(-1)).not.toHaveProperty('samples');
  });

  it('says ended-unseen for a block over before a watching watchdog found it stale', () => {
    const world = createWorld();
    const { main, watcher } = world;
    main.idleBeats(100, 100);
    watcher.step();
    // 120 ms: over the threshold, under the staleness (150 ms) a poll needs to see.
    main.work(120);
    main.beat();
    watcher.step();
    expect(blockOf(world)).toMatchObject({ durationMs: 120, stack: [], noStack: 'ended-unseen' });
  });
});
