/**
 * The one core behind every adapter: per-request records, per-route figures, attribution of stalls to
 * routes, and the `routes` section the watchdog worker serves while the loop is frozen. Adapters call
 * `begin`; records end lazily, and everything else happens off the request path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockEvent, MonitorContext, MonitorSnapshot, SlaEvent } from '../types.js';
import { EVENT_LOOP_SECTION } from '../exporters/snapshot-sections.js';
import { blockStartOf } from '../events/block-span.js';
import { readEventLoopTime } from '../exporters/event-loop-time.js';
import { RunRecord, type AgentRun } from '../agents/run-record.js';
import { AGENTS_SECTION, chargeBlock, RunFigures, type AgentsSection, type RunLimits } from '../agents/run-figures.js';
import { currentContextStore, endSyncRun, LiveContext } from '../context/index.js';
import { InFlightRecord } from './in-flight.js';
import { InFlightSla } from './in-flight-sla.js';
import { SLA_SECTION } from '../exporters/snapshot-sections.js';
import { ROUTE_KEY, ROUTES_SECTION, RouteTable, type RouteFigures } from './route-table.js';

/** Context keys the adapters set (OpenTelemetry attribute names where one exists). */
export { ROUTE_KEY, ROUTES_SECTION };
export const METHOD_KEY = 'http.request.method';
export const REQUEST_ID_KEY = 'request.id';

/** Whether the context of the code running now (a request's record, or fields entered with withContext) names a route. */
function currentContextNamesRoute(): boolean {
  const store = currentContextStore();
  if (store === undefined) return false;
  return typeof (store instanceof LiveContext ? store.toContext() : store)[ROUTE_KEY] === 'string';
}

/** The label of requests no route matched (404s, or middleware running before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the tracker needs from a monitor handle (structural, so tests and future handles fit). */
export interface MonitorHandleLike {
  snapshot(): MonitorSnapshot;
  /** `stall` (every counted block) where the handle has it, else `block` (reported ones only). */
  on(event: 'block' | 'stall', listener: (event: BlockEvent) => void): unknown;
  off?(event: 'block' | 'stall', listener: (event: BlockEvent) => void): unknown;
  /** `figuresVersion` changes when the section's cumulative figures do (see MonitorHandle.publishSection). */
  publishSection?(name: string, provider: () => unknown, figuresVersion?: () => number): unknown;
  /** The monitor's `inFlightSlaMs` (0 or absent: off). */
  readonly inFlightSlaMs?: number;
  reportSlaBreach?(event: SlaEvent): void;
}

const MAX_REQUEST_ID = 128;
const ID_PREFIX = `${process.pid.toString(36)}-${Date.now().toString(36)}-`;
let requestSequence = 0;

/**
 * Reads the route template a framework's router stored on its request object (Express `req.route`,
 * @koa/router `ctx._matchedRoute`, Fastify `routeOptions.url`), or nothing before routing.
 */
export type RouteResolver<Source> = (source: Source) => string | null | undefined;

/*
 * A route template and a request id are both strings, and both are optional when a request starts. To
 * make passing one for the other a compile error, without a wrapper object per request, each has its own
 * branded type: a plain string becomes one only through `routeTemplate()` or `requestId()`, which cost
 * nothing at run time. A route that is not known up front is passed as a RouteResolver instead (a
 * function, told apart with one typeof), so a call site never reads `null, null` for two different things.
 */
declare const routeTemplateBrand: unique symbol;
declare const requestIdBrand: unique symbol;
/** A route template as the router names it (`/users/:id`). */
export type RouteTemplate = string & { readonly [routeTemplateBrand]: true };
/** A framework's own request id (Fastify's `request.id`). */
export type RequestId = string & { readonly [requestIdBrand]: true };

export function routeTemplate(route: string): RouteTemplate {
  return route as RouteTemplate;
}

export function requestId(id: string): RequestId {
  return id as RequestId;
}

/**
 * One request in flight, and the monitor context of the code it runs (it is its own async-context
 * store). Everything a report needs but most requests never use — the request id, the context object,
 * the route template — is read when needed (a report, the end of the request, a metrics read), so the
 * request path costs this one object and no hook into the framework's router.
 *
 * Fields are declared and assigned in the constructor rather than as class fields (private `#` ones
 * included): a class field is defined through a define IC per object, measurably slower per request.
 */
export class RequestRecord extends InFlightRecord {
  declare readonly method: string;
  declare readonly response: ServerResponse;
  private declare readonly request: IncomingMessage;
  private declare knownId: string | null;
  private declare readonly extra: MonitorContext | null;
  private declare knownRoute: string | null;
  private declare readonly routeSource: unknown;
  private declare readonly resolveRoute: RouteResolver<never> | null;
  /** The connection whose slot holds this record, or null when it is in the tracker's overflow map. */
  declare slot: RecordSlot | null;

  /** `route`: the template when known up front, else a resolver that reads it from `routeSource` once the router matched. */
  constructor(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    route: RouteTemplate | RouteResolver<never>,
    routeSource: unknown,
    id: RequestId | null,
    extra: MonitorContext | null,
  ) {
    super();
    this.method = method;
    this.response = response;
    this.request = request;
    this.knownId = id;
    this.extra = extra;
    if (typeof route === 'function') {
      this.knownRoute = null;
      this.resolveRoute = route;
    } else {
      this.knownRoute = route;
      this.resolveRoute = null;
    }
    this.routeSource = routeSource;
    this.slot = null;
  }

  isFinished(): boolean {
    return isDone(this.response);
  }

  /** The route template once the router matched one (kept from then on), else `unmatched`. */
  get route(): string {
    if (this.knownRoute === null && this.resolveRoute !== null) {
      try {
        const route = (this.resolveRoute as RouteResolver<unknown>)(this.routeSource);
        if (typeof route === 'string' && route !== '') this.knownRoute = route;
      } catch {
        // A framework object in an unexpected state: the request stays unmatched.
      }
    }
    return this.knownRoute ?? UNMATCHED_ROUTE;
  }

  /** The caller's id (`requestId` option, Fastify's id), else the `x-request-id` header, else one generated when first read. */
  get id(): string {
    if (this.knownId === null) {
      const header = this.request.headers['x-request-id'];
      const value = Array.isArray(header) ? header[0] : header;
      this.knownId = value === undefined || value === '' ? ID_PREFIX + (++requestSequence).toString(36) : value.slice(0, MAX_REQUEST_ID);
    }
    return this.knownId;
  }

  protected ownContext(): MonitorContext {
    const context: MonitorContext = { [ROUTE_KEY]: this.route, [METHOD_KEY]: this.method, [REQUEST_ID_KEY]: this.id };
    return this.extra === null ? context : Object.assign(context, this.extra);
  }
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
  /** Stalls whose context named no route: outside any request, after an await without async context, or not captured (report rate limit). */
  unattributedBlocks: number;
  shedding: { active: boolean; reason: string | null; since: number | null; episodes: number } | null;
}

export interface TrackerOptions extends RunLimits {
  /** Route templates tracked before further ones are counted under `other`. Default 100. */
  maxRoutes?: number;
}

/** An HTTP/1 connection, as far as the tracker's slot on it goes. */
type RecordSlot = Record<symbol, RequestRecord | undefined>;

/** Most records the requests-in-flight count walks (it runs inside a block's capture). */
const MAX_COUNTED = 10_000;

/** Whether a response has been answered (all of it handed to the OS) or abandoned. */
function isDone(response: ServerResponse): boolean {
  return response.writableFinished || response.destroyed;
}

export class RequestTracker {
  readonly routes: RouteTable;
  /** Per-tool and per-agent figures of the agent runs (trackRun) in the same list. */
  readonly runs: RunFigures;
  /*
   * Requests and agent runs in flight (the fields below): a list through the records (oldest first) to walk them,
   * and for finding a response's record, a slot on its HTTP/1 connection. A connection serves one request at a time, so
   * the slot's property is added once per connection and then only written. Requests a connection
   * pipelines behind another, and any without a plain socket, go in a map keyed by response.
   *
   * Runs are unlinked as soon as they end (their promise settled). A request's record is ended lazily, once its response is done: by the next request on its connection, or by a
   * sweep (every read of the section, and whenever the list has doubled). Everything read from the list
   * skips records whose response is done, so readers see the same figures as with an exact end.
   *
   * Measured: ending each record from Node's `http.server.response.finish` diagnostics channel, and keeping
   * end times for the async-context decision, cost about 1.5k instructions a request, 1.7% of a trivial http
   * route (once anyone subscribes, Node builds and publishes a message per response); a map of every request
   * in flight cost about 0.7% (a perf profile showed it shrinking and rehashing as requests came and
   * went); a property on the response itself cost Express, which swaps the prototypes of its request and response objects, 4% in map migrations.
   */
  /** This tracker's property on a connection, holding the record of the request it is serving. */
  readonly #slotKey = Symbol('agent-lag.request');
  #oldest: InFlightRecord | null = null;
  #newest: InFlightRecord | null = null;
  /** Records in the list: those in flight, and those done but not yet ended. */
  #listedCount = 0;
  readonly #overflow = new Map<ServerResponse, RequestRecord>();
  /** The list's length after the last sweep; the next one runs when it has grown well past it. */
  #sweptSize = 0;
  #unattributedBlocks = 0;
  /**
   * Set once a block happened while requests were in flight and its context named no route: the
   * blocking code ran after an await or a stream event, where only async context reaches. Adapters in
   * `asyncContext: 'auto'` propagate it from then on.
   */
  asyncContextWanted = false;
  #monitor: MonitorHandleLike | null = null;
  /** The in-flight SLA check, while the attached monitor has one. */
  #sla: InFlightSla | null = null;
  #runsBegun = false;
  #agentsPublished = false;
  #sheddingState: (() => RoutesSection['shedding']) | null = null;
  readonly #onBlock = (event: BlockEvent): void => this.recordBlock(event);
  /** Bumped when a block is charged or a run ends: the monitor forwards the sections (and checkpoints them) when it moved. */
  #figuresVersion = 0;
  readonly #readFiguresVersion = (): number => this.#figuresVersion;
  #blockEvent: 'block' | 'stall' = 'stall';

  constructor(options: TrackerOptions = {}) {
    const maxRoutes = options.maxRoutes ?? 100;
    if (!Number.isInteger(maxRoutes) || maxRoutes < 1) {
      throw new TypeError(`agent-lag middleware: maxRoutes must be a positive integer, got ${String(maxRoutes)}`);
    }
    this.routes = new RouteTable(maxRoutes);
    this.runs = new RunFigures(options);
  }

  get monitor(): MonitorHandleLike | null {
    return this.#monitor;
  }

  /** Listens to the monitor's blocks and publishes the routes section through it. Idempotent per handle. */
  attach(monitor: MonitorHandleLike): void {
    if (this.#monitor === monitor) return;
    this.detach();
    this.#monitor = monitor;
    // Every counted block, so per-route figures do not depend on report rate limits; an older handle has only `block`.
    try {
      monitor.on('stall', this.#onBlock);
      this.#blockEvent = 'stall';
    } catch {
      monitor.on('block', this.#onBlock);
      this.#blockEvent = 'block';
    }
    monitor.publishSection?.(ROUTES_SECTION, () => this.section(), this.#readFiguresVersion);
    this.#agentsPublished = false;
    if (this.#runsBegun) this.#publishAgents();
    // The worker cannot read the main thread's loop time: publish it so its endpoint exports nodejs_eventloop_time.
    monitor.publishSection?.(EVENT_LOOP_SECTION, readEventLoopTime);
    this.#startSla(monitor);
  }

  #startSla(monitor: MonitorHandleLike): void {
    const slaMs = monitor.inFlightSlaMs ?? 0;
    if (!(slaMs > 0) || typeof monitor.reportSlaBreach !== 'function') return;
    const sla = new InFlightSla({
      slaMs,
      oldest: () => this.#oldest,
      report: (event) => monitor.reportSlaBreach?.(event),
      changed: () => this.#figuresVersion++,
    });
    this.#sla = sla;
    monitor.publishSection?.(SLA_SECTION, () => sla.section(), this.#readFiguresVersion);
  }

  /** The `agents` section (and so the run and tool metrics) exists once a run was tracked: an HTTP-only service does not get empty families. */
  #publishAgents(): void {
    if (this.#agentsPublished || this.#monitor === null) return;
    this.#agentsPublished = true;
    this.#monitor.publishSection?.(AGENTS_SECTION, () => this.agentsSection(), this.#readFiguresVersion);
  }

  detach(): void {
    this.#sla?.stop();
    this.#sla = null;
    this.#monitor?.off?.(this.#blockEvent, this.#onBlock);
    this.#monitor = null;
  }

  /** Lets the shedding gate report its state in the section. */
  reportShedding(provider: () => RoutesSection['shedding']): void {
    this.#sheddingState = provider;
  }

  /**
   * Starts tracking a request. `route` is its template when already known, else a resolver that reads it
   * from `routeSource` when it is first needed. `id` is a framework's own request id, if it has one.
   */
  begin<Source>(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    route: RouteTemplate | RouteResolver<Source>,
    routeSource: Source,
    id: RequestId | null = null,
    extra: MonitorContext | null = null,
  ): RequestRecord {
    const record = new RequestRecord(request, response, method, route, routeSource, id, extra);
    this.#append(record);
    const socket = request.httpVersionMajor === 1 ? (request.socket as unknown as RecordSlot | null) : null;
    const key = this.#slotKey;
    // The connection's previous request, answered by now unless this one is pipelined behind it; ending
    // it frees the slot (its `slot` turns null).
    const held = socket === null ? undefined : socket[key];
    if (held !== undefined && isDone(held.response)) this.#end(held);
    if (socket !== null && (held === undefined || held.slot === null)) {
      socket[key] = record;
      record.slot = socket;
    } else {
      this.#overflow.set(response, record);
    }
    if (this.#listedCount > 2 * this.#sweptSize + 256) this.#sweep();
    return record;
  }

  #append(record: InFlightRecord): void {
    const newest = this.#newest;
    if (newest === null) this.#oldest = record;
    else newest.next = record;
    record.previous = newest;
    this.#newest = record;
    this.#listedCount++;
  }

  /** Takes a record out of the list; false when it was not in it (ended already). */
  #unlink(record: InFlightRecord): boolean {
    // An ended record is unlinked (both pointers null), and of the records in the list only the oldest has no previous.
    const { previous, next } = record;
    if (previous === null && this.#oldest !== record) return false;
    if (previous === null) this.#oldest = next;
    else previous.next = next;
    if (next === null) this.#newest = previous;
    else next.previous = previous;
    record.previous = record.next = null;
    this.#listedCount--;
    return true;
  }

  /**
   * Starts tracking an agent run (see trackRun). `enclosing`: the store current where it starts; inside
   * another run, it is part of that one (a tool call inside an agent run), so the per-agent in-flight
   * figures count that one only.
   */
  beginRun(run: AgentRun, enclosing: MonitorContext | LiveContext | undefined): RunRecord {
    const runs = this.runs;
    const record = new RunRecord(run, enclosing, runs);
    runs.started(record);
    this.#append(record);
    if (!this.#agentsPublished) {
      this.#runsBegun = true;
      this.#publishAgents();
    }
    return record;
  }

  /** Stops tracking a run (its function returned, or its promise settled). Idempotent. */
  endRun(record: RunRecord): void {
    record.ended = true;
    if (!this.#unlink(record)) return;
    if (record.syncContext) endSyncRun();
    this.runs.ended(record);
    this.#figuresVersion++;
  }

  /** Stops tracking a finished record: a request whose response is done, or a run. */
  #end(record: InFlightRecord): void {
    if (record instanceof RunRecord) {
      this.endRun(record);
      return;
    }
    // Count a request once.
    if (!(record instanceof RequestRecord) || !this.#unlink(record)) return;
    const slot = record.slot;
    if (slot !== null) {
      slot[this.#slotKey] = undefined;
      record.slot = null;
    } else {
      this.#overflow.delete(record.response);
    }
    this.routes.get(record.route).requests++;
  }

  /** The record of a response being tracked (a second adapter on the same request finds the first one's). */
  recordOf(response: ServerResponse): RequestRecord | undefined {
    const socket = response.socket as unknown as RecordSlot | null;
    const slotted = socket?.[this.#slotKey];
    if (slotted !== undefined && slotted.response === response) return slotted;
    return this.#overflow.size === 0 ? undefined : this.#overflow.get(response);
  }

  /**
   * Ends the records whose response is done. Runs when the section is read and when the list has
   * doubled, so memory stays bounded by the requests really in flight.
   */
  #sweep(): void {
    for (let record = this.#oldest; record !== null; ) {
      const next = record.next;
      if (record.isFinished()) this.#end(record);
      record = next;
    }
    this.#sweptSize = this.#listedCount;
  }

  countShed(route: string): void {
    this.routes.get(route).shed++;
  }

  /** Requests in flight (not yet answered), counting at most 10,000; cheap enough to run inside a block's capture. */
  countInFlight(): number {
    let count = 0;
    let walked = 0;
    // Requests only: what asyncContext 'auto' decides on (runs always propagate async context).
    for (let record = this.#oldest; record !== null && walked < MAX_COUNTED; record = record.next, walked++) {
      if (record instanceof RequestRecord && !isDone(record.response)) count++;
    }
    return count;
  }

  /**
   * countInFlight as a block's capture reads it, on the blocked thread (the debugger's pause, a sync wrapper's
   * report): when requests are in flight and the blocked code's context names no route, async context is
   * wanted from this moment on, as recordBlock would decide once the event arrives. Deciding here names the
   * route of a request that starts before then: the capture's event reaches the main thread tens of ms after
   * the block, when a client's next request (sent as the blocked one was answered) is already running.
   */
  countInFlightForCapture(): number {
    const count = this.countInFlight();
    if (count > 0 && !this.asyncContextWanted && !currentContextNamesRoute()) this.asyncContextWanted = true;
    return count;
  }

  /**
   * Blames the route and the tool named in the stall's context, and charges the stall to every other
   * request and tool call that was in flight across it (the delay they waited through). Work that finished
   * between the end of the stall and the event's delivery is not charged: the figure is a lower bound.
   */
  recordBlock(event: BlockEvent): void {
    if (event.startup === true) return;
    this.#figuresVersion++;
    this.runs.recordBlock(event);
    const route = event.context?.[ROUTE_KEY];
    const blockerId = event.context?.[REQUEST_ID_KEY];
    if (typeof route === 'string') {
      chargeBlock(this.routes.get(route), event.durationMs);
    } else {
      this.#unattributedBlocks++;
    }
    const blockStart = blockStartOf(event);
    const blockEnd = blockStart + event.durationMs;
    // Only a block that was looked at (a stack was captured, or a wrapper saw the sync call and read the
    // context) and showed no route says context was missing.
    if (typeof route !== 'string' && !this.asyncContextWanted && (event.stack.length > 0 || event.inFlight !== null)) {
      this.asyncContextWanted = this.#requestDuring(event, blockEnd);
    }
    const blocker = event.context ?? null;
    for (let record = this.#oldest; record !== null; record = record.next) {
      if (record.startedAt >= blockEnd || record.isFinished()) continue;
      const waited = blockEnd - Math.max(record.startedAt, blockStart);
      if (waited <= 0) continue;
      if (record instanceof RunRecord) {
        if (!record.isBlocker(blocker)) this.runs.chargeWait(record, waited);
        continue;
      }
      if (!(record instanceof RequestRecord) || (blockerId !== undefined && record.id === blockerId)) continue;
      const figures = this.routes.get(record.route);
      figures.waitedMs += waited;
      figures.waits++;
    }
  }

  /**
   * Whether a tracked request was in flight during the block: as counted when its stack was captured
   * (exact, even when that request has ended since). An event without the count (a capture that could not
   * read it) falls back to the requests still in flight that started before the block ended, which errs
   * towards leaving async propagation off: the request the block ran in has often ended by now.
   */
  #requestDuring(event: BlockEvent, blockEnd: number): boolean {
    if (event.requestsInFlight !== undefined) return event.requestsInFlight > 0;
    for (let record = this.#oldest; record !== null; record = record.next) {
      if (record instanceof RequestRecord && record.startedAt < blockEnd && !isDone(record.response)) return true;
    }
    return false;
  }

  /** The published section; in-flight figures are derived here, not per request. */
  section(): RoutesSection {
    this.#sweep();
    const entries = new Map<string, RouteSectionEntry>();
    for (const figures of this.routes.values()) {
      entries.set(figures.route, { ...figures, inFlight: 0, oldestInFlightStartedAt: null });
    }
    for (let record = this.#oldest; record !== null; record = record.next) {
      if (!(record instanceof RequestRecord)) continue;
      const label = this.routes.get(record.route).route;
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

  /** The runs in flight now, oldest first. */
  *#runsInFlight(): Generator<RunRecord> {
    for (let record = this.#oldest; record !== null; record = record.next) {
      if (record instanceof RunRecord && !record.ended) yield record;
    }
  }

  /** The published `agents` section: per-tool figures, and runs in flight per agent and tenant. */
  agentsSection(): AgentsSection {
    return this.runs.section(this.#runsInFlight());
  }

  /** The oldest run in flight's start (epoch ms), or null: for shedding and age alerts. */
  oldestRunStartedAt(): number | null {
    for (let record = this.#oldest; record !== null; record = record.next) {
      if (record instanceof RunRecord && !record.ended) return record.startedAt;
    }
    return null;
  }
}
