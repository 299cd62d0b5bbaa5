/**
 * Express (4 and 5): `app.use(agentLagExpress(options))`, before the routes. The route template is only
 * known once the router matched; Express announces it by assigning `req.route` just before the route's
 * handlers run, so an accessor on the app's request prototype (installed once per app, no per-request
 * closure) updates the context right there — where blocking handlers run.
 */
import { IncomingMessage, type ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { observeAssignment } from './assignment-hook.js';
import { AdapterCore, getRequestTracker, recordOf, type MiddlewareOptions } from './core.js';
import { writeShedResponse } from './respond.js';
import { joinRoute } from './route-name.js';
import { UNMATCHED_ROUTE } from './tracker.js';

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

/** Express sets `req.res`; the record lives on the response. */
interface ExpressRequestWithResponse {
  res?: ServerResponse;
  baseUrl?: string;
}

function onRouteAssigned(target: object, route: unknown): void {
  const req = target as ExpressRequestWithResponse;
  const record = req.res === undefined ? undefined : recordOf(req.res);
  const path = (route as { path?: unknown } | undefined)?.path;
  if (record !== undefined && path !== undefined) getRequestTracker().setRoute(record, joinRoute(req.baseUrl, path));
}

/**
 * Express gives each app (and sub-app) a request prototype inheriting from one shared `express.request`
 * object; hooking that one covers sub-apps too. Never hooks node's own IncomingMessage.prototype.
 */
function expressRequestPrototype(req: object): object | null {
  let proto = Object.getPrototypeOf(req) as object | null;
  while (proto !== null) {
    const parent = Object.getPrototypeOf(proto) as object | null;
    if (parent === IncomingMessage.prototype) return proto;
    proto = parent;
  }
  return null;
}

export function agentLagExpress(options: MiddlewareOptions<ExpressRequestLike> = {}): ExpressMiddleware {
  const core = new AdapterCore<ExpressRequestLike>(options);

  let hookedPrototype: object | null = null;

  const middleware = function agentLag(req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void): void {
    if (recordOf(res) !== undefined) {
      // Mounted twice (app and sub-app): the outer instance already tracks this request.
      next();
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
    const proto = Object.getPrototypeOf(req) as object | null;
    if (proto !== hookedPrototype) {
      const shared = expressRequestPrototype(req);
      if (shared !== null) observeAssignment(shared, 'route', true, onRouteAssigned);
      hookedPrototype = proto;
    }
    const record = core.open(req, req, res, method, null, UNMATCHED_ROUTE);
    core.run(record, next);
  } as ExpressMiddleware;
  middleware.close = () => core.stop();
  return middleware;
}
