// Each SDK's "one tool call" of a tool that does nothing, for the agents benchmarks (tool-calls.mjs at
// full speed, tool-server.mjs under callgrind).
import { z } from 'zod';

/** Each SDK's "one tool call", ready to await, and how many make a round (≈ 0.1–0.3 s each at full speed). */
export const setups = {
  async langchain() {
    const { tool } = await import('@langchain/core/tools');
    const noop = tool(async () => 'ok', { name: 'noop', description: 'does nothing', schema: z.object({}) });
    const call = { type: 'tool_call', id: 'call-1', name: 'noop', args: {} };
    return { calls: 2000, once: () => noop.invoke(call) };
  },
  async 'ai-sdk'() {
    const { generateText, stepCountIs, tool } = await import('ai');
    const { MockLanguageModelV3 } = await import('ai/test');
    const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
    const toolTurn = { content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'noop', input: '{}' }], finishReason: { unified: 'tool-calls', raw: undefined }, usage, warnings: [] };
    const textTurn = { content: [{ type: 'text', text: 'ok' }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] };
    let step = 0;
    const model = new MockLanguageModelV3({ doGenerate: async () => (step++ % 2 === 0 ? toolTurn : textTurn) });
    const tools = { noop: tool({ description: 'does nothing', inputSchema: z.object({}), execute: async () => 'ok' }) };
    // One tool call is one generateText of two steps: the model asks for the tool, the tool runs, the model answers.
    return { calls: 300, once: () => generateText({ model, tools, stopWhen: stepCountIs(2), prompt: 'go' }) };
  },
  async mcp() {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const server = new McpServer({ name: 'bench', version: '1.0.0' });
    server.registerTool('noop', { description: 'does nothing' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(clientTransport);
    // One tool call is the client's tools/call through the in-memory transport and the server's handler.
    return { calls: 1000, once: () => client.callTool({ name: 'noop', arguments: {} }) };
  },
  // The same call through the stdio transport's framing, in one process: the server's StdioServerTransport on a
  // pair of in-memory streams, the client's side a transport of the SDK's own ReadBuffer and serializeMessage.
  // Each message is JSON-encoded, written, read, parsed and validated, as between an agent and a stdio server
  // (without the pipe's system calls); not part of the default SDKS.
  async 'mcp-stdio'() {
    const { PassThrough } = await import('node:stream');
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    const { ReadBuffer, serializeMessage } = await import('@modelcontextprotocol/sdk/shared/stdio.js');
    const server = new McpServer({ name: 'bench', version: '1.0.0' });
    server.registerTool('noop', { description: 'does nothing' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    await server.connect(new StdioServerTransport(toServer, toClient));
    const readBuffer = new ReadBuffer();
    const clientTransport = {
      async start() {
        toClient.on('data', (chunk) => {
          readBuffer.append(chunk);
          for (let message = readBuffer.readMessage(); message !== null; message = readBuffer.readMessage()) clientTransport.onmessage?.(message);
        });
      },
      async send(message) {
        toServer.write(serializeMessage(message));
      },
      async close() {
        toServer.end();
        clientTransport.onclose?.();
      },
    };
    const client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(clientTransport);
    return { calls: 1000, once: () => client.callTool({ name: 'noop', arguments: {} }) };
  },
  async 'openai-agents'() {
    const { Agent, Usage, run, setTracingDisabled, tool } = await import('@openai/agents');
    setTracingDisabled(true);
    let turn = 0;
    const model = {
      async getResponse() {
        const output =
          turn++ % 2 === 0
            ? [{ type: 'function_call', id: 'fc_1', callId: 'call-1', name: 'noop', arguments: '{}', status: 'completed' }]
            : [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'ok' }] }];
        return { usage: new Usage(), output, responseId: `resp_${turn}` };
      },
      getStreamedResponse() {
        throw new Error('not streamed');
      },
    };
    const agent = new Agent({ name: 'bench', instructions: 'call noop', model, tools: [tool({ name: 'noop', description: 'does nothing', parameters: z.object({}), execute: async () => 'ok' })] });
    // One tool call is one run(): the model asks for the tool, the tool runs, the model answers.
    return { calls: 200, once: () => run(agent, 'go') };
  },
};

