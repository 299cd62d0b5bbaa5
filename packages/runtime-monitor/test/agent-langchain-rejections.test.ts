import { StructuredTool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentLangChain } from '../src/agents/adapters/langchain.js';
import type { ToolSectionEntry } from '../src/agents/run-figures.js';
import { getContext } from '../src/context/index.js';
import { getRequestTracker } from '../src/middleware/core.js';
import { unhandledRejectionsAfter } from './rejection-helpers.js';

// The LangChain adapter returns the promise of a tool's call() as it is when invoke() made the call (invoke's
// own promise adopts it), and a promise of its own otherwise, so that a rejection nobody handles stays
// unhandled. Real @langchain/core tools in this process; each case has its own tool name (the table is
// process-wide).

function toolFigures(name: string): ToolSectionEntry | undefined {
  return getRequestTracker()
    .agentsSection()
    .tools.find((entry) => entry.tool === name);
}

/**
 * A tool class of its own, with StructuredTool's call(): tool()'s DynamicStructuredTool overrides call() with an
 * async method of its own, whose promise would stand between the caller and the adapter's.
 */
function failingTool(name: string, reason: Error): StructuredTool {
  class FailingTool extends StructuredTool {
    name = name;
    description = 'fails';
    schema = z.object({});

    protected _call(): Promise<string> {
      expect(getContext()).toMatchObject({ 'gen_ai.tool.name': name });
      return Promise.reject(reason);
    }
  }
  const failing = new FailingTool();
  instrumentLangChain(failing);
  return failing;
}

describe('the LangChain adapter, when a tool rejects', () => {
  it('rejects invoke() with the tool\'s error and ends the call', async () => {
    const reason = new Error('tool failed');
    const failing = failingTool('invoked_failing_tool', reason);
    await expect(failing.invoke({ type: 'tool_call', id: 'call-9', name: 'invoked_failing_tool', args: {} })).rejects.toBe(reason);
    expect(toolFigures('invoked_failing_tool')).toMatchObject({ calls: 1, inFlight: 0 });
  });

  it.each([
    ['call', (failing: StructuredTool) => void failing.call({})],
    ['invoke', (failing: StructuredTool) => void failing.invoke({})],
  ])('leaves unhandled, once, the rejection of a %s() nobody handles, as it was without the adapter', async (method, callUnheard) => {
    const reason = new Error(`nobody listens to ${method}()`);
    const failing = failingTool(`unheard_${method}_tool`, reason);
    const unhandled = await unhandledRejectionsAfter(() => callUnheard(failing));
    expect(unhandled).toEqual([reason]);
    expect(toolFigures(`unheard_${method}_tool`)).toMatchObject({ calls: 1, inFlight: 0 });
  });
});
