// One JSON route in a framework (argv[2]) in mode argv[3]: 'on' with the agent-lag adapter, 'off' without,
// 'als' without but with an AsyncLocalStorage#run per request (the floor any context propagation pays).
// The monitor runs in every mode: the comparison isolates the adapter's cost. Prints {"port":N}.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';

const [framework, mode] = process.argv.slice(2);
const root = new URL('../../packages/runtime-monitor/dist/', import.meta.url);
const { startMonitor } = await import(new URL('index.js', root).href);
const mw = await import(new URL('middleware/index.js', root).href);
startMonitor({ socket: false, reportPath: null });
const on = mode === 'on';
const storage = mode === 'als' ? new AsyncLocalStorage() : null;
const store = { route: '/users/:id' };
const body = { ok: true, items: [1, 2, 3] };
let server;
if (framework === 'express') {
  const { default: express } = await import('express');
  const app = express();
  if (on) app.use(mw.agentLagExpress());
  if (storage) app.use((_req, _res, next) => storage.run(store, next));
  app.get('/users/:id', (_req, res) => res.json(body));
  server = createServer(app);
} else if (framework === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  if (on) await app.register(mw.agentLagFastify);
  if (storage) app.addHook('onRequest', (_request, _reply, next) => storage.run(store, next));
  app.get('/users/:id', async () => body);
  await app.ready();
  server = app.server;
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const app = new Koa();
  const router = new Router();
  if (on) app.use(mw.agentLagKoa());
  if (storage) app.use((_ctx, next) => storage.run(store, next));
  router.get('/users/:id', (ctx) => { ctx.body = body; });
  app.use(router.routes());
  server = createServer(app.callback());
} else {
  const handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const withStore = (req, res) => storage.run(store, handler, req, res);
  server = createServer(on ? mw.agentLagHttp(handler, { route: () => '/users/:id' }) : storage ? withStore : handler);
}
// The bench driver asks for the server's own CPU time (µs) around each measured run, over the IPC channel.
process.on('message', () => {
  const usage = process.cpuUsage();
  process.send(usage.user + usage.system);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
