/**
 * OpenTelemetry: observable instruments on a Meter the app passes in (`@opentelemetry/api` stays an
 * optional peer and is never imported). Names follow the Node.js runtime semantic conventions
 * (`nodejs.eventloop.*`); ours live under `agent_lag.*`. One snapshot is read per collection.
 */
import type { MonitorSnapshot } from '../types.js';
import { readEventLoopTime } from './event-loop-time.js';
import { routesSectionOf } from './families.js';

type Attributes = Record<string, string>;

/** The parts of an `@opentelemetry/api` Meter used (a real Meter fits). */
export interface OtelMeterLike {
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): object;
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): object;
  createObservableUpDownCounter(name: string, options?: { description?: string; unit?: string }): object;
  addBatchObservableCallback(callback: (result: OtelBatchResultLike) => void, observables: object[]): void;
  removeBatchObservableCallback(callback: (result: OtelBatchResultLike) => void, observables: object[]): void;
}

export interface OtelBatchResultLike {
  observe(observable: never, value: number, attributes?: Attributes): void;
}

export interface OtelExportOptions {
  /** The monitor handle (what `startMonitor` returned). */
  monitor: { snapshot(): MonitorSnapshot };
}

export interface OtelExport {
  unregister(): void;
}

const DELAY_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
const DELAY_FIELD = { min: 'minMs', max: 'maxMs', mean: 'meanMs', stddev: 'stddevMs', p50: 'p50Ms', p90: 'p90Ms', p99: 'p99Ms' } as const;

export function registerOtelMetrics(meter: OtelMeterLike, options: OtelExportOptions): OtelExport {
  if (typeof meter?.addBatchObservableCallback !== 'function') throw new TypeError('agent-lag: meter must be an @opentelemetry/api Meter');
  const { monitor } = options;
  if (typeof monitor?.snapshot !== 'function') throw new TypeError('agent-lag: monitor must be a monitor handle (startMonitor() result)');

  const delay = DELAY_STATS.map((stat) => ({
    stat,
    instrument: meter.createObservableGauge(`nodejs.eventloop.delay.${stat}`, {
      description: `Event loop ${stat} delay (sampling interval subtracted).`,
      unit: 's',
    }),
  }));
  const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', { description: 'Event loop utilization over the most recent window.', unit: '1' });
  const time = meter.createObservableCounter('nodejs.eventloop.time', { description: 'Cumulative duration of time the event loop has been in each state.', unit: 's' });
  const stalls = meter.createObservableCounter('agent_lag.stalls', { description: 'Event-loop stalls over the threshold after start-up.', unit: '{stall}' });
  const stallTime = meter.createObservableCounter('agent_lag.stall.time', { description: 'Total time the event loop was stalled over the threshold.', unit: 's' });
  const stallMax = meter.createObservableGauge('agent_lag.stall.max', { description: 'Longest stall since the monitor started.', unit: 's' });
  const poolDelay = meter.createObservableGauge('agent_lag.threadpool.queue_delay', { description: 'Queue delay of the most recent libuv thread-pool probe.', unit: 's' });
  const routeBlocked = meter.createObservableCounter('agent_lag.route.blocked_time', { description: 'Stall time blamed on the route (it held the loop).', unit: 's' });
  const routeBlocks = meter.createObservableCounter('agent_lag.route.blocks', { description: 'Stalls that began while a request of the route was running.', unit: '{stall}' });
  const routeWorst = meter.createObservableGauge('agent_lag.route.worst_block', { description: 'Longest stall blamed on the route.', unit: 's' });
  const routeWaited = meter.createObservableCounter('agent_lag.route.lag_waited', { description: 'Stall time in-flight requests of the route waited through.', unit: 's' });
  const routeInFlight = meter.createObservableUpDownCounter('agent_lag.route.in_flight', { description: 'Requests of the route in flight.', unit: '{request}' });
  const routeOldest = meter.createObservableGauge('agent_lag.route.oldest_in_flight_age', { description: 'Age of the oldest in-flight request of the route.', unit: 's' });
  const observables = [
    ...delay.map((entry) => entry.instrument),
    utilization, time, stalls, stallTime, stallMax, poolDelay,
    routeBlocked, routeBlocks, routeWorst, routeWaited, routeInFlight, routeOldest,
  ];

  const callback = (result: OtelBatchResultLike): void => {
    const observe = result.observe.bind(result) as (observable: object, value: number, attributes?: Attributes) => void;
    const snapshot = monitor.snapshot();
    for (const { stat, instrument } of delay) observe(instrument, snapshot.lag[DELAY_FIELD[stat]] / 1000);
    observe(utilization, snapshot.utilization);
    const loopTime = readEventLoopTime();
    observe(time, loopTime.activeMs / 1000, { 'nodejs.eventloop.state': 'active' });
    observe(time, loopTime.idleMs / 1000, { 'nodejs.eventloop.state': 'idle' });
    observe(stalls, snapshot.stalls.count);
    observe(stallTime, snapshot.stalls.totalMs / 1000);
    observe(stallMax, snapshot.stalls.maxMs / 1000);
    if (snapshot.threadPool !== null) observe(poolDelay, snapshot.threadPool.lastMs / 1000);
    const section = routesSectionOf(snapshot);
    if (section === null) return;
    const now = Date.now();
    for (const route of section.routes) {
      const attributes = { 'http.route': route.route };
      observe(routeBlocked, route.blockedMs / 1000, attributes);
      observe(routeBlocks, route.blocks, attributes);
      observe(routeWorst, route.worstBlockMs / 1000, attributes);
      observe(routeWaited, route.waitedMs / 1000, attributes);
      observe(routeInFlight, route.inFlight, attributes);
      observe(routeOldest, route.oldestInFlightStartedAt === null ? 0 : Math.max(0, now - route.oldestInFlightStartedAt) / 1000, attributes);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return { unregister: () => meter.removeBatchObservableCallback(callback, observables) };
}
