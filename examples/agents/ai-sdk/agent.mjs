// A small Vercel AI SDK agent that runs offline: a ToolLoopAgent named triage on the SDK's own mock model
// (ai/test), which asks for the tool summarize_repo, then answers. The tool blocks the event loop in
// execSync, as agent tools often do. Run it with the monitor, no code change:
//   npx agent-lag run -- node examples/agents/ai-sdk/agent.mjs
import { execSync } from 'node:child_process';
import { ToolLoopAgent, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { z } from 'zod';

const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } };
const turns = [
  { content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'summarize_repo', input: '{}' }], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] },
  { content: [{ type: 'text', text: 'It is a small repository.' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] },
];

const triage = new ToolLoopAgent({
  id: 'triage',
  model: new MockLanguageModelV3({
    doGenerate: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a model answers over the network
      return turns.shift();
    },
  }),
  tools: {
    summarize_repo: tool({
      description: 'Summarises the repository',
      inputSchema: z.object({}),
      execute: async () => execSync('sleep 0.3 && git log --oneline | head -3', { encoding: 'utf8' }),
    }),
  },
});

const result = await triage.generate({ prompt: 'What is in this repository?' });
console.log(result.text);
