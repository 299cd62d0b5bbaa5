import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockEvent, InFlightCall, SyncCallSite } from '../packages/runtime-monitor/src/types.js';
import { repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

// The fixtures load the built package, as a preloaded monitor would (`npm test` builds first).
const inflightModule = join(repoRoot, 'packages/runtime-monitor/dist/inflight/index.js');
const fixtures = join(repoRoot, 'test/fixtures/inflight');

interface DuringBlock {
  namedImportWrapped: boolean;
  outcome: unknown;
  command?: string;
  path?: string;
  seen: InFlightCall | null;
  after: InFlightCall | null;
  syncCalls: SyncCallSite[];
  restored: boolean;
}

async function fixture<T>(name: string, ...args: string[]): Promise<T> {
  const result = await run([join(fixtures, name), inflightModule, ...args], { timeoutMs: 40_000 });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

describe('the in-flight record, read by a worker while the main thread is blocked', () => {
  it('names Atomics.wait during the wait (the worker ends the wait only after seeing it) and clears it after', async () => {
    const result = await fixture<DuringBlock>('during-block.mjs', 'atomics');
    // 'ok' rather than 'timed-out': the wait was ended by the worker's notify, sent on seeing the record.
    expect(result.outcome).toBe('ok');
    expect(result.seen).toEqual({ api: 'Atomics.wait', hint: null });
    expect(result.after).toBeNull();
    expect(result.restored).toBe(true);
  });

  it('names execSync with its command while the child runs', async () => {
    const result = await fixture<DuringBlock>('during-block.mjs', 'execSync');
    expect(result.outcome).toBe('returned');
    expect(result.seen?.api).toBe('child_process.execSync');
    expect(result.seen?.hint).toBeTruthy();
    expect(result.command?.startsWith(result.seen?.hint ?? '?')).toBe(true);
    expect(result.after).toBeNull();
  });

  it('keeps naming readFileSync (not its nested fs.openSync) while it waits on a FIFO, via an ESM named import', async () => {
    const result = await fixture<DuringBlock>('during-block.mjs', 'readFileSync-fifo');
    expect(result.namedImportWrapped).toBe(true);
    expect(result.outcome).toBe('released');
    expect(result.seen).toEqual({ api: 'fs.readFileSync', hint: result.path });
    expect(result.after).toBeNull();
    // Node's own nested calls are not counted on top of the call the application made.
    const apis = result.syncCalls.map((row) => row.api);
    expect(apis).toContain('fs.readFileSync');
    expect(apis).not.toContain('fs.openSync');
    expect(apis).not.toContain('fs.readSync');
    expect(result.restored).toBe(true);
  });

  it('clears the record when the wrapped call throws, and still counts the call', async () => {
    const result = await fixture<DuringBlock>('during-block.mjs', 'throws');
    expect(result.outcome).toBe('ENOENT');
    expect(result.after).toBeNull();
    expect(result.syncCalls.find((row) => row.api === 'fs.readFileSync')?.count).toBe(1);
  });
});

describe('sync call-site stats', () => {
  it('names the caller file:line of slow calls only, and ignores calls made during start-up', async () => {
    const { syncCalls } = await fixture<{ syncCalls: SyncCallSite[] }>('call-sites.mjs', 'slow');
    const source = readFileSync(join(fixtures, 'call-sites.mjs'), 'utf8').split('\n');
    const slowLine = source.findIndex((line) => line.includes('// SLOW_SITE')) + 1;
    const waits = syncCalls.filter((row) => row.api === 'Atomics.wait');
    expect(waits).toHaveLength(1);
    expect(waits[0]?.site).toMatch(new RegExp(`call-sites\\.mjs:${slowLine}:\\d+$`));
    expect(waits[0]?.count).toBe(1); // the start-up wait is not counted
    expect(waits[0]?.maxMs).toBeGreaterThanOrEqual(20);
    expect(syncCalls.filter((row) => row.api === 'fs.existsSync')).toEqual([
      expect.objectContaining({ site: null, count: 5 }),
    ]);
  });

  it('keeps at most MAX_SITES call sites and folds the rest into the unlocated row', async () => {
    const { maxSites, syncCalls } = await fixture<{ maxSites: number; syncCalls: SyncCallSite[] }>('call-sites.mjs', 'overflow');
    expect(syncCalls.filter((row) => row.site !== null).length).toBeLessThanOrEqual(maxSites);
    const exists = syncCalls.filter((row) => row.api === 'fs.existsSync');
    expect(exists.reduce((sum, row) => sum + row.count, 0)).toBe(maxSites + 50);
    expect(exists.find((row) => row.site === null)?.count).toBeGreaterThanOrEqual(50);
  });
});

describe('a native block reported by the monitor with sync wrappers on', () => {
  it.each([
    ["carries the caller's context and exact stack even when the pause lands after the scope ended", 'watched', 350],
    ['carries them too when the watchdog never saw it live (shorter than its staleness, right after a beat)', 'unwatched', 220],
  ])('%s', async (_title, mode, minimumMs) => {
    const result = await run([join(fixtures, 'native-context.mjs'), mode], { timeoutMs: 40_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { blocks, measuredMs, line } = JSON.parse(result.stdout) as { blocks: BlockEvent[]; measuredMs: number; line: number };
    expect(measuredMs).toBeGreaterThanOrEqual(minimumMs);
    const block = blocks.find((event) => event.inFlight?.api === 'child_process.execFileSync');
    expect(block, JSON.stringify(blocks)).toBeDefined();
    expect(block?.context).toEqual({ run: 'r1' });
    expect(block?.late).toBe(false);
    const top = block?.stack.find((frame) => frame.url.endsWith('/native-context.mjs'));
    expect(top?.functionName).toBe('callsExecFileSync');
    expect(top?.line).toBe(line);
    // Nothing above the caller but Node's own frames (the wrapper itself is left out).
    expect(block?.stack[0]).toEqual(top);
  });
});
