import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { agentFixtures, describeBlocks, eventLogPaths, shortLivedAppEnv, tempDirs, waitForBlock, type LoggedBlock } from './helpers/agent-log.js';
import { cliBin, repoRoot } from './helpers/paths.js';
import { run } from './helpers/spawn.js';

/*
 * Issue #17, MCP: a real MCP stdio server from the real SDK, driven by the SDK's own Client over stdio,
 * whose tools block. Its blocks in the event log name the tool call (and the response's serialisation as
 * such), with no code change under `agent-lag run` (ESM and CJS hosts) and with instrumentMcpServer.
 */

const fixtures = agentFixtures;
// The preload's start-up grace (1 s) would hide blocks of a server this short-lived.
const env = shortLivedAppEnv;
const logPath = eventLogPaths('agent-lag-mcp-');
const tempDir = tempDirs();

/** Starts `args` as an MCP stdio server and connects the SDK's Client to it. */
async function connect(args: string[]): Promise<{ client: Client; errors: Error[]; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args, env, cwd: repoRoot, stderr: 'pipe' });
  let stderr = '';
  (transport.stderr as NodeJS.ReadableStream | null)?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const client = new Client({ name: 'agent-lag-test', version: '1.0.0' });
  const errors: Error[] = [];
  // A line on the server's stdout that is not JSON-RPC is reported here by the client's transport.
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  return { client, errors, stderr: () => stderr };
}

const isTool = (name: string) => (block: LoggedBlock) => block.context?.['gen_ai.tool.name'] === name;

/** The SDK's Protocol module: the top of a reported send section's stack (its caller, above the adapter's wrapper). */
const PROTOCOL_MODULE = /\/shared\/protocol\.(ts|js)$/;

/**
 * The block's stack is in the response's send. Where it is taken is timing. A sample in the stdio transport's
 * JSON.stringify (named in flight, its report's stack is the send's), or one that lands in the send as its
 * synchronous write of the 8 MB to the pipe returns, has the transport's `send`. A watchdog that first looks
 * during that write, after JSON.stringify returned, marks the adapter's reported section instead, and its
 * report's stack starts at the SDK's Protocol code that called the send (frames above the adapter's wrapper;
 * `send` had returned when the section ended): fresh-clone CI on Node 24, three test workers, caught that.
 */
function expectInResponseSend(block: LoggedBlock): void {
  const inStdioSend = block.stack?.some((frame) => frame.functionName === 'send' && /\/server\/stdio\.(ts|js)$/.test(frame.url)) === true;
  const atProtocolSend = block.inFlight === null && PROTOCOL_MODULE.test(block.stack?.[0]?.url ?? '');
  expect(inStdioSend || atProtocolSend, describeBlocks([block])).toBe(true);
  expect(['JSON.stringify', undefined]).toContain(block.inFlight?.api);
}

describe('MCP server with no code change under agent-lag run', () => {
  it.each([
    ['an ESM host', 'mcp-server.mjs'],
    ['a CommonJS host', 'mcp-server.cjs'],
  ])('%s: the execSync block in a tool names the tool call, and stdout stays clean JSON-RPC', async (_host, fixture) => {
    const log = await logPath();
    const { client, errors, stderr } = await connect([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, fixture)]);
    let block: LoggedBlock;
    try {
      const result = await client.callTool({ name: 'run_shell', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'shell done' }]);
      // Before closing: closing ends the server with SIGTERM, which can come before its watchdog wrote the block's final event.
      block = await waitForBlock(log, isTool('run_shell'));
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    expect(block.inFlight?.api).toBe('child_process.execSync');
    expect(block.durationMs).toBeGreaterThanOrEqual(300);
    expect(block.context).toMatchObject({ 'agent_lag.sdk': 'mcp', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'run_shell' });
    // The JSON-RPC request id of the tools/call (the client numbers its requests).
    expect(block.context?.['gen_ai.tool.call.id']).toMatch(/^\d+$/);
    expect(stderr()).not.toMatch(/AGENT_LAG_AGENT_HOOKS/);
  });

  it('names the resource read and the prompt behind blocks in their handlers, with their own operation keys', async () => {
    const log = await logPath();
    const { client, errors } = await connect([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, 'mcp-server.mjs')]);
    let resource: LoggedBlock;
    let prompt: LoggedBlock;
    try {
      const read = await client.readResource({ uri: 'config://app' });
      expect(read.contents).toEqual([{ uri: 'config://app', mimeType: 'application/json', text: '{"debug":false}' }]);
      const got = await client.getPrompt({ name: 'review_code' });
      expect(got.messages).toEqual([{ role: 'user', content: { type: 'text', text: 'Review this code.' } }]);
      // Before closing (SIGTERM to the server): its final events may not be written yet.
      resource = await waitForBlock(log, (candidate) => candidate.context?.['mcp.method.name'] === 'resources/read' && candidate.inFlight?.api === 'child_process.execSync');
      prompt = await waitForBlock(log, (candidate) => candidate.context?.['mcp.method.name'] === 'prompts/get' && candidate.inFlight?.api === 'child_process.execSync');
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    // No GenAI operation exists for these: the MCP method is the operation, as OTel's MCP conventions name it.
    expect(resource.context).toMatchObject({ 'agent_lag.sdk': 'mcp', 'gen_ai.operation.name': 'resources/read', 'mcp.resource.uri': 'config://app' });
    expect(resource.context?.['gen_ai.tool.call.id']).toMatch(/^\d+$/);
    expect(prompt.context).toMatchObject({ 'agent_lag.sdk': 'mcp', 'gen_ai.operation.name': 'prompts/get', 'gen_ai.prompt.name': 'review_code' });
    expect(prompt.context?.['gen_ai.tool.name']).toBeUndefined();
  });

  it('names the stdio transport serialising a multi-MB tool result as the response serialisation of that call', async () => {
    const log = await logPath();
    // Threshold 20 ms: encoding and writing the 8 MB result (the most an MCP client reads a message) takes about
    // 60 ms on an idle machine, and the watchdog starts watching a block only after a staleness (1.5 to 2 ×
    // threshold): at 40 ms one in thirty was over before the watchdog looked (fresh-clone CI, Node 22).
    const { client, errors } = await connect([cliBin, 'run', '--report', log, '--threshold-ms', '20', '--', process.execPath, join(fixtures, 'mcp-server.mjs')]);
    let block: LoggedBlock;
    try {
      const result = await client.callTool({ name: 'list_everything', arguments: {} }, undefined, { timeout: 120_000 });
      expect(result.content).toEqual([{ type: 'text', text: '80000 files' }]);
      expect((result.structuredContent as { files: unknown[] }).files).toHaveLength(80_000);
      // Before closing (SIGTERM to the server): its final event may not be written yet.
      block = await waitForBlock(log, (candidate) => isTool('list_everything')(candidate) && candidate.context?.['agent_lag.phase'] === 'serialize_response');
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    expect(block.context).toMatchObject({ 'agent_lag.sdk': 'mcp', 'gen_ai.operation.name': 'execute_tool' });
    expect(block.context?.['gen_ai.tool.call.id']).toMatch(/^\d+$/);
    expectInResponseSend(block);
  });

  it('AGENT_LAG_AGENT_HOOKS=0 leaves the SDK alone (the block is still caught, without the tool)', async () => {
    const log = await logPath();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, 'mcp-server.mjs')],
      env: { ...env, AGENT_LAG_AGENT_HOOKS: '0' },
      cwd: repoRoot,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'agent-lag-test', version: '1.0.0' });
    await client.connect(transport);
    let block: LoggedBlock;
    try {
      await client.callTool({ name: 'run_shell', arguments: {} });
      // Before closing (SIGTERM to the server): its final event may not be written yet.
      block = await waitForBlock(log, (candidate) => candidate.inFlight?.api === 'child_process.execSync');
    } finally {
      await client.close();
    }
    expect(block.context?.['gen_ai.tool.name']).toBeUndefined();
  });
});

describe('an MCP transport whose send blocks in native code', () => {
  it('names the tool call whose response it was sending, though no pause can land in the block', async () => {
    const log = await logPath();
    const result = await run([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, 'mcp-native-send.mjs')], { env, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^sent \d+$/m);
    const block = await waitForBlock(log, isTool('export_transcript'));
    expect(block.context).toMatchObject({ 'agent_lag.sdk': 'mcp', 'gen_ai.operation.name': 'execute_tool', 'agent_lag.phase': 'serialize_response' });
    expect(block.inFlight).toBeNull();
    // The send reported its own caller's stack as it returned (a reported section): the SDK's Protocol sending
    // the result. A pause lands only once the native call returned, often after the block, in other code.
    expect(block.stack?.[0]?.url, describeBlocks([block])).toMatch(PROTOCOL_MODULE);
  }, 120_000);
});

describe('MCP server with the explicit call', () => {
  it('instrumentMcpServer(server) on a low-level Server names the tool call and the response serialisation', async () => {
    const log = await logPath();
    const { client, errors } = await connect([join(fixtures, 'mcp-server-explicit.mjs'), log]);
    let shell: LoggedBlock;
    let serialise: LoggedBlock;
    try {
      await client.callTool({ name: 'run_shell', arguments: {} });
      await client.callTool({ name: 'list_everything', arguments: {} }, undefined, { timeout: 120_000 });
      // Before closing (SIGTERM to the server): its final events may not be written yet.
      shell = await waitForBlock(log, isTool('run_shell'));
      serialise = await waitForBlock(log, (candidate) => isTool('list_everything')(candidate) && candidate.context?.['agent_lag.phase'] === 'serialize_response');
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    expect(shell.inFlight?.api).toBe('child_process.execSync');
    expect(shell.context).toMatchObject({ 'agent_lag.sdk': 'mcp', 'gen_ai.operation.name': 'execute_tool' });
    expectInResponseSend(serialise);
  });
});

describe('an SDK version the adapter does not know', () => {
  it('costs the host one warning: the app runs and exits as it would without the monitor', async () => {
    const dir = await tempDir('agent-lag-mcp-unknown-');
    // A package where the MCP SDK's Protocol module is, exporting no Protocol class.
    const sdk = join(dir, 'node_modules/@modelcontextprotocol/sdk');
    await mkdir(join(sdk, 'dist/esm/shared'), { recursive: true });
    await writeFile(join(sdk, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version: '9.0.0', type: 'module', exports: { './*': './dist/esm/*' } }));
    await writeFile(join(sdk, 'dist/esm/shared/protocol.js'), 'export const Session = class {};\n');
    await writeFile(join(dir, 'app.mjs'), "import { Session } from '@modelcontextprotocol/sdk/shared/protocol.js';\nconsole.log(typeof Session);\nprocess.exitCode = 3;\n");
    const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
    const result = await run(['--import', register, join(dir, 'app.mjs')], { cwd: dir, env: { ...env, AGENT_LAG_SOCKET: '0' } });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('function\n');
    const warnings = result.stderr.split('\n').filter((line) => line.includes('agent-lag'));
    expect(warnings).toEqual([expect.stringMatching(/^\(node:\d+\) \[AGENT_LAG_AGENT_HOOKS_mcp\] Warning: agent-lag: @modelcontextprotocol\/sdk not instrumented: shared\/protocol\.js exports no Protocol class/)]);
  });
});

describe('a host without any of the SDKs', () => {
  // installAgentHooks installs the require hook and the import loader together, or neither.
  it('gets no module hook: require() is Node\'s own', async () => {
    const dir = await tempDir('agent-lag-no-sdk-');
    // Beside the SDKs: the preload's require() gate (it installs require-in-the-middle on the first require() of
    // an SDK), or require-in-the-middle itself (its replacement calls its patchedRequire).
    const probe =
      "import Module from 'node:module';\nconsole.log(Module.prototype.require.name === 'agentLagRequireGate' || String(Module.prototype.require).includes('patchedRequire') ? 'hooked' : 'node');\n";
    await writeFile(join(dir, 'app.mjs'), probe);
    const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
    const bare = await run(['--import', register, join(dir, 'app.mjs')], { cwd: dir, env: { ...env, AGENT_LAG_SOCKET: '0' } });
    expect(bare.stdout).toBe('node\n');
    // The same probe beside this repository's node_modules, where the SDKs are installed: hooked.
    const beside = await run(['--import', register, '--input-type=module', '--eval', probe], { cwd: repoRoot, env: { ...env, AGENT_LAG_SOCKET: '0' } });
    expect(beside.stdout).toBe('hooked\n');
  });
});
