// A small MCP server and the client that calls it, in one process and offline (the SDK's in-memory
// transport): the server's tool summarize_repo blocks the event loop in execSync, as MCP tools often do.
// Run it with the monitor, no code change:
//   npx agent-lag run -- node examples/agents/mcp/agent.mjs
import { execSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

const server = new McpServer({ name: 'repo-tools', version: '1.0.0' });
server.registerTool('summarize_repo', { description: 'Summarises the repository' }, async () => ({
  content: [{ type: 'text', text: execSync('sleep 0.3 && git log --oneline | head -3', { encoding: 'utf8' }) }],
}));

const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
await server.connect(serverTransport);
const client = new Client({ name: 'triage', version: '1.0.0' });
await client.connect(clientTransport);
// A session: the client calls the tool now and then (the first calls fall in the monitor's start-up grace).
for (let call = 0; call < 3; call++) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await client.callTool({ name: 'summarize_repo', arguments: {} });
  console.log(result.content[0].text);
}
await client.close();
