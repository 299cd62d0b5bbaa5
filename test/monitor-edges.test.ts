import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockEndOf, blockStartOf } from '../packages/runtime-monitor/src/events/block-span.js';
import type { BlockEvent, CheckpointEvent, MonitorEvent, SummaryEvent } from '../packages/runtime-monitor/src/types.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Blocks at the edges of a process's life, run for real under `agent-lag run` (the monitor preloaded):
 * a block that the process's end follows at once is counted, logged with its duration and stack, and
 * trips the --fail-on-block-ms gate, whatever the end: process.exit(), a crash, an unhandled rejection,
 * the loop running dry, a signal the app handles. A process killed by a signal it does not handle (Node's
 * default for SIGINT and SIGTERM, or SIGKILL) runs no more JavaScript: its log still holds the block, as
 * published while it ran, and the checkpoints that aged it.
 */

const fixtures = join(repoRoot, 'test/fixtures/edges');
const env = { ...process.env, NO_COLOR: '1' };
let scratch = '';

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'agent-lag-edges-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function readLog(path: string): Promise<MonitorEvent[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as MonitorEvent);
}

const blocksIn = (events: MonitorEvent[]): BlockEvent[] => events.filter((event): event is BlockEvent => event.type === 'block');

async function runToTheEnd(how: string) {
  const log = join(scratch, `${how}.ndjson`);
  const result = await run(
    [cliBin, 'run', '--report', log, '--threshold-ms', '100', '--startup-grace-ms', '0', '--fail-on-block-ms', '300', '--', process.execPath, join(fixtures, 'end-after-block.mjs'), how],
    { env, timeoutMs: 60_000 },
  );
  const blockStart = Number(/^block (\d+)$/m.exec(result.stdout)?.[1]);
  expect(blockStart, result.stderr).toBeGreaterThan(0);
  const events = await readLog(log);
  // The block this test caused: it overlaps the 800 ms the fixture spun (a busy machine may add others).
  const ours = blocksIn(events).filter((block) => blockStartOf(block) < blockStart + 800 && blockEndOf(block) > blockStart);
  return { result, events, ours };
}

describe('a block right before the process ends', () => {
  const endings: [string, number][] = [
    ['exit', 1],
    ['throw', 1],
    ['reject', 1],
    ['natural', 1],
    ['sigterm-handled', 1],
  ];
  it.each(endings)('ending by %s: counted, logged with its duration and stack, and the gate fails', async (how, code) => {
    const { result, events, ours } = await runToTheEnd(how);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(/exceeded --fail-on-block-ms 300/);
    const final = ours.filter((block) => block.ongoing !== true);
    expect(final, JSON.stringify(events)).toHaveLength(1);
    const block = final[0]!;
    expect(block.durationMs).toBeGreaterThanOrEqual(700);
    expect(block.durationMs).toBeLessThan(2000);
    const where = how === 'throw' ? 'hashBeforeTheCrash' : 'blockBeforeTheEnd';
    expect(block.stack.map((frame) => frame.functionName), JSON.stringify(block)).toContain(where);
    const summary = events.find((event): event is SummaryEvent => event.type === 'summary');
    expect(summary, JSON.stringify(events)).toBeDefined();
    expect(summary!.stalls.count).toBeGreaterThanOrEqual(1);
    expect(summary!.stalls.maxMs).toBeGreaterThanOrEqual(block.durationMs);
  }, 60_000);
});

describe('a block that a signal the app does not handle cuts short', () => {
  const signals: [string, number][] = [
    ['sigint', 128 + 2],
    ['sigterm', 128 + 15],
    ['sigkill', 128 + 9],
  ];
  it.each(signals)('%s: the log holds the block as published while it ran, and the gate fails', async (how, code) => {
    const { result, events, ours } = await runToTheEnd(how);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(/exceeded --fail-on-block-ms 300/);
    expect(events.some((event) => event.type === 'summary')).toBe(false);
    const published = ours.find((block) => block.ongoing === true);
    expect(published, JSON.stringify(events)).toBeDefined();
    expect(published!.stack[0]?.functionName).toBe('blockBeforeTheEnd');
    // Checkpoints aged it while it ran: the log alone says it lasted past the threshold.
    const aged = events.filter((event): event is CheckpointEvent => event.type === 'checkpoint' && event.ongoing?.startedAt === published!.startedAt);
    expect(aged.length, JSON.stringify(events)).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('a process that re-raises a signal after its cleanup (signal-exit)', () => {
  it('dies of that signal with the block in its log, and nothing of the monitor on its stderr', async () => {
    const log = join(scratch, 'reraise.ndjson');
    const result = await run(
      [cliBin, 'run', '--report', log, '--threshold-ms', '100', '--startup-grace-ms', '0', '--', process.execPath, join(fixtures, 'reraise-signal-after-block.mjs')],
      { env, timeoutMs: 60_000 },
    );
    expect(result.code, result.stderr).toBe(128 + 15);
    const blockStart = Number(/^block (\d+)$/m.exec(result.stdout)?.[1]);
    const ours = blocksIn(await readLog(log)).filter((block) => block.ongoing !== true && blockStartOf(block) < blockStart + 400 && blockEndOf(block) > blockStart);
    expect(ours.map((block) => block.stack[0]?.functionName)).toEqual(['blockBeforeTheShutdown']);
    // The watchdog's inspector session is let go once the block is sampled: Node would otherwise print
    // its line for a connected debugger as the process signals itself.
    expect(result.stderr).not.toContain('Waiting for the debugger to disconnect...');
    expect(result.stderr).toContain('killed by SIGTERM');
  }, 60_000);
});

describe('a wedge entered inside the start-up grace', () => {
  it('is reported once the grace is over, while it still runs, with its stack', async () => {
    const log = join(scratch, 'wedge.ndjson');
    const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
    const child = spawn(process.execPath, ['--import', register, join(fixtures, 'wedge-at-300ms.mjs')], {
      env: { ...env, AGENT_LAG_REPORT: log, AGENT_LAG_THRESHOLD_MS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    try {
      const deadline = Date.now() + 30_000;
      let published: BlockEvent | undefined;
      while (published === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        published = blocksIn(await readLog(log)).find((block) => block.ongoing === true);
      }
      expect(published, `no ongoing block in ${log}`).toBeDefined();
      expect(published!.stack[0]?.functionName).toBe('wedgeInsideTheGrace');
      const started = Number(/^started (\d+)$/m.exec(stdout)?.[1]);
      // It began about 300 ms after start-up, inside the 1 s grace.
      expect(published!.startedAt - started).toBeLessThan(1000);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
