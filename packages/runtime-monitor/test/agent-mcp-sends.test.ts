import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import { instrumentMcpServer } from '../src/agents/adapters/mcp.js';
import { getContext } from '../src/context/index.js';
import type { MonitorContext } from '../src/types.js';

// The MCP adapter names a transport's sending of a tool's result with that call's keys. It finds the call by
// the response's JSON-RPC id among its own server's requests, so two sessions whose requests share an id (every
// client counts from 0) each get their own tool's name. In one process, with the real SDK's in-memory transport;
// the server transport's send records the context it runs in (the adapter wraps it at connect).

interface Session {
  client: Client;
  /** The messages with an id the server sent (its responses, and its own requests), and the context of each send. */
  sent: { id: unknown; method: unknown; context: MonitorContext | null }[];
}

/** `server` instrumented and connected to a client of its own, its sends recorded. */
async function connect(server: McpServer): Promise<Session> {
  instrumentMcpServer(server);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const sent: Session['sent'] = [];
  const send = serverTransport.send.bind(serverTransport);
  serverTransport.send = (message, options) => {
    if ('id' in message) sent.push({ id: message.id, method: 'method' in message ? message.method : undefined, context: getContext() });
    return send(message, options);
  };
  await server.connect(serverTransport);
  const client = new Client({ name: 'client', version: '1.0.0' });
  await client.connect(clientTransport);
  return { client, sent };
}

/** A server of one tool that answers at once with its name. */
function session(toolName: string): Promise<Session> {
  const server = new McpServer({ name: `server-${toolName}`, version: '1.0.0' });
  server.registerTool(toolName, { description: 'answers at once' }, () => ({ content: [{ type: 'text', text: toolName }] }));
  return connect(server);
}

/** The responses to tracked calls, in the order sent. */
const callResponses = (sent: Session['sent']) => sent.filter((entry) => entry.method === undefined && entry.context !== null).map(({ id, context }) => ({ id, context }));

const serialising = (toolName: string, toolCallId: string) => ({
  'gen_ai.operation.name': 'execute_tool',
  'agent_lag.sdk': 'mcp',
  'agent_lag.phase': 'serialize_response',
  'gen_ai.tool.name': toolName,
  'gen_ai.tool.call.id': toolCallId,
});

describe('the MCP adapter, sending a tool call\'s result', () => {
  it('names the call it answers, when two sessions call at once with the same request ids', async () => {
    const [alpha, beta] = await Promise.all([session('alpha'), session('beta')]);
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all([alpha.client.callTool({ name: 'alpha', arguments: {} }), beta.client.callTool({ name: 'beta', arguments: {} })]);
      }
      // Each client's requests are 0 (initialize), then 1, 2, 3: the same ids in both sessions.
      expect(callResponses(alpha.sent)).toEqual([1, 2, 3].map((id) => ({ id, context: serialising('alpha', String(id)) })));
      expect(callResponses(beta.sent)).toEqual([1, 2, 3].map((id) => ({ id, context: serialising('beta', String(id)) })));
    } finally {
      await Promise.all([alpha.client.close(), beta.client.close()]);
    }
  });

  it('names each response when one session\'s calls are answered out of order, or one is never answered', async () => {
    // slow (id 1) waits while fast (id 2) is answered; hanging (id 3) is cancelled by its client and never
    // answered, and fast (id 4) after it still is; slow's response comes last.
    const server = new McpServer({ name: 'server-ordering', version: '1.0.0' });
    let releaseSlow!: () => void;
    const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
    let hangingStarted!: () => void;
    const hangingReached = new Promise<void>((resolve) => (hangingStarted = resolve));
    const answer = (text: string) => ({ content: [{ type: 'text' as const, text }] });
    server.registerTool('slow', { description: 'answers when released' }, async () => (await slowReleased, answer('slow')));
    server.registerTool('fast', { description: 'answers at once' }, () => answer('fast'));
    server.registerTool('hanging', { description: 'never answers' }, () => (hangingStarted(), new Promise<never>(() => {})));
    const { client, sent } = await connect(server);
    try {
      const slow = client.callTool({ name: 'slow', arguments: {} });
      await client.callTool({ name: 'fast', arguments: {} });
      const cancel = new AbortController();
      const hanging = client.callTool({ name: 'hanging', arguments: {} }, undefined, { signal: cancel.signal });
      await hangingReached;
      cancel.abort();
      await expect(hanging).rejects.toThrow();
      await client.callTool({ name: 'fast', arguments: {} });
      releaseSlow();
      await slow;
      expect(callResponses(sent)).toEqual([
        { id: 2, context: serialising('fast', '2') },
        { id: 4, context: serialising('fast', '4') },
        { id: 1, context: serialising('slow', '1') },
      ]);
    } finally {
      await client.close();
    }
  });

  it('does not take the server\'s own request of the same id for the response', async () => {
    // The tool pings the client twice while its call (id 1) is in flight: the server counts its own requests
    // from 0, so the second ping is request 1 too. Both pings are sent from the tool's code (its context, no
    // serialisation phase); the response to request 1 is still the call's own.
    const server = new McpServer({ name: 'server-pinging', version: '1.0.0' });
    server.registerTool('pinging', { description: 'pings its client twice' }, async () => {
      await server.server.ping();
      await server.server.ping();
      return { content: [{ type: 'text', text: 'pinged' }] };
    });
    const { client, sent } = await connect(server);
    try {
      await client.callTool({ name: 'pinging', arguments: {} });
      const inTool = { 'gen_ai.operation.name': 'execute_tool', 'agent_lag.sdk': 'mcp', 'gen_ai.tool.name': 'pinging', 'gen_ai.tool.call.id': '1' };
      expect(sent).toEqual([
        { id: 0, method: undefined, context: null },
        { id: 0, method: 'ping', context: inTool },
        { id: 1, method: 'ping', context: inTool },
        { id: 1, method: undefined, context: serialising('pinging', '1') },
      ]);
    } finally {
      await client.close();
    }
  });
});
