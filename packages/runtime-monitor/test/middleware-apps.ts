/**
 * The same small agent service in each framework: a tool route that blocks the loop with a sync call,
 * a plain route, a slow agent run held open until the test releases it, and a JSON POST (body parsing
 * resumes from stream events: the context must survive it). Every handler answers with the monitor
 * context it ran under.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import Router from '@koa/router';
import { getContext } from '../src/context/index.js';
import { agentLagExpress, agentLagExpressApp } from '../src/middleware/express.js';
import { agentLagFastify } from '../src/middleware/fastify.js';
import { agentLagKoa } from '../src/middleware/koa.js';
import { agentLagHttp } from '../src/middleware/http.js';
import type { MiddlewareOptions } from '../src/middleware/core.js';

/** `express-app`: the Express app wrapped whole (`agentLagExpressApp`) instead of the middleware. */
export type Framework = 'express' | 'express-app' | 'fastify' | 'koa' | 'http';
export const FRAMEWORKS: readonly Framework[] = ['express', 'express-app', 'fastify', 'koa', 'http'];

export interface RunningApp {
  url: string;
  /**
   * Resolves the pending /agents/:id/slow requests and leaves the gate open: one that reaches its handler
   * after this (a request still on its way on a loaded machine) is answered at once, not left waiting.
   */
  release(): void;
  /** Closes the gate again: /agents/:id/slow requests wait for the next release(). Closed at start. */
  hold(): void;
  close(): Promise<void>;
}

export interface AppOptions {
  blockMs?: number;
  shed?: MiddlewareOptions<unknown>['shed'];
  asyncContext?: MiddlewareOptions<unknown>['asyncContext'];
}

/** A synchronous tool call: a real child process the loop waits for. */
function syncTool(ms: number): void {
  execFileSync(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`]);
}

const tenantOf = (headers: IncomingMessage['headers']) => ({ tenant: String(headers['x-tenant'] ?? 'none') });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startApp(framework: Framework, options: AppOptions = {}): Promise<RunningApp> {
  const blockMs = options.blockMs ?? 300;
  const waiters: (() => void)[] = [];
  let released = false;
  const slow = () => (released ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)));
  const release = () => {
    released = true;
    for (const wake of waiters.splice(0)) wake();
  };
  const hold = () => {
    released = false;
  };
  const common = { shed: options.shed, asyncContext: options.asyncContext };

  if (framework === 'express' || framework === 'express-app') {
    const app = express();
    const adapterOptions = { ...common, context: (req: IncomingMessage) => tenantOf(req.headers) };
    const mw = framework === 'express' ? agentLagExpress(adapterOptions) : null;
    if (mw !== null) app.use(mw);
    app.use(express.json());
    app.get('/healthz', (_req, res) => void res.json({ ok: true }));
    app.get('/tools/:name/run', (_req, res) => {
      syncTool(blockMs);
      res.json({ context: getContext() });
    });
    app.get('/users/:id', (_req, res) => void res.json({ context: getContext() }));
    app.get('/agents/:id/slow', async (_req, res) => {
      await slow();
      res.json({ context: getContext() });
    });
    app.post('/agents/:id/runs', (_req, res) => void res.json({ context: getContext() }));
    const wrapped = mw === null ? agentLagExpressApp(app, adapterOptions) : null;
    const server = createServer(wrapped ?? app);
    const url = await listen(server);
    return { url, release, hold, close: async () => { (mw ?? wrapped)?.close(); release(); await closeServer(server); } };
  }

  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(agentLagFastify, { ...common, context: (req) => tenantOf(req.headers) });
    app.get('/healthz', () => ({ ok: true }));
    app.get('/tools/:name/run', () => {
      syncTool(blockMs);
      return { context: getContext() };
    });
    app.get('/users/:id', () => ({ context: getContext() }));
    app.get('/agents/:id/slow', async () => {
      await slow();
      return { context: getContext() };
    });
    app.post('/agents/:id/runs', () => ({ context: getContext() }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, release, hold, close: async () => { release(); await app.close(); } };
  }

  if (framework === 'koa') {
    const app = new Koa();
    const router = new Router();
    const mw = agentLagKoa({ ...common, context: (ctx) => tenantOf(ctx.req.headers) });
    app.use(mw);
    router.get('/healthz', (ctx) => void (ctx.body = { ok: true }));
    router.get('/tools/:name/run', (ctx) => {
      syncTool(blockMs);
      ctx.body = { context: getContext() };
    });
    router.get('/users/:id', (ctx) => void (ctx.body = { context: getContext() }));
    router.get('/agents/:id/slow', async (ctx) => {
      await slow();
      ctx.body = { context: getContext() };
    });
    router.post('/agents/:id/runs', async (ctx) => {
      JSON.parse(await readBody(ctx.req));
      ctx.body = { context: getContext() };
    });
    app.use(router.routes());
    const callback = app.callback();
    const server = createServer((req, res) => void callback(req, res));
    const url = await listen(server);
    return { url, release, hold, close: async () => { mw.close(); release(); await closeServer(server); } };
  }

  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const routeOf = (req: IncomingMessage): string | undefined => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz') return '/healthz';
    if (/^\/tools\/[^/]+\/run$/.test(path)) return '/tools/:name/run';
    if (/^\/users\/[^/]+$/.test(path)) return '/users/:id';
    if (/^\/agents\/[^/]+\/slow$/.test(path)) return '/agents/:id/slow';
    if (/^\/agents\/[^/]+\/runs$/.test(path)) return '/agents/:id/runs';
    return undefined;
  };
  const handler = agentLagHttp(
    async (req, res) => {
      const route = routeOf(req);
      if (route === '/tools/:name/run') syncTool(blockMs);
      if (route === '/agents/:id/slow') await slow();
      if (route === '/agents/:id/runs') JSON.parse(await readBody(req));
      json(res, route === '/healthz' ? { ok: true } : { context: getContext() });
    },
    { ...common, route: routeOf, context: (req) => tenantOf(req.headers) },
  );
  const server = createServer((req, res) => void handler(req, res));
  const url = await listen(server);
  return { url, release, hold, close: async () => { handler.close(); release(); await closeServer(server); } };
}
