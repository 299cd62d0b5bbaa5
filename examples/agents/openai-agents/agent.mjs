// A small OpenAI Agents JS agent that runs offline: an agent named triage on a scripted Model (the SDK's
// Model interface: each call returns the next turn), which calls the tool summarize_repo, then answers.
// The tool blocks the event loop in execSync, as agent tools often do. Run it with the monitor, no code change:
//   npx agent-lag run -- node examples/agents/openai-agents/agent.mjs
import { execSync } from 'node:child_process';
import { Agent, Usage, run, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';

/** A Model that plays its turns in order: a call of summarize_repo, then the answer. */
class ScriptedModel {
  #turns = [
    [{ type: 'function_call', id: 'fc_1', callId: 'call-1', name: 'summarize_repo', arguments: '{}', status: 'completed' }],
    [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'It is a small repository.' }] }],
  ];

  async getResponse() {
    await new Promise((resolve) => setTimeout(resolve, 100)); // a model answers over the network
    return { usage: new Usage(), output: this.#turns.shift(), responseId: `resp_${this.#turns.length}` };
  }

  getStreamedResponse() {
    throw new Error('this example does not stream');
  }
}

setTracingDisabled(true); // nothing leaves the machine
const triage = new Agent({
  name: 'triage',
  instructions: 'Answer questions about the repository.',
  model: new ScriptedModel(),
  tools: [
    tool({
      name: 'summarize_repo',
      description: 'Summarises the repository',
      parameters: z.object({}),
      execute: async () => execSync('sleep 0.3 && git log --oneline | head -3', { encoding: 'utf8' }),
    }),
  ],
});

const result = await run(triage, 'What is in this repository?');
console.log(result.finalOutput);
