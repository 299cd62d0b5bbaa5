import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BlockEvent, CheckpointEvent, MonitorEvent } from '../src/types.js';
import { blockLinesOf, blocksDuring, fixture, tempDir, type BlockWindow } from './monitor-helpers.js';

/*
 * The provisional ("ongoing") block event: written by the watchdog while the main thread is still frozen,
 * to the event log and the control socket. Real processes, the built package; timings are bounded
 * generously (a loaded 2-core machine schedules the watchdog late), never tightly.
 */

const temp = tempDir();
const children: ChildProcessWithoutNullStreams[] = [];
const sockets: Socket[] = [];
let runs = 0;

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => temp.remove());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Started {
  child: ChildProcessWithoutNullStreams;
  report: string;
  socketPath: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startWedge(config: Record<string, unknown>): Promise<Started> {
  const report = join(temp.dir, `ongoing-${++runs}.ndjson`);
  const child = spawn(process.execPath, [fixture('wedge.mjs')], {
    env: { ...process.env, AGENT_LAG_TEST: JSON.stringify(config), AGENT_LAG_TEST_REPORT: report, XDG_RUNTIME_DIR: temp.dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const socketPath = await waitFor(() => /^ready (.+)$/m.exec(stdout)?.[1] ?? null, 30_000, () => `no "ready" line; stderr: ${stderr}`);
  return { child, report, socketPath, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitFor<T>(probe: () => T | null, timeoutMs: number, why: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${why()}`);
    await sleep(50);
  }
}

function readLog(path: string): MonitorEvent[] {
  if (!existsSync(path)) return [];
  // The worker writes whole lines; a line being written right now is left for the next read.
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as MonitorEvent);
}

interface Listener {
  messages: Record<string, unknown>[];
  /** Why connecting failed so far, for a failure message that says what happened. */
  errors: string[];
}

/**
 * Streams the control socket's messages into an array. A refused or failed connection is retried until a
 * hello arrives (the fixture says "ready" when the socket file exists, which it does from the bind, a
 * moment before the listen: a connection in between is refused, as `agent-lag watch` also allows for), and
 * each failure is kept for the test's message.
 */
function listen(path: string): Listener {
  const listener: Listener = { messages: [], errors: [] };
  const attempt = (): void => {
    const socket = connect(path);
    sockets.push(socket);
    let buffered = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) listener.messages.push(JSON.parse(line) as Record<string, unknown>);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      listener.errors.push(`${error.code ?? error.message} (socket file ${existsSync(path) ? 'exists' : 'missing'})`);
      if (listener.errors.length < 100 && !listener.messages.some((message) => message['type'] === 'hello')) setTimeout(attempt, 100);
    });
  };
  attempt();
  return listener;
}

const ongoingOf = (events: MonitorEvent[]): BlockEvent[] => blockLinesOf(events).filter((block) => block.ongoing === true);

describe('a block that never ends', () => {
  it('gets one provisional event as soon as its stack is taken, naming the function, and checkpoints that age it while the process is still wedged', async () => {
    const started = await startWedge({ mode: 'forever', options: { thresholdMs: 100, ongoingReportMs: 1000 } });
    const control = listen(started.socketPath);
    const socketMessages = control.messages;
    await waitFor(
      () => socketMessages.find((message) => message['type'] === 'hello') ?? null,
      10_000,
      () => `no hello on the control socket; connecting: ${control.errors.join(', ') || 'no error'}; stderr: ${started.stderr()}`,
    );
    started.child.stdin.write('go\n');

    const first = await waitFor(
      () => ongoingOf(readLog(started.report))[0] ?? null,
      30_000,
      () => `no ongoing event; log: ${readFileSync(started.report, 'utf8')}; stderr: ${started.stderr()}`,
    );
    // The checkpoints written while it lasts carry its age: a log cut off by SIGKILL still says how long it ran.
    const ageOf = (event: MonitorEvent): number => (event.type === 'checkpoint' && event.ongoing?.startedAt === first.startedAt ? event.ongoing.durationMs : 0);
    await waitFor(
      () => (readLog(started.report).some((event) => ageOf(event) >= 2000) ? true : null),
      30_000,
      () => `no checkpoint aging the block past 2 s; log: ${readFileSync(started.report, 'utf8')}`,
    );
    // Well past the report: still exactly one, and the process is still wedged (nothing ended the block).
    const events = readLog(started.report);
    expect(started.child.exitCode).toBeNull();
    expect(ongoingOf(events)).toHaveLength(1);

    expect(first).toMatchObject({ type: 'block', ongoing: true, late: false });
    // Published with its first sample, long before the 1 s ongoing threshold that applies without one.
    expect(first.durationMs).toBeGreaterThanOrEqual(100);
    expect(first.durationMs).toBeLessThan(1000);
    // At most one checkpoint a second, each aging the block further. The first is written as soon as the
    // stall shows, before the quick sample measured how long the loop still idled after its last sign of
    // life, so the ages of the later ones can grow by up to that idle wait less than the time between them.
    const carrying = events.filter((event): event is CheckpointEvent => ageOf(event) > 0);
    for (let i = 1; i < carrying.length; i++) {
      expect(carrying[i]!.at - carrying[i - 1]!.at).toBeGreaterThanOrEqual(990);
      expect(ageOf(carrying[i]!)).toBeGreaterThan(ageOf(carrying[i - 1]!));
    }
    expect(first.stack.map((frame) => frame.functionName)).toContain('wedgeForeverInAUniquelyNamedFunction');
    expect(first.stack[0]?.functionName).toBe('wedgeForeverInAUniquelyNamedFunction');
    expect(typeof first.signature).toBe('string');

    // The control socket streamed the same event.
    const streamed = await waitFor(
      () => socketMessages.find((message) => message['type'] === 'block' && message['ongoing'] === true) ?? null,
      10_000,
      () => `no block on the control socket: ${JSON.stringify(socketMessages)}`,
    );
    expect(streamed).toEqual(first);
    // A client connecting now, while the block still lasts, is told of it in the hello.
    const late = listen(started.socketPath);
    const hello = await waitFor(
      () => late.messages.find((message) => message['type'] === 'hello') ?? null,
      10_000,
      () => `no hello for the late client; connecting: ${late.errors.join(', ') || 'no error'}`,
    );
    expect(hello['ongoing']).toEqual(first);

    started.child.kill('SIGKILL');
    expect((await started.exited).signal).toBe('SIGKILL');
  }, 90_000);
});

describe('a block that ends after the provisional report', () => {
  it('gets a provisional event, then the final one with the same startedAt; listeners only get the final one', async () => {
    const targetMs = 2500;
    const started = await startWedge({ mode: 'timed', targetMs, options: { thresholdMs: 100, ongoingReportMs: 1000 } });
    started.child.stdin.write('go\n');
    const exit = await started.exited;
    expect(exit.code, started.stderr()).toBe(0);
    expect(started.stderr()).not.toMatch(/agent-lag|Waiting for the debugger/);
    const output = JSON.parse(started.stdout().trim().split('\n').pop() ?? '') as { windows: BlockWindow[]; listened: BlockEvent[] };
    const window = output.windows[0]!;
    const measured = window.end - window.start;
    expect(measured).toBeGreaterThanOrEqual(targetMs);

    const blocks = blocksDuring(blockLinesOf(readLog(started.report)), window);
    expect(blocks.map((block) => block.ongoing === true), JSON.stringify(blocks)).toEqual([true, false]);
    const [provisional, final] = blocks as [BlockEvent, BlockEvent];
    expect(final.ongoing).toBeUndefined();
    expect(Math.abs(provisional.startedAt - final.startedAt)).toBeLessThanOrEqual(5);
    expect(provisional.durationMs).toBeGreaterThanOrEqual(100);
    expect(provisional.durationMs).toBeLessThan(1000);
    expect(final.durationMs).toBeGreaterThanOrEqual(measured * 0.85);
    expect(final.durationMs).toBeLessThanOrEqual(measured * 1.15);
    expect(provisional.stack.map((frame) => frame.functionName)).toContain('blockForAWhileInAUniquelyNamedFunction');
    expect(final.stack.map((frame) => frame.functionName)).toContain('blockForAWhileInAUniquelyNamedFunction');

    // The main thread's 'block' listeners never see the provisional event: they get the final one.
    const heard = blocksDuring(output.listened, window);
    expect(heard).toHaveLength(1);
    expect(heard[0]!.ongoing).toBeUndefined();
    expect(heard[0]!.startedAt).toBe(final.startedAt);
    expect(heard[0]!.durationMs).toBe(final.durationMs);
  }, 90_000);
});

describe('the start-up grace period', () => {
  it('keeps a short block in it quiet: counted as start-up, not reported', async () => {
    const started = await startWedge({ mode: 'timed', targetMs: 300, options: { thresholdMs: 100, ongoingReportMs: 1000, startupGraceMs: 20_000 } });
    started.child.stdin.write('go\n');
    const exit = await started.exited;
    expect(exit.code, started.stderr()).toBe(0);
    const events = readLog(started.report);
    expect(blockLinesOf(events)).toEqual([]);
    const summary = events.find((event) => event.type === 'summary');
    expect(summary?.type === 'summary' ? summary.stalls.startupCount : 0).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('never hides a block longer than the ongoing threshold: reported while it runs, then counted as a block', async () => {
    const started = await startWedge({ mode: 'timed', targetMs: 2500, options: { thresholdMs: 100, ongoingReportMs: 1000, startupGraceMs: 20_000 } });
    started.child.stdin.write('go\n');
    const exit = await started.exited;
    expect(exit.code, started.stderr()).toBe(0);
    const output = JSON.parse(started.stdout().trim().split('\n').pop() ?? '') as { windows: BlockWindow[] };
    const window = output.windows[0]!;
    const events = readLog(started.report);
    const lines = blocksDuring(blockLinesOf(events), window);
    expect(lines.map((block) => block.ongoing === true), JSON.stringify(lines)).toEqual([true, false]);
    expect(lines[0]!.durationMs).toBeGreaterThanOrEqual(1000);
    expect(lines[1]!.durationMs).toBeGreaterThanOrEqual((window.end - window.start) * 0.85);
    const summary = events.find((event) => event.type === 'summary');
    expect(summary?.type === 'summary' ? summary.stalls.count : 0).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
