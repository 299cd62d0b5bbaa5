/**
 * Per-route figures with bounded cardinality: at most `maxRoutes` route templates are tracked, every
 * further route is counted under `other`, so a router that leaks raw paths cannot blow up the metrics.
 */

/** The context key naming the route a block ran in (OpenTelemetry's attribute name). */
export const ROUTE_KEY = 'http.route';

/** Name of the monitor section the tracker publishes. */
export const ROUTES_SECTION = 'routes';

/** The label routes beyond the cap are counted under. */
export const OTHER_ROUTE = 'other';

/** Cumulative figures of one route template (plain data, published to the worker as is). */
export interface RouteFigures {
  route: string;
  /** Requests of this route that have finished. */
  requests: number;
  /** Stalls whose context named this route (the route was running when the loop froze). */
  blocks: number;
  blockedMs: number;
  worstBlockMs: number;
  /** Stall time that in-flight requests of this route waited through while another piece of code held the loop. */
  waitedMs: number;
  /** How many (request, stall) pairs make up `waitedMs`. */
  waits: number;
  /** Requests answered with the shedding response. */
  shed: number;
}

export class RouteTable {
  readonly #routes = new Map<string, RouteFigures>();
  readonly #maxRoutes: number;

  constructor(maxRoutes: number) {
    this.#maxRoutes = maxRoutes;
  }

  /** The figures of `route`, created on first sight; `other` once the cap is reached. */
  get(route: string): RouteFigures {
    let figures = this.#routes.get(route);
    if (figures !== undefined) return figures;
    const name = this.#routes.size < this.#maxRoutes ? route : OTHER_ROUTE;
    figures = this.#routes.get(name);
    if (figures === undefined) {
      figures = { route: name, requests: 0, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0, shed: 0 };
      this.#routes.set(name, figures);
    }
    return figures;
  }

  values(): IterableIterator<RouteFigures> {
    return this.#routes.values();
  }
}
