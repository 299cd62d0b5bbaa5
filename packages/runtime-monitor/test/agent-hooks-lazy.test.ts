import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { repoRoot } from '../../../test/helpers/paths.js';
import { run } from '../../../test/helpers/spawn.js';

// The preload's module hooks when the SDKs are installed beside the app (this repository's node_modules):
// nothing but a require() gate and an import hook that compares URLs until the app loads an SDK, and
// the SDK patched as it loads all the same — by require() and by import, under the preload, with no code
// change. Real SDKs, real Node processes (`--eval` from the repository, so bare names resolve there).

const register = join(repoRoot, 'packages/runtime-monitor/dist/register.js');
const env = { ...process.env, AGENT_LAG_SOCKET: '0', AGENT_LAG_AGENT_HOOKS: '1', NO_COLOR: '1' };

/** Runs `source` under the preload from the repository; its last stdout line is JSON. */
async function underPreload(source: string, inputType: 'module' | 'commonjs'): Promise<{ output: Record<string, unknown>; warnings: string[] }> {
  const result = await run(['--import', register, `--input-type=${inputType}`, '--eval', source], { cwd: repoRoot, env });
  expect(result.code, result.stderr).toBe(0);
  const warnings = result.stderr.split('\n').filter((line) => line.includes('agent-lag'));
  return { output: JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>, warnings };
}

// Shared by the probes: which hook libraries the process has loaded (import-in-the-middle's
// supports-sync-hooks.mjs, a version check that imports nothing, is not the library), and whether a
// function is one of ours.
const PROBE_HELPERS = `
const libraries = () => ['require-in-the-middle', 'import-in-the-middle'].filter((name) => Object.keys(require.cache).some((path) => path.includes('/node_modules/' + name + '/') && !path.endsWith('/supports-sync-hooks.mjs')));
const patched = (fn) => typeof fn === 'function' && fn[Symbol.for('agent-lag.patched')] === true;
`;

describe('agent SDK hooks for SDKs installed but not loaded', () => {
  it('load no hook library until the app loads an SDK, then patch it as it loads, by require() and by import', async () => {
    const source = `
import Module, { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
${PROBE_HELPERS}
const before = { requireIs: Module.prototype.require.name, libraries: libraries() };
const ai = require('ai');
const afterRequire = libraries();
const { Protocol } = await import('@modelcontextprotocol/sdk/shared/protocol.js');
console.log(JSON.stringify({ before, afterRequire, after: libraries(), ai: patched(ai.generateText), mcp: patched(Protocol.prototype.connect) }));
`;
    const { output, warnings } = await underPreload(source, 'module');
    // Where import-in-the-middle runs in-thread (module.registerHooks), nothing of it is loaded before an
    // SDK is imported; on Node 20 the loader thread runs its loader, and this thread holds its namespace
    // callback (its index module) from the start.
    expect(output.before).toEqual({ requireIs: 'agentLagRequireGate', libraries: supportsSyncHooks() ? [] : ['import-in-the-middle'] });
    expect(output.afterRequire).toContain('require-in-the-middle');
    expect(output.after).toEqual(['require-in-the-middle', 'import-in-the-middle']);
    expect({ ai: output.ai, mcp: output.mcp }).toEqual({ ai: true, mcp: true });
    expect(warnings).toEqual([]);
  });

  it('patch an SDK imported in the same module graph as the explicit adapters', async () => {
    // The adapters load when their SDK's file does (a synchronous require of an ES module), here while
    // the app's graph, which imports them too, is being evaluated.
    const source = `
import { instrumentMcpServer } from '@agent-lag/runtime-monitor/agents';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
const patched = (fn) => typeof fn === 'function' && fn[Symbol.for('agent-lag.patched')] === true;
// Patched by the hook as the graph loaded, before the app's own call (which then leaves it as it is).
const byHook = { connect: patched(Protocol.prototype.connect), handlers: patched(Protocol.prototype.setRequestHandler) };
const server = instrumentMcpServer(new McpServer({ name: 'probe', version: '1.0.0' }));
console.log(JSON.stringify({ ...byHook, server: server instanceof McpServer }));
`;
    const { output, warnings } = await underPreload(source, 'module');
    expect(output).toEqual({ connect: true, handlers: true, server: true });
    expect(warnings).toEqual([]);
  });

  it('patch an SDK a CommonJS host requires after another tool wrapped require() too', async () => {
    // Another instrumentation that wraps Module.prototype.require after the preload: the gate stays
    // under it and still installs require-in-the-middle on the first require() of an SDK.
    const source = `
const Module = require('node:module');
const previous = Module.prototype.require;
const seen = new Set();
Module.prototype.require = function (id) { seen.add(id); return previous.call(this, id); };
${PROBE_HELPERS}
const { StructuredTool } = require('@langchain/core/tools');
console.log(JSON.stringify({ other: seen.has('@langchain/core/tools'), libraries: libraries(), tool: patched(StructuredTool.prototype.call) }));
`;
    const { output, warnings } = await underPreload(source, 'commonjs');
    // import-in-the-middle as in the first test: not loaded where it runs in-thread, its index on Node 20.
    expect(output).toEqual({ other: true, libraries: supportsSyncHooks() ? ['require-in-the-middle'] : ['require-in-the-middle', 'import-in-the-middle'], tool: true });
    expect(warnings).toEqual([]);
  });
});
