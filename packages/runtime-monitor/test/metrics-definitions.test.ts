import { MeterProvider, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import * as promClient from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METRICS, type MetricKind } from '../src/exporters/metric-definitions.js';
import { registerOtelMetrics } from '../src/exporters/otel.js';
import { registerPromClientMetrics } from '../src/exporters/prom-client.js';
import { renderPrometheus } from '../src/exporters/prometheus.js';
import { byName, parsePrometheus, PullReader, sampleSnapshot, type ParsedFamily } from './metrics-helpers.js';

const NOW = 1_750_000_000_000;

const PROMETHEUS_TYPE: Record<MetricKind, ParsedFamily['type']> = { gauge: 'GAUGE', counter: 'COUNTER', upDownCounter: 'GAUGE', histogram: 'HISTOGRAM' };
const OTEL_INSTRUMENT: Record<Exclude<MetricKind, 'histogram'>, string> = {
  gauge: 'OBSERVABLE_GAUGE',
  counter: 'OBSERVABLE_COUNTER',
  upDownCounter: 'OBSERVABLE_UP_DOWN_COUNTER',
};

/** One series as `attributes → value`, attributes sorted, so both exporters' series can be compared. */
function seriesKey(attributes: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b)));
}

// The snapshot has every optional part (thread-pool probe, routes, shedding, loop time, a readable
// histogram), so every row of the table has something to export.
const snapshot = sampleSnapshot(NOW);
const prometheus = byName(parsePrometheus(renderPrometheus(snapshot, { now: NOW })));
let otel = new Map<string, MetricData>();

beforeAll(async () => {
  // The OpenTelemetry exporter reads the clock itself (for in-flight ages): pin it to the Prometheus render's `now`.
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const exported = registerOtelMetrics(provider.getMeter('test'), { monitor: { snapshot: () => snapshot } });
  try {
    const { resourceMetrics } = await reader.collect();
    otel = new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
  } finally {
    exported.unregister();
    await provider.shutdown();
  }
});

afterAll(() => {
  vi.useRealTimers();
});

function otelValue(name: string): number | undefined {
  return (otel.get(name)?.dataPoints as DataPoint<number>[] | undefined)?.[0]?.value;
}

describe('the metric table', () => {
  it('names each metric once in each exporter', () => {
    const prometheusNames = METRICS.flatMap((metric) => [metric.prometheus, ...(metric.promClientAliases ?? [])]);
    expect(new Set(prometheusNames).size).toBe(prometheusNames.length);
    const otelNames = METRICS.flatMap((metric) => (metric.otel === null ? [] : [metric.otel]));
    expect(new Set(otelNames).size).toBe(otelNames.length);
  });

  it('keeps Prometheus names in line with unit and kind, so a new row follows the naming conventions', () => {
    for (const metric of METRICS) {
      if (metric.unit === 's') expect(metric.prometheus, metric.prometheus).toMatch(/_seconds(_total)?$/);
      // nodejs_eventloop_time_seconds predates the table and keeps its name.
      if (metric.kind === 'counter' && metric.prometheus !== 'nodejs_eventloop_time_seconds') expect(metric.prometheus).toMatch(/_total$/);
      if (metric.kind !== 'counter') expect(metric.prometheus).not.toMatch(/_total$/);
    }
  });

  it('every metric is in the Prometheus text output under each of its names, with its type, help and labels', () => {
    for (const metric of METRICS) {
      for (const name of [metric.prometheus, ...(metric.promClientAliases ?? [])]) {
        const family = prometheus.get(name);
        expect(family?.type, name).toBe(PROMETHEUS_TYPE[metric.kind]);
        expect(family?.help, name).toBe(metric.help);
        expect(family?.metrics.length, name).toBeGreaterThan(0);
        if (metric.kind === 'histogram') continue;
        for (const series of family?.metrics ?? []) {
          expect(Object.keys(series.labels ?? {}), name).toEqual(metric.labels.map((label) => label.prometheus));
        }
      }
    }
  });

  it('every metric but the stall histogram is an OpenTelemetry instrument with the same series and values as in Prometheus', () => {
    for (const metric of METRICS) {
      if (metric.kind === 'histogram') continue;
      const instrument = otel.get(metric.otel);
      // sdk-metrics 2 still carries the instrument type on the descriptor; its public type no longer lists it.
      expect((instrument?.descriptor as { type?: string } | undefined)?.type, metric.otel).toBe(OTEL_INSTRUMENT[metric.kind]);
      expect(instrument?.descriptor.unit, metric.otel).toBe(metric.unit);
      expect(instrument?.descriptor.description, metric.otel).toBe(metric.help);

      // Prometheus labels renamed to their OpenTelemetry attributes: the series must match one for one.
      const fromPrometheus = (prometheus.get(metric.prometheus)?.metrics ?? []).map((series) => {
        const attributes: Record<string, string> = {};
        for (const label of metric.labels) attributes[label.otel] = series.labels?.[label.prometheus] ?? '';
        return [seriesKey(attributes), Number(series.value)];
      });
      const fromOtel = ((instrument?.dataPoints ?? []) as DataPoint<number>[]).map((point) => [seriesKey(point.attributes), point.value]);
      expect(fromOtel.sort(), metric.otel).toEqual(fromPrometheus.sort());
      expect(fromOtel.length, metric.otel).toBeGreaterThan(0);
    }
  });

  it('gives OpenTelemetry the stall histogram as its count and sum, since observable instruments carry no histogram', () => {
    expect(METRICS.filter((metric) => metric.otel === null).map((metric) => metric.prometheus)).toEqual(['agent_lag_stall_duration_seconds']);
    const histogram = prometheus.get('agent_lag_stall_duration_seconds')?.metrics[0];
    expect(otelValue('agent_lag.stalls')).toBe(Number(histogram?.count));
    expect(otelValue('agent_lag.stall.time')).toBe(Number(histogram?.sum));
  });

  it('OpenTelemetry now exports start-up stalls, shedding and unattributed blocks (they were Prometheus-only)', () => {
    expect(otelValue('agent_lag.startup_stalls')).toBe(1);
    expect(otelValue('agent_lag.shedding.active')).toBe(1);
    expect(otelValue('agent_lag.shedding.episodes')).toBe(2);
    expect(otelValue('agent_lag.unattributed_blocks')).toBe(1);
    expect(otelValue('agent_lag.stall.threshold')).toBe(0.1);
    expect(otelValue('agent_lag.threadpool.queue_delay_p99')).toBe(0.36);
    const shed = (otel.get('agent_lag.route.shed')?.dataPoints ?? []) as DataPoint<number>[];
    expect(shed.find((point) => point.attributes['http.route'] === '/agents/:id/runs')?.value).toBe(3);
    expect(otel.get('agent_lag.monitor.info')?.dataPoints[0]?.attributes).toEqual({ 'agent_lag.monitor.mode': 'full' });
  });

  it('prom-client gets every metric but the histogram, under every name', async () => {
    const registry = new promClient.Registry();
    const exported = registerPromClientMetrics(registry, { monitor: { snapshot: () => snapshot }, client: promClient });
    const expected = METRICS.filter((metric) => metric.kind !== 'histogram').flatMap((metric) => [metric.prometheus, ...(metric.promClientAliases ?? [])]);
    expect([...exported.names].sort()).toEqual([...expected].sort());
    const families = byName(parsePrometheus(await registry.metrics()));
    for (const name of expected) expect(families.get(name)?.metrics.length, name).toBeGreaterThan(0);
    exported.unregister();
  });
});
