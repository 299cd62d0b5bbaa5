import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentFixtures, blockOfCall, eventLogPaths, finalBlocks, frameIn, shortLivedAppEnv } from './helpers/agent-log.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Issue #17, Vercel AI SDK: a real app on the real `ai` package (6.0.333), offline with the SDK's own
 * MockLanguageModelV3, whose tool blocks in execSync. Its blocks in the event log name the tool call (the
 * tool's key, the model's call id), the agent (a ToolLoopAgent's id) and a blocking model call (`chat`),
 * with no code change under `agent-lag run` and with instrumentAiSdk(options).
 */

const fixtures = agentFixtures;
const env = shortLivedAppEnv;
const logPath = eventLogPaths('agent-lag-ai-sdk-');

const TOOL = { 'agent_lag.sdk': 'ai-sdk', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'summarize_repo' };

function runUnderAgentLag(log: string, fixture: string, extraEnv: Record<string, string> = {}) {
  return run([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, fixture)], {
    env: { ...env, ...extraEnv },
    cwd: repoRoot,
    timeoutMs: 110_000,
  });
}

describe('AI SDK app with no code change under agent-lag run', () => {
  it('an ESM host: generateText, streamText and a ToolLoopAgent each name the tool call, the agent and the blocking model call', async () => {
    const log = await logPath();
    const result = await runUnderAgentLag(log, 'ai-sdk.mjs');
    expect(result.code).toBe(0);
    // The app's own output, unchanged, on stdout (agent-lag's summary goes to stderr).
    expect(result.stdout.split('\n').slice(0, 3)).toEqual(['generated', 'streamed', 'triaged']);
    expect(result.stderr).not.toMatch(/AGENT_LAG_AGENT_HOOKS/);
    const blocks = await finalBlocks(log);

    const generated = blockOfCall(blocks, 'call-generate');
    expect(generated.context).toEqual({ ...TOOL, 'gen_ai.tool.call.id': 'call-generate' });
    expect(generated.inFlight?.api).toBe('child_process.execSync');
    expect(generated.durationMs).toBeGreaterThanOrEqual(300);
    expect(frameIn(generated, 'ai-sdk-app.mjs')).toBe('ai-sdk-app.mjs:61:9');

    // streamText runs the tool as the caller reads the stream: still the tool's call.
    expect(blockOfCall(blocks, 'call-stream').context).toEqual({ ...TOOL, 'gen_ai.tool.call.id': 'call-stream' });

    // The agent's tool call inside its generate() run: the agent's id is the agent's name.
    const agent = blockOfCall(blocks, 'call-agent');
    expect(agent.context).toEqual({ ...TOOL, 'gen_ai.agent.name': 'triage', 'gen_ai.tool.call.id': 'call-agent' });
    expect(frameIn(agent, 'ai-sdk-app.mjs')).toBe('ai-sdk-app.mjs:61:9');

    // The model call of generateText's second step blocks in the model's own code: a `chat` run. (A loaded
    // machine can stall the loop during another model call too: only the block the model's execSync caused
    // is counted.)
    const chat = blocks.filter((block) => block.context?.['gen_ai.operation.name'] === 'chat' && frameIn(block, 'ai-sdk-app.mjs') === 'ai-sdk-app.mjs:27:36');
    expect(chat).toHaveLength(1);
    expect(chat[0]!.context).toEqual({ 'agent_lag.sdk': 'ai-sdk', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-model', 'gen_ai.provider.name': 'mock-provider' });
    expect(chat[0]!.inFlight?.api).toBe('child_process.execSync');
  });

  it('a CommonJS host: the ToolLoopAgent and generateText name their tool calls', async () => {
    const log = await logPath();
    const result = await runUnderAgentLag(log, 'ai-sdk.cjs');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual(['triaged', 'generated']);
    expect(result.stderr).not.toMatch(/AGENT_LAG_AGENT_HOOKS/);
    const agent = blockOfCall(await finalBlocks(log), 'call-agent');
    expect(agent.context).toEqual({ ...TOOL, 'gen_ai.agent.name': 'triage', 'gen_ai.tool.call.id': 'call-agent' });
    expect(agent.inFlight?.api).toBe('child_process.execSync');
    expect(frameIn(agent, 'ai-sdk.cjs')).toBe('ai-sdk.cjs:30:7');
    // The bundle's exports are locked getters: the require() hook hands the host a patched copy.
    expect(blockOfCall(await finalBlocks(log), 'call-generate').context).toEqual({ ...TOOL, 'gen_ai.tool.call.id': 'call-generate' });
  });

  it('AGENT_LAG_AGENT_HOOKS=0 leaves the SDK alone (the tool blocks are still caught, unnamed)', async () => {
    const log = await logPath();
    const result = await runUnderAgentLag(log, 'ai-sdk.mjs', { AGENT_LAG_AGENT_HOOKS: '0' });
    expect(result.code).toBe(0);
    const blocks = await finalBlocks(log);
    const inTool = blocks.filter((block) => frameIn(block, 'ai-sdk-app.mjs') === 'ai-sdk-app.mjs:61:9');
    expect(inTool.length).toBeGreaterThanOrEqual(1);
    for (const block of blocks) expect(block.context?.['agent_lag.sdk']).toBeUndefined();
  });
});

describe('AI SDK app with the explicit call', () => {
  it('instrumentAiSdk(options) around generateText and a ToolLoopAgent names the tool calls, the agent and the model call', async () => {
    const log = await logPath();
    const result = await run([join(fixtures, 'ai-sdk-explicit.mjs'), log], { env, cwd: repoRoot, timeoutMs: 110_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('generated\ntriaged\n');
    const blocks = await finalBlocks(log);
    const generated = blockOfCall(blocks, 'call-generate');
    expect(generated.context).toEqual({ ...TOOL, 'gen_ai.tool.call.id': 'call-generate' });
    expect(generated.inFlight?.api).toBe('child_process.execSync');
    expect(frameIn(generated, 'ai-sdk-app.mjs')).toBe('ai-sdk-app.mjs:61:9');
    expect(blockOfCall(blocks, 'call-agent').context).toEqual({ ...TOOL, 'gen_ai.agent.name': 'triage', 'gen_ai.tool.call.id': 'call-agent' });
    // The model's own execSync blocks once; a loaded machine may add stalls in other model calls, all named alike.
    const chat = blocks.filter((block) => block.context?.['gen_ai.operation.name'] === 'chat');
    expect(chat.filter((block) => frameIn(block, 'ai-sdk-app.mjs') === 'ai-sdk-app.mjs:27:36')).toHaveLength(1);
    expect(new Set(chat.map((block) => block.context?.['gen_ai.request.model']))).toEqual(new Set(['scripted-model']));
  });
});
