/**
 * What every adapter shares: options, the request's monitor context, request ids, shedding, and the
 * process-wide tracker. An adapter translates its framework's request/response into these calls and
 * nothing more, so the semantics are the same in Express, Fastify, Koa and plain http.
 */
import type { MonitorContext } from '../types.js';
import { ShedGate, type ShedOptions, type ShedResponse } from '../shedding/gate.js';
import { sanitizeContext } from '../context/index.js';
import { currentMonitor, enterContext, runInContext } from './monitor-link.js';
import {
  METHOD_KEY,
  REQUEST_ID_KEY,
  RequestTracker,
  ROUTE_KEY,
  UNMATCHED_ROUTE,
  type MonitorHandleLike,
  type RequestRecord,
} from './tracker.js';

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
}

let sharedTracker: RequestTracker | null = null;

/** The process-wide tracker every adapter reports into (one `routes` section per process). */
export function getRequestTracker(maxRoutes?: number): RequestTracker {
  sharedTracker ??= new RequestTracker({ maxRoutes });
  return sharedTracker;
}

const MAX_REQUEST_ID = 128;
const idPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}-`;
let idCounter = 0;

function headerId(value: string | string[] | undefined): string | null {
  const id = Array.isArray(value) ? value[0] : value;
  if (id === undefined || id === '') return null;
  return id.length > MAX_REQUEST_ID ? id.slice(0, MAX_REQUEST_ID) : id;
}

export class AdapterCore<Req> {
  readonly tracker: RequestTracker;
  /** Null unless shedding is on; adapters test `gate?.shedder.active` before doing any shedding work. */
  readonly gate: ShedGate | null;
  readonly #context: MiddlewareOptions<Req>['context'];
  readonly #requestId: MiddlewareOptions<Req>['requestId'];
  readonly #monitor: MonitorHandleLike | undefined;

  constructor(options: MiddlewareOptions<Req> = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('agent-lag middleware: options must be an object');
    for (const name of ['context', 'requestId'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new TypeError(`agent-lag middleware: ${name} must be a function`);
      }
    }
    this.tracker = getRequestTracker(options.maxRoutes);
    this.#context = options.context;
    this.#requestId = options.requestId;
    this.#monitor = options.monitor;
    this.gate = null;
    if (options.shed !== undefined && options.shed !== false) {
      const gate = new ShedGate(options.shed === true ? {} : options.shed, () => this.tracker.monitor?.snapshot().threadPool?.lastMs ?? null);
      this.tracker.reportShedding(() => {
        const state = gate.shedder.state();
        return { active: state.active, reason: state.reason, since: state.since, episodes: state.episodes };
      });
      gate.start();
      this.gate = gate;
    }
  }

  /** Starts tracking a request and builds its monitor context. */
  open(req: Req, method: string, idHeader: string | string[] | undefined, route: string): RequestRecord {
    const monitor = this.#monitor ?? currentMonitor();
    if (monitor !== null && monitor !== this.tracker.monitor) this.tracker.attach(monitor);

    let id: string | null | undefined = null;
    if (this.#requestId !== undefined) id = this.#callUser(this.#requestId, req) as string | null | undefined;
    id ??= headerId(idHeader) ?? idPrefix + (++idCounter).toString(36);
    const context: MonitorContext = { [ROUTE_KEY]: route, [METHOD_KEY]: method, [REQUEST_ID_KEY]: id };
    if (this.#context !== undefined) {
      const extra = this.#callUser(this.#context, req) as MonitorContext | null | undefined;
      if (extra !== null && typeof extra === 'object') Object.assign(context, sanitizeContext(extra));
    }
    return this.tracker.begin(context, route);
  }

  /** Runs the rest of the request inside its context. */
  run<T>(record: RequestRecord, fn: () => T): T {
    return runInContext(record.context, fn);
  }

  /**
   * The framework matched a route template after the request entered (Express, Koa): update the
   * figures and the context of the code about to run — the handler, where blocks happen.
   */
  routeMatched(record: RequestRecord, route: string): void {
    if (record.route === route) return;
    this.tracker.setRoute(record, route);
    enterContext(record.context);
  }

  close(record: RequestRecord): void {
    this.tracker.end(record);
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
