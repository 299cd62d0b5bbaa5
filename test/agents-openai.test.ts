import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Issue #17, OpenAI Agents JS: real agents from the real SDK, run offline on a scripted Model (tracing
 * off): triage hands off to repo_worker (its onHandoff blocks), whose tool summarize_repo blocks in
 * execSync. The blocks in the event log name the agent and the tool call, with no code change under
 * `agent-lag run` and with instrumentOpenAIAgent.
 */

const fixtures = join(repoRoot, 'test/fixtures/agents');
// The preload's start-up grace (1 s) would hide blocks of a script this short.
const env = { ...process.env, AGENT_LAG_STARTUP_GRACE_MS: '50', NO_COLOR: '1' };

interface BlockEvent {
  type: string;
  ongoing?: boolean;
  durationMs: number;
  inFlight: { api: string; hint?: string } | null;
  context: Record<string, unknown> | null;
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function logPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agent-lag-openai-'));
  dirs.push(dir);
  return join(dir, 'events.ndjson');
}

/** The final block events (the process has exited: its log is complete). */
async function finalBlocks(log: string): Promise<BlockEvent[]> {
  return (await readFile(log, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BlockEvent)
    .filter((event) => event.type === 'block' && event.ongoing !== true);
}

function expectAgentBlocks(blocks: BlockEvent[]): void {
  const tool = blocks.find((block) => block.context?.['gen_ai.tool.name'] === 'summarize_repo');
  expect(tool, JSON.stringify(blocks.map((block) => block.context))).toBeDefined();
  expect(tool?.inFlight).toEqual({ api: 'child_process.execSync', hint: 'sleep 0.4' });
  expect(tool?.durationMs).toBeGreaterThanOrEqual(300);
  expect(tool?.context).toMatchObject({
    'gen_ai.operation.name': 'execute_tool',
    'agent_lag.sdk': 'openai-agents',
    'gen_ai.agent.name': 'repo_worker',
    'gen_ai.tool.name': 'summarize_repo',
    'gen_ai.tool.call.id': 'call_summarize_1',
  });

  const handoff = blocks.find((block) => block.context?.['gen_ai.tool.name'] === 'transfer_to_repo_worker');
  expect(handoff?.inFlight).toEqual({ api: 'child_process.execSync', hint: 'sleep 0.35' });
  expect(handoff?.context).toMatchObject({
    'gen_ai.operation.name': 'execute_tool',
    'agent_lag.sdk': 'openai-agents',
    'gen_ai.agent.name': 'triage',
    'gen_ai.tool.name': 'transfer_to_repo_worker',
    'agent_lag.handoff.to': 'repo_worker',
  });
}

describe('OpenAI Agents JS', () => {
  it('with no code change under agent-lag run, the tool and handoff blocks name the agent and the tool call', async () => {
    const log = await logPath();
    const result = await run([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, 'openai-agents.mjs')], { cwd: repoRoot, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('It is a small repository.\n');
    expect(result.stderr).not.toMatch(/AGENT_LAG_AGENT_HOOKS/);
    expectAgentBlocks(await finalBlocks(log));
  });

  it('with instrumentOpenAIAgent(agent) in an app that starts the monitor itself', async () => {
    const log = await logPath();
    const result = await run([join(fixtures, 'openai-agents-explicit.mjs'), log], { cwd: repoRoot, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('It is a small repository.\n');
    expectAgentBlocks(await finalBlocks(log));
  });
});
