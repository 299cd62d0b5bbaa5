/**
 * Registers the monitor's metrics into an app's own prom-client Registry, so prom-client formats and
 * serves them next to the app's metrics. prom-client stays an optional peer: pass your module as
 * `client`, or it is required lazily (from here) on first use — never by loading the package root.
 */
import { createRequire } from 'node:module';
import type { MonitorSnapshot } from '../types.js';
import { withEventLoopTime } from './event-loop-time.js';
import { buildFamilies, describeFamilies, type MetricFamily } from './families.js';

type Labels = Record<string, string>;

/** The parts of a prom-client metric the collectors use. */
interface PromGaugeLike {
  reset(): void;
  set(labels: Labels, value: number): void;
}
interface PromCounterLike {
  reset(): void;
  inc(labels: Labels, value: number): void;
}
interface PromMetricConfig<T> {
  name: string;
  help: string;
  labelNames: string[];
  /** `never`: prom-client's own Registry type accepts it (the metric configs are checked against the app's prom-client). */
  registers: never[];
  collect(this: T): void;
}

/** The parts of the prom-client module used (`import * as client from 'prom-client'` fits). */
export interface PromClientLike {
  Gauge: new (config: PromMetricConfig<PromGaugeLike>) => PromGaugeLike;
  Counter: new (config: PromMetricConfig<PromCounterLike>) => PromCounterLike;
}

/** The parts of a prom-client Registry used (`client.register` or `new client.Registry()` fits). */
export interface PromRegistryLike {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

export interface PromClientExportOptions {
  /** The monitor handle (what `startMonitor` returned). */
  monitor: { snapshot(): MonitorSnapshot };
  /** Your prom-client module; default: `require('prom-client')` resolved from this package. */
  client?: PromClientLike;
}

export interface PromClientExport {
  /** Names registered (families already in the registry, such as prom-client's own lag gauges, are skipped). */
  names: string[];
  unregister(): void;
}

function loadPromClient(): PromClientLike {
  try {
    return createRequire(import.meta.url)('prom-client') as PromClientLike;
  } catch (error) {
    throw new Error('agent-lag: registerPromClientMetrics needs prom-client (npm install prom-client) or pass it as `client`', { cause: error });
  }
}

/** Values that are already sums arrive as one `inc`: prom-client counters have no `set`. */
function collectInto(metric: PromGaugeLike | PromCounterLike, family: MetricFamily | undefined, kind: 'gauge' | 'counter'): void {
  metric.reset();
  if (family === undefined) return;
  for (const sample of family.samples) {
    if (kind === 'gauge') (metric as PromGaugeLike).set(sample.labels ?? {}, sample.value);
    else (metric as PromCounterLike).inc(sample.labels ?? {}, Math.max(0, sample.value));
  }
}

/** `registerPromClientMetrics(client.register, { monitor })`: as registerOtelMetrics takes its Meter, the target first. */
export function registerPromClientMetrics(registry: PromRegistryLike, options: PromClientExportOptions): PromClientExport {
  if (typeof registry?.registerMetric !== 'function') {
    throw new TypeError('agent-lag: registerPromClientMetrics(registry, { monitor }): registry must be a prom-client Registry (client.register or a new client.Registry())');
  }
  const monitor = options?.monitor;
  if (typeof monitor?.snapshot !== 'function') {
    throw new TypeError('agent-lag: registerPromClientMetrics(registry, { monitor }): monitor must be a monitor handle (what startMonitor() returned)');
  }
  const client = options.client ?? loadPromClient();

  // One snapshot per scrape: prom-client calls every metric's collect() synchronously within one turn.
  let cached: Map<string, MetricFamily> | null = null;
  const families = (): Map<string, MetricFamily> => {
    if (cached === null) {
      cached = new Map(buildFamilies(withEventLoopTime(monitor.snapshot())).map((family) => [family.name, family]));
      queueMicrotask(() => (cached = null));
    }
    return cached;
  };

  const names: string[] = [];
  for (const descriptor of describeFamilies()) {
    // Histograms need bucket counts prom-client cannot be given; they stay on the text/worker exporters.
    if (descriptor.type === 'histogram') continue;
    if (registry.getSingleMetric(descriptor.name) !== undefined) continue;
    const config = {
      name: descriptor.name,
      help: descriptor.help,
      labelNames: descriptor.labelNames,
      registers: [registry as never],
    };
    if (descriptor.type === 'gauge') {
      new client.Gauge({ ...config, collect(this: PromGaugeLike) { collectInto(this, families().get(descriptor.name), 'gauge'); } });
    } else {
      new client.Counter({ ...config, collect(this: PromCounterLike) { collectInto(this, families().get(descriptor.name), 'counter'); } });
    }
    names.push(descriptor.name);
  }
  return {
    names,
    unregister: () => {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
