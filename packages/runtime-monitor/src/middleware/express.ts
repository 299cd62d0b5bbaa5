/**
 * Express (4 and 5): `app.use(agentLagExpress(options))`, before the routes, or the whole app wrapped as the
 * server's handler (`agentLagExpressApp`), which saves Express's per-layer cost. The route template is only
 * known once the router matched, which sets `req.route` just before the route's handlers run; the
 * request record reads it from there when it needs it (a block report, the end of the request), so the
 * adapter hooks nothing in Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { AdapterCore, recordOf, type MiddlewareOptions } from './core.js';
import { writeShedResponse } from './respond.js';
import { joinRoute } from './route-name.js';

/** The parts of an Express request used (structural: no dependency on express or its types). */
export interface ExpressRequestLike extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown } | undefined;
}

export type ExpressMiddleware = ((req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void) & {
  /** Stops the shedding timer. */
  close(): void;
};

/** The mount path and the matched route's own template. */
function expressRoute(req: ExpressRequestLike): string | undefined {
  const path = req.route?.path;
  return path === undefined ? undefined : joinRoute(req.baseUrl, path);
}

/**
 * Tracks one request, then runs `rest.call(undefined, a, b)`: the middleware's `next`, or the whole app.
 * Not at all when shedding answered it; untracked when an outer instance (app and sub-app) already tracks it.
 */
function trackExpressRequest<A, B>(
  core: AdapterCore<ExpressRequestLike>,
  req: ExpressRequestLike,
  res: ServerResponse,
  rest: (this: undefined, a: A, b: B) => unknown,
  a: A,
  b: B,
): void {
  if (recordOf(res) !== undefined) {
    rest.call(undefined, a, b);
    return;
  }
  const method = req.method ?? 'GET';
  if (core.gate?.shedder.active === true) {
    const response = core.shed(method, pathOf(req.originalUrl ?? req.url), null);
    if (response !== null) {
      writeShedResponse(res, response);
      return;
    }
  }
  const record = core.open(req, req, res, method, expressRoute);
  core.run(record, rest, undefined, a, b);
}

export function agentLagExpress(options: MiddlewareOptions<ExpressRequestLike> = {}): ExpressMiddleware {
  const core = new AdapterCore<ExpressRequestLike>(options);
  const middleware = function agentLag(req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void): void {
    trackExpressRequest(core, req, res, next, undefined, undefined);
  } as ExpressMiddleware;
  middleware.close = () => core.stop();
  return middleware;
}

/** An Express app (or anything called as `app(req, res)`), as a plain http request handler. */
export type ExpressAppLike = (req: IncomingMessage, res: ServerResponse) => unknown;

export type TrackedExpressApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** Stops the shedding timer. */
  close(): void;
};

/**
 * The whole app as the server's request handler: `http.createServer(agentLagExpressApp(app, options))`
 * instead of `app.use(agentLagExpress(options))`. Same figures, context and shedding, without the router
 * layer Express adds for every middleware (measured at 1.8-2.6% of a trivial route). Its context covers
 * the app's own middleware too, which run before the routes.
 */
export function agentLagExpressApp(app: ExpressAppLike, options: MiddlewareOptions<ExpressRequestLike> = {}): TrackedExpressApp {
  if (typeof app !== 'function') throw new TypeError('agent-lag: agentLagExpressApp(app) needs the Express app');
  const core = new AdapterCore<ExpressRequestLike>(options);
  const handler = function agentLagExpressApp(req: IncomingMessage, res: ServerResponse): void {
    trackExpressRequest(core, req, res, app, req, res);
  } as TrackedExpressApp;
  handler.close = () => core.stop();
  return handler;
}
