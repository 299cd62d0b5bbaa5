import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequestTracker } from '../src/middleware/core.js';
import type { RouteSectionEntry } from '../src/middleware/tracker.js';
import { agentLagExpress, agentLagExpressApp } from '../src/middleware/express.js';
import { FRAMEWORKS, startApp, type RunningApp } from './middleware-apps.js';

interface Answer {
  context: Record<string, unknown> | null;
}

/** Polls `check` until it holds; a generous deadline, for a loaded machine. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function route(name: string): RouteSectionEntry | undefined {
  return getRequestTracker().section().routes.find((entry) => entry.route === name);
}

describe.each(FRAMEWORKS)('%s adapter', (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(framework, { blockMs: 50 });
  });
  afterAll(() => app.close());

  it('runs handlers in a context naming the route template, method, request id and user fields (their synchronous part, by default)', async () => {
    const response = await fetch(`${app.url}/users/42?x=1`, { headers: { 'x-tenant': 'acme', 'x-request-id': 'req-abc' } });
    const { context } = (await response.json()) as Answer;
    expect(context).toMatchObject({ 'http.route': '/users/:id', 'http.request.method': 'GET', tenant: 'acme' });
    // Fastify owns its request ids; the other adapters take the caller's.
    if (framework !== 'fastify') expect(context?.['request.id']).toBe('req-abc');
    else expect(typeof context?.['request.id']).toBe('string');
    expect(JSON.stringify(context)).not.toContain('42');
  });

  it('shows a slow request in flight with the age of the oldest, and counts it once finished', async () => {
    app.hold();
    const before = route('/agents/:id/slow')?.requests ?? 0;
    const firstSentAt = Date.now();
    const pending = fetch(`${app.url}/agents/a1/slow`);
    // The server records a request when it reads it, which a loaded machine delays: wait for that, not a fixed time.
    await until(() => route('/agents/:id/slow')?.inFlight === 1, 'the first request in flight');
    const firstSeenAt = Date.now();
    await sleep(100);
    const second = fetch(`${app.url}/agents/a2/slow`);
    await until(() => route('/agents/:id/slow')?.inFlight === 2, 'the second request in flight');
    const during = route('/agents/:id/slow');
    const readAt = Date.now();
    expect(during?.inFlight).toBe(2);
    // The oldest is the first request: it started between its send and its sighting, 100 ms or more before the second was sent.
    const oldestStartedAt = during?.oldestInFlightStartedAt ?? 0;
    expect(oldestStartedAt).toBeGreaterThanOrEqual(firstSentAt);
    expect(oldestStartedAt).toBeLessThanOrEqual(firstSeenAt);
    // Its age, as a reader of the section computes it: at least the 100 ms slept since it was seen.
    expect(readAt - oldestStartedAt).toBeGreaterThanOrEqual(100);
    expect(route('/users/:id')?.inFlight).toBe(0);
    app.release();
    await Promise.all([(await pending).text(), (await second).text()]);
    await until(() => route('/agents/:id/slow')?.inFlight === 0, 'both requests finished');
    const after = route('/agents/:id/slow');
    expect(after?.inFlight).toBe(0);
    expect(after?.oldestInFlightStartedAt).toBeNull();
    expect(after?.requests).toBe(before + 2);
  });

  it('ends the record of a request whose client went away before the answer', async () => {
    // Held until the client is gone (an earlier test's release() left the gate open).
    app.hold();
    const before = route('/agents/:id/slow')?.requests ?? 0;
    const controller = new AbortController();
    const pending = fetch(`${app.url}/agents/gone/slow`, { signal: controller.signal }).catch(() => null);
    await until(() => (route('/agents/:id/slow')?.inFlight ?? 0) > 0, 'the request in flight');
    expect(route('/agents/:id/slow')?.inFlight).toBe(1);
    controller.abort();
    await pending;
    // Its response never finishes; reading the section sweeps it out once the socket closed.
    let after = route('/agents/:id/slow');
    for (let i = 0; i < 50 && after?.inFlight !== 0; i++) {
      await sleep(20);
      after = route('/agents/:id/slow');
    }
    expect(after?.inFlight).toBe(0);
    expect(after?.requests).toBe(before + 1);
    app.release();
  });

  it('labels unmatched paths without the raw URL', async () => {
    await (await fetch(`${app.url}/no/such/path/123456`)).text();
    const routes = getRequestTracker().section().routes.map((entry) => entry.route);
    expect(routes.some((name) => name.includes('123456'))).toBe(false);
  });
});

describe.each(FRAMEWORKS)('%s adapter with asyncContext: true', (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(framework, { asyncContext: true });
  });
  afterAll(() => app.close());

  it('keeps the context through body parsing and awaits', async () => {
    const response = await fetch(`${app.url}/agents/run-7/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant': 'globex' },
      body: JSON.stringify({ prompt: 'hi' }),
    });
    const { context } = (await response.json()) as Answer;
    expect(context).toMatchObject({ 'http.route': '/agents/:id/runs', 'http.request.method': 'POST', tenant: 'globex' });
  });

  it('keeps the context after an await', async () => {
    const pending = fetch(`${app.url}/agents/a9/slow`, { headers: { 'x-tenant': 'initech' } });
    // Released whether or not the request has reached its handler yet (the gate stays open).
    app.release();
    const { context } = (await (await pending).json()) as Answer;
    expect(context).toMatchObject({ 'http.route': '/agents/:id/slow', tenant: 'initech' });
  });
});

describe('asyncContext option', () => {
  it.each([0, 'yes', null])('rejects %j with one clear error', (value) => {
    expect(() => agentLagExpress({ asyncContext: value as never })).toThrow(/asyncContext must be true, false or 'auto'/);
  });
});

describe('agentLagExpressApp', () => {
  it.each([undefined, {}, 'app'])('rejects %j in place of the app with one clear error', (value) => {
    expect(() => agentLagExpressApp(value as never)).toThrow(/agentLagExpressApp\(app\) needs the Express app/);
  });
});

describe('requests pipelined on one connection', () => {
  it('are each tracked and counted once, the second while the first is still in flight', async () => {
    const { createServer } = await import('node:http');
    const { connect } = await import('node:net');
    const { agentLagHttp } = await import('../src/middleware/http.js');
    let releaseFirst = (): void => undefined;
    const server = createServer(
      agentLagHttp((req, res) => {
        if (req.url === '/pipelined/first') releaseFirst = () => res.end('first');
        else res.end('second');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const before = route('/pipelined/*')?.requests ?? 0;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    // Both requests in one write: node parses the second while the first response is pending.
    socket.write('GET /pipelined/first HTTP/1.1\r\nHost: x\r\n\r\nGET /pipelined/second HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 0; i < 100 && route('/pipelined/*')?.inFlight !== 2; i++) await sleep(10);
    expect(route('/pipelined/*')?.inFlight).toBe(2);
    releaseFirst();
    for (let i = 0; i < 100 && !received.includes('second'); i++) await sleep(10);
    expect(received).toContain('first');
    expect(received).toContain('second');
    for (let i = 0; i < 100 && (route('/pipelined/*')?.requests ?? 0) < before + 2; i++) await sleep(10);
    expect(route('/pipelined/*')).toMatchObject({ requests: before + 2, inFlight: 0 });
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
