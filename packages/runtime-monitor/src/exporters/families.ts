/**
 * The metric model the Prometheus exporters share: plain families built from a snapshot by walking the
 * metric table (`metric-definitions.ts`). The Prometheus text renderer, the prom-client collectors and
 * the worker-served endpoint all read these; the OpenTelemetry exporter walks the same table.
 */
import type { MonitorSnapshot } from '../types.js';
import { METRICS, type HistogramDefinition, type MetricDefinition, type MetricKind, type ScalarDefinition } from './metric-definitions.js';

// Kept importable from here: the middleware and earlier code import them from this module.
export { EVENT_LOOP_SECTION, eventLoopTimeOf, routesSectionOf, type EventLoopTime } from './snapshot-sections.js';
export { STALL_BUCKETS_SECONDS, stallBuckets } from './stall-histogram.js';

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

export interface FamilyOptions {
  /** Epoch ms the figures are read at (in-flight ages are computed against it). Default `Date.now()`. */
  now?: number;
  /** Leave out the prom-client-compatible `nodejs_eventloop_lag_*` names (when prom-client already exports them). */
  promClientNames?: boolean;
}

/** Prometheus has no up-down counter: a value that goes both ways is a gauge. */
function familyType(kind: MetricKind): FamilyType {
  return kind === 'upDownCounter' ? 'gauge' : kind;
}

/** The metric's Prometheus name first, then its prom-client aliases unless they are left out. */
function prometheusNames(metric: MetricDefinition, options: FamilyOptions): readonly string[] {
  if (options.promClientNames === false || metric.promClientAliases === undefined) return [metric.prometheus];
  return [metric.prometheus, ...metric.promClientAliases];
}

function scalarSamples(metric: ScalarDefinition, snapshot: MonitorSnapshot, now: number): Sample[] | null {
  const points = metric.read(snapshot, now);
  if (points === null) return null;
  return points.map((point) => {
    if (metric.labels.length === 0) return { suffix: '', labels: null, value: point.value };
    const labels: Record<string, string> = {};
    metric.labels.forEach((label, i) => (labels[label.prometheus] = point.labelValues[i] ?? ''));
    return { suffix: '', labels, value: point.value };
  });
}

function histogramSamples(metric: HistogramDefinition, snapshot: MonitorSnapshot): Sample[] | null {
  const histogram = metric.read(snapshot);
  if (histogram === null) return null;
  const samples: Sample[] = metric.bucketBounds.map((le, i) => ({ suffix: '_bucket', labels: { le: String(le) }, value: histogram.cumulativeCounts[i] ?? 0 }));
  samples.push({ suffix: '_bucket', labels: { le: '+Inf' }, value: histogram.count });
  samples.push({ suffix: '_sum', labels: null, value: histogram.sum });
  samples.push({ suffix: '_count', labels: null, value: histogram.count });
  return samples;
}

/** Every metric family the snapshot supports, in table order (each metric's prom-client aliases right after it). */
export function buildFamilies(snapshot: MonitorSnapshot, options: FamilyOptions = {}): MetricFamily[] {
  const now = options.now ?? Date.now();
  const families: MetricFamily[] = [];
  for (const metric of METRICS) {
    const samples = metric.kind === 'histogram' ? histogramSamples(metric, snapshot) : scalarSamples(metric, snapshot, now);
    // The snapshot does not have this figure (no thread-pool probe, no middleware, …): leave the family out.
    if (samples === null) continue;
    for (const name of prometheusNames(metric, options)) {
      families.push({ name, help: metric.help, type: familyType(metric.kind), samples });
    }
  }
  return families;
}

export interface FamilyDescriptor {
  name: string;
  help: string;
  type: FamilyType;
  labelNames: string[];
}

/** Every family {@link buildFamilies} can produce, with its label names (histograms: none besides `le`). */
export function describeFamilies(options: FamilyOptions = {}): FamilyDescriptor[] {
  return METRICS.flatMap((metric) =>
    prometheusNames(metric, options).map((name) => ({
      name,
      help: metric.help,
      type: familyType(metric.kind),
      labelNames: metric.kind === 'histogram' ? [] : metric.labels.map((label) => label.prometheus),
    })),
  );
}
