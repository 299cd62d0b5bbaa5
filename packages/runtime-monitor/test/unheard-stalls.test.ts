import { describe, expect, it } from 'vitest';
import type { BlockEvent } from '../src/types.js';
import { UnheardStalls } from '../src/watchdog/unheard-stalls.js';

/*
 * The worker's side of "nothing lost at the edges": stalls posted to the main thread after its last state
 * are charged to the routes and agents sections it serves, as the tracker would charge them.
 */

const block = (durationMs: number, context: BlockEvent['context']): BlockEvent => ({ type: 'block', startedAt: 1_000, durationMs, stack: [], inFlight: null, context, late: false });

const sections = () => ({
  routes: {
    at: 1,
    routes: [{ route: '/chat', requests: 3, blocks: 1, blockedMs: 200, worstBlockMs: 200, waitedMs: 0, waits: 0, shed: 0, inFlight: 1, oldestInFlightStartedAt: 5 }],
    unattributedBlocks: 0,
    shedding: null,
  },
  agents: {
    at: 1,
    tools: [{ tool: 'summarize_repo', calls: 2, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0, inFlight: 1 }],
    agents: [{ agent: 'triage', tenant: '', inFlight: 1, oldestInFlightStartedAt: 5 }],
  },
  eventLoop: { activeMs: 1, idleMs: 2 },
});

describe('UnheardStalls', () => {
  it("charges the stalls the main thread has not heard of to the route and tool their context names", () => {
    const unheard = new UnheardStalls();
    expect(unheard.posted(block(400, { 'http.route': '/chat', 'gen_ai.tool.name': 'summarize_repo' }))).toBe(1);
    expect(unheard.posted(null)).toBe(2);
    unheard.posted(block(150, { 'gen_ai.tool.name': 'list_files' }));
    const published = sections();
    const charged = unheard.charge(published);
    expect(charged['routes']).toMatchObject({
      routes: [{ route: '/chat', requests: 3, blocks: 2, blockedMs: 600, worstBlockMs: 400, inFlight: 1 }],
      // The second block named no route.
      unattributedBlocks: 1,
    });
    expect(charged['agents']).toMatchObject({
      tools: [
        { tool: 'summarize_repo', calls: 2, blocks: 1, blockedMs: 400, worstBlockMs: 400, inFlight: 1 },
        { tool: 'list_files', calls: 0, blocks: 1, blockedMs: 150, worstBlockMs: 150, inFlight: 0 },
      ],
    });
    expect(charged['eventLoop']).toBe(published.eventLoop);
    // The main thread's values are not touched (the next state replaces them).
    expect(published).toEqual(sections());
  });

  it('stops charging a stall once a state counts it, and leaves sections nobody published absent', () => {
    const unheard = new UnheardStalls();
    unheard.posted(block(400, { 'gen_ai.tool.name': 'summarize_repo' }));
    unheard.posted(block(300, { 'gen_ai.tool.name': 'summarize_repo' }));
    unheard.heard(1);
    const charged = unheard.charge(sections()) as ReturnType<typeof sections>;
    expect(charged.agents.tools[0]).toMatchObject({ blocks: 1, blockedMs: 300, worstBlockMs: 300 });
    expect(unheard.charge({ eventLoop: { activeMs: 1, idleMs: 2 } })).toEqual({ eventLoop: { activeMs: 1, idleMs: 2 } });
    unheard.heard(2);
    const published = sections();
    expect(unheard.charge(published)).toBe(published);
  });
});
