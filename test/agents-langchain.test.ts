import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentFixtures, blockOfCall, eventLogPaths, finalBlocks, frameIn, shortLivedAppEnv, type LoggedBlock } from './helpers/agent-log.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Issue #17, LangChain.js: a real app on the real @langchain/core (1.4.0) — a tool() that blocks in
 * execSync, a RunnableSequence named triage with the package's own FakeListChatModel (offline) and a step
 * that blocks itself. Its blocks in the event log name the tool call (the tool's name, the ToolCall's id),
 * the chain (its name as the agent), with no code change under `agent-lag run` and with
 * instrumentLangChain(...).
 */

const fixtures = agentFixtures;
const env = shortLivedAppEnv;
const logPath = eventLogPaths('agent-lag-langchain-');

const TOOL = { 'agent_lag.sdk': 'langchain', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'summarize_repo' };
const CHAIN = { 'agent_lag.sdk': 'langchain', 'gen_ai.operation.name': 'chain', 'gen_ai.agent.name': 'triage' };

function runUnderAgentLag(log: string, fixture: string, extraEnv: Record<string, string> = {}) {
  return run([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, fixture)], {
    env: { ...env, ...extraEnv },
    cwd: repoRoot,
    timeoutMs: 110_000,
  });
}

/** The checks both ESM runs share: the chain's own block, the tool call inside it, the direct tool call. */
function expectNamedBlocks(blocks: LoggedBlock[]): void {
  // The tool called as the model's tool call inside the chain: the tool, its call id, and the chain as the agent.
  const inChain = blockOfCall(blocks, 'call-chain');
  expect(inChain.context).toEqual({ ...TOOL, 'gen_ai.agent.name': 'triage', 'gen_ai.tool.call.id': 'call-chain' });
  expect(inChain.inFlight?.api).toBe('child_process.execSync');
  expect(inChain.durationMs).toBeGreaterThanOrEqual(300);
  expect(frameIn(inChain, 'langchain-app.mjs')).toBe('langchain-app.mjs:15:7');

  // The chain's planning step blocks in no tool: the chain run.
  const step = blocks.filter((block) => frameIn(block, 'langchain-app.mjs') === 'langchain-app.mjs:22:5');
  expect(step).toHaveLength(1);
  expect(step[0]!.context).toEqual(CHAIN);
  expect(step[0]!.inFlight?.api).toBe('child_process.execSync');

  // The tool invoked directly, outside any chain.
  const direct = blockOfCall(blocks, 'call-direct');
  expect(direct.context).toEqual({ ...TOOL, 'gen_ai.tool.call.id': 'call-direct' });
  expect(frameIn(direct, 'langchain-app.mjs')).toBe('langchain-app.mjs:15:7');
}

describe('LangChain.js app with no code change under agent-lag run', () => {
  it('an ESM host: the chain, the tool call inside it and a direct tool call are named', async () => {
    const log = await logPath();
    const result = await runUnderAgentLag(log, 'langchain.mjs');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual(['a small repository', 'a small repository']);
    expect(result.stderr).not.toMatch(/AGENT_LAG_AGENT_HOOKS/);
    expectNamedBlocks(await finalBlocks(log));
  });

  it('a CommonJS host: the tool call inside the chain is named', async () => {
    const log = await logPath();
    const result = await runUnderAgentLag(log, 'langchain.cjs');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('a small repository');
    expect(result.stderr).not.toMatch(/AGENT_LAG_AGENT_HOOKS/);
    const inChain = blockOfCall(await finalBlocks(log), 'call-chain');
    expect(inChain.context).toEqual({ ...TOOL, 'gen_ai.agent.name': 'triage', 'gen_ai.tool.call.id': 'call-chain' });
    expect(inChain.inFlight?.api).toBe('child_process.execSync');
    expect(frameIn(inChain, 'langchain.cjs')).toBe('langchain.cjs:11:5');
  });
});

describe('LangChain.js app with the explicit call', () => {
  it('instrumentLangChain(chain, tool) names the chain, the tool call inside it and a direct tool call', async () => {
    const log = await logPath();
    const result = await run([join(fixtures, 'langchain-explicit.mjs'), log], { env, cwd: repoRoot, timeoutMs: 110_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('a small repository\na small repository\n');
    expectNamedBlocks(await finalBlocks(log));
  });
});
