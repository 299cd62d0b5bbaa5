/**
 * Koa: `app.use(agentLagKoa(options))`, before the router. @koa/router stores the matched template in
 * `ctx._matchedRoute` just before the route's middleware runs; the request record reads it from there
 * when it needs it, so the adapter hooks nothing in Koa or the router.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { AdapterCore, recordOf, type MiddlewareOptions } from './core.js';

/** The parts of a Koa context used (structural: no dependency on koa or its types). */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  status: number;
  body: unknown;
  set(field: Record<string, string>): void;
  /** Set by @koa/router once a route matched. */
  _matchedRoute?: unknown;
}

export type KoaMiddleware = ((ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>) & {
  /** Stops the shedding timer. */
  close(): void;
};

function koaRoute(ctx: KoaContextLike): string | undefined {
  return typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
}

export function agentLagKoa(options: MiddlewareOptions<KoaContextLike> = {}): KoaMiddleware {
  const core = new AdapterCore<KoaContextLike>(options);

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
    // In flight until the response is fully written: streamed (SSE) agent answers count as in flight.
    const record = core.open(ctx, ctx.req, ctx.res, ctx.method, koaRoute);
    return core.run(record, next, undefined, undefined, undefined) as Promise<void>;
  } as KoaMiddleware;
  middleware.close = () => core.stop();
  return middleware;
}
