import { MeterProvider, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import * as promClient from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerOtelMetrics } from '../src/exporters/otel.js';
import { registerPromClientMetrics } from '../src/exporters/prom-client.js';
import { byName, parsePrometheus, PullReader, sampleSnapshot } from './metrics-helpers.js';

describe('registerPromClientMetrics', () => {
  it("registers into the app's registry next to prom-client's defaults, without clashing names", async () => {
    const registry = new promClient.Registry();
    promClient.collectDefaultMetrics({ register: registry });
    let snapshot = sampleSnapshot(Date.now());
    const exported = registerPromClientMetrics(registry, { monitor: { snapshot: () => snapshot }, client: promClient });
    // prom-client already exports its own nodejs_eventloop_lag_* gauges: those are left to it.
    expect(exported.names).not.toContain('nodejs_eventloop_lag_p99_seconds');
    expect(exported.names).toContain('nodejs_eventloop_delay_p99_seconds');

    const families = byName(parsePrometheus(await registry.metrics()));
    expect(families.get('nodejs_eventloop_delay_p99_seconds')?.type).toBe('GAUGE');
    expect(Number(families.get('nodejs_eventloop_delay_p99_seconds')?.metrics[0]?.value)).toBe(0.48);
    expect(families.get('nodejs_eventloop_lag_p99_seconds')?.help).toMatch(/99th percentile/); // prom-client's own
    const blocked = families.get('agent_lag_route_blocked_seconds_total');
    expect(blocked?.type).toBe('COUNTER');
    expect(blocked?.metrics.find((m) => m.labels?.http_route === '/tools/:name/run')?.value).toBe('3.08');
    expect(Number(families.get('nodejs_eventloop_time_seconds')?.metrics.find((m) => m.labels?.nodejs_eventloop_state === 'active')?.value)).toBeGreaterThan(0);

    // Values follow the monitor between scrapes; routes that vanish from the snapshot vanish from the output.
    snapshot = { ...snapshot, stalls: { ...snapshot.stalls, count: 7 }, sections: {} };
    const later = byName(parsePrometheus(await registry.metrics()));
    expect(Number(later.get('agent_lag_stalls_total')?.metrics[0]?.value)).toBe(7);
    expect(later.get('agent_lag_route_blocked_seconds_total')?.metrics ?? []).toHaveLength(0);

    exported.unregister();
    expect(registry.getSingleMetric('agent_lag_stalls_total')).toBeUndefined();
  });

  it('loads prom-client itself when no module is passed, and validates its arguments', () => {
    const registry = new promClient.Registry();
    const exported = registerPromClientMetrics(registry, { monitor: { snapshot: () => sampleSnapshot(Date.now()) } });
    expect(exported.names).toContain('nodejs_eventloop_lag_p99_seconds');
    const monitor = { snapshot: () => sampleSnapshot(0) };
    // The options object where the registry goes, and the handle where the options go: each says the call's shape.
    expect(() => registerPromClientMetrics({ registry, monitor } as never, { monitor })).toThrow(
      new TypeError('agent-lag: registerPromClientMetrics(registry, { monitor }): registry must be a prom-client Registry (client.register or a new client.Registry())'),
    );
    expect(() => registerPromClientMetrics(registry, monitor as never)).toThrow(
      new TypeError('agent-lag: registerPromClientMetrics(registry, { monitor }): monitor must be a monitor handle (what startMonitor() returned)'),
    );
  });
});

describe('registerOtelMetrics', () => {
  it('validates its arguments, each error saying the call it expects', () => {
    const meter = new MeterProvider().getMeter('test');
    const monitor = { snapshot: () => sampleSnapshot(0) };
    expect(() => registerOtelMetrics(new MeterProvider() as never, { monitor })).toThrow(
      new TypeError('agent-lag: registerOtelMetrics(meter, { monitor }): meter must be an @opentelemetry/api Meter (meterProvider.getMeter(name))'),
    );
    expect(() => registerOtelMetrics(meter, monitor as never)).toThrow(
      new TypeError('agent-lag: registerOtelMetrics(meter, { monitor }): monitor must be a monitor handle (what startMonitor() returned)'),
    );
  });

  it('observes nodejs.eventloop.* with semantic-convention units and agent_lag.* per route on a real Meter', async () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    const snapshot = sampleSnapshot(Date.now());
    const exported = registerOtelMetrics(provider.getMeter('test'), { monitor: { snapshot: () => snapshot } });
    try {
      const { resourceMetrics } = await reader.collect();
      const metrics = new Map<string, MetricData>(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
      const points = (name: string): DataPoint<number>[] => (metrics.get(name)?.dataPoints ?? []) as DataPoint<number>[];

      for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
        expect(metrics.get(`nodejs.eventloop.delay.${stat}`)?.descriptor.unit).toBe('s');
      }
      expect(points('nodejs.eventloop.delay.p99')[0]?.value).toBe(0.48);
      expect(metrics.get('nodejs.eventloop.utilization')?.descriptor.unit).toBe('1');
      expect(points('nodejs.eventloop.utilization')[0]?.value).toBe(0.42);
      const time = metrics.get('nodejs.eventloop.time');
      expect(time?.descriptor.unit).toBe('s');
      expect(points('nodejs.eventloop.time').map((p) => p.attributes['nodejs.eventloop.state']).sort()).toEqual(['active', 'idle']);
      expect(points('agent_lag.stalls')[0]?.value).toBe(3);
      const blocked = points('agent_lag.route.blocked_time').find((p) => p.attributes['http.route'] === '/tools/:name/run');
      expect(blocked?.value).toBe(3.08);
      const oldest = points('agent_lag.route.oldest_in_flight_age').find((p) => p.attributes['http.route'] === '/agents/:id/runs');
      expect(oldest?.value).toBeGreaterThanOrEqual(4.5);
    } finally {
      exported.unregister();
      await provider.shutdown();
    }
  });
});
