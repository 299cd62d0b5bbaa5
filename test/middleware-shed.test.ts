import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, waitFor, type FixtureServer } from './helpers/middleware-fixture.js';

describe.each(['express', 'express-app', 'fastify', 'koa', 'http'])('%s load shedding (real process, sustained block)', (framework) => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer(framework, { shed: true });
  });
  afterAll(async () => {
    await fetch(`${server.url}/admin/load?on=0`, { method: 'POST' }).catch(() => undefined);
    await server.stop();
  });

  it('answers 503 with Retry-After under a sustained block, keeps health answering, recovers after', async () => {
    // Start-up (module loading) can itself trip the limit: begin from a calm state.
    await waitFor(async () => ((await fetch(`${server.url}/users/1`)).status === 200 ? true : undefined), 10_000, 'a calm start');
    await fetch(`${server.url}/admin/load?on=1`, { method: 'POST' });
    const shed = await waitFor(async () => {
      const response = await fetch(`${server.url}/users/1`);
      return response.status === 503 ? response : undefined;
    }, 10_000, 'a 503');
    expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await shed.json()).toMatchObject({ error: 'overloaded', reason: expect.any(String) as unknown });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await fetch(`${server.url}/admin/load?on=0`, { method: 'POST' });
    await waitFor(async () => ((await fetch(`${server.url}/users/1`)).status === 200 ? true : undefined), 10_000, 'recovery');
  });
});
