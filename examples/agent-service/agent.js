// A stand-in for an LLM agent loop: ask the "model", run the tool calls it asks for, ask again.
// The model is fake (a timer) so the demo needs no network and no API key.
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from './config.js';

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
    toolResults.push({ name: call.name, result: await tool(call.input) });
  }
  const final = await callModel(prompt, toolResults);
  return { answer: final.answer, toolCalls: toolResults.map((entry) => entry.name) };
}
