import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockEvent } from '../src/types.js';
import { BEATS, beatsConfig, blocksCausedDuring, blocksDuring, blocksOf, runFixture, tempDir, type FixtureOutput } from './monitor-helpers.js';

/*
 * One real Node process blocks its event loop ten ways, each inside a uniquely named function and a
 * withContext({ kind }); the monitor (built package, sync wrappers on) must report each exactly once.
 */

const KINDS = ['busy', 'readFileSync', 'execSync', 'execSyncThenBusy', 'execSyncThenInlineBusy', 'atomicsWait', 'pbkdf2Sync', 'gzipSync', 'jsonParse', 'regex'] as const;
const FUNCTION_OF: Record<(typeof KINDS)[number], string> = {
  busy: 'blockWithBusyLoop',
  readFileSync: 'blockWithReadFileSync',
  execSync: 'blockWithExecSync',
  execSyncThenBusy: 'blockWithExecSyncThenBusyLoop',
  execSyncThenInlineBusy: 'blockWithExecSyncThenInlineLoop',
  atomicsWait: 'blockWithAtomicsWait',
  pbkdf2Sync: 'blockWithPbkdf2Sync',
  gzipSync: 'blockWithGzipSync',
  jsonParse: 'blockWithJsonParse',
  regex: 'blockWithCatastrophicRegex',
};
/** Sync APIs the wrappers name while the call is still running. */
const API_OF: Partial<Record<(typeof KINDS)[number], string>> = {
  readFileSync: 'fs.readFileSync',
  execSync: 'child_process.execSync',
  atomicsWait: 'Atomics.wait',
  pbkdf2Sync: 'crypto.pbkdf2Sync',
  gzipSync: 'zlib.gzipSync',
  // Size-gated (>= 1 Mi chars): the fixture parses a text of ~13 MB (sized by timing) several times.
  jsonParse: 'JSON.parse',
};
/**
 * Blocks in JavaScript, where the pause lands during the block (native ones are caught when they return). A
 * 200 ms execSync followed by a loop of seconds is one, the loop in a function of its own or inline after the
 * call: named by the loop, with no API in flight.
 */
const JS_KINDS = new Set(['busy', 'execSyncThenBusy', 'execSyncThenInlineBusy', 'regex', 'atomicsWait']);

const THRESHOLD_MS = 100;

/** A kind's last attempt: the fixture runs a kind again when the watchdog, starved on a loaded machine, never saw it. */
function lastWindowOf(output: FixtureOutput, kind: string): FixtureOutput['windows'][number] {
  return output.windows.filter((window) => window.kind === kind).at(-1)!;
}
const temp = tempDir();
afterAll(() => temp.remove());

describe.each(BEATS)('with %s beats', (beats) => {
  let output: FixtureOutput;
  let blocks: BlockEvent[];
  let stderr = '';

  beforeAll(async () => {
    const fifo = join(temp.dir, `slow-${beats}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const { heartbeat, heartbeatOption } = beatsConfig(beats);
    const options = { thresholdMs: THRESHOLD_MS, syncWrappers: true, heartbeat: heartbeatOption };
    // The fixture waits until the sentinel has taken over the idle beats: every block then starts on-demand.
    // The busy loop lasts longer: its samples come one per threshold after Debugger.enable, which costs the
    // main thread tens of ms of CPU, and up to a second of wall time on a loaded 2-core machine.
    const result = await runFixture('blocks.mjs', { kinds: KINDS, fifo, targetMs: 600, busyMs: 2000, heartbeat, options }, temp.dir);
    stderr = result.stderr;
    expect(result.code, result.stderr).toBe(0);
    expect(result.output).not.toBeNull();
    output = result.output!;
    blocks = blocksOf(result.events);
  }, 90_000);

  describe.each(KINDS)('a %s block', (kind) => {
    const windowOf = () => lastWindowOf(output, kind);
    const blockOf = () => {
      // Stalls of the loaded machine's own may touch the window's edges: not this block, not counted here.
      const found = blocksCausedDuring(blocks, windowOf(), THRESHOLD_MS);
      expect(found, `blocks during ${kind}: ${JSON.stringify(blocksDuring(blocks, windowOf()))}`).toHaveLength(1);
      return found[0]!;
    };

    it('is reported once, with the duration the app measured', () => {
      const window = windowOf();
      const measured = window.end - window.start;
      // The fixture's own floor: every block is built to last about 600 ms, far above the 100 ms threshold.
      expect(measured, `${kind} lasted only ${measured} ms`).toBeGreaterThanOrEqual(300);
      const block = blockOf();
      // The stall spans heartbeat to heartbeat; for native calls it also includes the inspector's work on
      // the main thread once the call returns (Debugger.enable on a loaded 2-core machine): allow for both.
      expect(block.durationMs).toBeGreaterThanOrEqual(measured * 0.85);
      expect(block.durationMs).toBeLessThanOrEqual(measured * 1.2 + 250);
    });

    it('has a stack naming the blocking function', () => {
      const block = blockOf();
      expect(block.stack.map((frame) => frame.functionName), JSON.stringify(block)).toContain(FUNCTION_OF[kind]);
      const frame = block.stack.find((f) => f.functionName === FUNCTION_OF[kind])!;
      expect(frame.url).toMatch(/fixtures\/monitor\/blocks\.mjs$/);
      expect(frame.line).toBeGreaterThan(0);
      if (JS_KINDS.has(kind)) expect(block.late).toBe(false);
    });

    it('names the sync API in flight, read while the call was still running', () => {
      const block = blockOf();
      const api = API_OF[kind];
      // The wrapper clears the record when the call returns: a non-null inFlight was read during the call.
      if (api === undefined) expect(block.inFlight).toBeNull();
      else expect(block.inFlight?.api).toBe(api);
      // JSON.parse's hint is its input's exact length (MB = 2^20 characters), known before it starts.
      if (kind === 'jsonParse') expect(block.inFlight?.hint).toMatch(/^\d+(?:\.\d)? MB$/);
    });

    it('carries the context set with withContext (from the pause, or from the sync wrapper for native calls)', () => {
      const block = blockOf();
      if (JS_KINDS.has(kind) || API_OF[kind] !== undefined) expect(block.context).toEqual({ kind, attempt: output.windows.filter((window) => window.kind === kind).length - 1 });
      else if (block.context !== null) expect(block.context.kind).toBe(kind);
    });

    it('names the blocking function on top for wrapped native calls, exactly (not late)', () => {
      const block = blockOf();
      if (API_OF[kind] === undefined || JS_KINDS.has(kind)) return;
      // gzipSync loops over chunks in JavaScript: the pause may land during it, above the caller.
      if (kind !== 'gzipSync') expect(block.stack[0]?.functionName, JSON.stringify(block.stack)).toBe(FUNCTION_OF[kind]);
      expect(block.late).toBe(false);
    });
  });

  describe('the same run', () => {
    it('samples a long JavaScript block several times, each sample in the blocking function', () => {
      const busy = blocksCausedDuring(blocks, lastWindowOf(output, 'busy'), THRESHOLD_MS)[0]!;
      expect(busy.samples?.length ?? 0).toBeGreaterThanOrEqual(1);
      for (const sample of busy.samples ?? []) expect(sample.map((frame) => frame.functionName)).toContain('blockWithBusyLoop');
    });

    it('reads the readFileSync hint (the path) from shared memory', () => {
      const read = blocksCausedDuring(blocks, lastWindowOf(output, 'readFileSync'), THRESHOLD_MS)[0]!;
      expect(read.inFlight?.hint).toBe(join(temp.dir, `slow-${beats}.fifo`));
    });

    it('counts every block in the snapshot and groups stacks by signature', () => {
      expect(output.snapshot.stalls.count).toBeGreaterThanOrEqual(KINDS.length);
      expect(output.snapshot.mode).toBe('full');
      const functions = output.snapshot.topStacks.flatMap((entry) => entry.stack.map((frame) => frame.functionName));
      expect(functions).toContain('blockWithBusyLoop');
    });

    it('prints no warning', () => {
      expect(stderr).not.toMatch(/agent-lag/);
    });

    it(`ran with ${beats} beats`, () => {
      expect(output.snapshot.heartbeat).toBe(beats);
    });
  });
});
