import { describe, expect, it } from 'vitest';
import { configureAgentRuns, trackRun } from '../src/agents/track-run.js';
import { getContext, withContext } from '../src/context/index.js';
import { getRequestTracker } from '../src/middleware/core.js';
import type { AgentSectionEntry, ToolSectionEntry } from '../src/agents/run-figures.js';
import { unhandledRejectionsAfter } from './rejection-helpers.js';

// trackRun on the process-wide in-flight table, in this process: when a run starts and ends (return,
// throw, promise settled either way, another thenable), what its context is, and what the `agents`
// section says meanwhile. Each case uses its own agent and tool names (the table is process-wide).

function agent(name: string, tenant = ''): AgentSectionEntry | undefined {
  return getRequestTracker()
    .agentsSection()
    .agents.find((entry) => entry.agent === name && entry.tenant === tenant);
}

function tool(name: string): ToolSectionEntry | undefined {
  return getRequestTracker()
    .agentsSection()
    .tools.find((entry) => entry.tool === name);
}

describe('trackRun', () => {
  it('returns what a synchronous fn returns, in the run, and ends the run with it', () => {
    const seen = trackRun({ operation: 'execute_tool', sdk: 'mcp', toolName: 'sync_tool', toolCallId: '7' }, () => {
      expect(tool('sync_tool')?.inFlight).toBe(1);
      return getContext();
    });
    expect(seen).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'agent_lag.sdk': 'mcp', 'gen_ai.tool.name': 'sync_tool', 'gen_ai.tool.call.id': '7' });
    expect(tool('sync_tool')).toMatchObject({ calls: 1, inFlight: 0 });
    expect(getContext()).toBeNull();
  });

  it('rethrows what fn throws, after ending the run', () => {
    const error = new Error('tool failed');
    expect(() =>
      trackRun({ operation: 'execute_tool', toolName: 'throwing_tool' }, () => {
        throw error;
      }),
    ).toThrow(error);
    expect(tool('throwing_tool')).toMatchObject({ calls: 1, inFlight: 0 });
  });

  it('keeps a run in flight until its promise settles, and settles the same way', async () => {
    let resolve!: (value: string) => void;
    const result = trackRun({ operation: 'invoke_agent', agentName: 'async-agent', tenant: 'acme' }, () => new Promise<string>((r) => (resolve = r)));
    const entry = agent('async-agent', 'acme');
    expect(entry?.inFlight).toBe(1);
    expect(entry?.oldestInFlightStartedAt).toBeLessThanOrEqual(Date.now());
    resolve('answer');
    await expect(result).resolves.toBe('answer');
    expect(agent('async-agent', 'acme')).toEqual({ agent: 'async-agent', tenant: 'acme', inFlight: 0, oldestInFlightStartedAt: null });

    const failed = trackRun({ operation: 'invoke_agent', agentName: 'rejecting-agent' }, () => Promise.reject(new Error('model refused')));
    await expect(failed).rejects.toThrow('model refused');
    expect(agent('rejecting-agent')?.inFlight).toBe(0);
  });

  it('leaves a rejection nobody handles unhandled, as it was without trackRun', async () => {
    const reason = new Error('nobody listens');
    const unhandled = await unhandledRejectionsAfter(() => void trackRun({ operation: 'execute_tool', toolName: 'unheard_tool' }, () => Promise.reject(reason)));
    expect(unhandled).toEqual([reason]);
    expect(tool('unheard_tool')).toMatchObject({ calls: 1, inFlight: 0 });
  });

  it('returns another thenable as it is, and ends the run when it settles', async () => {
    let settle!: () => void;
    const native = new Promise<void>((r) => (settle = r));
    const thenable = { then: native.then.bind(native), extra: 'kept' };
    const returned = trackRun({ operation: 'invoke_agent', agentName: 'thenable-agent' }, () => thenable);
    expect(returned).toBe(thenable);
    expect(agent('thenable-agent')?.inFlight).toBe(1);
    settle();
    await native;
    await new Promise((r) => setImmediate(r));
    expect(agent('thenable-agent')?.inFlight).toBe(0);
  });

  it('nests: a tool call inside an agent run keeps the agent fields, in the context and after awaits, and is not a run of its own', async () => {
    await withContext({ 'http.route': '/agents/:id' }, () =>
      trackRun({ operation: 'invoke_agent', agentName: 'nesting-agent', runId: 'r1' }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        await trackRun({ operation: 'execute_tool', toolName: 'nested_tool', toolCallId: 'c1' }, async () => {
          await new Promise((r) => setTimeout(r, 5));
          expect(getContext()).toEqual({
            'http.route': '/agents/:id',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.agent.name': 'nesting-agent',
            'agent_lag.run.id': 'r1',
            'gen_ai.tool.name': 'nested_tool',
            'gen_ai.tool.call.id': 'c1',
          });
          expect(agent('nesting-agent')?.inFlight).toBe(1);
          expect(agent('')?.inFlight ?? 0).toBe(0);
          expect(tool('nested_tool')?.inFlight).toBe(1);
        });
        expect(getContext()).toEqual({ 'http.route': '/agents/:id', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'nesting-agent', 'agent_lag.run.id': 'r1' });
      }),
    );
    expect(agent('nesting-agent')?.inFlight).toBe(0);
  });

  it('bounds strings and drops fields of the wrong type instead of failing the run', () => {
    const long = 'x'.repeat(500);
    const seen = trackRun({ operation: 'execute_tool', toolName: long, toolCallId: { id: 42 } as unknown as string, context: { attempt: 2, bad: {} as unknown as string } }, () => getContext());
    expect(seen).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x'.repeat(200), attempt: 2 });
  });

  it('writes a numeric tool call id (a JSON-RPC id) as a string', () => {
    const seen = trackRun({ operation: 'execute_tool', toolName: 'read_file', toolCallId: 42 }, () => getContext());
    expect(seen).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.id': '42' });
  });

  it('rejects what is not a run or not a function, and limits that are not positive integers', () => {
    expect(() => trackRun(null as never, () => 1)).toThrow(TypeError);
    expect(() => trackRun({ operation: 'chat' }, 'fn' as never)).toThrow(TypeError);
    expect(() => configureAgentRuns({ maxTenants: 0 })).toThrow('agent-lag agents: maxTenants must be a positive integer, got 0');
  });
});
