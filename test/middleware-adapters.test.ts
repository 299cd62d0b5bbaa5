import type { BlockEvent } from '@agent-lag/runtime-monitor';
import type { RoutesSection } from '@agent-lag/runtime-monitor/middleware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, waitFor, type FixtureServer } from './helpers/middleware-fixture.js';

interface Figures {
  section: RoutesSection;
  blocks: (Pick<BlockEvent, 'durationMs' | 'context' | 'requestsInFlight' | 'inFlight'> & { stack: string[] })[];
}

async function figures(server: FixtureServer): Promise<Figures> {
  return (await (await fetch(`${server.url}/admin/figures`)).json()) as Figures;
}
const entry = (f: Figures, route: string) => f.section.routes.find((r) => r.route === route);

/**
 * asyncContext 'auto': the first block after an await is counted under no route (only async context reaches
 * there); the capture saw its request in flight, so later requests propagate context and name the route —
 * the next one too, sent as soon as the first is answered, before the first block's event has arrived.
 */
async function expectAsyncContextTurnsOn(server: FixtureServer): Promise<void> {
  const later = '/tools/:name/later';
  const withDetails = (what: string) => async (error: unknown) => {
    throw new Error(`${String(error)} (${what}); figures: ${JSON.stringify(await figures(server))}; stderr: ${server.stderr()}`);
  };
  // The tool's own block (its stack names it): on a loaded machine, CPU starvation can add stalls of no route.
  const isUnnamedToolBlock = (b: Figures['blocks'][number]) => b.context === null && b.stack.some((frame) => frame.startsWith('syncToolLater '));
  const toolBlock = (f: Figures) => f.blocks.find(isUnnamedToolBlock);
  const before = await figures(server);
  expect((await fetch(`${server.url}/tools/grep/later`)).status).toBe(200);
  expect((await fetch(`${server.url}/tools/grep/later`, { headers: { 'x-tenant': 'acme' } })).status).toBe(200);
  const after = await waitFor(async () => {
    const current = await figures(server);
    return toolBlock(current) !== undefined && (entry(current, later)?.blocks ?? 0) >= 1 ? current : undefined;
  }, 10_000, "the first request's unattributed block and the second's block charged to the route").catch(withDetails('two requests'));
  expect(after.section.unattributedBlocks).toBeGreaterThan(before.section.unattributedBlocks);
  expect(toolBlock(after)?.requestsInFlight).toBe(1);
  // Only the first: the second request's block, after the same await, names its route and tenant.
  expect(after.blocks.filter(isUnnamedToolBlock)).toHaveLength(1);
  expect(entry(after, later)?.blocks).toBe(1);
  expect(entry(after, later)?.blockedMs).toBeGreaterThan(400);
  expect(after.blocks.find((b) => b.context?.['http.route'] === later)?.context).toMatchObject({ tenant: 'acme' });
}

describe.each(['express', 'express-app', 'fastify', 'koa', 'http'])('%s service with the monitor (real process, real blocking)', (framework) => {
  let server: FixtureServer;
  beforeAll(async () => {
    // The tool route blocks far longer than the threshold, and the threshold sits well above the hiccups a
    // loaded CI machine gives any request (CPU starvation is not a block of the route that happened to run).
    server = await startFixtureServer(framework, { blockMs: 500, thresholdMs: 200 });
  });
  afterAll(() => server.stop());

  it('blames the blocking route in per-route figures and block context, charges the wait to the slow agent run, not the others', async () => {
    const slowStartedAt = Date.now();
    const slow = fetch(`${server.url}/agents/run-1/slow`);
    slow.catch(() => undefined); // settles when the fixture is killed after a failure
    await (await fetch(`${server.url}/users/1`)).text();
    const tool = await fetch(`${server.url}/tools/grep/run`, { headers: { 'x-tenant': 'acme', 'x-run-id': 'run-9' } });
    expect(tool.status).toBe(200);
    await (await fetch(`${server.url}/users/2`)).text();

    // The block is native (a child process the loop waits for): its context comes from the sync wrapper,
    // exact even though the inspector's pause lands only after the call returned.
    const f = await waitFor(
      async () => {
        const current = await figures(server);
        return current.blocks.some((b) => b.context?.['http.route'] === '/tools/:name/run') ? current : undefined;
      },
      10_000,
      'a block event naming the tool route',
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; figures: ${JSON.stringify(await figures(server))}; stderr: ${server.stderr()}`);
    });
    const block = f.blocks.find((b) => b.context?.['http.route'] === '/tools/:name/run');
    expect(block?.context).toMatchObject({ 'http.request.method': 'GET', tenant: 'acme', 'agent.run.id': 'run-9' });
    expect(block?.durationMs).toBeGreaterThan(400);
    // In flight while it blocked: the tool call's own request and the agent run held open; not the answered ones.
    expect(block?.requestsInFlight).toBe(2);
    const tool_ = entry(f, '/tools/:name/run');
    expect(tool_?.blocks).toBeGreaterThanOrEqual(1);
    expect(tool_?.blockedMs).toBeGreaterThan(400);
    expect(tool_?.worstBlockMs).toBeGreaterThan(400);
    const users = entry(f, '/users/:id');
    expect(users?.requests).toBe(2);
    // The tool's block is not charged to the plain route. A loaded machine can stall while a /users request runs
    // (a real stall, charged to it): only such stalls may be, never the tool's call.
    const onUsers = f.blocks.filter((b) => b.context?.['http.route'] === '/users/:id');
    expect(onUsers.filter((b) => b.inFlight?.api === 'child_process.execFileSync'), JSON.stringify(onUsers)).toEqual([]);

    // The agent run held open across the block waited through it, and is the oldest in flight.
    const agent = entry(f, '/agents/:id/slow');
    expect(agent?.inFlight).toBe(1);
    expect(agent?.waitedMs).toBeGreaterThan(400);
    expect(agent?.blocks ?? 0).toBe(0);
    expect(agent?.oldestInFlightStartedAt).toBeGreaterThanOrEqual(slowStartedAt - 50);
    expect(agent?.oldestInFlightStartedAt).toBeLessThanOrEqual(slowStartedAt + 1000);

    await fetch(`${server.url}/admin/release`, { method: 'POST' });
    expect((await slow).status).toBe(200);
    const after = await waitFor(async () => {
      const current = await figures(server);
      return entry(current, '/agents/:id/slow')?.inFlight === 0 ? current : undefined;
    }, 5000, 'the agent run to finish');
    expect(entry(after, '/agents/:id/slow')?.oldestInFlightStartedAt).toBeNull();
  });

  it('names no route for the first block after an await, then propagates async context and names it from then on', async () => {
    await expectAsyncContextTurnsOn(server);
  });
});

describe('http service whose block after an await is plain JavaScript (seen by the inspector only)', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer('http', { blockMs: 500, thresholdMs: 200, spinLater: true });
  });
  afterAll(() => server.stop());

  it('names no route for the first block, then propagates async context and names it from then on', async () => {
    await expectAsyncContextTurnsOn(server);
  });
});
