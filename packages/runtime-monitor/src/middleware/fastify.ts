/**
 * Fastify (4 and 5): `app.register(agentLagFastify, options)`. Like plugins wrapped in fastify-plugin,
 * it skips encapsulation for the context it is registered in — registered at the root it covers every
 * route, registered inside an encapsulated plugin it covers that plugin's routes only. Routes can opt
 * out of shedding with `config: { agentLag: { shed: false } }`.
 */
import type { IncomingMessage } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { AdapterCore, type MiddlewareOptions } from './core.js';
import { UNMATCHED_ROUTE, type RequestRecord } from './tracker.js';

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
  code(statusCode: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

type Done = (error?: Error) => void;
type Hook = (request: FastifyRequestLike, reply: FastifyReplyLike, done: Done) => void;

/** The parts of a Fastify instance used. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest' | 'preValidation' | 'onResponse' | 'onRequestAbort', hook: Hook): unknown;
  decorateRequest(name: string, value: null): unknown;
  hasRequestDecorator(name: string): boolean;
}

export type FastifyOptions = MiddlewareOptions<FastifyRequestLike>;

const RECORD = 'agentLagRecord';
type Tracked = FastifyRequestLike & { [RECORD]?: RequestRecord | null };

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
  if (!instance.hasRequestDecorator(RECORD)) instance.decorateRequest(RECORD, null);

  instance.addHook('onRequest', (request, reply, next) => {
    const tracked = request as Tracked;
    if (tracked[RECORD] != null) {
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
    const record = core.open(request, request.method, request.id, route);
    tracked[RECORD] = record;
    core.run(record, next);
  });
  // Body parsing resumes from stream events, outside the context entered in onRequest: enter it again.
  instance.addHook('preValidation', (request, _reply, next) => {
    const record = (request as Tracked)[RECORD];
    if (record == null) next();
    else core.run(record, next);
  });
  const finish: Hook = (request, _reply, next) => {
    const record = (request as Tracked)[RECORD];
    if (record != null) core.close(record);
    next();
  };
  instance.addHook('onResponse', finish);
  instance.addHook('onRequestAbort', finish);
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
