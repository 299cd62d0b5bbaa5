// A stand-in for an LLM agent loop: ask the "model", run the tool calls it asks for, ask again.
// The model is fake (a timer) so the demo needs no network and no API key.
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from './config.js';

/** The agent's name: a block in one of its tools reads "during tool shell of agent support". */
const AGENT_NAME = 'support';

// With agent-lag installed, each tool call runs as a tracked run (one line), so a block inside it names the
// tool and the agent; without agent-lag the service runs the same, with no dependency.
const { trackRun } = await import('@agent-lag/runtime-monitor/agents').catch(() => ({ trackRun: (_run, fn) => fn() }));

/** The fake model plans two tool calls for every prompt, then answers with what they returned. */
async function callModel(prompt, toolResults) {
  await sleep(config.modelLatencyMs);
  if (toolResults.length === 0) {
    return {
      toolCalls: [
        { name: 'read_file', input: { path: config.knowledgeFile } },
        { name: 'shell', input: { command: config.checkCommand } },
      ],
    };
  }
  return { answer: `Answered "${prompt}" using ${toolResults.length} tool results.` };
}

/** Runs one agent turn with the given tools module (sync-tools.js or async-tools.js). */
export async function runAgent(prompt, tools) {
  const toolsByName = { read_file: tools.readFile, shell: tools.shell };
  const toolResults = [];
  const plan = await callModel(prompt, toolResults);
  for (const call of plan.toolCalls ?? []) {
    const tool = toolsByName[call.name];
    if (!tool) throw new Error(`the model asked for an unknown tool: ${call.name}`);
    const result = await trackRun({ operation: 'execute_tool', toolName: call.name, agentName: AGENT_NAME }, () => tool(call.input));
    toolResults.push({ name: call.name, result });
  }
  const final = await callModel(prompt, toolResults);
  return { answer: final.answer, toolCalls: toolResults.map((entry) => entry.name) };
}
