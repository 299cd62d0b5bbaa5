import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../src/exporters/prometheus.js';
import { MAX_EVENT_READERS } from '../src/control/event-stream.js';
import { startHttpEndpoint } from '../src/exporters/http-endpoint.js';
import { STALL_BUCKETS_SECONDS, stallBuckets } from '../src/exporters/stall-histogram.js';
import { StallStats } from '../src/events/stall-stats.js';
import { byName, parsePrometheus, sampleSnapshot, type ParsedFamily } from './metrics-helpers.js';

const NOW = 1_750_000_000_000;

function value(family: ParsedFamily | undefined, labels?: Record<string, string>): number {
  const metric = family?.metrics.find((m) => labels === undefined || Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(metric?.value);
}

describe('renderPrometheus', () => {
  const families = byName(parsePrometheus(renderPrometheus(sampleSnapshot(NOW), { now: NOW })));

  it('exports the OpenTelemetry semantic-convention names in seconds, utilisation as a ratio, loop time by state', () => {
    for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
      expect(families.get(`nodejs_eventloop_delay_${stat}_seconds`)?.type).toBe('GAUGE');
    }
    expect(value(families.get('nodejs_eventloop_delay_p99_seconds'))).toBe(0.48);
    expect(value(families.get('nodejs_eventloop_delay_max_seconds'))).toBe(2.6);
    expect(value(families.get('nodejs_eventloop_utilization_ratio'))).toBe(0.42);
    const time = families.get('nodejs_eventloop_time_seconds');
    expect(time?.type).toBe('COUNTER');
    expect(value(time, { nodejs_eventloop_state: 'active' })).toBe(25.2);
    expect(value(time, { nodejs_eventloop_state: 'idle' })).toBe(34.8);
  });

  it("exports prom-client's names that dashboards already query", () => {
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_min_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_eventloop_lag_mean_seconds', 'nodejs_eventloop_lag_stddev_seconds', 'nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p90_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(families.get(name)?.type, name).toBe('GAUGE');
    }
    expect(value(families.get('nodejs_eventloop_lag_p90_seconds'))).toBe(0.008);
  });

  it('puts a stall of exactly a bucket bound in that bucket, as its exact max says (hdr rounds 1000 ms up to 1003)', () => {
    const stats = new StallStats();
    stats.record(1000, false);
    stats.record(250, false);
    const snapshot = { ...sampleSnapshot(NOW), stalls: stats.figures() };
    expect(snapshot.stalls).toMatchObject({ maxMs: 1000, p99Ms: 1000 });
    const buckets = byName(parsePrometheus(renderPrometheus(snapshot, { now: NOW }))).get('agent_lag_stall_duration_seconds')?.metrics[0]?.buckets ?? {};
    expect(Number(buckets['0.25'])).toBe(1);
    expect(Number(buckets['1'])).toBe(2);
    expect(Number(buckets['+Inf'])).toBe(2);
    // Without the max, a bucket still only counts values that are surely under its bound.
    expect(stallBuckets(snapshot.stalls.histogram)?.[STALL_BUCKETS_SECONDS.indexOf(1)]).toBe(1);
    expect(stallBuckets(snapshot.stalls.histogram, 1000)?.[STALL_BUCKETS_SECONDS.indexOf(1)]).toBe(2);
  });

  it('exports every stall in a histogram with cumulative buckets, apart from start-up stalls', () => {
    const histogram = families.get('agent_lag_stall_duration_seconds');
    expect(histogram?.type).toBe('HISTOGRAM');
    const buckets = histogram?.metrics[0]?.buckets ?? {};
    expect(Number(buckets['0.1'])).toBe(0);
    expect(Number(buckets['0.25'])).toBe(1);
    expect(Number(buckets['0.5'])).toBe(2);
    expect(Number(buckets['2.5'])).toBe(2);
    expect(Number(buckets['5'])).toBe(3);
    expect(Number(buckets['+Inf'])).toBe(3);
    expect(Number(histogram?.metrics[0]?.count)).toBe(3);
    expect(Number(histogram?.metrics[0]?.sum)).toBe(3.2);
    expect(value(families.get('agent_lag_stalls_total'))).toBe(3);
    expect(value(families.get('agent_lag_startup_stalls_total'))).toBe(1);
    expect(value(families.get('agent_lag_threadpool_queue_delay_seconds'))).toBe(0.35);
    expect(value(families.get('agent_lag_monitor_info'), { mode: 'full' })).toBe(1);
  });

  it('exports per-route blame, waits, in-flight and the age of the oldest in-flight request', () => {
    const blocked = families.get('agent_lag_route_blocked_seconds_total');
    expect(blocked?.type).toBe('COUNTER');
    expect(value(blocked, { http_route: '/tools/:name/run' })).toBe(3.08);
    expect(value(blocked, { http_route: '/agents/:id/runs' })).toBe(0);
    expect(value(families.get('agent_lag_route_blocks_total'), { http_route: '/tools/:name/run' })).toBe(2);
    expect(value(families.get('agent_lag_route_worst_block_seconds'), { http_route: '/tools/:name/run' })).toBe(2.6);
    expect(value(families.get('agent_lag_route_lag_waited_seconds_total'), { http_route: '/agents/:id/runs' })).toBe(2.6);
    expect(value(families.get('agent_lag_route_requests_in_flight'), { http_route: '/agents/:id/runs' })).toBe(2);
    expect(families.get('agent_lag_route_oldest_in_flight_age_seconds')?.type).toBe('GAUGE');
    expect(value(families.get('agent_lag_route_oldest_in_flight_age_seconds'), { http_route: '/agents/:id/runs' })).toBe(4.5);
    expect(value(families.get('agent_lag_route_oldest_in_flight_age_seconds'), { http_route: '/tools/:name/run' })).toBe(0);
    expect(value(families.get('agent_lag_route_shed_total'), { http_route: '/agents/:id/runs' })).toBe(3);
    expect(value(families.get('agent_lag_shedding'))).toBe(1);
  });

  it('escapes label values and leaves out what the snapshot does not have', () => {
    const snapshot = sampleSnapshot(NOW);
    snapshot.threadPool = null;
    snapshot.sections = { routes: { at: NOW, unattributedBlocks: 0, shedding: null, routes: [{ route: '/q/"x"\\n', requests: 1, blocks: 0, blockedMs: 0, worstBlockMs: 0, waitedMs: 0, waits: 0, shed: 0, inFlight: 0, oldestInFlightStartedAt: null }] } };
    const parsed = byName(parsePrometheus(renderPrometheus(snapshot)));
    expect(parsed.has('agent_lag_threadpool_queue_delay_seconds')).toBe(false);
    expect(parsed.has('nodejs_eventloop_time_seconds')).toBe(false);
    expect(parsed.has('agent_lag_shedding')).toBe(false);
    expect(parsed.get('agent_lag_route_requests_total')?.metrics[0]?.labels?.http_route).toBe('/q/"x"\\n');
  });
});

describe('startHttpEndpoint', () => {
  it('serves /metrics and /healthz on 127.0.0.1 with a discoverable port, and closes', async () => {
    const snapshot = sampleSnapshot(Date.now());
    const endpoint = await startHttpEndpoint({ port: 0, getSnapshot: () => snapshot, getStalledMs: () => 1500, unhealthyAfterMs: 1000 });
    try {
      expect(endpoint.host).toBe('127.0.0.1');
      expect(endpoint.port).toBeGreaterThan(0);
      const metrics = await fetch(`http://127.0.0.1:${endpoint.port}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const parsed = byName(parsePrometheus(await metrics.text()));
      expect(value(parsed.get('agent_lag_stalls_total'))).toBe(3);
      const health = await fetch(`http://127.0.0.1:${endpoint.port}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'stalled', pid: 4242, stalledMs: 1500 });
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/nope`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });

  it('streams /events: the hello first, then every broadcast event as a line; 503 past MAX_EVENT_READERS; ended at close', async () => {
    const hello = { type: 'hello', pid: 4242, version: '0.1.0', thresholdMs: 100, mode: 'full' };
    const endpoint = await startHttpEndpoint({ port: 0, getSnapshot: () => null, getHello: () => hello });
    const streams: { lines: string[]; ended: Promise<void>; destroy(): void }[] = [];
    try {
      const open = () =>
        new Promise<{ status: number; type: string | undefined; lines: string[]; ended: Promise<void>; destroy(): void }>((resolve, reject) => {
          const request = get(`http://127.0.0.1:${endpoint.port}/events`, (response) => {
            const lines: string[] = [];
            let rest = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              const parts = (rest + chunk).split('\n');
              rest = parts.pop() ?? '';
              lines.push(...parts);
            });
            const ended = new Promise<void>((done) => response.on('close', () => done()));
            resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], lines, ended, destroy: () => request.destroy() });
          });
          request.on('error', reject);
        });
      const first = await open();
      expect(first.status).toBe(200);
      expect(first.type).toBe('application/x-ndjson; charset=utf-8');
      streams.push(first);
      for (let i = 1; i < MAX_EVENT_READERS; i++) streams.push(await open());
      const refused = await open();
      expect(refused.status).toBe(503);
      await refused.ended;
      const until = async (condition: () => boolean) => {
        while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      await until(() => streams.every((stream) => stream.lines.length === 1));
      expect(JSON.parse(first.lines[0]!)).toEqual(hello);
      const block = { type: 'block', pid: 4242, startedAt: 1, durationMs: 250, stack: [], inFlight: null, context: null, late: false };
      endpoint.broadcast(block);
      await until(() => streams.every((stream) => stream.lines.length === 2));
      expect(streams.map((stream) => JSON.parse(stream.lines[1]!) as unknown)).toEqual(streams.map(() => block));
      // A reader gone: its place is free again once the server has seen it go.
      const gone = streams.pop()!;
      gone.destroy();
      await gone.ended;
      let again = await open();
      for (let tries = 0; again.status === 503 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        again = await open();
      }
      expect(again.status).toBe(200);
      streams.push(again);
    } finally {
      await endpoint.close();
    }
    await Promise.all(streams.map((stream) => stream.ended));
    // Without a hello to give (a caller that does not stream events), there is no /events.
    const plain = await startHttpEndpoint({ port: 0, getSnapshot: () => null });
    try {
      expect((await fetch(`http://127.0.0.1:${plain.port}/events`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('answers 503 before the first snapshot and rejects a bad port', async () => {
    const endpoint = await startHttpEndpoint({ port: 0, getSnapshot: () => null });
    try {
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/metrics`)).status).toBe(503);
      const health = await fetch(`http://127.0.0.1:${endpoint.port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await endpoint.close();
    }
    await expect(startHttpEndpoint({ port: 70_000, getSnapshot: () => null })).rejects.toThrow(/port/);
  });

  it('takes unhealthyAfterMs 0 or undefined as off (the monitor passes its resolved metricsEndpoint as is), and rejects a bad one', async () => {
    const snapshot = sampleSnapshot(Date.now());
    for (const unhealthyAfterMs of [0, undefined]) {
      const endpoint = await startHttpEndpoint({ host: '127.0.0.1', port: 0, unhealthyAfterMs, getSnapshot: () => snapshot, getStalledMs: () => 60_000 });
      try {
        const health = await fetch(`http://127.0.0.1:${endpoint.port}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok', stalledMs: 60_000, unhealthyAfterMs: null });
      } finally {
        await endpoint.close();
      }
    }
    await expect(startHttpEndpoint({ port: 0, unhealthyAfterMs: -1, getSnapshot: () => null })).rejects.toThrow(/unhealthyAfterMs/);
  });
});
