import { StructuredTool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentLangChain } from '../src/agents/adapters/langchain.js';
import type { ToolSectionEntry } from '../src/agents/run-figures.js';
import { getContext } from '../src/context/index.js';
import { getRequestTracker } from '../src/middleware/core.js';

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

async function unhandledRejectionsDuring(action: () => void, until: (seen: unknown[]) => boolean): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  // vitest's own listener would fail the run: take it out for this case.
  const listeners = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onUnhandled);
  try {
    action();
    const deadline = Date.now() + 5000;
    while (!until(unhandled) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // Node reports a tick's unhandled rejections together: one more turn of the loop shows any second one.
    await new Promise((resolve) => setImmediate(resolve));
    return unhandled;
  } finally {
    process.off('unhandledRejection', onUnhandled);
    for (const listener of listeners) process.on('unhandledRejection', listener);
  }
}

describe('the LangChain adapter, when a tool rejects', () => {
  it('rejects invoke() with the tool\'s error and ends the call', async () => {
    const reason = new Error('tool failed');
    const failing = failingTool('invoked_failing_tool', reason);
    await expect(failing.invoke({ type: 'tool_call', id: 'call-9', name: 'invoked_failing_tool', args: {} })).rejects.toBe(reason);
    expect(toolFigures('invoked_failing_tool')).toMatchObject({ calls: 1, inFlight: 0 });
  });

  it('leaves unhandled the rejection of a call() nobody handles, as it was without the adapter', async () => {
    const reason = new Error('nobody listens');
    const failing = failingTool('called_failing_tool', reason);
    const unhandled = await unhandledRejectionsDuring(
      () => void failing.call({}),
      (seen) => seen.length > 0,
    );
    expect(unhandled).toEqual([reason]);
    expect(toolFigures('called_failing_tool')).toMatchObject({ calls: 1, inFlight: 0 });
  });

  it('leaves unhandled the rejection of an invoke() nobody handles, once', async () => {
    const reason = new Error('nobody listens either');
    const failing = failingTool('invoked_unheard_tool', reason);
    const unhandled = await unhandledRejectionsDuring(
      () => void failing.invoke({}),
      (seen) => seen.length > 0,
    );
    expect(unhandled).toEqual([reason]);
    expect(toolFigures('invoked_unheard_tool')).toMatchObject({ calls: 1, inFlight: 0 });
  });
});
