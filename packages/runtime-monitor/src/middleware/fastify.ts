/**
 * Fastify (4 and 5): `app.register(agentLagFastify, options)`. Like plugins wrapped in fastify-plugin,
 * it skips encapsulation for the context it is registered in — registered at the root it covers every
 * route, registered inside an encapsulated plugin it covers that plugin's routes only. Routes can opt
 * out of shedding with `config: { agentLag: { shed: false } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { AdapterCore, recordOf, type MiddlewareOptions } from './core.js';
import { UNMATCHED_ROUTE } from './tracker.js';

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

/** The parts of a Fastify instance used. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest' | 'preValidation', hook: Hook): unknown;
}

export type FastifyOptions = MiddlewareOptions<FastifyRequestLike>;

function routeOptsOut(request: FastifyRequestLike): boolean {
  const config = request.routeOptions?.config as { agentLag?: { shed?: boolean } } | undefined;
  return config?.agentLag?.shed === false;
}

function agentLagFastifyPlugin(instance: FastifyInstanceLike, options: FastifyOptions, done: Done): void {
  let core: AdapterCore<FastifyRequestLike>;
  try {
    // Fastify passes its own keys (prefix, logLevel) along with the user's: pick ours only.
    const { context, requestId, shed, monitor, maxRoutes } = options ?? {};
    core = new AdapterCore<FastifyRequestLike>({ context, requestId, shed, monitor, maxRoutes });
  } catch (error) {
    done(error as Error);
    return;
  }
  instance.addHook('onRequest', (request, reply, next) => {
    // Registered in a parent context too: the outer registration already tracks this request.
    if (recordOf(reply.raw) !== undefined) {
      next();
      return;
    }
    const route = request.routeOptions?.url ?? UNMATCHED_ROUTE;
    if (core.gate?.shedder.active === true && !routeOptsOut(request)) {
      const response = core.shed(request.method, pathOf(request.url), route);
      if (response !== null) {
        reply.code(response.statusCode).headers(response.headers).send(response.body);
        return;
      }
    }
    // No onResponse/onRequestAbort hooks: the record ends with node's response finish (or a sweep), and
    // every hook a plugin adds costs every request of the instance.
    const record = core.open(request, request.raw, reply.raw, request.method, request.id, route);
    core.run(record, next);
  });
  // Body parsing resumes from stream events, outside the context entered in onRequest: enter it again.
  instance.addHook('preValidation', (_request, reply, next) => {
    const record = recordOf(reply.raw);
    if (record === undefined) next();
    else core.run(record, next);
  });
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
