/**
 * The metric model every exporter shares: plain families built from a snapshot. The Prometheus text
 * renderer, the prom-client collectors and the worker-served endpoint all read these, so a name, a
 * unit or a value means the same thing whichever way it leaves the process.
 */
import * as hdr from 'hdr-histogram-js';
import type { MonitorSnapshot } from '../types.js';
import type { RouteSectionEntry, RoutesSection } from '../middleware/tracker.js';

export type FamilyType = 'gauge' | 'counter' | 'histogram';

export interface Sample {
  /** Appended to the family name (`_bucket`, `_sum`, `_count`); empty for plain samples. */
  suffix: '' | '_bucket' | '_sum' | '_count';
  labels: Record<string, string> | null;
  value: number;
}

export interface MetricFamily {
  /** Prometheus name, unit suffix included. */
  name: string;
  help: string;
  type: FamilyType;
  samples: Sample[];
}

/** Cumulative event-loop time by state, from `performance.eventLoopUtilization()` on the main thread. */
export interface EventLoopTime {
  activeMs: number;
  idleMs: number;
}

/** Name of the snapshot section carrying {@link EventLoopTime}. */
export const EVENT_LOOP_SECTION = 'eventLoop';

/** Upper bounds (seconds) of the stall-duration histogram buckets. */
export const STALL_BUCKETS_SECONDS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const ROUTE_LABEL = 'http_route';

function gauge(name: string, help: string, value: number, labels: Record<string, string> | null = null): MetricFamily {
  return { name, help, type: 'gauge', samples: [{ suffix: '', labels, value }] };
}

function counter(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: 'counter', samples: [{ suffix: '', labels: null, value }] };
}

/** Reads the middleware's section defensively: it crossed a thread boundary as `unknown`. */
export function routesSectionOf(snapshot: MonitorSnapshot): RoutesSection | null {
  const section = snapshot.sections?.routes as RoutesSection | undefined;
  if (section === undefined || section === null || !Array.isArray(section.routes)) return null;
  return section;
}

export function eventLoopTimeOf(snapshot: MonitorSnapshot): EventLoopTime | null {
  const section = snapshot.sections?.[EVENT_LOOP_SECTION] as EventLoopTime | undefined;
  if (section === undefined || section === null || typeof section.activeMs !== 'number') return null;
  return section;
}

/**
 * Cumulative bucket counts of the encoded stall histogram (values in ms). Null when it cannot be read:
 * the other stall figures still export.
 */
export function stallBuckets(encoded: string): number[] | null {
  if (encoded === '') return STALL_BUCKETS_SECONDS.map(() => 0);
  let histogram: hdr.Histogram;
  try {
    histogram = hdr.decodeFromCompressedBase64(encoded);
  } catch {
    return null;
  }
  try {
    if (!(histogram instanceof hdr.JsHistogram)) return null;
    const counts = STALL_BUCKETS_SECONDS.map(() => 0);
    const iterator = histogram.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      const seconds = histogram.highestEquivalentValue(step.valueIteratedTo) / 1000;
      for (let i = 0; i < counts.length; i++) {
        if (seconds <= (STALL_BUCKETS_SECONDS[i] ?? Infinity)) counts[i] = (counts[i] ?? 0) + step.countAtValueIteratedTo;
      }
    }
    return counts;
  } finally {
    histogram.destroy();
  }
}

function lagFamilies(snapshot: MonitorSnapshot, prefix: string, infix: string, help: string): MetricFamily[] {
  const lag = snapshot.lag;
  const figures: [string, number][] = [
    ['min', lag.minMs],
    ['max', lag.maxMs],
    ['mean', lag.meanMs],
    ['stddev', lag.stddevMs],
    ['p50', lag.p50Ms],
    ['p90', lag.p90Ms],
    ['p99', lag.p99Ms],
  ];
  return figures.map(([stat, ms]) => gauge(`${prefix}_${stat}_seconds`, `${help} ${infix}${stat}.`, ms / 1000));
}

function perRoute(
  routes: RouteSectionEntry[],
  name: string,
  help: string,
  type: FamilyType,
  value: (route: RouteSectionEntry) => number,
): MetricFamily {
  return {
    name,
    help,
    type,
    samples: routes.map((route) => ({ suffix: '', labels: { [ROUTE_LABEL]: route.route }, value: value(route) })),
  };
}

export interface FamilyOptions {
  /** Epoch ms the figures are read at (in-flight ages are computed against it). Default `Date.now()`. */
  now?: number;
  /** Leave out the prom-client-compatible `nodejs_eventloop_lag_*` names (when prom-client already exports them). */
  promClientNames?: boolean;
}

/** Every metric family the snapshot supports. */
export function buildFamilies(snapshot: MonitorSnapshot, options: FamilyOptions = {}): MetricFamily[] {
  const now = options.now ?? Date.now();
  const families: MetricFamily[] = [];

  // OpenTelemetry semantic conventions (nodejs.eventloop.*), in Prometheus form.
  families.push(...lagFamilies(snapshot, 'nodejs_eventloop_delay', '', 'Event loop delay (sampling interval subtracted), nodejs.eventloop.delay.'));
  families.push(gauge('nodejs_eventloop_utilization_ratio', 'Event loop utilisation over the most recent window (nodejs.eventloop.utilization).', snapshot.utilization));
  const loopTime = eventLoopTimeOf(snapshot);
  if (loopTime !== null) {
    families.push({
      name: 'nodejs_eventloop_time_seconds',
      help: 'Cumulative time the event loop spent in each state (nodejs.eventloop.time).',
      type: 'counter',
      samples: [
        { suffix: '', labels: { nodejs_eventloop_state: 'active' }, value: loopTime.activeMs / 1000 },
        { suffix: '', labels: { nodejs_eventloop_state: 'idle' }, value: loopTime.idleMs / 1000 },
      ],
    });
  }

  // The names prom-client's default metrics use, which existing dashboards query.
  if (options.promClientNames !== false) {
    families.push(gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds (mean, sampling interval subtracted).', snapshot.lag.meanMs / 1000));
    families.push(...lagFamilies(snapshot, 'nodejs_eventloop_lag', '', 'Event loop lag in seconds,'));
  }

  // agent-lag's own.
  const stalls = snapshot.stalls;
  const buckets = stallBuckets(stalls.histogram);
  if (buckets !== null) {
    const samples: Sample[] = STALL_BUCKETS_SECONDS.map((le, i) => ({ suffix: '_bucket', labels: { le: String(le) }, value: buckets[i] ?? 0 }));
    samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: stalls.count });
    samples.push({ suffix: '_sum', labels: null, value: stalls.totalMs / 1000 });
    samples.push({ suffix: '_count', labels: null, value: stalls.count });
    families.push({ name: 'agent_lag_stall_duration_seconds', help: 'Duration of event-loop stalls over the threshold, seen by the watchdog thread.', type: 'histogram', samples });
  }
  families.push(counter('agent_lag_stalls_total', 'Event-loop stalls over the threshold after start-up (never rate-limited).', stalls.count));
  families.push(counter('agent_lag_startup_stalls_total', 'Stalls during the start-up grace period (module loading), counted apart.', stalls.startupCount));
  families.push(counter('agent_lag_stall_seconds_total', 'Total time the event loop was stalled over the threshold.', stalls.totalMs / 1000));
  families.push(gauge('agent_lag_stall_max_seconds', 'Longest stall since the monitor started.', stalls.maxMs / 1000));
  families.push(gauge('agent_lag_stall_threshold_seconds', 'Gap in the heartbeat that counts as a stall.', snapshot.thresholdMs / 1000));
  families.push(gauge('agent_lag_monitor_info', 'Monitor mode: full (stacks captured) or lag-only.', 1, { mode: snapshot.mode }));
  if (snapshot.threadPool !== null) {
    const pool = snapshot.threadPool;
    families.push(gauge('agent_lag_threadpool_queue_delay_seconds', 'Queue delay of the most recent libuv thread-pool probe.', pool.lastMs / 1000));
    families.push(gauge('agent_lag_threadpool_queue_delay_p99_seconds', 'p99 queue delay of the libuv thread-pool probe.', pool.p99Ms / 1000));
    families.push(gauge('agent_lag_threadpool_queue_delay_max_seconds', 'Longest queue delay of the libuv thread-pool probe.', pool.maxMs / 1000));
  }

  const section = routesSectionOf(snapshot);
  if (section !== null) {
    const routes = section.routes;
    families.push(perRoute(routes, 'agent_lag_route_requests_total', 'Finished requests per route template.', 'counter', (r) => r.requests));
    families.push(perRoute(routes, 'agent_lag_route_blocks_total', 'Stalls that began while a request of this route was running.', 'counter', (r) => r.blocks));
    families.push(perRoute(routes, 'agent_lag_route_blocked_seconds_total', 'Stall time blamed on this route (it held the loop).', 'counter', (r) => r.blockedMs / 1000));
    families.push(perRoute(routes, 'agent_lag_route_worst_block_seconds', 'Longest stall blamed on this route.', 'gauge', (r) => r.worstBlockMs / 1000));
    families.push(perRoute(routes, 'agent_lag_route_lag_waited_seconds_total', 'Stall time in-flight requests of this route waited through while other code held the loop.', 'counter', (r) => r.waitedMs / 1000));
    families.push(perRoute(routes, 'agent_lag_route_requests_in_flight', 'Requests of this route in flight.', 'gauge', (r) => r.inFlight));
    families.push(
      perRoute(routes, 'agent_lag_route_oldest_in_flight_age_seconds', 'Age of the oldest in-flight request of this route (0 when none).', 'gauge', (r) =>
        r.oldestInFlightStartedAt === null ? 0 : Math.max(0, now - r.oldestInFlightStartedAt) / 1000,
      ),
    );
    families.push(perRoute(routes, 'agent_lag_route_shed_total', 'Requests of this route answered with the load-shedding response.', 'counter', (r) => r.shed));
    families.push(counter('agent_lag_unattributed_blocks_total', 'Stalls whose context named no route.', section.unattributedBlocks));
    if (section.shedding !== null) {
      families.push(gauge('agent_lag_shedding', '1 while load shedding is active.', section.shedding.active ? 1 : 0));
      families.push(counter('agent_lag_shedding_episodes_total', 'Times load shedding started.', section.shedding.episodes));
    }
  }
  return families;
}

/** A snapshot with every optional part present, to list the families an exporter must declare up front. */
const EXEMPLAR: MonitorSnapshot = {
  pid: 0,
  at: 0,
  uptimeMs: 0,
  thresholdMs: 0,
  mode: 'full',
  lag: { minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, samples: 0, source: 'perf_hooks' },
  utilization: 0,
  stalls: { count: 0, startupCount: 0, totalMs: 0, maxMs: 0, p50Ms: 0, p99Ms: 0, histogram: '' },
  threadPool: { lastMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 },
  topStacks: [],
  syncCalls: [],
  sections: {
    [EVENT_LOOP_SECTION]: { activeMs: 0, idleMs: 0 },
    routes: {
      at: 0,
      unattributedBlocks: 0,
      shedding: { active: false, reason: null, since: null, episodes: 0 },
      routes: [{ route: 'x', requests: 0, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0, shed: 0, inFlight: 0, oldestInFlightStartedAt: null }],
    } satisfies RoutesSection,
  },
};

export interface FamilyDescriptor {
  name: string;
  help: string;
  type: FamilyType;
  labelNames: string[];
}

/** Every family {@link buildFamilies} can produce, with its label names. */
export function describeFamilies(options: FamilyOptions = {}): FamilyDescriptor[] {
  return buildFamilies(EXEMPLAR, options).map((family) => ({
    name: family.name,
    help: family.help,
    type: family.type,
    labelNames: Object.keys(family.samples.find((sample) => sample.suffix === '')?.labels ?? {}),
  }));
}
