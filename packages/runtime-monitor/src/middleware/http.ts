/**
 * Plain `http.createServer` handlers: `http.createServer(agentLagHttp(handler, options))`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../shedding/route-matcher.js';
import { AdapterCore, recordOf, type MiddlewareOptions } from './core.js';
import { writeShedResponse } from './respond.js';
import { firstSegmentRoute } from './route-name.js';
import { routeTemplate } from './tracker.js';

export interface HttpAdapterOptions extends MiddlewareOptions<IncomingMessage> {
  /** The route template of a request (`/users/:id`); default: `/<first path segment>/*` when it reads as a word, else `unmatched`. */
  route?: (req: IncomingMessage) => string | null | undefined;
}

type Handler<Req extends IncomingMessage, Res extends ServerResponse> = (req: Req, res: Res) => unknown;

export type TrackedHandler<Req extends IncomingMessage, Res extends ServerResponse> = Handler<Req, Res> & {
  /** Stops the shedding timer. */
  close(): void;
};

export function agentLagHttp<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  handler: Handler<Req, Res>,
  options: HttpAdapterOptions = {},
): TrackedHandler<Req, Res> {
  if (typeof handler !== 'function') throw new TypeError('agent-lag: agentLagHttp(handler) needs the request handler');
  const core = new AdapterCore<IncomingMessage>(options);
  const routeOf = options.route;
  if (routeOf !== undefined && typeof routeOf !== 'function') throw new TypeError('agent-lag middleware: route must be a function');

  const tracked = function agentLagHandler(req: Req, res: Res): unknown {
    // Wrapped twice: the outer wrapper already tracks this request.
    if (recordOf(res) !== undefined) return handler(req, res);
    let route: string | null | undefined;
    if (routeOf !== undefined) {
      try {
        route = routeOf(req);
      } catch {
        route = undefined;
      }
    }
    route ??= firstSegmentRoute(req.url);
    const method = req.method ?? 'GET';
    if (core.gate?.shedder.active === true) {
      const response = core.shed(method, pathOf(req.url), route);
      if (response !== null) {
        writeShedResponse(res, response);
        return undefined;
      }
    }
    const record = core.open(req, req, res, method, routeTemplate(route));
    return core.run(record, handler, undefined, req, res);
  } as TrackedHandler<Req, Res>;
  tracked.close = () => core.stop();
  return tracked;
}
