// A small LangChain.js agent that runs offline: a chain named triage whose chat model (@langchain/core's
// FakeListChatModel) names the tool to call, then the tool summarize_repo runs as the model's tool call.
// The tool blocks the event loop in execSync, as agent tools often do. Run it with the monitor, no code change:
//   npx agent-lag run -- node examples/agents/langchain/agent.mjs
import { execSync } from 'node:child_process';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { z } from 'zod';

const summarizeRepo = tool(async () => execSync('sleep 0.3 && git log --oneline | head -3', { encoding: 'utf8' }), {
  name: 'summarize_repo',
  description: 'Summarises the repository',
  schema: z.object({}),
});

const triage = RunnableSequence.from(
  [
    new FakeListChatModel({ responses: ['summarize_repo'], sleep: 100 }), // a model answers over the network
    RunnableLambda.from((message) => summarizeRepo.invoke({ type: 'tool_call', id: 'call-1', name: message.content, args: {} })),
  ],
  'triage',
);

const answer = await triage.invoke('What is in this repository?');
console.log(answer.content);
