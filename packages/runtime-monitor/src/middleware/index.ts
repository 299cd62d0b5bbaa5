/**
 * `@agent-lag/runtime-monitor/middleware`: per-route attribution, in-flight visibility and load
 * shedding for Express, Fastify, Koa and plain http.
 */
export { agentLagExpress, agentLagExpressApp } from './express.js';
export type { ExpressAppLike, ExpressMiddleware, ExpressRequestLike, TrackedExpressApp } from './express.js';
export { agentLagFastify } from './fastify.js';
export type { FastifyOptions, FastifyInstanceLike, FastifyRequestLike } from './fastify.js';
export { agentLagKoa } from './koa.js';
export type { KoaContextLike, KoaMiddleware } from './koa.js';
export { agentLagHttp } from './http.js';
export type { HttpAdapterOptions, TrackedHandler } from './http.js';
export type { MiddlewareOptions } from './core.js';
export { getRequestTracker } from './core.js';
export {
  METHOD_KEY,
  REQUEST_ID_KEY,
  ROUTE_KEY,
  ROUTES_SECTION,
  UNMATCHED_ROUTE,
  RequestTracker,
} from './tracker.js';
export type { MonitorHandleLike, RequestRecord, RouteSectionEntry, RoutesSection } from './tracker.js';
export { OTHER_ROUTE } from './route-table.js';
export type { RouteFigures } from './route-table.js';
export { DEFAULT_HEALTH_PATHS, defaultShedResponse } from '../shedding/gate.js';
export type { ShedInfo, ShedOptions, ShedResponse } from '../shedding/gate.js';
export type { ShedLimits, ShedReason, ShedState } from '../shedding/shedder.js';
