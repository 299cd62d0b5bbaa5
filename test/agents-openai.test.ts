import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentFixtures, eventLogPaths, finalBlocks, shortLivedAppEnv, type LoggedBlock } from './helpers/agent-log.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Issue #17, OpenAI Agents JS: real agents from the real SDK, run offline on a scripted Model (tracing
 * off): triage hands off to repo_worker (its onHandoff blocks), whose tool summarize_repo blocks in
 * execSync. The blocks in the event log name the agent and the tool call, with no code change under
 * `agent-lag run` and with instrumentOpenAIAgent.
 */

const fixtures = agentFixtures;
// The preload's start-up grace (1 s) would hide blocks of a script this short.
const env = shortLivedAppEnv;
const logPath = eventLogPaths('agent-lag-openai-');

function expectAgentBlocks(blocks: LoggedBlock[]): void {
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
