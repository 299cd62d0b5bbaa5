import { describe, expect, it } from 'vitest';
import { formatContext } from '../src/shared/format.js';

describe('formatContext', () => {
  it('says the tool and agent in words, and the other keys as key=value', () => {
    expect(formatContext({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'summarize_repo', 'gen_ai.agent.name': 'triage', 'agent_lag.sdk': 'mcp' })).toBe(
      'during tool summarize_repo of agent triage agent_lag.sdk=mcp',
    );
    expect(formatContext({ 'http.route': '/users/:id' })).toBe('http.route=/users/:id');
    expect(formatContext(null)).toBe('');
  });

  it("says why a block during agent runs names none, in words, beside the route it does name", () => {
    expect(formatContext({ 'agent_lag.context_missing': 'async-context-off' })).toBe('during an agent run it could not name (async context was off past an await)');
    expect(formatContext({ 'http.route': '/chat', 'agent_lag.context_missing': 'async-context-off' })).toBe(
      'during an agent run it could not name (async context was off past an await) http.route=/chat',
    );
  });
});
