// An MCP stdio server as agents start one (`agent-lag run -- node server.js`): an McpServer with a tool that does
// nothing, on the SDK's StdioServerTransport over this process's own stdin and stdout, which are pipes to the
// client. instructions.js (SDKS=mcp-pipe) runs it under callgrind and is its client, outside valgrind
// (mcp-pipe.mjs), so a tool call's count is the server's whole share of it: reading and parsing the request from
// the pipe, the handler, serialising and writing the response. Hooks as in tool-server.mjs (AGENT_LAG_AGENT_HOOKS,
// AGENT_HOOKS_MODULE). With node --expose-gc it answers GET /heap on a loopback port it prints on stderr as
// {"port":N} (stdout is the JSON-RPC channel): tool-server.mjs's heap readout. With MCP_OUT_FD (mcp-pipe-inlining.mjs)
// it answers on that descriptor instead, a pipe too, and stdout is left to V8's traces.
import { createServer } from 'node:http';
import { Socket } from 'node:net';
import { answerHeap, installHooksFromEnv } from './server-setup.mjs';

await installHooksFromEnv();
const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');

const server = new McpServer({ name: 'bench', version: '1.0.0' });
server.registerTool('noop', { description: 'does nothing' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
const out = process.env.MCP_OUT_FD === undefined ? undefined : new Socket({ fd: Number(process.env.MCP_OUT_FD), readable: false });
await server.connect(new StdioServerTransport(undefined, out));

const heap = createServer((req, res) => {
  if (typeof globalThis.gc === 'function' && req.url.startsWith('/heap')) answerHeap(req, res);
  else res.end();
});
heap.keepAliveTimeout = 60_000;
heap.listen(0, '127.0.0.1', () => console.error(JSON.stringify({ port: heap.address().port })));
