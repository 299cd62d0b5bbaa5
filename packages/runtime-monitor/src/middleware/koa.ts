/**
 * Koa: `app.use(agentLagKoa(options))`, before the router. @koa/router names the matched template by
 * assigning `ctx._matchedRoute` just before the route's middleware runs; an accessor on the app's
 * context prototype (installed once per app) updates the monitor context right there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { observeAssignment } from './assignment-hook.js';
import { AdapterCore, type MiddlewareOptions } from './core.js';
import { UNMATCHED_ROUTE, type RequestRecord } from './tracker.js';

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

const kRecord = Symbol('agent-lag.record');
const kCore = Symbol('agent-lag.core');

interface Tracked {
  [kRecord]?: RequestRecord;
  [kCore]?: AdapterCore<KoaContextLike>;
}

function onMatchedRoute(target: object, route: unknown): void {
  const tracked = target as Tracked;
  const record = tracked[kRecord];
  const core = tracked[kCore];
  if (record !== undefined && core !== undefined && typeof route === 'string') core.routeMatched(record, route);
}

export function agentLagKoa(options: MiddlewareOptions<KoaContextLike> = {}): KoaMiddleware {
  const core = new AdapterCore<KoaContextLike>(options);

  function onClose(this: ServerResponse & { [kRecord]?: RequestRecord }): void {
    const record = this[kRecord];
    if (record !== undefined) core.close(record);
  }

  const middleware = function agentLag(ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> {
    const tracked = ctx as KoaContextLike & Tracked;
    if (tracked[kRecord] !== undefined) return next() as Promise<void>;
    if (core.gate?.shedder.active === true) {
      const response = core.shed(ctx.method, pathOf(ctx.path), null);
      if (response !== null) {
        ctx.status = response.statusCode;
        ctx.set(response.headers);
        ctx.body = response.body;
        return Promise.resolve();
      }
    }
    observeAssignment(Object.getPrototypeOf(ctx) as object, '_matchedRoute', false, onMatchedRoute);
    const record = core.open(ctx, ctx.method, ctx.req.headers['x-request-id'], UNMATCHED_ROUTE);
    tracked[kRecord] = record;
    tracked[kCore] = core;
    // In flight until the response is fully written: streamed (SSE) agent answers count as in flight.
    (ctx.res as ServerResponse & { [kRecord]?: RequestRecord })[kRecord] = record;
    ctx.res.once('close', onClose);
    return core.run(record, next) as Promise<void>;
  } as KoaMiddleware;
  middleware.close = () => core.stop();
  return middleware;
}
