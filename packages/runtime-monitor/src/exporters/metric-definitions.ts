/**
 * Every metric the monitor exports, defined once: both names, help, unit, kind, labels and how to read
 * the value from a snapshot. `families.ts` (Prometheus text, prom-client, the worker endpoint) and
 * `otel.ts` (OpenTelemetry) both walk this table, so a metric added here is exported everywhere, and a
 * unit conversion written here cannot differ between exporters.
 *
 * Names are part of the contract (dashboards and alerts query them): never rename a row, add one.
 * The README's metrics table lists the same rows.
 */
import type { MonitorSnapshot } from '../types.js';
import type { RouteSectionEntry, RoutesSection } from '../middleware/tracker.js';
import type { AgentSectionEntry, ToolSectionEntry } from '../agents/run-figures.js';
import { agentsSectionOf, eventLoopTimeOf, routesSectionOf, slaSectionOf } from './snapshot-sections.js';
import { STALL_BUCKETS_SECONDS, stallBuckets } from './stall-histogram.js';

/**
 * How the value behaves. Prometheus has no up-down counter, so that kind is a Prometheus gauge; an
 * OpenTelemetry observable instrument cannot carry a histogram (see the stall-duration row).
 */
export type MetricKind = 'gauge' | 'counter' | 'upDownCounter' | 'histogram';

/** One label, named per exporter's conventions (`http_route` in Prometheus, `http.route` in OpenTelemetry). */
export interface LabelDefinition {
  prometheus: string;
  otel: string;
}

/** One series: its value in the metric's unit, and its label values in the order of the metric's `labels`. */
export interface Point {
  value: number;
  labelValues: string[];
}

/** A histogram read from a snapshot: cumulative counts per bucket bound (without `+Inf`), count and sum. */
export interface HistogramValue {
  cumulativeCounts: number[];
  count: number;
  sum: number;
}

interface DefinitionBase {
  /** Prometheus name, unit suffix included. */
  prometheus: string;
  /** The same series again under prom-client's default-metric names, which existing dashboards query. */
  promClientAliases?: readonly string[];
  /** Prometheus HELP and OpenTelemetry description. */
  help: string;
  /** UCUM unit as OpenTelemetry declares it; Prometheus carries the unit in the name instead. */
  unit: string;
}

export interface ScalarDefinition extends DefinitionBase {
  kind: 'gauge' | 'counter' | 'upDownCounter';
  /** OpenTelemetry instrument name: semantic conventions (`nodejs.eventloop.*`) where one exists, else `agent_lag.*`. */
  otel: string;
  labels: readonly LabelDefinition[];
  /** Null when the snapshot does not have the figure (the metric is left out); `[]` when it has no series right now. */
  read(snapshot: MonitorSnapshot, now: number): Point[] | null;
}

export interface HistogramDefinition extends DefinitionBase {
  kind: 'histogram';
  /** Always null: see the stall-duration row for what OpenTelemetry gets instead. */
  otel: null;
  /** Bucket upper bounds, in `unit`. */
  bucketBounds: readonly number[];
  /** Null when the histogram cannot be read (the other figures still export). */
  read(snapshot: MonitorSnapshot): HistogramValue | null;
}

export type MetricDefinition = ScalarDefinition | HistogramDefinition;

const HTTP_ROUTE: LabelDefinition = { prometheus: 'http_route', otel: 'http.route' };
const LOOP_STATE: LabelDefinition = { prometheus: 'nodejs_eventloop_state', otel: 'nodejs.eventloop.state' };
const MONITOR_MODE: LabelDefinition = { prometheus: 'mode', otel: 'agent_lag.monitor.mode' };
// OpenTelemetry's GenAI semantic-convention keys; `tenant` is ours (bounded: see RunFigures).
const AGENT_NAME: LabelDefinition = { prometheus: 'gen_ai_agent_name', otel: 'gen_ai.agent.name' };
const TENANT: LabelDefinition = { prometheus: 'tenant', otel: 'agent_lag.tenant' };
const TOOL_NAME: LabelDefinition = { prometheus: 'gen_ai_tool_name', otel: 'gen_ai.tool.name' };
/** What passed the in-flight SLA: `run` or `request`. */
const SLA_KIND: LabelDefinition = { prometheus: 'kind', otel: 'agent_lag.sla.kind' };

/** The snapshot keeps milliseconds; every exporter exports seconds. */
function seconds(ms: number): number {
  return ms / 1000;
}

function one(value: number): Point[] {
  return [{ value, labelValues: [] }];
}

/** A figure of the middleware's section; null (metric left out) when no middleware published one. */
function fromRoutes(snapshot: MonitorSnapshot, value: (section: RoutesSection) => number): Point[] | null {
  const section = routesSectionOf(snapshot);
  return section === null ? null : one(value(section));
}

/** A figure of the load shedder; null when shedding is not configured. */
function fromShedding(snapshot: MonitorSnapshot, value: (shedding: NonNullable<RoutesSection['shedding']>) => number): Point[] | null {
  const shedding = routesSectionOf(snapshot)?.shedding ?? null;
  return shedding === null ? null : one(value(shedding));
}

/** One series per route template, labelled by {@link HTTP_ROUTE}. */
function perRoute(snapshot: MonitorSnapshot, value: (route: RouteSectionEntry) => number): Point[] | null {
  const section = routesSectionOf(snapshot);
  return section === null ? null : section.routes.map((route) => ({ value: value(route), labelValues: [route.route] }));
}

/** One series per tool, labelled by {@link TOOL_NAME}; null without an `agents` section (no run ever tracked). */
function perTool(snapshot: MonitorSnapshot, value: (tool: ToolSectionEntry) => number): Point[] | null {
  const section = agentsSectionOf(snapshot);
  return section === null ? null : section.tools.map((tool) => ({ value: value(tool), labelValues: [tool.tool] }));
}

/** One series per (agent, tenant) pair, labelled by {@link AGENT_NAME} and {@link TENANT}. */
function perAgent(snapshot: MonitorSnapshot, value: (agent: AgentSectionEntry) => number): Point[] | null {
  const section = agentsSectionOf(snapshot);
  return section === null ? null : section.agents.map((agent) => ({ value: value(agent), labelValues: [agent.agent, agent.tenant] }));
}

function threadPool(snapshot: MonitorSnapshot, ms: (pool: NonNullable<MonitorSnapshot['threadPool']>) => number): Point[] | null {
  return snapshot.threadPool === null ? null : one(seconds(ms(snapshot.threadPool)));
}

/** In table order the Prometheus output lists them. */
export const METRICS: readonly MetricDefinition[] = [
  // Event-loop delay: OpenTelemetry's Node.js runtime semantic conventions, and prom-client's names for the same figures.
  {
    otel: 'nodejs.eventloop.delay.min',
    prometheus: 'nodejs_eventloop_delay_min_seconds',
    promClientAliases: ['nodejs_eventloop_lag_min_seconds'],
    help: 'Event loop delay, minimum (sampling interval subtracted).',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.minMs)),
  },
  {
    otel: 'nodejs.eventloop.delay.max',
    prometheus: 'nodejs_eventloop_delay_max_seconds',
    promClientAliases: ['nodejs_eventloop_lag_max_seconds'],
    help: 'Event loop delay, maximum (sampling interval subtracted).',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.maxMs)),
  },
  {
    otel: 'nodejs.eventloop.delay.mean',
    prometheus: 'nodejs_eventloop_delay_mean_seconds',
    // prom-client's nodejs_eventloop_lag_seconds is its own probe; ours is the mean delay, the nearest figure we have.
    promClientAliases: ['nodejs_eventloop_lag_mean_seconds', 'nodejs_eventloop_lag_seconds'],
    help: 'Event loop delay, mean (sampling interval subtracted).',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.meanMs)),
  },
  {
    otel: 'nodejs.eventloop.delay.stddev',
    prometheus: 'nodejs_eventloop_delay_stddev_seconds',
    promClientAliases: ['nodejs_eventloop_lag_stddev_seconds'],
    help: 'Event loop delay, standard deviation.',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.stddevMs)),
  },
  {
    otel: 'nodejs.eventloop.delay.p50',
    prometheus: 'nodejs_eventloop_delay_p50_seconds',
    promClientAliases: ['nodejs_eventloop_lag_p50_seconds'],
    help: 'Event loop delay, 50th percentile (sampling interval subtracted).',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.p50Ms)),
  },
  {
    otel: 'nodejs.eventloop.delay.p90',
    prometheus: 'nodejs_eventloop_delay_p90_seconds',
    promClientAliases: ['nodejs_eventloop_lag_p90_seconds'],
    help: 'Event loop delay, 90th percentile (sampling interval subtracted).',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.p90Ms)),
  },
  {
    otel: 'nodejs.eventloop.delay.p99',
    prometheus: 'nodejs_eventloop_delay_p99_seconds',
    promClientAliases: ['nodejs_eventloop_lag_p99_seconds'],
    help: 'Event loop delay, 99th percentile (sampling interval subtracted).',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.lag.p99Ms)),
  },
  {
    otel: 'nodejs.eventloop.utilization',
    prometheus: 'nodejs_eventloop_utilization_ratio',
    help: 'Event loop utilisation over the most recent window.',
    unit: '1',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(snapshot.utilization),
  },
  {
    otel: 'nodejs.eventloop.time',
    // No `_total`: the name predates this table and dashboards query it as it is.
    prometheus: 'nodejs_eventloop_time_seconds',
    help: 'Cumulative time the event loop spent in each state.',
    unit: 's',
    kind: 'counter',
    labels: [LOOP_STATE],
    read: (snapshot) => {
      const time = eventLoopTimeOf(snapshot);
      if (time === null) return null;
      return [
        { value: seconds(time.activeMs), labelValues: ['active'] },
        { value: seconds(time.idleMs), labelValues: ['idle'] },
      ];
    },
  },

  // Stalls: what the watchdog thread saw.
  {
    // OpenTelemetry gets no instrument for this row: an observable instrument cannot report a histogram
    // (only a synchronous Histogram can, recording each value, and the stalls are recorded in the worker).
    // Its count and sum are the observable counters agent_lag.stalls and agent_lag.stall.time (rows below),
    // the same figures as the Prometheus `_count` and `_sum`; OpenTelemetry has no bucket counts.
    otel: null,
    prometheus: 'agent_lag_stall_duration_seconds',
    help: 'Duration of event-loop stalls over the threshold, seen by the watchdog thread.',
    unit: 's',
    kind: 'histogram',
    bucketBounds: STALL_BUCKETS_SECONDS,
    read: (snapshot) => {
      const counts = stallBuckets(snapshot.stalls.histogram, snapshot.stalls.maxMs);
      if (counts === null) return null;
      return { cumulativeCounts: counts, count: snapshot.stalls.count, sum: seconds(snapshot.stalls.totalMs) };
    },
  },
  {
    otel: 'agent_lag.stalls',
    prometheus: 'agent_lag_stalls_total',
    help: 'Event-loop stalls over the threshold after start-up (never rate-limited).',
    unit: '{stall}',
    kind: 'counter',
    labels: [],
    read: (snapshot) => one(snapshot.stalls.count),
  },
  {
    otel: 'agent_lag.startup_stalls',
    prometheus: 'agent_lag_startup_stalls_total',
    help: 'Stalls during the start-up grace period (module loading), counted apart.',
    unit: '{stall}',
    kind: 'counter',
    labels: [],
    read: (snapshot) => one(snapshot.stalls.startupCount),
  },
  {
    otel: 'agent_lag.stall.time',
    prometheus: 'agent_lag_stall_seconds_total',
    help: 'Total time the event loop was stalled over the threshold.',
    unit: 's',
    kind: 'counter',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.stalls.totalMs)),
  },
  {
    otel: 'agent_lag.stall.max',
    prometheus: 'agent_lag_stall_max_seconds',
    help: 'Longest stall since the monitor started.',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.stalls.maxMs)),
  },
  {
    otel: 'agent_lag.stall.threshold',
    prometheus: 'agent_lag_stall_threshold_seconds',
    help: 'Gap in the heartbeat that counts as a stall.',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => one(seconds(snapshot.thresholdMs)),
  },
  {
    otel: 'agent_lag.monitor.info',
    prometheus: 'agent_lag_monitor_info',
    help: 'Monitor mode: full (stacks captured) or lag-only.',
    unit: '1',
    kind: 'gauge',
    labels: [MONITOR_MODE],
    read: (snapshot) => [{ value: 1, labelValues: [snapshot.mode] }],
  },

  // libuv thread-pool probe.
  {
    otel: 'agent_lag.threadpool.queue_delay',
    prometheus: 'agent_lag_threadpool_queue_delay_seconds',
    help: 'Queue delay of the most recent libuv thread-pool probe.',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => threadPool(snapshot, (pool) => pool.lastMs),
  },
  {
    // `_p99`, not `.p99`: agent_lag.threadpool.queue_delay is itself an instrument, so it cannot also be a namespace.
    otel: 'agent_lag.threadpool.queue_delay_p99',
    prometheus: 'agent_lag_threadpool_queue_delay_p99_seconds',
    help: 'p99 queue delay of the libuv thread-pool probe.',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => threadPool(snapshot, (pool) => pool.p99Ms),
  },
  {
    otel: 'agent_lag.threadpool.queue_delay_max',
    prometheus: 'agent_lag_threadpool_queue_delay_max_seconds',
    help: 'Longest queue delay of the libuv thread-pool probe.',
    unit: 's',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => threadPool(snapshot, (pool) => pool.maxMs),
  },

  // Per route, from the HTTP middleware's section (absent without the middleware).
  {
    otel: 'agent_lag.route.requests',
    prometheus: 'agent_lag_route_requests_total',
    help: 'Finished requests per route template.',
    unit: '{request}',
    kind: 'counter',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => route.requests),
  },
  {
    otel: 'agent_lag.route.blocks',
    prometheus: 'agent_lag_route_blocks_total',
    help: 'Stalls that began while a request of this route was running.',
    unit: '{stall}',
    kind: 'counter',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => route.blocks),
  },
  {
    otel: 'agent_lag.route.blocked_time',
    prometheus: 'agent_lag_route_blocked_seconds_total',
    help: 'Stall time blamed on this route (it held the loop).',
    unit: 's',
    kind: 'counter',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => seconds(route.blockedMs)),
  },
  {
    otel: 'agent_lag.route.worst_block',
    prometheus: 'agent_lag_route_worst_block_seconds',
    help: 'Longest stall blamed on this route.',
    unit: 's',
    kind: 'gauge',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => seconds(route.worstBlockMs)),
  },
  {
    otel: 'agent_lag.route.lag_waited',
    prometheus: 'agent_lag_route_lag_waited_seconds_total',
    help: 'Stall time in-flight requests of this route waited through while other code held the loop.',
    unit: 's',
    kind: 'counter',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => seconds(route.waitedMs)),
  },
  {
    otel: 'agent_lag.route.in_flight',
    prometheus: 'agent_lag_route_requests_in_flight',
    help: 'Requests of this route in flight.',
    unit: '{request}',
    kind: 'upDownCounter',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => route.inFlight),
  },
  {
    otel: 'agent_lag.route.oldest_in_flight_age',
    prometheus: 'agent_lag_route_oldest_in_flight_age_seconds',
    help: 'Age of the oldest in-flight request of this route (0 when none).',
    unit: 's',
    kind: 'gauge',
    labels: [HTTP_ROUTE],
    // The section carries the start time, not the age, so the age keeps growing while the loop is frozen.
    read: (snapshot, now) =>
      perRoute(snapshot, (route) => (route.oldestInFlightStartedAt === null ? 0 : seconds(Math.max(0, now - route.oldestInFlightStartedAt)))),
  },
  {
    otel: 'agent_lag.route.shed',
    prometheus: 'agent_lag_route_shed_total',
    help: 'Requests of this route answered with the load-shedding response.',
    unit: '{request}',
    kind: 'counter',
    labels: [HTTP_ROUTE],
    read: (snapshot) => perRoute(snapshot, (route) => route.shed),
  },
  {
    otel: 'agent_lag.unattributed_blocks',
    prometheus: 'agent_lag_unattributed_blocks_total',
    help: 'Stalls whose context named no route.',
    unit: '{stall}',
    kind: 'counter',
    labels: [],
    read: (snapshot) => fromRoutes(snapshot, (section) => section.unattributedBlocks),
  },

  // Agent runs (trackRun and the SDK adapters), from the `agents` section (absent until a run was tracked).
  {
    otel: 'agent_lag.runs.in_flight',
    prometheus: 'agent_lag_runs_in_flight',
    help: 'Agent runs in flight (a tool call inside an agent run is part of that run), by agent and tenant.',
    unit: '{run}',
    kind: 'upDownCounter',
    labels: [AGENT_NAME, TENANT],
    read: (snapshot) => perAgent(snapshot, (agent) => agent.inFlight),
  },
  {
    otel: 'agent_lag.runs.oldest_age',
    prometheus: 'agent_lag_oldest_run_age_seconds',
    help: 'Age of the oldest agent run in flight, by agent and tenant (0 when none).',
    unit: 's',
    kind: 'gauge',
    labels: [AGENT_NAME, TENANT],
    // From the start time, so the age keeps growing while the loop is frozen.
    read: (snapshot, now) =>
      perAgent(snapshot, (agent) => (agent.oldestInFlightStartedAt === null ? 0 : seconds(Math.max(0, now - agent.oldestInFlightStartedAt)))),
  },
  {
    otel: 'agent_lag.tool.calls',
    prometheus: 'agent_lag_tool_calls_total',
    help: 'Tool calls that have returned, per tool.',
    unit: '{call}',
    kind: 'counter',
    labels: [TOOL_NAME],
    read: (snapshot) => perTool(snapshot, (tool) => tool.calls),
  },
  {
    otel: 'agent_lag.tool.in_flight',
    prometheus: 'agent_lag_tool_calls_in_flight',
    help: 'Tool calls in flight, per tool.',
    unit: '{call}',
    kind: 'upDownCounter',
    labels: [TOOL_NAME],
    read: (snapshot) => perTool(snapshot, (tool) => tool.inFlight),
  },
  {
    otel: 'agent_lag.tool.blocks',
    prometheus: 'agent_lag_tool_blocks_total',
    help: 'Stalls that began while a call of this tool was running.',
    unit: '{stall}',
    kind: 'counter',
    labels: [TOOL_NAME],
    read: (snapshot) => perTool(snapshot, (tool) => tool.blocks),
  },
  {
    otel: 'agent_lag.tool.blocked_time',
    prometheus: 'agent_lag_tool_blocked_seconds_total',
    help: 'Stall time blamed on this tool (it held the loop).',
    unit: 's',
    kind: 'counter',
    labels: [TOOL_NAME],
    read: (snapshot) => perTool(snapshot, (tool) => seconds(tool.blockedMs)),
  },
  {
    otel: 'agent_lag.tool.worst_block',
    prometheus: 'agent_lag_tool_worst_block_seconds',
    help: 'Longest stall blamed on this tool.',
    unit: 's',
    kind: 'gauge',
    labels: [TOOL_NAME],
    read: (snapshot) => perTool(snapshot, (tool) => seconds(tool.worstBlockMs)),
  },
  {
    otel: 'agent_lag.tool.lag_waited',
    prometheus: 'agent_lag_tool_waited_seconds_total',
    help: 'Stall time in-flight calls of this tool waited through while other code held the loop.',
    unit: 's',
    kind: 'counter',
    labels: [TOOL_NAME],
    read: (snapshot) => perTool(snapshot, (tool) => seconds(tool.waitedMs)),
  },

  // Load shedding (absent unless the middleware sheds).
  {
    // `.active`, not plain agent_lag.shedding: that name is the namespace of agent_lag.shedding.episodes.
    otel: 'agent_lag.shedding.active',
    prometheus: 'agent_lag_shedding',
    help: '1 while load shedding is active.',
    unit: '1',
    kind: 'gauge',
    labels: [],
    read: (snapshot) => fromShedding(snapshot, (shedding) => (shedding.active ? 1 : 0)),
  },
  {
    otel: 'agent_lag.shedding.episodes',
    prometheus: 'agent_lag_shedding_episodes_total',
    help: 'Times load shedding started.',
    unit: '{episode}',
    kind: 'counter',
    labels: [],
    read: (snapshot) => fromShedding(snapshot, (shedding) => shedding.episodes),
  },

  // The in-flight SLA (absent unless inFlightSlaMs is set and runs or requests are tracked).
  {
    otel: 'agent_lag.sla.breaches',
    prometheus: 'agent_lag_sla_breaches_total',
    help: 'Agent runs and HTTP requests seen still in flight past the in-flight SLA (inFlightSlaMs), each counted once.',
    unit: '{breach}',
    kind: 'counter',
    labels: [SLA_KIND],
    read: (snapshot) => {
      const section = slaSectionOf(snapshot);
      if (section === null) return null;
      return [
        { value: section.breaches.run, labelValues: ['run'] },
        { value: section.breaches.request, labelValues: ['request'] },
      ];
    },
  },
];
