// One JSON route (GET /users/:id) in a framework (argv[2]) in mode argv[3]:
//   off        no adapter (Fastify: an empty plugin registered the same way, so only the plugin's work differs)
//   noop       no adapter, an empty pass-through middleware in its place: what the framework charges for
//              any middleware (http: a wrapper function; Fastify: the same as off)
//   als        no adapter, one AsyncLocalStorage#run per request: what any context-propagating APM pays
//   on         the agent-lag adapter with its defaults (asyncContext 'auto': no AsyncLocalStorage until needed)
//   on-async   the adapter with asyncContext: true
//   on-app     Express only: the whole app wrapped as the server's handler (agentLagExpressApp), no router layer
// The monitor runs in every mode, so the comparison isolates the adapter. BENCH_THRESHOLD_MS sets its
// threshold (the instruction-count run raises it: under valgrind everything is ~50x slower and would read
// as stalls). Prints {"port":N}.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';

const [framework, mode] = process.argv.slice(2);
const root = new URL('../../packages/runtime-monitor/dist/', import.meta.url);
const { startMonitor } = await import(new URL('index.js', root).href);
const mw = await import(new URL('middleware/index.js', root).href);
startMonitor({ socket: false, reportPath: null, thresholdMs: Number(process.env.BENCH_THRESHOLD_MS ?? 100) });
if (mode === 'on-app' && framework !== 'express') throw new Error('mode on-app is for express only');
const wrapApp = mode === 'on-app';
const adapterOptions = mode === 'on' ? {} : mode === 'on-async' ? { asyncContext: true } : null;
const noop = mode === 'noop';
const storage = mode === 'als' ? new AsyncLocalStorage() : null;
const store = { route: '/users/:id' };
const body = { ok: true, items: [1, 2, 3] };
let server;
if (framework === 'express') {
  const { default: express } = await import('express');
  const app = express();
  if (adapterOptions) app.use(mw.agentLagExpress(adapterOptions));
  if (noop) app.use((_req, _res, next) => next());
  if (storage) app.use((_req, _res, next) => storage.run(store, next));
  app.get('/users/:id', (_req, res) => res.json(body));
  server = createServer(wrapApp ? mw.agentLagExpressApp(app) : app);
} else if (framework === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  const empty = Object.assign((_instance, _options, done) => done(), { [Symbol.for('skip-override')]: true });
  await app.register(adapterOptions ? mw.agentLagFastify : empty, adapterOptions ?? {});
  if (storage) app.addHook('onRequest', (_request, _reply, next) => storage.run(store, next));
  app.get('/users/:id', async () => body);
  await app.ready();
  server = app.server;
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const app = new Koa();
  const router = new Router();
  if (adapterOptions) app.use(mw.agentLagKoa(adapterOptions));
  if (noop) app.use((_ctx, next) => next());
  if (storage) app.use((_ctx, next) => storage.run(store, next));
  router.get('/users/:id', (ctx) => { ctx.body = body; });
  app.use(router.routes());
  server = createServer(app.callback());
} else {
  const handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const withStore = (req, res) => storage.run(store, handler, req, res);
  const passThrough = (req, res) => handler(req, res);
  server = createServer(adapterOptions ? mw.agentLagHttp(handler, { route: () => '/users/:id', ...adapterOptions }) : storage ? withStore : noop ? passThrough : handler);
}
// run.js asks for the server's own CPU time (µs) over the IPC channel where it cannot read the main
// thread's from /proc; without an IPC channel (instructions.js) this listener never fires.
process.on('message', () => {
  const usage = process.cpuUsage();
  process.send(usage.user + usage.system);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
