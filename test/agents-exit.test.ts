import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { jsonLines, startLive, type LiveProcess } from './helpers/live-process.js';
import { run } from './helpers/spawn.js';

/*
 * A tool's block at the edges of a process's life (#17, "truth first"): the summary of a process that
 * exits right after the block, and the last checkpoint of one killed after it, count that block in the
 * agents section as the block event has it.
 */

const toolBlock = join(repoRoot, 'test/fixtures/cli-agents/tool-block.mjs');
const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');

type Line = Record<string, unknown>;

function readLog(path: string): Promise<Line[]> {
  return readFile(path, 'utf8').then(
    (text) => jsonLines(text.split('\n')),
    () => [],
  );
}

function toolBlockEvent(lines: Line[]): Line | undefined {
  return lines.find((e) => e['type'] === 'block' && e['ongoing'] !== true && (e['context'] as Line | null)?.['gen_ai.tool.name'] === 'summarize_repo');
}

function toolRow(line: Line | undefined, tool: string): Line | undefined {
  const agents = (line?.['sections'] as Line | undefined)?.['agents'] as { tools?: Line[] } | undefined;
  return agents?.tools?.find((row) => row['tool'] === tool);
}

/** Polls the log until `found` returns something (a condition, not a fixed sleep). */
async function waitForLog<T>(path: string, found: (lines: Line[]) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = found(await readLog(path));
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} in ${path} within ${timeoutMs} ms:\n${(await readLog(path)).map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a tool's block at the edges of a process's life (#17)", () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag-agents-exit-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  function env(report: string): NodeJS.ProcessEnv {
    return {
      ...process.env,
      AGENT_LAG_REPORT: report,
      AGENT_LAG_THRESHOLD_MS: '100',
      AGENT_LAG_STARTUP_GRACE_MS: '0',
      AGENT_LAG_SOCKET: '0',
      // No lag window in the test's lifetime: only a change of figures may bring the sections to the worker.
      AGENT_LAG_LAG_WINDOW_MS: '600000',
    };
  }

  it("counts the tool's block in the summary of a process that exits at once after it", async () => {
    const report = join(scratch, 'exit.ndjson');
    const result = await run(['--import', register, toolBlock, 'exit'], { cwd: repoRoot, env: env(report) });
    expect(result.code, result.stderr).toBe(0);
    const lines = await readLog(report);
    const block = toolBlockEvent(lines);
    expect(block, result.stderr).toBeDefined();
    expect(block?.['durationMs']).toBeGreaterThanOrEqual(400);
    const summary = lines.find((line) => line['type'] === 'summary');
    // The call never returned (the process exited inside it): no call, one block, the block event's time.
    expect(toolRow(summary, 'summarize_repo')).toEqual({
      tool: 'summarize_repo',
      calls: 0,
      blocks: 1,
      blockedMs: block?.['durationMs'],
      worstBlockMs: block?.['durationMs'],
      waitedMs: expect.any(Number) as number,
      waits: expect.any(Number) as number,
      inFlight: 1,
    });
  }, 60_000);

  describe('killed with SIGKILL', () => {
    let app: LiveProcess | null = null;

    afterAll(async () => {
      await app?.stop();
    });

    it("leaves the tool's block and later calls in its last checkpoint", async () => {
      const report = join(scratch, 'killed.ndjson');
      app = startLive(['--import', register, toolBlock, 'serve'], { cwd: repoRoot, env: env(report) });
      await app.waitForLine((line) => line.startsWith('ready'), 30_000);
      app.child.stdin?.write('tool\n');
      await app.waitForLine((line) => line === 'tool done', 30_000);
      const block = await waitForLog(report, toolBlockEvent, 15_000, 'block event of summarize_repo');
      await waitForLog(
        report,
        (lines) => lines.filter((line) => line['type'] === 'checkpoint').find((line) => toolRow(line, 'summarize_repo')?.['blocks'] === 1),
        15_000,
        "checkpoint with the tool's block",
      );
      // A call that blocks nothing: only the agents section moves, and a checkpoint follows it.
      app.child.stdin?.write('quick\n');
      await app.waitForLine((line) => line === 'quick done', 30_000);
      await waitForLog(
        report,
        (lines) => lines.filter((line) => line['type'] === 'checkpoint').find((line) => toolRow(line, 'list_files')?.['calls'] === 1),
        15_000,
        'checkpoint with the quick call',
      );
      app.child.kill('SIGKILL');
      const { signal } = await app.exited;
      expect(signal).toBe('SIGKILL');

      const lines = await readLog(report);
      expect(lines.some((line) => line['type'] === 'summary')).toBe(false);
      const last = lines.filter((line) => line['type'] === 'checkpoint').at(-1);
      expect(toolRow(last, 'summarize_repo')).toMatchObject({ calls: 1, blocks: 1, blockedMs: block['durationMs'], worstBlockMs: block['durationMs'], inFlight: 0 });
      expect(toolRow(last, 'list_files')).toMatchObject({ calls: 1, blocks: 0, blockedMs: 0, inFlight: 0 });
    }, 90_000);
  });
});
