/**
 * What every adapter shares: options, the request's monitor context, request ids, shedding, and the
 * process-wide tracker. An adapter translates its framework's request/response into these calls and
 * nothing more, so the semantics are the same in Express, Fastify, Koa and plain http.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MonitorContext } from '../types.js';
import { ShedGate, type ShedOptions, type ShedResponse } from '../shedding/gate.js';
import { installRequestsInFlightCounter, runInSyncContext, runWithLiveContext, sanitizeContext, type RequestStep } from '../context/index.js';
import { currentMonitor } from './monitor-link.js';
import { RequestTracker, UNMATCHED_ROUTE, requestId, type MonitorHandleLike, type RequestId, type RequestRecord, type RouteResolver, type RouteTemplate } from './tracker.js';

export interface MiddlewareOptions<Req> {
  /** Extra context for the request (agent run id, tenant, ...): strings, numbers, booleans or null. */
  context?: (req: Req) => MonitorContext | null | undefined;
  /** The request id; default: the `x-request-id` header when present, else a generated one. */
  requestId?: (req: Req) => string | null | undefined;
  /** Opt-in load shedding: `true` for the default limits, or limits and exemptions. */
  shed?: boolean | ShedOptions;
  /** The monitor to report to; default: the running one (`getMonitor()`), looked up per request until found. */
  monitor?: MonitorHandleLike;
  /** Route templates tracked before further ones are counted under `other` (process-wide; the first adapter's value wins). Default 100. */
  maxRoutes?: number;
  /**
   * How the request's context reaches the code it runs. `true`: through every await and stream event
   * (AsyncLocalStorage, which on Node 20/22 costs 5-14% of a trivial route). `false`: the synchronous part
   * of the handler only. `'auto'` (default): synchronous only until the monitor reports a block during a
   * request that no route could be named for, then AsyncLocalStorage for every request from then on.
   */
  asyncContext?: boolean | 'auto';
}

let sharedTracker: RequestTracker | null = null;

/** The process-wide tracker every adapter reports into (one `routes` section per process). */
export function getRequestTracker(maxRoutes?: number): RequestTracker {
  if (sharedTracker === null) {
    const tracker = new RequestTracker({ maxRoutes });
    // Read inside a block's capture: whether the block ran while a request was in flight (asyncContext 'auto').
    installRequestsInFlightCounter(() => tracker.countInFlightForCapture());
    sharedTracker = tracker;
  }
  return sharedTracker;
}

/** The record of a response some adapter already tracks (mounted twice: app and sub-app), if any. */
export function recordOf(response: ServerResponse): RequestRecord | undefined {
  return sharedTracker?.recordOf(response);
}

export class AdapterCore<Req> {
  readonly tracker: RequestTracker;
  /** Null unless shedding is on; adapters test `gate?.shedder.active` before doing any shedding work. */
  readonly gate: ShedGate | null;
  readonly #context: MiddlewareOptions<Req>['context'];
  readonly #requestId: MiddlewareOptions<Req>['requestId'];
  readonly #monitor: MonitorHandleLike | undefined;
  readonly #asyncContext: boolean | 'auto';

  constructor(options: MiddlewareOptions<Req> = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('agent-lag middleware: options must be an object');
    for (const name of ['context', 'requestId'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new TypeError(`agent-lag middleware: ${name} must be a function`);
      }
    }
    const asyncContext = options.asyncContext === undefined ? 'auto' : options.asyncContext;
    if (asyncContext !== true && asyncContext !== false && asyncContext !== 'auto') {
      throw new TypeError(`agent-lag middleware: asyncContext must be true, false or 'auto', got ${JSON.stringify(asyncContext)}`);
    }
    this.#asyncContext = asyncContext;
    this.tracker = getRequestTracker(options.maxRoutes);
    this.#context = options.context;
    this.#requestId = options.requestId;
    this.#monitor = options.monitor;
    this.gate = null;
    if (options.shed !== undefined && options.shed !== false) {
      const gate = new ShedGate(
        options.shed === true ? {} : options.shed,
        () => this.tracker.monitor?.snapshot().threadPool?.lastMs ?? null,
        () => {
          const startedAt = this.tracker.oldestRunStartedAt();
          return startedAt === null ? null : Math.max(0, Date.now() - startedAt);
        },
      );
      this.tracker.reportShedding(() => {
        const state = gate.shedder.state();
        return { active: state.active, reason: state.reason, since: state.since, episodes: state.episodes };
      });
      gate.start();
      this.gate = gate;
    }
  }

  /**
   * Starts tracking a request. `route` is the template when known up front (`routeTemplate(...)`),
   * otherwise a resolver that reads it from `req` once the router has matched. `id` is a framework's own
   * request id (`requestId(...)`), if it has one; otherwise the `x-request-id` header or a generated id
   * is used, read only if a report ever needs it. (Branded types: see RouteTemplate in tracker.ts.)
   */
  open(
    req: Req,
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    route: RouteTemplate | RouteResolver<Req>,
    id: RequestId | null = null,
  ): RequestRecord {
    const monitor = this.#monitor ?? currentMonitor();
    if (monitor !== null && monitor !== this.tracker.monitor) this.tracker.attach(monitor);
    if (this.#requestId !== undefined) {
      const chosen = this.#callUser(this.#requestId, req);
      if (typeof chosen === 'string' && chosen !== '') id = requestId(chosen);
    }
    let extra: MonitorContext | null = null;
    if (this.#context !== undefined) {
      const fields = this.#callUser(this.#context, req);
      if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) extra = sanitizeContext(fields);
    }
    return this.tracker.begin(request, response, method, route, req, id, extra);
  }

  /** Runs `fn.call(self, a, b)` — the rest of the request — inside the request's context. */
  run<This, A, B, T>(record: RequestRecord, fn: RequestStep<This, A, B, T>, self: This, a: A, b: B): T {
    const mode = this.#asyncContext;
    if (mode === true || (mode === 'auto' && this.tracker.asyncContextWanted)) return runWithLiveContext(record, fn, self, a, b);
    return runInSyncContext(record, fn, self, a, b);
  }

  /** The shedding response for this request, or null. Counts it when shed. */
  shed(method: string, path: string, route: string | null): ShedResponse | null {
    const gate = this.gate;
    if (gate === null || !gate.shedder.active) return null;
    const response = gate.check(method, path, route);
    if (response !== null) this.tracker.countShed(route ?? UNMATCHED_ROUTE);
    return response;
  }

  /** Stops the shedding timer (it is unref'd, so this is only needed to reconfigure). */
  stop(): void {
    this.gate?.stop();
  }

  #callUser(fn: (req: Req) => unknown, req: Req): unknown {
    try {
      return fn(req);
    } catch {
      // A throwing user callback must not fail the request; the field is just left out.
      return undefined;
    }
  }
}
