import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockEndOf, blockStartOf } from '../src/events/block-span.js';
import type { BlockEvent, MonitorEvent, MonitorSnapshot } from '../src/types.js';
import { run, type RunResult } from '../../../test/helpers/spawn.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/monitor/${name}`, import.meta.url));

/** On-demand beats where the sentinel can have them (Linux on x64 and arm64); the beat timer everywhere. */
export const BEATS = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') ? (['on-demand', 'timer'] as const) : (['timer'] as const);

/** startMonitor's `heartbeat` option, and the fixture's wait for it, for a run with `beats`. */
export const beatsConfig = (beats: (typeof BEATS)[number]) => ({ heartbeat: beats, heartbeatOption: beats === 'timer' ? 'timer' : 'auto' }) as const;

export interface BlockWindow {
  kind: string;
  start: number;
  end: number;
}

export interface FixtureOutput {
  windows: BlockWindow[];
  snapshot: MonitorSnapshot;
  socketPath: string | null;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-lag-monitor-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a fixture with the built package; the event log goes to `<dir>/events.ndjson`. */
let runs = 0;

export async function runFixture(
  name: string,
  config: Record<string, unknown>,
  dir: string,
  extra: { execArgv?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult & { events: MonitorEvent[]; output: FixtureOutput | null }> {
  const report = join(dir, `events-${++runs}.ndjson`);
  const result = await run([...(extra.execArgv ?? []), fixture(name)], {
    env: { ...process.env, AGENT_LAG_TEST: JSON.stringify(config), AGENT_LAG_TEST_REPORT: report, XDG_RUNTIME_DIR: dir, ...extra.env },
    timeoutMs: extra.timeoutMs ?? 60_000,
  });
  let events: MonitorEvent[];
  try {
    events = readFileSync(report, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as MonitorEvent);
  } catch {
    events = [];
  }
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  let output: FixtureOutput | null;
  try {
    output = JSON.parse(lastLine) as FixtureOutput;
  } catch {
    output = null;
  }
  return { ...result, events, output };
}

/** Every block line of a log, the provisional (ongoing) ones included. */
export const blockLinesOf = (events: MonitorEvent[]): BlockEvent[] => events.filter((event): event is BlockEvent => event.type === 'block');

/** The final block events: what each block came to (its provisional lines, if any, are replaced by it). */
export const blocksOf = (events: MonitorEvent[]): BlockEvent[] => blockLinesOf(events).filter((block) => block.ongoing !== true);

/** Blocks whose span overlaps the window the fixture measured around its blocking call. */
export const blocksDuring = (blocks: BlockEvent[], window: BlockWindow): BlockEvent[] =>
  blocks.filter((block) => blockStartOf(block) < window.end && blockEndOf(block) > window.start);

/** Ms of `block` inside `window`. */
export const overlapMs = (block: BlockEvent, window: BlockWindow): number =>
  Math.min(window.end, blockEndOf(block)) - Math.max(window.start, blockStartOf(block));

/**
 * The blocks the fixture's call caused: those covering more than `minMs` (a threshold) of the window it
 * measured around the call. A loaded machine adds stalls of its own (the main thread waiting for a CPU
 * between two beats) before and after it, which overlap the window by the few ms of its clock reads at
 * most; a block the monitor split or reported twice still shows as two here.
 */
export function blocksCausedDuring(blocks: BlockEvent[], window: BlockWindow, minMs: number): BlockEvent[] {
  return blocksDuring(blocks, window).filter((block) => overlapMs(block, window) > minMs);
}
