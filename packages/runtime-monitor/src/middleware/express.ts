/**
 * Express (4 and 5): `app.use(agentLagExpress(options))`, before the routes. The route template is only
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

export function agentLagExpress(options: MiddlewareOptions<ExpressRequestLike> = {}): ExpressMiddleware {
  const core = new AdapterCore<ExpressRequestLike>(options);

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
    const record = core.open(req, req, res, method, null, null, expressRoute);
    core.run(record, next, undefined, undefined, undefined);
  } as ExpressMiddleware;
  middleware.close = () => core.stop();
  return middleware;
}
