/**
 * OpenTelemetry: observable instruments on a Meter the app passes in (`@opentelemetry/api` stays an
 * optional peer and is never imported). One instrument per row of the metric table
 * (`metric-definitions.ts`), the same rows the Prometheus exporters walk: names follow the Node.js
 * runtime semantic conventions (`nodejs.eventloop.*`), ours live under `agent_lag.*`. One snapshot is
 * read per collection.
 *
 * Histograms: an observable instrument cannot carry one, so the Prometheus-only stall-duration
 * histogram (`agent_lag_stall_duration_seconds`) has no instrument here; its count and sum are the
 * observable counters `agent_lag.stalls` and `agent_lag.stall.time`.
 */
import type { MonitorSnapshot } from '../types.js';
import { withEventLoopTime } from './event-loop-time.js';
import { METRICS, type ScalarDefinition } from './metric-definitions.js';

type Attributes = Record<string, string>;
type InstrumentOptions = { description?: string; unit?: string };

/** The parts of an `@opentelemetry/api` Meter used (a real Meter fits). */
export interface OtelMeterLike {
  createObservableGauge(name: string, options?: InstrumentOptions): object;
  createObservableCounter(name: string, options?: InstrumentOptions): object;
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): object;
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

interface Registered {
  metric: ScalarDefinition;
  instrument: object;
}

function createInstrument(meter: OtelMeterLike, metric: ScalarDefinition): object {
  const options = { description: metric.help, unit: metric.unit };
  switch (metric.kind) {
    case 'gauge':
      return meter.createObservableGauge(metric.otel, options);
    case 'counter':
      return meter.createObservableCounter(metric.otel, options);
    case 'upDownCounter':
      return meter.createObservableUpDownCounter(metric.otel, options);
  }
}

/** Unlabelled series are observed without attributes, not with an empty set. */
function attributesOf(metric: ScalarDefinition, labelValues: string[]): Attributes | undefined {
  if (metric.labels.length === 0) return undefined;
  const attributes: Attributes = {};
  metric.labels.forEach((label, i) => (attributes[label.otel] = labelValues[i] ?? ''));
  return attributes;
}

export function registerOtelMetrics(meter: OtelMeterLike, options: OtelExportOptions): OtelExport {
  if (typeof meter?.addBatchObservableCallback !== 'function') {
    throw new TypeError('agent-lag: registerOtelMetrics(meter, { monitor }): meter must be an @opentelemetry/api Meter (meterProvider.getMeter(name))');
  }
  const monitor = options?.monitor;
  if (typeof monitor?.snapshot !== 'function') {
    throw new TypeError('agent-lag: registerOtelMetrics(meter, { monitor }): monitor must be a monitor handle (what startMonitor() returned)');
  }

  const registered: Registered[] = [];
  for (const metric of METRICS) {
    if (metric.kind === 'histogram') continue; // see the header: count and sum are exported by their own rows
    registered.push({ metric, instrument: createInstrument(meter, metric) });
  }
  const observables = registered.map((entry) => entry.instrument);

  const callback = (result: OtelBatchResultLike): void => {
    const observe = result.observe.bind(result) as (observable: object, value: number, attributes?: Attributes) => void;
    // This exporter runs on the main thread, so it can read the loop time itself when the snapshot has no `eventLoop` section.
    const snapshot = withEventLoopTime(monitor.snapshot());
    const now = Date.now();
    for (const { metric, instrument } of registered) {
      const points = metric.read(snapshot, now);
      if (points === null) continue; // the snapshot does not have this figure: no observation
      for (const point of points) observe(instrument, point.value, attributesOf(metric, point.labelValues));
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return { unregister: () => meter.removeBatchObservableCallback(callback, observables) };
}
