import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach } from 'vitest';
import { repoRoot } from './paths.js';

/*
 * What the agent SDK tests (#17) read: the block events an app under the monitor wrote to its event log,
 * found by the tool call, tool or file they name.
 */

/** The SDK fixtures' folder. */
export const agentFixtures = join(repoRoot, 'test/fixtures/agents');

/** The test environment for a short-lived app: the preload's start-up grace (1 s) would hide its blocks. */
export const shortLivedAppEnv = { ...process.env, AGENT_LAG_STARTUP_GRACE_MS: '50', NO_COLOR: '1' } as Record<string, string>;

export interface LoggedFrame {
  functionName: string;
  url: string;
  line: number;
  column: number;
}

export interface LoggedBlock {
  type: string;
  ongoing?: boolean;
  durationMs: number;
  stack: LoggedFrame[] | null;
  inFlight: { api: string } | null;
  context: Record<string, unknown> | null;
}

/** Makes temp folders, each removed after the test of the calling file that made it. */
export function tempDirs(): (prefix: string) => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (prefix) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** A fresh event-log path per call, in a temp folder removed after each test of the calling file. */
export function eventLogPaths(prefix: string): () => Promise<string> {
  const tempDir = tempDirs();
  return async () => join(await tempDir(prefix), 'events.ndjson');
}

/** The final block events in the log (a provisional `ongoing` one is followed by its final one). */
export async function finalBlocks(log: string): Promise<LoggedBlock[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LoggedBlock)
    .filter((event) => event.type === 'block' && event.ongoing !== true);
}

/** Each block's duration, context, in-flight API and top frames: what a failure message shows. */
export function describeBlocks(blocks: readonly LoggedBlock[]): string {
  const seen = blocks.map((block) => ({ durationMs: block.durationMs, context: block.context, api: block.inFlight?.api ?? null, top: block.stack?.slice(0, 3).map((frame) => frame.functionName) }));
  return JSON.stringify(seen, null, 1);
}

/** Waits (generously: a busy 2-core machine) until a final block in the log satisfies `match`. */
export async function waitForBlock(log: string, match: (block: LoggedBlock) => boolean): Promise<LoggedBlock> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await finalBlocks(log)).find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no such block in ${log}: ${describeBlocks(await finalBlocks(log))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The one block whose context has tool call id `callId`; fails with the log's blocks when there is none. */
export function blockOfCall(blocks: LoggedBlock[], callId: string): LoggedBlock {
  let found = blocks.filter((block) => block.context?.['gen_ai.tool.call.id'] === callId);
  // A loaded machine can stall the loop elsewhere in the same call: the fixture's block is the one in a blocking call.
  if (found.length > 1) found = found.filter((block) => block.inFlight?.api !== undefined);
  if (found.length !== 1) throw new Error(`expected one block of tool call ${callId}: ${describeBlocks(blocks)}`);
  return found[0]!;
}

/** The frame of the fixture `file` nearest the top of the stack, as file:line:column. */
export function frameIn(block: LoggedBlock, file: string): string | undefined {
  const url = pathToFileURL(join(agentFixtures, file)).href;
  const frame = block.stack?.find((candidate) => candidate.url === url);
  return frame === undefined ? undefined : `${file}:${frame.line}:${frame.column}`;
}
