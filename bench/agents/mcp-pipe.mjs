// The client side of SDKS=mcp-pipe (instructions.js): the SDK's Client, in the harness's process, talking to
// mcp-pipe-server.mjs under callgrind over the server's stdin and stdout, framed as the SDK's stdio client
// transport frames them (its ReadBuffer and serializeMessage). A "request" is `callsPerRequest` tool calls, one
// after the other, as an agent awaits each.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';

/** A callgrind.js driver: ready once the client has connected and the server printed its heap port. */
export function mcpPipeDriver(callsPerRequest) {
  return async (child) => {
    const port = await new Promise((resolve) => {
      let err = '';
      child.stderr.on('data', (chunk) => {
        err += chunk;
        const line = err.split('\n').find((text) => text.startsWith('{"port"'));
        if (line !== undefined) resolve(JSON.parse(line).port);
      });
    });
    const readBuffer = new ReadBuffer();
    const transport = {
      async start() {
        child.stdout.on('data', (chunk) => {
          readBuffer.append(chunk);
          for (let message = readBuffer.readMessage(); message !== null; message = readBuffer.readMessage()) transport.onmessage?.(message);
        });
      },
      async send(message) {
        child.stdin.write(serializeMessage(message));
      },
      async close() {
        transport.onclose?.();
      },
    };
    const client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(transport);
    const load = async (count) => {
      for (let i = 0; i < count * callsPerRequest; i++) await client.callTool({ name: 'noop', arguments: {} });
    };
    return { port, load };
  };
}
