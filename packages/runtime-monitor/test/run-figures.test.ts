import { describe, expect, it } from 'vitest';
import { RunFigures } from '../src/agents/run-figures.js';
import { RunRecord, type AgentRun } from '../src/agents/run-record.js';

/*
 * The per-tool and per-agent figures of runs, driven as the tracker drives them (started, ended, section).
 * RunFigures remembers the last tool and (agent, tenant) it looked up: these cases change them between calls
 * and change the caps, where a remembered answer could go stale.
 */

function call(figures: RunFigures, run: AgentRun): RunRecord {
  const record = new RunRecord(run, undefined, figures);
  figures.started(record);
  figures.ended(record);
  return record;
}

const tool = (toolName: string): AgentRun => ({ operation: 'execute_tool', sdk: 'mcp', toolName });

function callsByTool(figures: RunFigures): Record<string, number> {
  return Object.fromEntries(figures.section([]).tools.map((entry) => [entry.tool, entry.calls]));
}

describe('RunFigures', () => {
  it('counts each tool\'s calls under its own name however they alternate', () => {
    const figures = new RunFigures();
    for (const name of ['read_file', 'read_file', 'shell', 'read_file', 'shell']) call(figures, tool(name));
    expect(callsByTool(figures)).toEqual({ read_file: 3, shell: 2 });
  });

  it('counts a tool past the cap under `other`, and under its own name once a higher cap lets it have one', () => {
    const figures = new RunFigures({ maxTools: 1 });
    call(figures, tool('read_file'));
    call(figures, tool('shell'));
    call(figures, tool('shell'));
    expect(callsByTool(figures)).toEqual({ read_file: 1, other: 2 });

    figures.configure({ maxTools: 2 });
    call(figures, tool('shell'));
    expect(callsByTool(figures)).toEqual({ read_file: 1, other: 2, shell: 1 });
  });

  it('lists every (agent, tenant) pair a run started under, also when runs alternate between them', () => {
    const figures = new RunFigures();
    const run = (agentName: string, tenant: string): AgentRun => ({ operation: 'invoke_agent', sdk: 'openai-agents', agentName, tenant });
    const starts: [string, string][] = [['triage', 'acme'], ['triage', 'acme'], ['triage', 'globex'], ['support', 'acme'], ['triage', 'acme']];
    for (const [agent, tenant] of starts) {
      call(figures, run(agent, tenant));
    }
    const pairs = figures.section([]).agents.map(({ agent, tenant, inFlight }) => ({ agent, tenant, inFlight }));
    expect(pairs).toEqual([
      { agent: 'triage', tenant: 'acme', inFlight: 0 },
      { agent: 'triage', tenant: 'globex', inFlight: 0 },
      { agent: 'support', tenant: 'acme', inFlight: 0 },
    ]);
  });
});
