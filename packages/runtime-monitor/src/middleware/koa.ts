/**
 * Koa: `app.use(agentLagKoa(options))`, before the router. @koa/router names the matched template by
 * assigning `ctx._matchedRoute` just before the route's middleware runs; an accessor on the app's
 * context prototype (installed once per app) updates the monitor context right there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { observeAssignment } from './assignment-hook.js';
import { AdapterCore, getRequestTracker, recordOf, type MiddlewareOptions } from './core.js';
import { UNMATCHED_ROUTE } from './tracker.js';

/** The parts of a Koa context used (structural: no dependency on koa or its types). */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  status: number;
  body: unknown;
  set(field: Record<string, string>): void;
}

export type KoaMiddleware = ((ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>) & {
  /** Stops the shedding timer. */
  close(): void;
};

function onMatchedRoute(target: object, route: unknown): void {
  const response = (target as { res?: ServerResponse }).res;
  const record = response === undefined ? undefined : recordOf(response);
  if (record !== undefined && typeof route === 'string') getRequestTracker().setRoute(record, route);
}

export function agentLagKoa(options: MiddlewareOptions<KoaContextLike> = {}): KoaMiddleware {
  const core = new AdapterCore<KoaContextLike>(options);

  let hookedPrototype: object | null = null;

  const middleware = function agentLag(ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> {
    // Mounted twice: the outer instance already tracks this request.
    if (recordOf(ctx.res) !== undefined) return next() as Promise<void>;
    if (core.gate?.shedder.active === true) {
      const response = core.shed(ctx.method, pathOf(ctx.path), null);
      if (response !== null) {
        ctx.status = response.statusCode;
        ctx.set(response.headers);
        ctx.body = response.body;
        return Promise.resolve();
      }
    }
    const proto = Object.getPrototypeOf(ctx) as object;
    if (proto !== hookedPrototype) {
      observeAssignment(proto, '_matchedRoute', false, onMatchedRoute);
      hookedPrototype = proto;
    }
    // In flight until the response is fully written: streamed (SSE) agent answers count as in flight.
    const record = core.open(ctx, ctx.req, ctx.res, ctx.method, null, UNMATCHED_ROUTE);
    return core.run(record, next) as Promise<void>;
  } as KoaMiddleware;
  middleware.close = () => core.stop();
  return middleware;
}
