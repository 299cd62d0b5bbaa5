/**
 * Fastify (4 and 5): `app.register(agentLagFastify, options)`. Like plugins wrapped in fastify-plugin,
 * it skips encapsulation for the context it is registered in — registered at the root it covers every
 * route, registered inside an encapsulated plugin it covers that plugin's routes only. It covers the
 * routes declared after it is registered (register it first). Routes can opt out of shedding with
 * `config: { agentLag: { shed: false } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { AdapterCore, recordOf, type MiddlewareOptions } from './core.js';
import { UNMATCHED_ROUTE, requestId, routeTemplate } from './tracker.js';

/** The parts of a Fastify request used (structural: no dependency on fastify or its types). */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  id: string;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  routeOptions?: { url?: string; config?: unknown };
}

interface FastifyReplyLike {
  raw: ServerResponse;
  code(statusCode: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

type Done = (error?: Error) => void;
type Hook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void;
type RouteHandler = (this: unknown, request: FastifyRequestLike, reply: FastifyReplyLike) => unknown;

/** What Fastify's `onRoute` hook is given (the parts used). */
interface RouteOptionsLike {
  url?: string;
  handler?: unknown;
}

/** The parts of a Fastify instance used. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: Hook): unknown;
  addHook(name: 'onRoute', hook: (routeOptions: RouteOptionsLike) => void): unknown;
}

export type FastifyOptions = MiddlewareOptions<FastifyRequestLike>;

/** Marks a handler already wrapped (a registration at the root and again inside a plugin, or HEAD sharing GET's). */
const TRACKED = Symbol('agent-lag.fastifyHandler');

function routeOptsOut(request: FastifyRequestLike): boolean {
  const config = request.routeOptions?.config as { agentLag?: { shed?: boolean } } | undefined;
  return config?.agentLag?.shed === false;
}

/*
 * No per-request hooks: the plugin wraps each route's handler as the route is declared (`onRoute`), so the
 * route template is known without a lookup, the context is entered right where the route's code runs
 * (after body parsing), and Fastify's fast path for routes without hooks stays. Measured: a second hook
 * type on the instance (onRequest + preValidation) cost a trivial route a third of its instructions.
 * The record ends once its response is done, like every adapter's (see RequestTracker).
 */
function agentLagFastifyPlugin(instance: FastifyInstanceLike, options: FastifyOptions, done: Done): void {
  let core: AdapterCore<FastifyRequestLike>;
  try {
    // Fastify passes its own keys (prefix, logLevel) along with the user's: pick ours only.
    const { context, requestId, shed, monitor, maxRoutes, asyncContext } = options ?? {};
    core = new AdapterCore<FastifyRequestLike>({ context, requestId, shed, monitor, maxRoutes, asyncContext });
  } catch (error) {
    done(error as Error);
    return;
  }
  instance.addHook('onRoute', (routeOptions) => {
    const handler = routeOptions.handler;
    if (typeof handler !== 'function' || (handler as { [TRACKED]?: true })[TRACKED] === true) return;
    const route = routeTemplate(typeof routeOptions.url === 'string' && routeOptions.url !== '' ? routeOptions.url : UNMATCHED_ROUTE);
    const original = handler as RouteHandler;
    const tracked = function agentLagRoute(this: unknown, request: FastifyRequestLike, reply: FastifyReplyLike): unknown {
      // Registered in a parent context too and wrapped there first: that registration tracks this request.
      if (recordOf(reply.raw) !== undefined) return original.call(this, request, reply);
      const record = core.open(request, request.raw, reply.raw, request.method, route, requestId(request.id));
      return core.run(record, original, this, request, reply);
    };
    Object.defineProperty(tracked, TRACKED, { value: true });
    routeOptions.handler = tracked;
  });
  // Shedding answers before routing work and body parsing; the hook exists only when shedding is configured.
  if (core.gate !== null) {
    instance.addHook('onRequest', (request, reply, next) => {
      if (core.gate?.shedder.active === true && !routeOptsOut(request)) {
        const response = core.shed(request.method, pathOf(request.url), request.routeOptions?.url ?? null);
        if (response !== null) {
          reply.code(response.statusCode).headers(response.headers).send(response.body);
          return;
        }
      }
      next();
    });
  }
  done();
}

/** Plugin metadata the way fastify-plugin writes it (without depending on fastify-plugin). */
Object.assign(agentLagFastifyPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@agent-lag/runtime-monitor',
  [Symbol.for('plugin-meta')]: { name: '@agent-lag/runtime-monitor', fastify: '>=4' },
  default: agentLagFastifyPlugin,
});

export const agentLagFastify = agentLagFastifyPlugin;
