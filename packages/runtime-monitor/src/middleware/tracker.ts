/**
 * The one core behind every adapter: per-request records, per-route figures, attribution of stalls to
 * routes, and the `routes` section the watchdog worker serves while the loop is frozen. Adapters call
 * `begin` / `setRoute` / `end`; everything else happens off the request path.
 */
import type { BlockEvent, MonitorContext, MonitorSnapshot } from '../types.js';
import { EVENT_LOOP_SECTION } from '../exporters/families.js';
import { readEventLoopTime } from '../exporters/event-loop-time.js';
import { RouteTable, type RouteFigures } from './route-table.js';

/** Context keys the adapters set (OpenTelemetry attribute names where one exists). */
export const ROUTE_KEY = 'http.route';
export const METHOD_KEY = 'http.request.method';
export const REQUEST_ID_KEY = 'request.id';

/** The label of requests no route matched (404s, or middleware running before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the tracker needs from a monitor handle (structural, so tests and future handles fit). */
export interface MonitorHandleLike {
  snapshot(): MonitorSnapshot;
  on(event: 'block', listener: (event: BlockEvent) => void): unknown;
  off?(event: 'block', listener: (event: BlockEvent) => void): unknown;
  publishSection?(name: string, provider: () => unknown): unknown;
}

/** One request in flight. `context` is the object installed as the request's monitor context. */
export interface RequestRecord {
  readonly context: MonitorContext;
  route: string;
  /** Epoch ms. */
  readonly startedAt: number;
}

/** A route's figures plus what is in flight for it, as published in `snapshot.sections.routes`. */
export interface RouteSectionEntry extends RouteFigures {
  inFlight: number;
  /** Epoch ms the oldest in-flight request of this route started; null when none. Ages are computed by readers, so they keep growing during a wedge. */
  oldestInFlightStartedAt: number | null;
}

export interface RoutesSection {
  /** Epoch ms the section was produced on the main thread. */
  at: number;
  routes: RouteSectionEntry[];
  /** Stalls whose context named no route (outside any request). */
  unattributedBlocks: number;
  shedding: { active: boolean; reason: string | null; since: number | null; episodes: number } | null;
}

/** Name of the monitor section the tracker publishes. */
export const ROUTES_SECTION = 'routes';

export interface TrackerOptions {
  /** Route templates tracked before further ones are counted under `other`. Default 100. */
  maxRoutes?: number;
}

export class RequestTracker {
  readonly routes: RouteTable;
  readonly #inFlight = new Set<RequestRecord>();
  #unattributedBlocks = 0;
  #monitor: MonitorHandleLike | null = null;
  #sheddingState: (() => RoutesSection['shedding']) | null = null;
  readonly #onBlock = (event: BlockEvent): void => this.recordBlock(event);

  constructor(options: TrackerOptions = {}) {
    const maxRoutes = options.maxRoutes ?? 100;
    if (!Number.isInteger(maxRoutes) || maxRoutes < 1) {
      throw new TypeError(`agent-lag middleware: maxRoutes must be a positive integer, got ${String(maxRoutes)}`);
    }
    this.routes = new RouteTable(maxRoutes);
  }

  get monitor(): MonitorHandleLike | null {
    return this.#monitor;
  }

  /** Listens to the monitor's blocks and publishes the routes section through it. Idempotent per handle. */
  attach(monitor: MonitorHandleLike): void {
    if (this.#monitor === monitor) return;
    this.detach();
    this.#monitor = monitor;
    monitor.on('block', this.#onBlock);
    monitor.publishSection?.(ROUTES_SECTION, () => this.section());
    // The worker cannot read the main thread's loop time: publish it so its endpoint exports nodejs_eventloop_time.
    monitor.publishSection?.(EVENT_LOOP_SECTION, readEventLoopTime);
  }

  detach(): void {
    this.#monitor?.off?.('block', this.#onBlock);
    this.#monitor = null;
  }

  /** Lets the shedding gate report its state in the section. */
  reportShedding(provider: () => RoutesSection['shedding']): void {
    this.#sheddingState = provider;
  }

  begin(context: MonitorContext, route: string): RequestRecord {
    const record: RequestRecord = { context, route, startedAt: Date.now() };
    this.#inFlight.add(record);
    return record;
  }

  setRoute(record: RequestRecord, route: string): void {
    record.route = route;
    record.context[ROUTE_KEY] = route;
  }

  end(record: RequestRecord): void {
    // `finish` and `close` may both fire; count the request once.
    if (this.#inFlight.delete(record)) this.routes.get(record.route).requests++;
  }

  countShed(route: string): void {
    this.routes.get(route).shed++;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /**
   * Blames the route named in the stall's context, and charges the stall to every other request that
   * was in flight across it (the delay they waited through). Requests that finished between the end
   * of the stall and the event's delivery are not charged: the figure is a lower bound.
   */
  recordBlock(event: BlockEvent): void {
    if (event.startup === true) return;
    const route = event.context?.[ROUTE_KEY];
    const blockerId = event.context?.[REQUEST_ID_KEY];
    if (typeof route === 'string') {
      const figures = this.routes.get(route);
      figures.blocks++;
      figures.blockedMs += event.durationMs;
      if (event.durationMs > figures.worstBlockMs) figures.worstBlockMs = event.durationMs;
    } else {
      this.#unattributedBlocks++;
    }
    const blockEnd = event.startedAt + event.durationMs;
    for (const record of this.#inFlight) {
      if (record.startedAt >= blockEnd) continue;
      if (blockerId !== undefined && record.context[REQUEST_ID_KEY] === blockerId) continue;
      const waited = blockEnd - Math.max(record.startedAt, event.startedAt);
      if (waited <= 0) continue;
      const figures = this.routes.get(record.route);
      figures.waitedMs += waited;
      figures.waits++;
    }
  }

  /** The published section; in-flight figures are derived here, not per request. */
  section(): RoutesSection {
    const entries = new Map<string, RouteSectionEntry>();
    for (const figures of this.routes.values()) {
      entries.set(figures.route, { ...figures, inFlight: 0, oldestInFlightStartedAt: null });
    }
    for (const record of this.#inFlight) {
      const label = this.routes.labelOf(record.route);
      let entry = entries.get(label);
      if (entry === undefined) {
        entry = { ...this.routes.get(label), inFlight: 0, oldestInFlightStartedAt: null };
        entries.set(label, entry);
      }
      entry.inFlight++;
      if (entry.oldestInFlightStartedAt === null || record.startedAt < entry.oldestInFlightStartedAt) {
        entry.oldestInFlightStartedAt = record.startedAt;
      }
    }
    return {
      at: Date.now(),
      routes: [...entries.values()],
      unattributedBlocks: this.#unattributedBlocks,
      shedding: this.#sheddingState?.() ?? null,
    };
  }
}
